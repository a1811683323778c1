/**
 * Job retention against a real store, run by the worker: the daily PRUNE_JOBS deletes done jobs older than the
 * retention in bounded batches (never a given-up job, nor a kind kept for its reader), counts them, asks for the next
 * day's prune; and a request replayed within the floor is still told from a new one after a prune.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { MIN_JOB_RETENTION_DAYS } from '../../config/schema';
import { ManualClock } from '../../lib/clock';
import { opportunityId } from '../../salesforce/__fixtures__/invoice-requests';
import { salesforceNames } from '../../salesforce/schema';
import { SqliteStore } from '../../store';
import type { PruneDoneJobs } from '../../store/types';
import { createIntake } from '../intake';
import { createWorker } from '../worker';
import { createHousekeeping, PRUNE_BATCH } from '.';

const DAY = 24 * 3_600_000;
const log = pino({ level: 'silent' });
let dir: string;
let store: SqliteStore;
let clock: ManualClock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledgerline-prune-'));
  clock = new ManualClock(Date.parse('2026-03-01T03:30:00Z'));
  store = new SqliteStore({ path: join(dir, 'bridge.sqlite'), encryptionKey: randomBytes(32), clock });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Stores `count` jobs of `action` and runs them to `state` now (the clock's time). */
async function ranNow(action: string, count: number, state: 'done' | 'dead', prefix = action): Promise<void> {
  for (let n = 0; n < count; n += 1) await store.jobs.enqueueJob({ key: `${prefix}:${n}`, action, payload: {} });
  for (const job of await store.jobs.claimJobs({ owner: 'w', leaseMs: 60_000, limit: count, actions: [action] })) {
    if (state === 'done') await store.jobs.completeJob(job.id, 'w');
    else await store.jobs.failJob(job.id, 'w', 'refused', null);
  }
}

function housekeeping(retentionDays: number, budgetMs?: number) {
  const batches: number[] = [];
  const froms: (number | undefined)[] = [];
  const pruned: number[] = [];
  const jobs = {
    enqueueJob: store.jobs.enqueueJob.bind(store.jobs),
    pruneDoneJobs: async (opts: PruneDoneJobs) => {
      const count = await store.jobs.pruneDoneJobs(opts);
      batches.push(opts.limit);
      froms.push(opts.from);
      return count;
    },
  };
  const made = createHousekeeping({
    jobs,
    clock,
    log,
    retentionDays,
    onPruned: (count) => void pruned.push(count),
    ...(budgetMs === undefined ? {} : { budgetMs }),
  });
  const worker = createWorker({ jobs: store.jobs, handlers: made.handlers, owner: 'w', log, clock });
  return { ...made, worker, batches, froms, pruned };
}

it('prunes done jobs past the retention a bounded batch at a time, keeps the rest, counts them, and asks for tomorrow', async () => {
  const old = 2 * PRUNE_BATCH + 500;
  await ranNow('XERO_CHANGE', old, 'done');
  await ranNow('CREATE_DRAFT', 3, 'dead');
  await ranNow('CONTACT_MATCH', 2, 'done');
  await ranNow('CREDIT', 2, 'done');
  await clock.advance(89 * DAY);
  await ranNow('AUTHORISE', 4, 'done');
  await clock.advance(2 * DAY);
  const h = housekeeping(90);

  await h.start();
  expect(await h.worker.drainOnce()).toBe(1);

  // Three statements of at most PRUNE_BATCH each, counted as they went.
  expect(h.batches).toEqual([PRUNE_BATCH, PRUNE_BATCH, PRUNE_BATCH]);
  expect(h.pruned).toEqual([PRUNE_BATCH, PRUNE_BATCH, 500]);
  // Each from where the last ended (the old jobs were all due when stored), not from the oldest again.
  const stored = Date.parse('2026-03-01T03:30:00Z');
  expect(h.froms).toEqual([undefined, stored, stored]);
  expect(await store.jobs.countJobsByState()).toEqual({
    queued: 1,
    running: 0,
    done: 2 + 2 + 4 + 1,
    failed: 0,
    dead: 3,
  });
  expect(await store.jobs.getJobByKey('XERO_CHANGE:0')).toBeNull();
  expect(await store.jobs.getJobByKey('CONTACT_MATCH:0')).toMatchObject({ state: 'done' });
  expect(await store.jobs.getJobByKey('CREDIT:0')).toMatchObject({ state: 'done' });
  expect(await store.jobs.getJobByKey('AUTHORISE:0')).toMatchObject({ state: 'done' });
  expect(await store.jobs.getJobByKey('PRUNE_JOBS:2026-05-31')).toMatchObject({
    state: 'done',
    result: { pruned: old, before: '2026-03-02T03:30:00.000Z' },
  });
  const tomorrow = await store.jobs.getJobByKey('PRUNE_JOBS:2026-06-01');
  expect(tomorrow).toMatchObject({ state: 'queued', nextRunAt: Date.parse('2026-06-01T03:00:00Z') });
  expect(await h.worker.drainOnce()).toBe(0); // not due before tomorrow 03:00 UTC
});

