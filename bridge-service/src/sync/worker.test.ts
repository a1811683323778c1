/**
 * The worker against a real store: a retryable failure retries with backoff, and when it has been retried too
 * often it gives up, is dead in the store, and is handed to onGiveUp so people see it on the record. Jobs stored
 * before job kinds existed run with the handler of their kind.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ManualClock } from '../lib/clock';
import { SqliteStore } from '../store';
import { writeV1Store } from '../store/sqlite/__fixtures__/v1-jobs';
import { handles, READ_ONLY_HOLD, type JobHandler } from './handler';
import type { Job } from '../store/types';
import { createWorker, retryDelay } from './worker';
import { perInvoice, type PerInvoiceDeps } from './invoice-actions/per-invoice';
import { SalesforceWriteError } from '../salesforce/writeback';
import { XeroScheduler } from '../xero/scheduler';

let dir: string;
let store: SqliteStore;
const clock = new ManualClock();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledgerline-worker-'));
  store = new SqliteStore({ path: join(dir, 'bridge.sqlite'), encryptionKey: randomBytes(32), clock });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('gives up after maxAttempts retryable failures, records it, and tells onGiveUp once', async () => {
  const flaky: JobHandler<'VOID'> = {
    batchSize: 10,
    run: async (jobs) => new Map(jobs.map((job) => [job.id, { kind: 'retry', error: 'SERVER_UNAVAILABLE' }])),
  };
  const gaveUp: [string, string][] = [];
  const worker = createWorker({
    jobs: store.jobs,
    handlers: [handles('VOID', flaky)],
    owner: 'worker-1',
    log: pino({ level: 'silent' }),
    clock,
    maxAttempts: 3,
    onGiveUp: async (job: Job, error) => void gaveUp.push([job.key, error]),
  });
  await store.jobs.enqueueJob({
    key: 'VOID:a03000000000001AAA:1',
    action: 'VOID',
    payload: { action: 'VOID', requestKey: 'VOID:a03000000000001AAA:1', invoiceId: 'a03000000000001AAA' },
  });

  for (let attempt = 1; attempt <= 3; attempt += 1) {
    expect(await worker.drainOnce()).toBe(1);
    expect(await worker.drainOnce()).toBe(0); // not due until its backoff has passed
    await clock.advance(15 * 60_000);
  }
  const [job] = await store.jobs.listJobs({ limit: 1 });
  expect(job).toMatchObject({ state: 'dead', attempts: 3, lastError: 'SERVER_UNAVAILABLE (gave up after 3 attempts)' });
  expect(gaveUp).toEqual([['VOID:a03000000000001AAA:1', 'SERVER_UNAVAILABLE (gave up after 3 attempts)']]);
  expect(await worker.drainOnce()).toBe(0);
});

it('holds a job back for as long as read-only mode lasts without counting attempts, then runs it once', async () => {
  let readOnly = true;
  const ran: string[] = [];
  const voids: JobHandler<'VOID'> = {
    batchSize: 10,
    run: async (jobs) =>
      new Map(
        jobs.map((job) => {
          if (readOnly) return [job.id, READ_ONLY_HOLD];
          ran.push(job.key);
          return [job.id, { kind: 'done' }];
        }),
      ),
  };
  const gaveUp: string[] = [];
  const worker = createWorker({
    jobs: store.jobs,
    handlers: [handles('VOID', voids)],
    owner: 'worker-1',
    log: pino({ level: 'silent' }),
    clock,
    maxAttempts: 3,
    onGiveUp: async (job: Job) => void gaveUp.push(job.key),
  });
  const key = 'VOID:a03000000000002AAA:1';
  await store.jobs.enqueueJob({
    key,
    action: 'VOID',
    payload: { action: 'VOID', requestKey: key, invoiceId: 'a03000000000002AAA' },
  });
  // a day of read-only mode: 288 holds of 5 minutes, far past maxAttempts
  for (let hold = 0; hold < 288; hold += 1) {
    expect(await worker.drainOnce()).toBe(1);
    expect(await worker.drainOnce()).toBe(0); // held until its time comes
    await clock.advance(READ_ONLY_HOLD.kind === 'hold' ? READ_ONLY_HOLD.delayMs : 0);
  }
  expect(await store.jobs.getJobByKey(key)).toMatchObject({ state: 'queued', attempts: 0 });
  readOnly = false;
  expect(await worker.drainOnce()).toBe(1);
  expect(ran).toEqual([key]);
  expect(gaveUp).toEqual([]);
  expect(await store.jobs.getJobByKey(key)).toMatchObject({ state: 'done', attempts: 1 });
});

it('runs a credit note approval queued before job kinds existed with the credit-note handler, not AUTHORISE', async () => {
  const file = join(dir, 'upgraded.sqlite');
  const key = 'AUTHORISE:a0C000000000001AAA:1';
  await writeV1Store(file, randomBytes(32), [
    {
      key,
      action: 'AUTHORISE',
      payload: {
        action: 'AUTHORISE',
        requestKey: key,
        invoiceId: 'a03000000000001AAA',
        payload: { creditNoteId: 'a0C000000000001AAA' },
      },
    },
  ]);
  const upgraded = new SqliteStore({ path: file, encryptionKey: randomBytes(32), clock });
  const ran: string[] = [];
  const recorder = <K extends 'AUTHORISE' | 'AUTHORISE_CREDIT_NOTE'>(kind: K): JobHandler<K> => ({
    batchSize: 10,
    run: async (jobs) => new Map(jobs.map((job) => (ran.push(`${kind} ${job.key}`), [job.id, { kind: 'done' }]))),
  });
  const worker = createWorker({
    jobs: upgraded.jobs,
    handlers: [
      handles('AUTHORISE', recorder('AUTHORISE')),
      handles('AUTHORISE_CREDIT_NOTE', recorder('AUTHORISE_CREDIT_NOTE')),
    ],
    owner: 'worker-1',
    log: pino({ level: 'silent' }),
    clock,
  });
  expect(await worker.drainOnce()).toBe(1);
  expect(ran).toEqual([`AUTHORISE_CREDIT_NOTE ${key}`]);
  expect(await upgraded.jobs.getJobByKey(key)).toMatchObject({ state: 'done' });
  await upgraded.close();
});

it('spaces a failed job’s retries 5 s, 10 s, 20 s … up to 15 minutes, each ±20 % (the shared backoff rule)', () => {
  expect([0, 0.5, 0.999].map((r) => retryDelay(1, () => r))).toEqual([4_000, 5_000, 5_998]);
  expect(retryDelay(3, () => 0.5)).toBe(20_000);
  expect(retryDelay(30, () => 0)).toBe(12 * 60_000);
  expect(retryDelay(30, () => 0.5)).toBe(15 * 60_000);
});

const DRAFT = {
  key: 'CREATE_DRAFT:006000000000001AAA:1',
  action: 'CREATE_DRAFT',
  payload: {
    action: 'CREATE_DRAFT',
    requestKey: 'CREATE_DRAFT:006000000000001AAA:1',
    opportunityId: '006000000000001AAA',
  },
} as const;

/**
 * Starts a batch of `held` that does not end until released, then queues `other`: returns what ran in what order
 * until `other` was done, then lets the held batch end.
 */
