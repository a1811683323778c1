/** Helpers the sections share: a quiet logger, waiting, the Xero call log read as figures. */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { Sandbox } from '../sandbox/sandbox-bridge';
import type { CallRecord } from '../sandbox/xero/call-log';
import type { Job, JobFilter } from '../src/store/jobs';

export const silent = pino({ level: process.env.BRIDGE_LOG ?? 'silent' });

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` (real) until it returns true; false after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, everyMs: number, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (performance.now() > deadline) return false;
    await sleep(everyMs);
  }
}

/**
 * Like `until`, but a wait that runs out throws, naming the section, what it waited for and `detail()` (say, the jobs
 * still due): a bench never hangs silently.
 */
export async function waitFor(
  section: string,
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
  detail?: () => string | Promise<string>,
): Promise<void> {
  if (await until(check, everyMs, timeoutMs)) return;
  const more = detail ? await detail() : '';
  throw new Error(`${section}: ${what} did not happen in ${timeoutMs / 1000} s${more ? `: ${more}` : ''}`);
}

/** `PUT /api.xro/2.0/Invoices/{id}` → `PUT Invoices/{id}`. */
export function xeroEndpoint(call: Pick<CallRecord, 'method' | 'path'>): string {
  const path = call.path
    .replace(/^\/api\.xro\/2\.0\//i, '')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}');
  return `${call.method} ${path}`;
}

/** The last sequence number in the Xero call log (0 when empty). */
export function lastXeroSeq(sandbox: Sandbox): number {
  return sandbox.xero.control.calls().at(-1)?.seq ?? 0;
}

/**
 * Jobs the bridge has to do now or within `horizonMs` (its own clock): running, or queued/failed and due by then.
 * An empty queue never comes: the bridge keeps dated jobs that wait by design (a deal's re-plan a minute after a
 * change, the KPI refresh at the end of its window, tomorrow's daily re-plan, KPI refresh and drift check, next
 * month's close proposal), so "quiet" means nothing due, not nothing queued.
 */
export async function dueJobs(sandbox: Sandbox, horizonMs = 0): Promise<Job[]> {
  const by = sandbox.xero.control.now() + horizonMs;
  const due: Job[] = [];
  for await (const page of jobPages(sandbox, { states: ['queued', 'running', 'failed'] })) {
    due.push(...page.filter((job) => job.state === 'running' || job.nextRunAt <= by));
  }
  return due;
}

/** The store's jobs matching `filter`, newest first, `perPage` at a time. */
export async function* jobPages(
  sandbox: Sandbox,
  filter: Omit<JobFilter, 'beforeId' | 'limit'>,
  perPage = 500,
): AsyncGenerator<Job[]> {
  let beforeId: number | undefined;
  for (;;) {
    const page = await sandbox.store.jobs.listJobs({
      ...filter,
      limit: perPage,
      ...(beforeId === undefined ? {} : { beforeId }),
    });
    yield page;
    if (page.length < perPage) return;
    beforeId = page.at(-1)!.id;
  }
}

/** How many jobs are due now (see dueJobs). */
export async function openJobs(sandbox: Sandbox): Promise<number> {
  return (await dueJobs(sandbox)).length;
}

/** "PLAN_BILLING:006…:29943073 (queued, due in 54.9 s)", for a message that says what the bench waited for. */
export function describeJobs(sandbox: Sandbox, jobs: readonly Job[], max = 5): string {
  const now = sandbox.xero.control.now();
  const named = jobs
    .slice(0, max)
    .map((job) =>
      job.state === 'running'
        ? `${job.key} (running)`
        : `${job.key} (${job.state}, due ${job.nextRunAt <= now ? 'now' : `in ${((job.nextRunAt - now) / 1000).toFixed(1)} s`}${job.lastError ? `, last error: ${job.lastError}` : ''})`,
    );
  return jobs.length > max ? `${named.join(', ')} and ${jobs.length - max} more` : named.join(', ');
}

/** Sum of ledgerline_xero_rate_limited_total (429s the bridge's scheduler saw) from the bridge's /metrics. */
export async function bridge429s(sandbox: Sandbox): Promise<number> {
  const response = await sandbox.app.inject({ method: 'GET', url: '/metrics' });
  let total = 0;
  for (const line of response.body.split('\n')) {
    if (line.startsWith('ledgerline_xero_rate_limited_total')) total += Number(line.split(' ').at(-1)) || 0;
  }
  return total;
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}
