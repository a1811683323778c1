/** Helpers the sections share: a quiet logger, waiting, the Xero call log read as figures. */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { Sandbox } from '../sandbox/sandbox-bridge';
import type { CallRecord } from '../sandbox/xero/call-log';

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

/** Jobs neither done nor dead. */
export async function openJobs(sandbox: Sandbox): Promise<number> {
  const counts = await sandbox.store.jobs.countJobsByState();
  return (counts.queued ?? 0) + (counts.running ?? 0) + (counts.failed ?? 0);
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
