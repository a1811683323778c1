/**
 * Issue 20 in the worker: an approval for a tenant whose day of Xero calls is used up (X-DayLimit-Remaining: 0, no 429
 * yet) is refused at once and retried when the day window frees; the other tenant's approval behind it in the same
 * batch and worker loop runs meanwhile (the client's side: src/xero/calls-daylimit.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { systemClock } from '../src/lib/clock';
import { SqliteStore } from '../src/store';
import { handles } from '../src/sync/handler';
import { perInvoice } from '../src/sync/invoice-actions/per-invoice';
import { createWorker } from '../src/sync/worker';
import { EU, harness, teardown, UK, type Harness } from '../src/xero/__fixtures__/client-harness';

const DAY_MS = 86_400_000;

let h: Harness;
beforeEach(async () => {
  h = await harness();
  h.emu.control.setRateLimits({ perDay: 3 }); // Xero says: 3 calls a day for this app, per tenant
});
afterEach(async () => teardown(h));

it('an approval for the tenant out of its day does not hold back the UK approval behind it', async () => {
  for (let i = 0; i < 3; i += 1) await h.client.getTaxRates(EU); // the 3rd answer says X-DayLimit-Remaining: 0
  const dir = mkdtempSync(join(tmpdir(), 'daylimit-'));
  const store = new SqliteStore({ path: join(dir, 'b.sqlite'), encryptionKey: randomBytes(32) });
  const onRecord: string[] = [];
  const approvals = perInvoice<'AUTHORISE'>(
    {
      reference: { settings: async () => ({ readOnly: false, autoDraftOnClose: true }) } as never,
      syncErrors: { onInvoice: async (id: string, msg: string) => void onRecord.push(`${id}: ${msg}`) },
      log: pino({ level: 'silent' }),
    },
    async (job) => {
      await h.client.getTaxRates(job.payload.requestedBy === 'EU' ? EU : UK);
      return { kind: 'done' };
    },
    { writesToXero: true },
  );
  const worker = createWorker({
    jobs: store.jobs,
    handlers: [handles('AUTHORISE', approvals)],
    owner: 'w',
    log: pino({ level: 'silent' }),
    clock: systemClock,
  });
  for (const [n, who] of [
    [1, 'EU'],
    [2, 'UK'],
  ] as const) {
    const invoiceId = `a0300000000000${n}AAA`;
    const requestKey = `AUTHORISE:${invoiceId}:1`;
    await store.jobs.enqueueJob({
      key: requestKey,
      action: 'AUTHORISE',
      payload: { action: 'AUTHORISE', requestKey, invoiceId, requestedBy: who },
    });
  }
  const asked = Date.now();
  worker.start();
  try {
    const deadline = Date.now() + 5_000;
    const who = (j: { payload: unknown }) => (j.payload as { requestedBy: string }).requestedBy;
    let jobs = await store.jobs.listJobs();
    while (Date.now() < deadline && !jobs.some((j) => who(j) === 'UK' && j.state === 'done')) {
      await new Promise((r) => setTimeout(r, 50));
      jobs = await store.jobs.listJobs();
    }
    const uk = jobs.find((j) => who(j) === 'UK')!;
    const eu = jobs.find((j) => who(j) === 'EU')!;
    expect(uk.state).toBe('done');
    // EU's approval waits for its day to free, as a retry: nothing is written on its invoice.
    expect(eu).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/day limit is used up/) });
    expect(eu.nextRunAt - asked).toBeGreaterThan(DAY_MS - 60_000);
    expect(onRecord).toEqual([]);
  } finally {
    await h.scheduler.close(); // ends any call still queued, so the worker can stop
    await worker.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 20_000);