async function besideAHeldBatch(
  held: { kind: 'CREATE_DRAFT' | 'KPI_REFRESH'; job: Parameters<typeof store.jobs.enqueueJob>[0] },
  other: { kind: 'CREATE_DRAFT' | 'XERO_CHANGE'; job: Parameters<typeof store.jobs.enqueueJob>[0] },
): Promise<string[]> {
  let release!: () => void;
  const holding = new Promise<void>((resolve) => (release = resolve));
  const order: string[] = [];
  const heldHandler = handles(held.kind, {
    batchSize: 1000,
    async run(jobs: readonly Job[]) {
      order.push(`${held.kind} started`);
      await holding;
      order.push(`${held.kind} done`);
      return new Map(jobs.map((job) => [job.id, { kind: 'done' as const }]));
    },
  } as JobHandler<typeof held.kind>);
  const otherHandler = handles(other.kind, {
    batchSize: 200,
    run: async (jobs: readonly Job[]) => {
      order.push(`${other.kind} done`);
      return new Map(jobs.map((job) => [job.id, { kind: 'done' as const }]));
    },
  } as JobHandler<typeof other.kind>);
  const worker = createWorker({
    jobs: store.jobs,
    handlers: [heldHandler, otherHandler],
    owner: 'worker-1',
    log: pino({ level: 'silent' }),
    clock,
    idleMs: 10,
  });
  await store.jobs.enqueueJob(held.job);
  worker.start();
  await waitUntil(() => order.includes(`${held.kind} started`));
  await store.jobs.enqueueJob(other.job);
  worker.wake();
  await waitUntil(() => order.includes(`${other.kind} done`));
  const seen = [...order];
  release();
  await waitUntil(() => order.includes(`${held.kind} done`));
  await worker.stop();
  return seen;
}

