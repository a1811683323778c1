/**
 * RAISE_INSTALMENT and an instalment that reached Xero but not Salesforce: its Invoice__c write failed (or the bridge
 * stopped before it) and a re-plan then replaced it. Its document is mirrored, never left in Xero unseen, and nothing
 * else of the deal is drafted until the plan has counted it, so a period is not billed twice.
 */
import { randomBytes } from 'node:crypto';
import { SqliteStore } from '../../store';
import { storedJob } from '../../store/__fixtures__/jobs';
import { salesforceNames } from '../../salesforce/schema';
import { fakeComposite, newCustomers, xeroInvoice } from '../create-draft/__fixtures__/drafts';
import { READ_ONLY_HOLD, type JobOf } from '../handler';
import { planDeal, type RaisedRecord } from '../../domain/deal-plan';
import { ACCOUNT, DEAL, downgradedDeal, instalmentRecord, loadedDeal, TENANT } from './__fixtures__/deals';
import type { PlannedDeal } from './plan-writer';
import { HELD_CREDIT_WAIT_MS, raiseInstalmentHandler, STRANDED_WAIT_MS, type RaiseDeps } from './raise-handler';

let store: SqliteStore;
beforeEach(() => {
  store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
});
afterEach(() => store.close());

const TODAY = '2026-04-10';
/** Q2 as plan version "old" planned it; a re-plan (version of today's plan) replaced it. */
const REPLACED = `${DEAL}:0123456789ab:2026-04-01`;
const REPLACED_RECORD = instalmentRecord({
  Id: 'a0I000000000009AAA',
  Instalment_Key__c: REPLACED,
  Plan_Version__c: '0123456789ab',
  Sequence__c: 2,
  Issue_Date__c: '2026-04-01',
  Service_Start_Date__c: '2026-04-01',
  Service_End_Date__c: '2026-06-30',
  Amount__c: 3000,
  Currency_Code__c: 'GBP',
  Document_Type__c: 'Invoice',
  Status__c: 'Cancelled',
  Status_Message__c: 'Replaced by plan version 111111111111 on 10 Apr 2026',
  Lines__c: JSON.stringify([
    {
      lineKey: '00k000000000501AAA',
      contractKey: DEAL,
      description: 'Seats',
      periodKey: '2026-04-01',
      servicePeriod: { start: '2026-04-01', end: '2026-06-30' },
      amount: '3000.00',
    },
  ]),
});
const XERO_ID = '7f0c2b4e-1111-4aaa-8bbb-000000000009';
const instanceUrl = 'https://acme.my.salesforce.com';
const names = salesforceNames('');

const raiseJob = (id: number, requestKey: string, over: Partial<JobOf<'RAISE_INSTALMENT'>> = {}) =>
  ({
    ...storedJob(
      {
        key: requestKey,
        action: 'RAISE_INSTALMENT',
        payload: { requestKey, opportunityId: DEAL, issueDate: requestKey.slice(-10) },
      },
      id,
    ),
    state: 'running',
    attempts: 1,
    ...over,
  }) as JobOf<'RAISE_INSTALMENT'>;

function setUp(
  xeroSearch: { url: string; contactID: string }[] = [],
  planned: PlannedDeal = loadedDeal({ instalments: [REPLACED_RECORD] }, TODAY),
) {
  const { writeback, runs } = fakeComposite();
  const created: unknown[] = [];
  const credited: { invoiceRecordId: string }[] = [];
  const planNow: string[][] = [];
  const deps = {
    dealPlans: {
      compute: async () => ({
        loaded: { deals: new Map([[DEAL, planned.loaded]]), dealOf: new Map([[DEAL, DEAL]]), problems: new Map() },
        planned: [planned],
        unplanned: [],
      }),
    },
    billingTriggers: {
      planNow: async (ids: readonly string[]) => {
        planNow.push([...ids]);
      },
    },
    queries: {
      billingEmailsOfOpportunities: async () => new Map(),
      invoiceLinesOfRequests: async () => new Map(),
      invoicesFor: async () => [],
    },
    writeback,
    reference: {
      settings: async () => ({ readOnly: false, autoDraftOnClose: true }),
      taxRates: async () => [],
    },
    goLive: {
      knownOfOpportunityAccounts: async () => ({
        links: [
          {
            Id: 'a0L000000000001AAA',
            Account__c: ACCOUNT,
            Billing_Entity__c: 'UK_Ltd',
            Xero_Tenant_Id__c: TENANT,
            Xero_Contact_Id__c: 'contact-globex',
            Contact_Name__c: 'Globex Ltd',
            Match_Method__c: 'Created',
            Link_Key__c: `UK_Ltd:${ACCOUNT}`,
          },
        ],
        reviews: [],
      }),
    },
    names,
    clock: { now: () => Date.UTC(2026, 3, 10, 9) },
    xero: {
      createContacts: async () => [],
      findContactByNumber: async () => ({ contactID: 'contact-globex', name: 'Globex Ltd', status: 'ACTIVE' }),
      getInvoicesByIds: async (_tenant: string, ids: readonly string[]) =>
        ids.map((id) => xeroInvoice(id, { date: '2026-04-01', subTotal: 3000, total: 3600, amountDue: 3600 })),
      getInvoicesModifiedSince: async () => ({
        items: xeroSearch.map((found) =>
          xeroInvoice(XERO_ID, { url: found.url, contact: { contactID: found.contactID } }),
        ),
        page: 1,
        pageSize: 100,
        hasMore: false,
      }),
      createInvoices: async (_tenant: string, items: readonly unknown[]) => {
        created.push(...items);
        return [];
      },
    },
    ...newCustomers(),
    xeroResults: store.xeroResults,
    instanceUrl: () => instanceUrl,
    corporateCurrency: 'GBP',
    prorationMethod: 'daily',
    creditNotes: {
      saveDraft: async (_document: unknown, source: { invoiceRecordId: string }) => {
        credited.push(source);
        return 'a0C000000000001AAA';
      },
    },
    summaries: { stage: () => ({ queueUpdates: async () => undefined }) },
    log: { info: () => undefined, warn: () => undefined },
  } as unknown as RaiseDeps;
  const written = (object: string, method: string) =>
    runs
      .flat()
      .filter((c) => c.object === object && c.method === method)
      .flatMap((c) => c.records);
  return { deps, planned, created, credited, planNow, written };
}

