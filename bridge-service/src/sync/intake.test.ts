/**
 * The intake of Invoice_Request__e: a MANY event (a bulk save's requests in one delivery) becomes one job per request,
 * a bad request in it is refused on its own, and a replay of the event adds nothing.
 */
import { idChecksum } from '../salesforce/invoice-request';
import { salesforceNames } from '../salesforce/schema';
import type { NewJob } from '../store/jobs';
import { createIntake } from './intake';

const names = salesforceNames('ldgr__');
const id18 = (id15: string) => `${id15}${idChecksum(id15)}`;
const USER = id18('005000000000001');
const opp = (n: number) => id18(`00600000000000${n}`);
const request = (n: number) => ({
  Action__c: 'CREATE_DRAFT',
  Request_Key__c: `CREATE_DRAFT:${opp(n)}:1`,
  Opportunity_Id__c: opp(n),
  Invoice_Id__c: null,
  Requested_By__c: USER,
  Payload__c: null,
});

function setup() {
  const stored = new Map<string, NewJob<unknown>>();
  const warnings: { reason?: string }[] = [];
  const log = {
    info: () => undefined,
    debug: () => undefined,
    warn: (fields: { reason?: string }) => void warnings.push(fields),
  };
  const intake = createIntake({
    jobs: {
      enqueueJob: async (job) => {
        const created = !stored.has(job.key);
        if (created) stored.set(job.key, job);
        return { created, job: { ...job, id: stored.size } } as never;
      },
    },
    names,
    log: log as never,
  });
  return { intake, stored, warnings };
}

describe('intake of a MANY event', () => {
  const event = (requests: unknown[], replayId: number) => ({
    payload: {
      ldgr__Action__c: 'MANY',
      ldgr__Request_Key__c: `MANY:${request(1).Request_Key__c}`,
      ldgr__Requested_By__c: USER,
      ldgr__Requests__c: JSON.stringify(requests),
      CreatedDate: '2026-11-27T10:00:00.000Z',
    },
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
    expect(t.intake.stats).toEqual({ accepted: 2, duplicates: 0, rejected: 1 });
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]!.reason).toContain(`request 2 of 3 (CREATE_DRAFT:${opp(2)}:1)`);
  });

  it('a replayed MANY event adds nothing', async () => {
    const t = setup();
    await t.intake.handle(event([request(1), request(2)], 7));
    await t.intake.handle(event([request(1), request(2)], 7));
    expect(t.stored.size).toBe(2);
    expect(t.intake.stats).toEqual({ accepted: 2, duplicates: 2, rejected: 0 });
  });
});