it('runs a change someone waits on while a long backlog batch is still running', async () => {
  // a batch of 1,000 drafts takes 20 s at Xero's pace
  const order = await besideAHeldBatch(
    { kind: 'CREATE_DRAFT', job: DRAFT },
    {
      kind: 'XERO_CHANGE',
      job: {
        key: 'XERO_CHANGE:INVOICE:inv-1:2026-03-31T10:00:00Z',
        action: 'XERO_CHANGE',
        payload: { resourceId: 'inv-1', eventCategory: 'INVOICE', eventType: 'UPDATE', tenantId: 'uk' },
      },
    },
  );
  expect(order).toEqual(['CREATE_DRAFT started', 'XERO_CHANGE done']);
});

it('drafts while a long KPI refresh is still running (the refresh has a loop of its own)', async () => {
  // a refresh of a large org reads every deal and plan: 22.7 s in the tenants bench
  const order = await besideAHeldBatch(
    {
      kind: 'KPI_REFRESH',
      job: { key: 'KPI_REFRESH:changed:1', action: 'KPI_REFRESH', payload: { reason: 'changed' } },
    },
    { kind: 'CREATE_DRAFT', job: DRAFT },
  );
  expect(order).toEqual(['KPI_REFRESH started', 'CREATE_DRAFT done']);
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

const VOID_JOB = {
  key: 'VOID:a03000000000001AAA:1',
  action: 'VOID',
  payload: { action: 'VOID', requestKey: 'VOID:a03000000000001AAA:1', invoiceId: 'a03000000000001AAA' },
} as const;
const alwaysUnavailable: JobHandler<'VOID'> = {
  batchSize: 10,
  run: async (jobs) => new Map(jobs.map((job) => [job.id, { kind: 'retry', error: 'SERVER_UNAVAILABLE' }])),
};

it('after Retry, a job it gave up on gets its retries again, not one try', async () => {
  const gaveUp: string[] = [];
  const worker = createWorker({
    jobs: store.jobs,
    handlers: [handles('VOID', alwaysUnavailable)],
    owner: 'worker-1',
    log: pino({ level: 'silent' }),
    clock,
    onGiveUp: async (_job, error) => void gaveUp.push(error), // default maxAttempts: 10
  });
  const { job } = await store.jobs.enqueueJob(VOID_JOB);
  for (let i = 0; i < 10; i += 1) {
    await worker.drainOnce();
    await clock.advance(20 * 60_000); // past the longest backoff, 15 min + 20 %
  }
  expect(gaveUp).toEqual(['SERVER_UNAVAILABLE (gave up after 10 attempts)']);
  await store.jobs.retryJob(job.id); // Retry on the invoice, once Xero is back
  await worker.drainOnce(); // one 503, a blip
  expect(await store.jobs.getJob(job.id)).toMatchObject({ state: 'failed', attempts: 1 }); // retried with backoff
  expect(gaveUp).toHaveLength(1);
});

describe('a give-up that cannot be written to Salesforce', () => {
  const giveUpOnce = async (onGiveUp: (job: Job, error: string) => Promise<void>) => {
    const worker = createWorker({
      jobs: store.jobs,
      handlers: [handles('VOID', alwaysUnavailable)],
      owner: 'worker-1',
      log: pino({ level: 'silent' }),
      clock,
      maxAttempts: 2,
      onGiveUp,
    });
    const { job } = await store.jobs.enqueueJob(VOID_JOB);
    expect(await worker.drainOnce()).toBe(1);
    await clock.advance(20 * 60_000);
    expect(await worker.drainOnce()).toBe(1); // the 2nd attempt: gives up
    return { worker, id: job.id };
  };

  it('Salesforce down: the job is not dead yet; it runs again later and records its give-up then', async () => {
    let salesforceDown = true;
    const recorded: string[] = [];
    const { worker, id } = await giveUpOnce(async (_job, error) => {
      if (salesforceDown) throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
      recorded.push(error);
    });
    expect(await store.jobs.getJob(id)).toMatchObject({
      state: 'failed',
      lastError:
        'SERVER_UNAVAILABLE (gave up after 2 attempts); not yet on the record (connect ECONNREFUSED 10.0.0.1:443)',
    });
    expect(await worker.drainOnce()).toBe(0); // after its backoff, not at once
    salesforceDown = false;
    await clock.advance(20 * 60_000);
    expect(await worker.drainOnce()).toBe(1); // Xero still down: gives up again, and the record says so now
    expect(recorded).toEqual(['SERVER_UNAVAILABLE (gave up after 3 attempts)']);
    expect(await store.jobs.getJob(id)).toMatchObject({ state: 'dead', attempts: 3 });
  });

  it('a record Salesforce refuses (it would refuse it again): dead at once, as before', async () => {
    const { id } = await giveUpOnce(async () => {
      throw new SalesforceWriteError('Invoice__c', [
        { index: 0, key: 'x', errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'deleted', fields: [] }] },
      ]);
    });
    expect(await store.jobs.getJob(id)).toMatchObject({ state: 'dead', attempts: 2 });
  });

  it('a record Salesforce could not lock (another write held it): not dead yet, it records its give-up later', async () => {
    const { id } = await giveUpOnce(async () => {
      throw new SalesforceWriteError('Invoice__c', [
        { index: 0, key: 'x', errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'locked', fields: [] }] },
      ]);
    });
    expect(await store.jobs.getJob(id)).toMatchObject({
      state: 'failed',
      lastError: expect.stringMatching(
        /not yet on the record \(Salesforce refused 1 Invoice__c record\(s\): UNABLE_TO_LOCK_ROW/,
      ),
    });
  });
});