it('stops a run at its time budget and goes on a second later, the attempt not counted', async () => {
  await ranNow('XERO_CHANGE', PRUNE_BATCH + 10, 'done');
  await clock.advance(100 * DAY);
  const h = housekeeping(90, 0);
  await h.start();

  expect(await h.worker.drainOnce()).toBe(1);
  const today = 'PRUNE_JOBS:2026-06-09';
  expect(await store.jobs.getJobByKey(today)).toMatchObject({
    state: 'queued',
    attempts: 0,
    lastError: `pruned ${PRUNE_BATCH} done jobs; more to prune`,
  });
  await clock.advance(1_000);
  expect(await h.worker.drainOnce()).toBe(1);
  expect(await store.jobs.getJobByKey(today)).toMatchObject({ state: 'done', result: { pruned: 10 } });
  expect(h.pruned).toEqual([PRUNE_BATCH, 10]);
});

describe('a Salesforce request replayed after a prune, within the floor', () => {
  const names = salesforceNames('ldgr__');
  const opportunity = opportunityId(1);
  const key = `CREATE_DRAFT:${opportunity}:1`;
  const event = (replayId: number) => ({
    payload: {
      ldgr__Action__c: 'CREATE_DRAFT',
      ldgr__Request_Key__c: key,
      ldgr__Opportunity_Id__c: opportunity,
      CreatedDate: new Date(clock.now()).toISOString(),
    },
    event: { replayId },
  });

  it('is still a duplicate: its done job is younger than the floor, so the prune left it', async () => {
    const intake = createIntake({ jobs: store.jobs, names, log });
    await ranNow('XERO_CHANGE', 5, 'done'); // finished long before the request
    await clock.advance(60 * DAY);
    await intake.handle(event(1));
    const [claimed] = await store.jobs.claimJobs({ owner: 'w', leaseMs: 60_000, limit: 1, actions: ['CREATE_DRAFT'] });
    await store.jobs.completeJob(claimed!.id, 'w', { invoiceRecordId: 'a01000000000001AAA' });
    // Salesforce replays for up to 72 hours; the prune runs at the shortest retention the configuration allows.
    await clock.advance(3 * DAY);
    const h = housekeeping(MIN_JOB_RETENTION_DAYS);
    await h.start();
    expect(await h.worker.drainOnce()).toBe(1);
    expect(h.pruned).toEqual([5]);

    await intake.handle(event(1));
    expect(intake.stats).toMatchObject({ accepted: 1, duplicates: 1, askedAgain: 0 });
    expect(await store.jobs.getJobByKey(key)).toMatchObject({ id: claimed!.id, state: 'done' });
    expect(await store.jobs.claimJobs({ owner: 'w', leaseMs: 60_000, limit: 1, actions: ['CREATE_DRAFT'] })).toEqual(
      [],
    );
  });
});
