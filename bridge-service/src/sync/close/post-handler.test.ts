/**
 * POST_CLOSE closes the posted month for revenue: the entity's Revenue_Month__c rows of that month are set Closed in
 * a Composite call before the close is written Posted, once (a replay writes nothing), and a row Salesforce refuses
 * leaves the close Approved so the retry closes what is left.
 */
import pino from 'pino';
import type { CloseRecordRow, CloseRevenueMonthRow, JournalLineRow } from '../../salesforce/close-queries';
import { salesforceNames } from '../../salesforce/schema';
import { storedJob } from '../../store/__fixtures__/jobs';
import type { WriteOutcome } from '../../salesforce/writeback';
import type { JobOf } from '../handler';
import { postCloseHandler, type PostCloseDeps } from './post-handler';

const UK = '11111111-1111-4111-8111-111111111111';

const job = (id: number): JobOf<'POST_CLOSE'> =>
  storedJob(
    {
      key: `POST_CLOSE:a0f1:1#${id}`,
      action: 'POST_CLOSE',
      payload: { requestKey: 'POST_CLOSE:a0f1:1', action: 'POST_CLOSE', payload: { closeId: 'a0f1', version: 1 } },
      tenantId: UK,
    },
    id,
  ) as JobOf<'POST_CLOSE'>;

function setup(refuse: ReadonlySet<string> = new Set()) {
  const close = {
    Id: 'a0f1',
    Name: 'UK_Ltd 2026-01',
    Close_Key__c: 'UK_Ltd:2026-01',
    Billing_Entity__c: 'UK_Ltd',
    Xero_Tenant_Id__c: UK,
    Period_Start__c: '2026-01-01',
    Period_End__c: '2026-01-31',
    Status__c: 'Approved',
    Version__c: 1,
    Deferred_Account_Codes__c: '835',
    Accrued_Account_Code__c: '630',
  } as unknown as CloseRecordRow;
  const line = (id: string, account: string, amount: number) =>
    ({
      Id: id,
      Line_Key__c: `${id}-key`,
      Version__c: 1,
      Journal_Kind__c: 'Recognition',
      Journal_Date__c: '2026-01-31',
      Account_Code__c: account,
      Description__c: 'Seats',
      Amount__c: amount,
    }) as unknown as JournalLineRow;
  const months = [
    { Id: 'm1', Month_Key__c: 'c1:2026-01', Status__c: 'Actual' },
    { Id: 'm2', Month_Key__c: 'c2:2026-01', Status__c: 'Actual' },
  ] as CloseRevenueMonthRow[];
  /** What was written, in order: `composite Revenue_Month__c m1,m2`, `update Month_End_Close__c Posted`… */
  const writes: string[] = [];
  const outcome = (id: string): WriteOutcome =>
    refuse.has(id)
      ? { ok: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'locked', fields: [] }] }
      : { ok: true, id };
  const stored = new Map<string, string>();
  let posted = 0;
  const deps: PostCloseDeps = {
    closeQueries: {
      closesById: async () => [close],
      journalLines: async () => [line('l1', '835', 100), line('l2', '200', -100)],
      openRevenueMonths: async (entity, month) => {
        expect([entity, month]).toEqual(['UK_Ltd', '2026-01']);
        return months.filter((m) => m.Status__c !== 'Closed').map((m) => ({ ...m }));
      },
    },
    journals: {
      getLockDates: async () => ({}),
      getAccounts: async () => [
        { code: '835', type: 'CURRLIAB', status: 'ACTIVE', systemAccount: null },
        { code: '630', type: 'CURRENT', status: 'ACTIVE', systemAccount: null },
        { code: '200', type: 'REVENUE', status: 'ACTIVE', systemAccount: null },
      ],
      findManualJournalsByKey: async () => [],
      createManualJournal: async () => ({ manualJournalId: `mj-${++posted}`, status: 'POSTED', narration: '' }),
    },
    xeroResults: {
      findXeroResult: async (key) => {
        const xeroId = stored.get(key);
        return xeroId ? ({ xeroId } as never) : null;
      },
      recordXeroResult: async (r) => {
        stored.set(r.requestKey, r.xeroId);
        return r as never;
      },
    },
    writeback: {
      update: async (object, records) => {
        writes.push(`update ${object.name} ${records.map((r) => String(r.Status__c ?? r.Sync_Status__c)).join(',')}`);
        if (object.name === 'Month_End_Close__c' && records[0]?.Status__c === 'Posted') close.Status__c = 'Posted';
        return records.map((r) => outcome(String(r.Id)));
      },
      requireAll: (object, keys, outcomes) => {
        const failed = outcomes.filter((o) => !o.ok);
        if (failed.length > 0) throw new Error(`${object.name}: ${failed.length} refused`);
        return keys.map(String);
      },
      composite: () => {
        const queued: (() => void)[] = [];
        return {
          update: (object, records) =>
            new Promise<WriteOutcome[]>((resolve) =>
              queued.push(() => {
                writes.push(`composite ${object.name} ${records.map((r) => `${String(r.Id)}=${String(r.Status__c)}`)}`);
                for (const r of records)
                  if (!refuse.has(String(r.Id))) months.find((m) => m.Id === r.Id)!.Status__c = String(r.Status__c);
                resolve(records.map((r) => outcome(String(r.Id))));
              }),
            ),
          upsert: () => Promise.reject(new Error('not used')),
          create: () => Promise.reject(new Error('not used')),
          query: () => Promise.reject(new Error('not used')),
          run: async () => queued.splice(0).forEach((send) => send()),
        };
      },
    },
    jobs: { enqueueJob: async () => ({}) as never },
    reference: { settings: async () => ({ readOnly: false }) as never },
    names: salesforceNames(''),
    instanceUrl: () => 'https://example.my.salesforce.com',
    clock: { now: () => Date.parse('2026-02-01T13:00:00Z') },
    log: pino({ level: 'silent' }),
  };
  return { deps, writes, months, close, refuse: refuse as Set<string>, posted: () => posted };
}

