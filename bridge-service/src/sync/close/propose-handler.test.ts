/**
 * CLOSE_PROPOSE and the month order: a month waits (Refused, saying which month to post first) while an earlier close
 * of the entity can still post; a first close records its starting point as Opening lines; a new version of a month
 * partly posted supersedes only the lines not in Xero; an open close is proposed again each morning, however long it
 * stays open.
 */
import pino from 'pino';
import type { LockDates } from '../../domain/close-rules';
import type { CloseRecordRow, JournalLineRow, PostedLineRow } from '../../salesforce/close-queries';
import { storedJob } from '../../store/__fixtures__/jobs';
import type { WriteOutcome } from '../../salesforce/writeback';
import type { JobOf } from '../handler';
import { closeProposeHandler, type ProposeDeps } from './propose-handler';
import { createCloseTriggers } from './triggers';

const UK = '11111111-1111-4111-8111-111111111111';
const SEATS = '00k000000000001AAA';
const INVOICE = 'a01000000000001AAA';

const job = (month: string): JobOf<'CLOSE_PROPOSE'> =>
  storedJob(
    { key: `CLOSE_PROPOSE:UK_Ltd:${month}`, action: 'CLOSE_PROPOSE', payload: { entity: 'UK_Ltd', month } },
    1,
  ) as JobOf<'CLOSE_PROPOSE'>;

const close = (month: string, status: string, extra: Partial<CloseRecordRow> = {}) =>
  ({
    Id: `a0f-${month}`,
    Name: `UK_Ltd ${month}`,
    Close_Key__c: `UK_Ltd:${month}`,
    Billing_Entity__c: 'UK_Ltd',
    Period_Start__c: `${month}-01`,
    Status__c: status,
    Version__c: 1,
    Posted_At__c: null,
    ...extra,
  }) as unknown as CloseRecordRow;

/** UK_Ltd with one deal: 1,200.00 for 2026 invoiced on 1 January to deferred revenue (835), recognised monthly. */
function setup(
  opts: { closes?: CloseRecordRow[]; posted?: PostedLineRow[]; oldLines?: JournalLineRow[]; lock?: LockDates } = {},
) {
  const closes = opts.closes ?? [];
  const upserts: { object: string; records: Record<string, unknown>[] }[] = [];
  const updates: { object: string; records: Record<string, unknown>[] }[] = [];
  const rechecks: string[] = [];
  let computed = 0;
  const ok = (records: readonly Record<string, unknown>[]): WriteOutcome[] =>
    records.map((r, i) => ({ ok: true, id: String(r.Id ?? `new-${i}`) }));
  const deps: ProposeDeps = {
    closeQueries: {
      dealsOfEntity: async () => ['006000000000001AAA'],
      invoices: async (ids) =>
        ids.includes(INVOICE)
          ? [
              {
                Id: INVOICE,
                Invoice_Number__c: 'INV-0001',
                Currency_Code__c: 'GBP',
                Currency_Rate__c: null,
                Issue_Date__c: '2026-01-01',
                Status__c: 'Authorised',
                Invoice_Lines__r: {
                  records: [{ Opportunity_Line_Item_Id__c: SEATS, Account_Code__c: '835', Line_Amount__c: 1200 }],
                },
              } as never,
            ]
          : [],
      creditNotes: async () => [],
      closesByKey: async (keys) => closes.filter((c) => keys.includes(String(c.Close_Key__c))),
      closesOfEntity: async () => closes,
      journalLines: async () => opts.oldLines ?? [],
      postedLines: async () => opts.posted ?? [],
    },
    dealPlans: {
      compute: async () => {
        computed += 1;
        return {
          planned: [
            {
              loaded: {
                entity: { developerName: 'UK_Ltd' },
                row: { Name: 'Contoso 2026' },
                input: { root: { opportunity: {}, lineItems: [{ Id: SEATS, Product2: { Name: 'Seats' } }] } },
              },
              plan: {
                ledger: [
                  {
                    lineKey: SEATS,
                    contractKey: 'C1',
                    entity: 'UK_Ltd',
                    currency: 'GBP',
                    revenue: [{ method: 'monthly', start: '2026-01-01', end: '2026-12-31', amount: '1200.00' }],
                  },
                ],
                posted: [
                  { lineKey: SEATS, date: '2026-01-01', amount: '1200.00', kind: 'invoice', documentId: INVOICE },
                ],
              },
            },
          ],
          unplanned: [],
        } as never;
      },
    },
    reference: {
      entity: async () =>
        ({ developerName: 'UK_Ltd', xeroTenantId: UK, baseCurrency: 'GBP', accountCode: '200' }) as never,
      entityLineRow: async () =>
        ({ Deferred_Revenue_Account_Code__c: '835', Accrued_Revenue_Account_Code__c: '630' }) as never,
    },
    journals: {
      getLockDates: async () => ({ ...opts.lock }),
      getAccounts: async () => [
        { code: '835', type: 'CURRLIAB', status: 'ACTIVE', systemAccount: null },
        { code: '630', type: 'CURRENT', status: 'ACTIVE', systemAccount: null },
        { code: '200', type: 'REVENUE', status: 'ACTIVE', systemAccount: null },
      ],
    },
    xero: { getCreditNotes: async () => ({ items: [] }) as never },
    writeback: {
      upsert: async (object, _field, records) => {
        upserts.push({ object: object.name, records: records as unknown as Record<string, unknown>[] });
        return ok(records as unknown as Record<string, unknown>[]);
      },
      update: async (object, records) => {
        updates.push({ object: object.name, records: records as unknown as Record<string, unknown>[] });
        return ok(records as unknown as Record<string, unknown>[]);
      },
      requireAll: (_object, keys) => keys.map(String),
    },
    closeTriggers: {
      ensure: async () => undefined,
      recheck: async (entity, month) => {
        rechecks.push(`${entity}:${month}`);
      },
    },
    clock: { now: () => Date.parse('2026-07-01T07:00:00Z') },
    log: pino({ level: 'silent' }),
  };
  return { deps, upserts, updates, rechecks, computed: () => computed };
}

