/** Polls an async check until it returns something truthy; fails with `what` after the timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false | null>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits until the bridge has no job due (queued or running): only work dated later (tomorrow's re-plan, next month's
 * close) may wait. Before a measurement, the start-up work then runs outside it; on a shared calendar, `now` is the
 * calendar's.
 */
export async function waitForNoJobDue(
  jobs: {
    listJobs(filter: {
      states: ('queued' | 'running')[];
      limit: number;
    }): Promise<{ state: string; nextRunAt: number }[]>;
  },
  options: { now?: () => number; timeoutMs?: number } = {},
): Promise<void> {
  const now = options.now ?? Date.now;
  await waitFor(
    'the bridge to finish what is due',
    async () => {
      const open = await jobs.listJobs({ states: ['queued', 'running'], limit: 500 });
      return open.every((job) => job.state === 'queued' && job.nextRunAt > now()) || undefined;
    },
    options.timeoutMs ?? 30_000,
  );
}
