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
 * Waits until the bridge has no job due now (queued or running): its start-up work (a day's re-plans, last month's
 * closes, the KPI refresh) then runs before a measurement, not inside it. Jobs dated later do not count.
 */
export async function waitForNoJobDue(
  jobs: { listJobs(filter: { states: ('queued' | 'running')[]; limit: number }): Promise<{ nextRunAt: number }[]> },
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(
    'the jobs due now',
    async () => {
      const open = await jobs.listJobs({ states: ['queued', 'running'], limit: 500 });
      return open.every((job) => job.nextRunAt > Date.now()) || undefined;
    },
    timeoutMs,
  );
}