it('a job cut off by a shutdown (its Xero call cancelled) goes back in the queue uncounted, nothing on its record', async () => {
  const TENANT = '11111111-1111-4111-8111-111111111111';
  const scheduler = new XeroScheduler({ limits: { tenantPerMinute: 1 } }); // the 2nd call waits a minute
  const onRecord: string[] = [];
  const approvals = perInvoice<'AUTHORISE'>(
    {
      reference: { settings: async () => ({ readOnly: false }) } as unknown as PerInvoiceDeps['reference'],
      syncErrors: { onInvoice: async (id, message) => void onRecord.push(`${id}: ${message}`) },
      log: pino({ level: 'silent' }),
    },
    async () => {
      await scheduler.schedule(TENANT, async () => 'approved in Xero');
      return { kind: 'done' };
    },
    { writesToXero: true },
  );
  const worker = createWorker({
    jobs: store.jobs,
    handlers: [handles('AUTHORISE', approvals)],
    owner: 'worker-1',
    log: pino({ level: 'silent' }),
    clock,
  });
  for (const n of [1, 2, 3]) {
    const requestKey = `AUTHORISE:a0300000000000${n}AAA:1`;
    await store.jobs.enqueueJob({
      key: requestKey,
      action: 'AUTHORISE',
      payload: { action: 'AUTHORISE', requestKey, invoiceId: `a0300000000000${n}AAA` },
    });
  }
  worker.start();
  await waitUntil(() => scheduler.snapshot(TENANT).queued === 1); // the 1st approved, the 2nd waits on Xero's minute
  // the bridge's shutdown: the worker stops claiming; after the drain the scheduler closes, cancelling queued calls
  const stopped = worker.stop();
  await scheduler.close();
  await stopped;
  const jobs = await store.jobs.listJobs();
  expect(jobs.map((j) => [j.key.slice(10, 28), j.state, j.attempts]).reverse()).toEqual([
    ['a03000000000001AAA', 'done', 1],
    ['a03000000000002AAA', 'queued', 0], // cut off: the next process runs it, its attempts as they were
    ['a03000000000003AAA', 'queued', 0], // the rest of the batch, refused by the closed scheduler
  ]);
  expect(onRecord).toEqual([]); // a deploy is not an error a person must act on
});
