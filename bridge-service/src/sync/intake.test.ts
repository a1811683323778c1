/**
 * The intake of Invoice_Request__e: a MANY event (a bulk save's requests in one delivery) becomes one job per request,
 * a bad request in it is refused on its own, and a replay of the event adds nothing.
 */
import { id18, manyEvent, opportunityId, packedRequest, USER } from '../salesforce/__fixtures__/invoice-requests';
import { salesforceNames } from '../salesforce/schema';
import { storedJob } from '../store/__fixtures__/jobs';
import type { Job, NewJob } from '../store/jobs';
import { createIntake } from './intake';

const names = salesforceNames('ldgr__');
const INVOICE = id18('a01000000000001');
const request = packedRequest;
const opp = opportunityId;

function setup() {
  const stored = new Map<string, Job<unknown>>();
  const warnings: { reason?: string }[] = [];
  const log = {
    info: () => undefined,
    debug: () => undefined,
    warn: (fields: { reason?: string }) => void warnings.push(fields),
  };
  const intake = createIntake({
    jobs: {
      enqueueJob: async <P>(job: NewJob<P>) => {
        const created = !stored.has(job.key);
        if (created) stored.set(job.key, { ...storedJob(job, stored.size + 1), updatedAt: STORED_AT });
        return { created, job: stored.get(job.key) as Job<P> };
      },
      retryJob: async (id, payload) => {
        const job = [...stored.values()].find((j) => j.id === id)!;
        if (job.state !== 'failed' && job.state !== 'dead') return null;
        Object.assign(job, { state: 'queued', payload: payload ?? job.payload });
        return job;
      },
    },
    names,
    log,
  });
  return { intake, stored, warnings };
}

/** When the fake store took its jobs: after the events below were published (10:00), before a later ask (10:05). */
const STORED_AT = Date.parse('2026-11-27T10:00:01.000Z');

describe('a request whose key names a job that stopped', () => {
  const credit = (amount: string, createdDate: string) => ({
    payload: {
      ldgr__Action__c: 'CREDIT',
      ldgr__Request_Key__c: `CREDIT:${INVOICE}:1`,
      ldgr__Invoice_Id__c: INVOICE,
      ldgr__Payload__c: JSON.stringify({ amount }),
      CreatedDate: createdDate,
    },
    event: { replayId: 1 },
  });

  it('asked after the job stopped, it runs again with what it asks now; a replay of the old one adds nothing', async () => {
    const t = setup();
    await t.intake.handle(credit('900', '2026-11-27T10:00:00.000Z'));
    // The bridge refused it (more than the invoice has left): no credit note, so the rep's next ask has the same key.
    Object.assign(t.stored.get(`CREDIT:${INVOICE}:1`)!, { state: 'dead', lastError: 'more than INV-1 has left' });
    await t.intake.handle(credit('900', '2026-11-27T10:00:00.000Z')); // the old event, replayed
    await t.intake.handle(credit('900', '2026-11-27T10:00:01.000Z')); // the second it stopped in: taken for a replay
    expect(t.stored.get(`CREDIT:${INVOICE}:1`)).toMatchObject({
      state: 'dead',
      payload: { payload: { amount: '900' } },
    });
    await t.intake.handle(credit('90', '2026-11-27T10:05:00.000Z')); // asked again, for less
    expect(t.stored.get(`CREDIT:${INVOICE}:1`)).toMatchObject({
      state: 'queued',
      payload: { payload: { amount: '90' } },
    });
    expect(t.intake.stats).toEqual({ accepted: 1, askedAgain: 1, duplicates: 2, rejected: 0 });
  });

  it('a job still queued, running or done is not run again, whenever the request was made', async () => {
    const t = setup();
    await t.intake.handle(credit('90', '2026-11-27T10:00:00.000Z'));
    for (const state of ['queued', 'running', 'done'] as const) {
      Object.assign(t.stored.get(`CREDIT:${INVOICE}:1`)!, { state });
      await t.intake.handle(credit('90', '2026-11-27T10:05:00.000Z'));
      expect(t.stored.get(`CREDIT:${INVOICE}:1`)!.state).toBe(state);
    }
    expect(t.intake.stats).toMatchObject({ askedAgain: 0, duplicates: 3 });
  });
});

describe('intake of a MANY event', () => {
  const event = (requests: unknown[], replayId: number) => ({
    payload: manyEvent(JSON.stringify(requests)),
    event: { replayId },
  });

  it('queues every good request as its own job and refuses the bad one alone, with its place and key', async () => {
    const t = setup();
    const bad = { ...request(2), Opportunity_Id__c: '001000000000001AAA' };
    await t.intake.handle(event([request(1), bad, request(3)], 7));
    expect([...t.stored.keys()]).toEqual([request(1).Request_Key__c, request(3).Request_Key__c]);
    expect(t.stored.get(request(1).Request_Key__c)).toMatchObject({
      action: 'CREATE_DRAFT',
      payload: { action: 'CREATE_DRAFT', opportunityId: opp(1), requestedBy: USER },
    });
    expect(t.intake.stats).toEqual({ accepted: 2, askedAgain: 0, duplicates: 0, rejected: 1 });
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]!.reason).toContain(`request 2 of 3 (CREATE_DRAFT:${opp(2)}:1)`);
  });

  it('a replayed MANY event adds nothing', async () => {
    const t = setup();
    await t.intake.handle(event([request(1), request(2)], 7));
    await t.intake.handle(event([request(1), request(2)], 7));
    expect(t.stored.size).toBe(2);
    expect(t.intake.stats).toEqual({ accepted: 2, askedAgain: 0, duplicates: 2, rejected: 0 });
  });
});