describe('POST_CLOSE closes the month for revenue', () => {
  it("sets the entity's revenue months of the month Closed in one Composite call, before the close is Posted", async () => {
    const { deps, writes, months } = setup();
    const outcomes = await postCloseHandler(deps).run([job(1)]);
    expect(outcomes.get(1)).toMatchObject({ kind: 'done', result: { monthsClosed: 2 } });
    expect(months.map((m) => m.Status__c)).toEqual(['Closed', 'Closed']);
    expect(writes).toEqual([
      'composite Revenue_Month__c m1=Closed,m2=Closed',
      'update Month_End_Journal_Line__c Posted,Posted',
      'update Month_End_Close__c Posted',
    ]);
  });

  it('a replay writes nothing: the close is posted and its months are closed', async () => {
    const { deps, writes } = setup();
    const handler = postCloseHandler(deps);
    await handler.run([job(1)]);
    writes.splice(0);
    expect((await handler.run([job(2)])).get(2)).toMatchObject({ kind: 'done', result: { alreadyPosted: true } });
    expect(writes).toEqual([]);
  });

  it('a month Salesforce refuses leaves the close Approved; the retry closes only what is left, posting nothing twice', async () => {
    const { deps, writes, months, close, refuse, posted } = setup(new Set(['m2']));
    const handler = postCloseHandler(deps);
    expect((await handler.run([job(1)])).get(1)).toMatchObject({ kind: 'failed' });
    expect(close.Status__c).toBe('Approved');
    expect(months.map((m) => m.Status__c)).toEqual(['Closed', 'Actual']);
    expect(writes.at(-1)).toBe('update Month_End_Close__c Error');
    refuse.clear();
    writes.splice(0);
    expect((await handler.run([job(2)])).get(2)).toMatchObject({ kind: 'done', result: { monthsClosed: 1 } });
    expect(writes[0]).toBe('composite Revenue_Month__c m2=Closed');
    expect(close.Status__c).toBe('Posted');
    expect(posted()).toBe(1);
  });
});