const remember = () =>
  store.xeroResults.recordXeroResult({ requestKey: REPLACED, tenantId: TENANT, kind: 'invoice', xeroId: XERO_ID });

describe('RAISE_INSTALMENT in read-only mode', () => {
  it('holds the instalments without counting an attempt, so a long read-only spell never gives them up', async () => {
    const { deps, created } = setUp();
    const readOnly = { ...deps, reference: { ...deps.reference, settings: async () => ({ readOnly: true }) } };
    const outcomes = await raiseInstalmentHandler(readOnly as RaiseDeps).run([raiseJob(9, REPLACED)]);
    expect(outcomes.get(9)).toEqual(READ_ONLY_HOLD);
    expect(created).toEqual([]);
  });
});

describe('RAISE_INSTALMENT and a replaced instalment that reached Xero', () => {
  it('mirrors the replaced instalment’s document (known by its key) instead of settling it as replaced', async () => {
    await remember();
    const { deps, created, planNow, written } = setUp();
    const outcomes = await raiseInstalmentHandler(deps).run([raiseJob(1, REPLACED)]);
    expect(created).toEqual([]);
    expect(written('Invoice__c', 'upsert')).toEqual([
      expect.objectContaining({ Request_Key__c: REPLACED, Xero_Invoice_Id__c: XERO_ID, Opportunity__c: DEAL }),
    ]);
    expect(written('Billing_Instalment__c', 'update')).toEqual([
      expect.objectContaining({
        Id: REPLACED_RECORD.Id,
        Status__c: 'Raised',
        Issue_Date__c: '2026-04-01',
        Lines__c: REPLACED_RECORD.Lines__c,
        Invoice__c: expect.any(String),
        Status_Message__c: expect.stringMatching(/^Reached Xero before plan version \w{12} replaced it: mirrored/),
      }),
    ]);
    expect(outcomes.get(1)).toMatchObject({ kind: 'done', result: { xeroInvoiceId: XERO_ID } });
    expect(planNow).toEqual([[DEAL]]);
  });

  it('drafts nothing else of the deal until it is mirrored: the due Q2 of today’s plan mirrors it first', async () => {
    await remember();
    const { deps, planned, created, written } = setUp();
    const q2 = planned.plan.plan.instalments.find((i) => i.issueDate === '2026-04-01')!;
    expect(q2.key).not.toBe(REPLACED);
    const outcomes = await raiseInstalmentHandler(deps).run([raiseJob(2, q2.key)]);
    expect(created).toEqual([]); // no second Q2 draft in Xero
    expect(written('Invoice__c', 'upsert')).toEqual([expect.objectContaining({ Request_Key__c: REPLACED })]);
    expect(outcomes.get(2)).toEqual({
      kind: 'retry',
      error: expect.stringMatching(/^Mirrored .*:2026-04-01 first/),
      delayMs: STRANDED_WAIT_MS,
    });
  });

  it('looks in Xero for the document of a job that ran before, by the instalment’s page, and mirrors it', async () => {
    const url = `${instanceUrl}/lightning/r/Billing_Instalment__c/${REPLACED_RECORD.Id}/view`;
    const { deps, created, written } = setUp([{ url, contactID: 'contact-globex' }]);
    const outcomes = await raiseInstalmentHandler(deps).run([raiseJob(3, REPLACED, { attempts: 2 })]);
    expect(created).toEqual([]);
    expect(written('Invoice__c', 'upsert')).toEqual([
      expect.objectContaining({ Request_Key__c: REPLACED, Xero_Invoice_Id__c: XERO_ID }),
    ]);
    expect(outcomes.get(3)).toMatchObject({ kind: 'done' });
    expect(await store.xeroResults.findXeroResult(REPLACED, TENANT, 'invoice')).toMatchObject({ xeroId: XERO_ID });
  });

  it('leaves a replaced instalment’s document that finance deleted in Xero: nothing to mirror, the plan goes on', async () => {
    await remember();
    const { deps, planned, written } = setUp();
    const xero = deps.xero as { getInvoicesByIds: (t: string, ids: readonly string[]) => Promise<unknown[]> };
    xero.getInvoicesByIds = async (_t, ids) => ids.map((id) => xeroInvoice(id, { status: 'DELETED' }));
    const outcomes = await raiseInstalmentHandler(deps).run([raiseJob(6, REPLACED)]);
    expect(outcomes.get(6)).toEqual({ kind: 'done', result: { replacedBy: planned.plan.plan.version } });
    expect(written('Invoice__c', 'upsert')).toEqual([]);
  });

  it('settles a replaced instalment that never reached Xero as replaced, creating nothing', async () => {
    const { deps, planned, created, written } = setUp();
    const first = await raiseInstalmentHandler(deps).run([raiseJob(4, REPLACED)]);
    const retried = await raiseInstalmentHandler(deps).run([raiseJob(5, REPLACED, { attempts: 3 })]);
    for (const outcome of [first.get(4), retried.get(5)]) {
      expect(outcome).toEqual({ kind: 'done', result: { replacedBy: planned.plan.plan.version } });
    }
    expect(created).toEqual([]);
    expect(written('Invoice__c', 'upsert')).toEqual([]);
  });
});