const header = (upserts: ReturnType<typeof setup>['upserts']) =>
  upserts.find((u) => u.object === 'Month_End_Close__c')?.records[0];
const lines = (upserts: ReturnType<typeof setup>['upserts']) =>
  upserts.find((u) => u.object === 'Month_End_Journal_Line__c')?.records ?? [];

describe('CLOSE_PROPOSE in month order', () => {
  it('does not propose a month while an earlier close can still post: Refused, naming the month to post first', async () => {
    const { deps, upserts, rechecks, computed } = setup({ closes: [close('2026-05', 'Pending Approval')] });
    const outcome = (await closeProposeHandler(deps).run([job('2026-06')])).get(1);
    expect(outcome).toMatchObject({ kind: 'done', result: { refused: expect.stringContaining('waits for May 2026') } });
    expect(header(upserts)).toMatchObject({
      Close_Key__c: 'UK_Ltd:2026-06',
      Status__c: 'Refused',
      Sync_Message__c:
        "June 2026 waits for May 2026: UK_Ltd's closes post in month order, and its May 2026 close is Pending " +
        'Approval. Approve and post May 2026 first (or, if it is Refused, fix what it says); June 2026 is proposed ' +
        'again as soon as May 2026 is posted.',
    });
    expect(computed()).toBe(0);
    expect(rechecks).toEqual(['UK_Ltd:2026-06']);
  });

  it('a month a later posted close carried is not proposed again, and its rechecks stop', async () => {
    const { deps, upserts, rechecks } = setup({
      closes: [close('2026-06', 'Refused'), close('2026-07', 'Tied', { Posted_At__c: '2026-08-01T09:00:00.000+0000' })],
    });
    await closeProposeHandler(deps).run([job('2026-06')]);
    expect(header(upserts)).toMatchObject({ Status__c: 'Refused' });
    expect(String(header(upserts)?.Sync_Message__c)).toContain("UK_Ltd's July 2026 close was posted before this one");
    expect(rechecks).toEqual([]);
  });

  it('a carried month that is locked too says it was carried, not to move the lock date, and its rechecks stop', async () => {
    const { deps, upserts, rechecks } = setup({
      closes: [close('2026-06', 'Refused'), close('2026-07', 'Tied', { Posted_At__c: '2026-08-01T09:00:00.000+0000' })],
      lock: { periodLockDate: '2026-06-30' },
    });
    await closeProposeHandler(deps).run([job('2026-06')]);
    expect(header(upserts)).toMatchObject({ Status__c: 'Refused' });
    expect(String(header(upserts)?.Sync_Message__c)).toContain("UK_Ltd's July 2026 close was posted before this one");
    expect(String(header(upserts)?.Sync_Message__c)).not.toContain('lock date');
    expect(rechecks).toEqual([]);
  });

  it("writes a first close's starting point as Opening lines, and stamps the version's Proposed At", async () => {
    const { deps, upserts } = setup();
    await closeProposeHandler(deps).run([job('2026-06')]);
    expect(header(upserts)).toMatchObject({ Status__c: 'Proposed', Proposed_At__c: '2026-07-01T07:00:00.000Z' });
    expect(
      lines(upserts).map((l) => `${String(l.Journal_Kind__c)} ${String(l.Account_Code__c)} ${String(l.Amount__c)}`),
    ).toEqual(['Recognition 835 100', 'Recognition 200 -100', 'Opening 835 500', 'Opening 200 -500']);
  });

  it('a new version of a month partly posted supersedes only the lines not in Xero', async () => {
    const old = (id: string, kind: string, status: string) =>
      ({ Id: id, Journal_Kind__c: kind, Status__c: status, Amount__c: 1, Version__c: 1 }) as unknown as JournalLineRow;
    const { deps, updates } = setup({
      closes: [close('2026-05', 'Tied', { Posted_At__c: '2026-06-01T09:00:00.000+0000' }), close('2026-06', 'Refused')],
      oldLines: [old('l1', 'Recognition', 'Posted'), old('l2', 'Accrual', 'Proposed')],
    });
    await closeProposeHandler(deps).run([job('2026-06')]);
    const superseded = updates.find((u) => u.object === 'Month_End_Journal_Line__c')?.records ?? [];
    expect(superseded).toEqual([{ Id: 'l2', Status__c: 'Superseded' }]);
  });
});

describe('close rechecks', () => {
  it('an open close is proposed again each morning, however long after its month it stays open', async () => {
    const queued: string[] = [];
    const triggers = createCloseTriggers({
      jobs: {
        enqueueJob: async (job) => {
          queued.push(job.key);
          return { created: true } as never;
        },
      },
      clock: { now: () => Date.parse('2026-04-20T12:00:00Z') },
    });
    await triggers.recheck('US_Inc', '2026-03', 'UTC');
    expect(queued).toEqual(['CLOSE_PROPOSE:US_Inc:2026-03:2026-04-21']);
  });
});