describe('RAISE_INSTALMENT of a downgrade’s credit note (quarterly, Q1 and Q2 raised; 100 seats to 70 from 5 Apr)', () => {
  /** The deal with its Q1 and Q2 invoices raised in this state, and the amendment won: the credit note is due. */
  const downgraded = (status: RaisedRecord['state']) => downgradedDeal([status, status], TODAY);
  const creditOf = (planned: PlannedDeal) => planned.plan.plan.instalments.find((i) => i.kind === 'credit-note')!;
  /** setUp with the entity's VAT rate, which a credit note's Xero-exact totals need. */
  const withVat = (planned: PlannedDeal) => {
    const set = setUp([], planned);
    const reference = set.deps.reference as unknown as { taxRates: () => Promise<unknown[]> };
    reference.taxRates = async () => [{ taxType: 'OUTPUT2', effectiveRate: 20 }];
    return set;
  };

  it('both invoices void: holds the credit note, uncounted, and sends nothing to Xero', async () => {
    const planned = downgraded('void');
    const credit = creditOf(planned);
    expect([credit.issueDate, credit.amount.toFixed(2)]).toEqual(['2026-04-05', '-864.46']);
    const { deps, created, credited } = withVat(planned);
    const outcomes = await raiseInstalmentHandler(deps).run([raiseJob(11, credit.key)]);
    expect(outcomes.get(11)).toEqual({
      kind: 'hold',
      reason: expect.stringMatching(/^Held, not sent to Xero: nothing of this deal is invoiced in Xero to credit/),
      delayMs: HELD_CREDIT_WAIT_MS,
    });
    expect(credited).toEqual([]);
    expect(created).toEqual([]);
  });

  it('the invoices posted: records the credit note against the Q2 invoice it credits, for finance to approve', async () => {
    const planned = downgraded('posted');
    const credit = creditOf(planned);
    expect(planned.plan.held.size).toBe(0);
    const { deps, credited } = withVat(planned);
    const outcomes = await raiseInstalmentHandler(deps).run([raiseJob(12, credit.key)]);
    expect(credited).toEqual([expect.objectContaining({ invoiceRecordId: 'a0I000000000701AAA' })]);
    expect(outcomes.get(12)).toMatchObject({ kind: 'done', result: { creditNoteRecordId: 'a0C000000000001AAA' } });
  });

  it('the Q2 invoice awaiting approval: credits the posted Q1 invoice, not the draft (Xero allocates only to an authorised invoice)', async () => {
    const planned = downgraded('posted');
    const [q1, q2] = planned.plan.raised;
    const input = { ...planned.loaded.input, raised: [q1!, { ...q2!, state: 'unposted' as const }] };
    const mixed = { ...planned, loaded: { ...planned.loaded, input }, plan: planDeal({ ...input, today: TODAY }) };
    expect(mixed.plan.held.size).toBe(0);
    const { deps, credited } = withVat(mixed);
    await raiseInstalmentHandler(deps).run([raiseJob(13, creditOf(mixed).key)]);
    expect(credited).toEqual([expect.objectContaining({ invoiceRecordId: 'a0I000000000700AAA' })]);
  });
});
