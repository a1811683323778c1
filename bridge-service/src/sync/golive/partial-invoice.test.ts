/**
 * CREATE_PARTIAL: the bridge raises a partial invoice only on a deal billed on signature. A deal its billing plan
 * bills by its periods, an amendment or renewal, and a deal without products are refused before anything reaches
 * Xero, with the reason on the request's Invoice__c (Error), as the card would have said.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARTIAL_REFUSALS, PARTIAL_WAITS } from '../../domain/partial-invoice';
import { SqliteStore, type LeaseRepository } from '../../store';
import type { OpportunityBillingTerms, OpportunityForInvoicing } from '../../salesforce/selections';
import type { XeroInvoice } from '../../xero/types';
import { created, sfId, UK_LTD, xeroInvoice } from '../create-draft/__fixtures__/drafts';
import { partialGivenUp, partialMayBeInXero, XERO_OUTCOME_UNKNOWN } from '../create-draft/partials';
import { XeroApiError } from '../../xero/errors';
import { gaveUpAfterRetries } from '../worker';
import { READ_ONLY_HOLD, type JobOf } from '../handler';
import { createPartialHandler, dealLeaseName, PARTIAL_LEASE_WAIT, type PartialInvoiceDeps } from './partial-invoice';

const stores: SqliteStore[] = [];
function newStore(): SqliteStore {
  const store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
  stores.push(store);
  return store;
}
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const OPPORTUNITY = sfId('006', 1);
const ACCOUNT = sfId('001', 1);
const CONTACT = '5b0f3c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const KEY = `CREATE_PARTIAL:${OPPORTUNITY}:0-360000`;
const NOW = Date.UTC(2026, 3, 15);

function job(): JobOf<'CREATE_PARTIAL'> {
  return {
    id: 1,
    key: KEY,
    action: 'CREATE_PARTIAL',
    payload: {
      action: 'CREATE_PARTIAL',
      requestKey: KEY,
      opportunityId: OPPORTUNITY,
      payload: { amount: '3600.00', mode: 'PERCENT_OF_DEAL', value: '30', label: 'Deposit' },
    },
    tenantId: null,
    state: 'running',
    attempts: 1,
    nextRunAt: 0,
    lastError: null,
    result: null,
    leaseOwner: 'bridge-1',
    leaseExpiresAt: null,
    createdAt: NOW,
    updatedAt: NOW,
  };
}

const line = (n: number, total: number) => ({
  Id: sfId('00k', n),
  Description: `Line ${n}`,
  Quantity: 1,
  UnitPrice: total,
  Discount: null,
  TotalPrice: total,
  ServiceDate: null,
  Product2: null,
});

interface Deal {
  /** The job store's leases (every bridge on the store shares them); a store of its own by default. */
  leases?: LeaseRepository;
  /** The state of the deal's closing request (CREATE_DRAFT), when the bridge has one. */
  closing?: 'queued' | 'running' | 'done' | 'failed' | 'dead';
  amends?: string;
  lines?: number;
  terms?: Partial<OpportunityBillingTerms>;
  plans?: string[];
}

function harness(deal: Deal = {}) {
  const lines = Array.from({ length: deal.lines ?? 2 }, (_, i) => line(i + 1, i === 0 ? 10000 : 2000));
  const row = {
    Id: OPPORTUNITY,
    Name: 'Acme - Platform',
    AccountId: ACCOUNT,
    CloseDate: '2026-04-01',
    Amount: 12000,
    CurrencyIsoCode: 'GBP',
    Billing_Entity__c: null,
    Amended_Opportunity__c: deal.amends ?? null,
    Invoice_Type__c: deal.amends ? 'Amendment' : 'New',
    Service_Start_Date__c: null,
    Service_End_Date__c: null,
    Renewal_Uplift_Percent__c: null,
    PO_Number__c: null,
    Account: { Id: ACCOUNT, Name: 'Acme Ltd', BillingCountry: 'GB' },
    OpportunityLineItems: { totalSize: lines.length, done: true, records: lines },
  } as unknown as OpportunityForInvoicing;
  const terms = {
    Id: OPPORTUNITY,
    Billing_Frequency__c: null,
    Billing_Timing__c: null,
    Billing_Alignment__c: null,
    First_Invoice_Date__c: null,
    Renewal_Index_Name__c: null,
    Renewal_Index_Percent__c: null,
    Renewal_Index_Date__c: null,
    Renewal_Index_Margin_Percent__c: null,
    OpportunityLineItems: {
      totalSize: lines.length,
      done: true,
      records: lines.map((l) => ({ Id: l.Id, HasSchedule: false, Product2: null })),
    },
    ...deal.terms,
  } as OpportunityBillingTerms;
  const sent: unknown[] = [];
  const upserts: Record<string, unknown>[] = [];
  const madeId = '9f2d6c1e-0000-4000-8000-000000000001';
  const made = xeroInvoice(madeId, { subTotal: 3600, total: 4320 });
  const deps = {
    jobs: {
      getJobByKey: async (key: string) =>
        deal.closing && key === `CREATE_DRAFT:${OPPORTUNITY}:1` ? { ...job(), key, state: deal.closing } : null,
      unfinishedJobs: async () => [],
      givenUpByKeyPrefix: async () => [],
    },
    queries: { opportunitiesForInvoicing: async () => [row] },
    goLive: {
      invoicedLinesOfDeal: async () => [],
      partialInvoiceBasis: async () => ({
        terms,
        plans: (deal.plans ?? []).map((source) => ({ Terms_Source__c: source })),
      }),
    },
    reference: {
      billingEntities: async () => [UK_LTD],
      taxRates: async () => [{ taxType: 'OUTPUT2', name: '20% (VAT on Income)', effectiveRate: 20, status: 'ACTIVE' }],
      settings: async () => ({ readOnly: false }),
    },
    lineMappings: { forDeal: async () => ({ mappings: new Map(), itemsToCreate: [], warnings: [], problems: [] }) },
    contactLinks: {
      resolve: async () => new Map([[ACCOUNT, { kind: 'linked', contactId: CONTACT }]]),
      addLinks: () => undefined,
      flush: async () => [],
    },
    directory: { add: () => undefined },
    xero: {
      createContacts: async () => [],
      findContactByNumber: async () => undefined,
      createInvoices: async (_tenant: string, documents: unknown[]) => {
        sent.push(...documents);
        return [created<XeroInvoice>(0, madeId, made)];
      },
      getInvoicesModifiedSince: async () => ({ items: [], hasMore: false }),
      getInvoicesByIds: async () => [],
    },
    xeroResults: { findXeroResult: async () => undefined, recordXeroResult: async () => undefined },
    invoices: { load: async () => ({}), writeInvoice: async () => undefined },
    writeback: {
      upsert: async (_object: unknown, _field: string, records: Record<string, unknown>[]) => {
        upserts.push(...records);
        return records.map(() => ({ ok: true, id: 'a0A000000000001AAA' }));
      },
      requireAll: (_object: unknown, _keys: string[], outcomes: { id: string }[]) => outcomes.map((o) => o.id),
    },
    corporateCurrency: 'GBP',
    instanceUrl: () => 'https://ledgerline.my.salesforce.com',
    clock: { now: () => NOW },
    log: { info: () => undefined, warn: () => undefined },
    leases: deal.leases ?? newStore().leases,
    instanceId: 'bridge-1',
  } as unknown as PartialInvoiceDeps;
  return { deps, sent, upserts };
}

async function run(deal?: Deal) {
  const h = harness(deal);
  const outcome = (await createPartialHandler(h.deps).run([job()])).get(1);
  return { ...h, outcome };
}

describe('CREATE_PARTIAL: which deals take a partial invoice', () => {
  it('raises one on a deal billed on signature (its plan written), spread over its lines', async () => {
    const { outcome, sent } = await run({ plans: ['billed on signature'] });
    expect(outcome).toMatchObject({ kind: 'done' });
    expect(sent).toHaveLength(1);
    const { document } = sent[0] as { document: { lineItems: { lineAmount: string }[]; subTotal: string } };
    expect([document.subTotal, ...document.lineItems.map((l) => l.lineAmount)]).toEqual([
      '3600.00',
      '3000.00',
      '600.00',
    ]);
  });

  it.each([
    [
      'billed quarterly by its plan',
      { terms: { Billing_Frequency__c: 'Quarterly' }, plans: ['frequency: opportunity'] },
    ],
    ['quarterly, its plan not written yet', { terms: { Billing_Frequency__c: 'Quarterly' } }],
    ['a plan billed by its periods, its terms since cleared', { plans: ['frequency: entity, timing: package'] }],
    [
      'a line on a product schedule',
      {
        terms: {
          OpportunityLineItems: {
            totalSize: 1,
            done: true,
            records: [{ Id: sfId('00k', 1), HasSchedule: true, Product2: null }],
          },
        } as Partial<OpportunityBillingTerms>,
      },
    ],
  ] as [string, Deal][])('refuses a deal %s: its plan bills it, so nothing goes to Xero', async (_name, deal) => {
    const { outcome, sent, upserts } = await run(deal);
    expect(outcome).toEqual({ kind: 'failed', error: PARTIAL_REFUSALS.billingPlan });
    expect(sent).toEqual([]);
    expect(upserts).toEqual([
      expect.objectContaining({
        Request_Key__c: KEY,
        Opportunity__c: OPPORTUNITY,
        Sync_Status__c: 'Error',
        Sync_Message__c: PARTIAL_REFUSALS.billingPlan,
      }),
    ]);
  });

  it('refuses an amendment or renewal: it lists the whole subscription and is billed with its contract', async () => {
    const { outcome, sent, upserts } = await run({ amends: sfId('006', 9), plans: ['billed on signature'] });
    expect(outcome).toEqual({ kind: 'failed', error: PARTIAL_REFUSALS.amendment });
    expect(sent).toEqual([]);
    expect(upserts).toEqual([expect.objectContaining({ Sync_Message__c: PARTIAL_REFUSALS.amendment })]);
  });

  it('refuses a deal without products as the card does, not as "nothing remains"', async () => {
    const { outcome, sent, upserts } = await run({ lines: 0 });
    expect(outcome).toEqual({ kind: 'failed', error: PARTIAL_REFUSALS.noProducts });
    expect(sent).toEqual([]);
    expect(upserts).toEqual([expect.objectContaining({ Sync_Message__c: PARTIAL_REFUSALS.noProducts })]);
  });
});

describe('CREATE_PARTIAL in read-only mode', () => {
  it('holds the request without counting an attempt, so a long read-only spell never gives it up', async () => {
    const h = harness({ plans: ['billed on signature'] });
    const deps = { ...h.deps, reference: { ...h.deps.reference, settings: async () => ({ readOnly: true }) } };
    const outcome = (await createPartialHandler(deps as PartialInvoiceDeps).run([job()])).get(1);
    expect(outcome).toEqual(READ_ONLY_HOLD);
    expect(h.sent).toEqual([]);
  });
});

describe('CREATE_PARTIAL: a deal whose closing invoice is still on its way', () => {
  it('waits while the closing request has not reached Xero: both would bill the deal', async () => {
    for (const closing of ['queued', 'running'] as const) {
      const { outcome, sent, upserts } = await run({ closing, plans: ['billed on signature'] });
      expect(outcome).toEqual({ kind: 'hold', reason: PARTIAL_WAITS.closingOnItsWay, delayMs: 60_000 });
      expect(sent).toEqual([]);
      expect(upserts).toEqual([]);
    }
  });

  it('refuses while the closing request stopped (its record shows Error), saying what to do', async () => {
    for (const closing of ['failed', 'dead'] as const) {
      const { outcome, sent, upserts } = await run({ closing, plans: ['billed on signature'] });
      expect(outcome).toEqual({ kind: 'failed', error: PARTIAL_WAITS.closingStopped });
      expect(sent).toEqual([]);
      expect(upserts).toEqual([expect.objectContaining({ Sync_Message__c: PARTIAL_WAITS.closingStopped })]);
    }
  });

  it('raises once the closing request is done (its invoice then counts as invoiced)', async () => {
    const { outcome, sent } = await run({ closing: 'done', plans: ['billed on signature'] });
    expect(outcome).toMatchObject({ kind: 'done' });
    expect(sent).toHaveLength(1);
  });
});

describe('CREATE_PARTIAL: two requests for one deal on two bridges sharing the store', () => {
  /** A request for `amount` (of the 12,000.00 deal), as job `id`. */
  const request = (id: number, amount: string): JobOf<'CREATE_PARTIAL'> => {
    const requestKey = `CREATE_PARTIAL:${OPPORTUNITY}:0-${Number(amount) * 100}`;
    const base = job();
    return {
      ...base,
      id,
      key: requestKey,
      payload: { ...base.payload, requestKey, payload: { amount, mode: 'AMOUNT', value: amount, label: 'Milestone' } },
    };
  };

  it('lets one through at a time: the second waits, then is checked against what the first left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledgerline-partial-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const open = () => {
      const store = new SqliteStore({ path: join(dir, 'bridge.db'), encryptionKey: randomBytes(32) });
      stores.push(store);
      return store;
    };
    // The deal's invoice lines as Salesforce holds them: a partial's once its mirror is written.
    const salesforce: Awaited<ReturnType<PartialInvoiceDeps['goLive']['invoicedLinesOfDeal']>> = [];
    let release!: () => void;
    const inXero = new Promise<void>((resolve) => (release = resolve));
    const sentBy: string[] = [];
    const bridge = (name: string, slowXero: boolean) => {
      const h = harness({ plans: ['billed on signature'], leases: open().leases });
      const deps = h.deps as unknown as Record<string, unknown> & PartialInvoiceDeps;
      deps.instanceId = name;
      deps.goLive = { ...deps.goLive, invoicedLinesOfDeal: async () => [...salesforce] };
      const create = deps.xero.createInvoices;
      deps.xero = {
        ...deps.xero,
        createInvoices: async (tenantId, documents, key) => {
          sentBy.push(name);
          if (slowXero) await inXero;
          return create(tenantId, documents, key);
        },
      };
      deps.invoices = {
        load: async () => ({}) as never,
        writeInvoice: async () => {
          const { document } = h.sent.at(-1) as { document: { subTotal: string } };
          salesforce.push({
            Id: `a0L00000000000${salesforce.length}AAA`,
            Opportunity_Line_Item_Id__c: null,
            Line_Amount__c: Number(document.subTotal),
            Invoice__r: { Status__c: 'Draft', Opportunity__c: OPPORTUNITY },
          });
        },
      };
      return createPartialHandler(deps);
    };
    const a = bridge('bridge-a', true);
    const b = bridge('bridge-b', false);

    try {
      // 12,000.00 remains; two milestones of 8,000.00 asked at once, one on each bridge.
      const first = a.run([request(1, '8000.00')]);
      while (sentBy.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      // Bridge A is in Xero, its mirror not yet written: bridge B would read 12,000.00 remaining.
      expect((await b.run([request(2, '8000.00')])).get(2)).toEqual({
        kind: 'hold',
        reason: PARTIAL_LEASE_WAIT,
        delayMs: 5_000,
      });
      release();
      expect((await first).get(1)).toMatchObject({ kind: 'done' });
      // Its turn: 4,000.00 remains, so 8,000.00 is refused, and nothing more goes to Xero.
      expect((await b.run([request(2, '8000.00')])).get(2)).toEqual({
        kind: 'failed',
        error: expect.stringMatching(/remain/i),
      });
      expect(sentBy).toEqual(['bridge-a']);
      // and a milestone that fits goes through on either bridge
      expect((await b.run([request(3, '4000.00')])).get(3)).toMatchObject({ kind: 'done' });
      expect(sentBy).toEqual(['bridge-a', 'bridge-b']);
    } finally {
      release(); // a failed expectation must not leave bridge A waiting on Xero
    }
  });

  it('takes the lease of a bridge that stopped holding it once it lapses, and gives it up when done', async () => {
    let now = NOW;
    const store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32), clock: { now: () => now } });
    stores.push(store);
    // a bridge took the deal's lease and stopped (crashed mid-request)
    expect(await store.leases.acquireLease(dealLeaseName(OPPORTUNITY), 'bridge-gone:job-7', 120_000)).not.toBeNull();
    const waiting = await run({ plans: ['billed on signature'], leases: store.leases });
    expect(waiting.outcome).toEqual({ kind: 'hold', reason: PARTIAL_LEASE_WAIT, delayMs: 5_000 });
    expect(waiting.sent).toEqual([]);
    now += 120_001;
    const raised = await run({ plans: ['billed on signature'], leases: store.leases });
    expect(raised.outcome).toMatchObject({ kind: 'done' });
    expect(raised.sent).toHaveLength(1);
    expect(await store.leases.getLease(dealLeaseName(OPPORTUNITY))).toBeNull();
  });

  it('sends nothing when its lease changed hands before the Xero write (a bridge paused past it), and waits its turn', async () => {
    const store = newStore();
    const leases: LeaseRepository = {
      acquireLease: (name, owner, ttlMs) => store.leases.acquireLease(name, owner, ttlMs),
      tryAcquireLease: (name, owner, ttlMs) => store.leases.tryAcquireLease(name, owner, ttlMs),
      renewLease: async () => null, // another took it meanwhile
      releaseLease: (name, owner) => store.leases.releaseLease(name, owner),
      getLease: (name) => store.leases.getLease(name),
    };
    const { outcome, sent, upserts } = await run({ plans: ['billed on signature'], leases });
    expect(outcome).toEqual({ kind: 'hold', reason: PARTIAL_LEASE_WAIT, delayMs: 5_000 });
    expect(sent).toEqual([]);
    expect(upserts).toEqual([]);
  });
});

describe('CREATE_PARTIAL: a partial of the deal in Xero whose mirror has not reached Salesforce', () => {
  /** One bridge's store (jobs and leases), on a clock the test moves. */
  function bridgeOn() {
    let now = NOW;
    const store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32), clock: { now: () => now } });
    stores.push(store);
    const salesforce: Awaited<ReturnType<PartialInvoiceDeps['goLive']['invoicedLinesOfDeal']>> = [];
    const inXero: string[] = [];
    const recorded = new Map<string, XeroInvoice>();
    let sfDown = false;
    let sfRefuses = false;
    /** How Xero answers the next create call: a drop after it made the draft, an answer not read, or a 400. */
    let xeroFault: 'drop' | 'unreadable' | 'refuse' | undefined;
    const h = harness({ plans: ['billed on signature'], leases: store.leases });
    const deps = h.deps as unknown as Record<string, unknown> & PartialInvoiceDeps;
    deps.jobs = store.jobs;
    deps.goLive = { ...deps.goLive, invoicedLinesOfDeal: async () => [...salesforce] };
    deps.xero = {
      ...deps.xero,
      createInvoices: async (_tenant, documents) => {
        const fault = xeroFault;
        xeroFault = undefined;
        if (fault === 'refuse') {
          const body = { Elements: [{ ValidationErrors: [{ Message: 'Account code 999 is not valid' }] }] };
          throw new XeroApiError({ status: 400, body, operation: 'createInvoices' });
        }
        const { subTotal } = documents[0]!.document as unknown as { subTotal: string };
        inXero.push(subTotal);
        const id = `9f2d6c1e-0000-4000-8000-00000000000${inXero.length}`;
        const made = xeroInvoice(id, { subTotal: Number(subTotal), url: documents[0]!.url });
        recorded.set(id, made);
        if (fault === 'drop')
          throw new XeroApiError({ status: 0, body: 'socket hang up', operation: 'createInvoices' });
        if (fault === 'unreadable') throw new Error('createInvoices: Xero returned 0 invoices for 1');
        return [created<XeroInvoice>(0, id, made)];
      },
      getInvoicesByIds: async (_tenant, ids) => ids.map((id) => recorded.get(id)!),
      // Found by its link back to the deal, as a retried request looks.
      getInvoicesModifiedSince: async () => ({ items: [...recorded.values()], page: 1, pageSize: 100, hasMore: false }),
    };
    // The store's: what Xero answered is where every bridge on the store sees it.
    deps.xeroResults = store.xeroResults;
    const upsert = deps.writeback.upsert;
    deps.writeback = {
      ...deps.writeback,
      upsert: (async (...args: Parameters<typeof upsert>) => {
        // as jsforce throws a 503: Salesforce's errorCode, no HTTP status
        if (sfDown)
          throw Object.assign(new Error('Server temporarily unavailable. Please try again later.'), {
            name: 'SERVER_UNAVAILABLE',
            errorCode: 'SERVER_UNAVAILABLE',
          });
        if (sfRefuses) throw new Error('INVALID_FIELD_FOR_INSERT_UPDATE: Unable to create/update fields: Sub_Total__c');
        return upsert(...args);
      }) as typeof upsert,
    };
    deps.invoices = {
      load: async () => ({}) as never,
      writeInvoice: async (_record, invoice) => {
        salesforce.push({
          Id: `a0L00000000000${salesforce.length}AAA`,
          Opportunity_Line_Item_Id__c: null,
          Line_Amount__c: invoice.subTotal ?? 0,
          Invoice__r: { Status__c: 'Draft', Opportunity__c: OPPORTUNITY },
        });
      },
    };
    const handler = createPartialHandler(deps);
    /** Milestone `n` of `amount`, asked now. */
    const ask = (n: number, amount: string) => {
      const requestKey = `CREATE_PARTIAL:${OPPORTUNITY}:${n}-${Number(amount) * 100}`;
      return store.jobs.enqueueJob({
        key: requestKey,
        action: 'CREATE_PARTIAL',
        payload: {
          action: 'CREATE_PARTIAL',
          requestKey,
          opportunityId: OPPORTUNITY,
          payload: { amount, mode: 'AMOUNT', value: amount, label: 'Milestone' },
        },
      });
    };
    /** The worker's turn: the next job due is claimed, run, and settled as the worker settles it (`lastTry`: its retries run out). */
    const turn = async ({ lastTry = false } = {}) => {
      const [claimed] = await store.jobs.claimJobs({
        owner: 'w',
        leaseMs: 60_000,
        limit: 1,
        actions: ['CREATE_PARTIAL'],
      });
      const job = claimed as JobOf<'CREATE_PARTIAL'>;
      const outcome = (await handler.run([job])).get(job.id)!;
      if (outcome.kind === 'done') await store.jobs.completeJob(job.id, 'w', outcome.result);
      else if (outcome.kind === 'hold') await store.jobs.deferJob(job.id, 'w', outcome.reason, now + outcome.delayMs);
      else if (outcome.kind === 'retry' && lastTry)
        await store.jobs.failJob(job.id, 'w', gaveUpAfterRetries(outcome.error, job.attempts), null);
      else if (outcome.kind === 'retry') await store.jobs.failJob(job.id, 'w', outcome.error, now + 20_000);
      else await store.jobs.failJob(job.id, 'w', outcome.error, null);
      return { id: job.id, outcome };
    };
    return {
      store,
      salesforce,
      inXero,
      ask,
      turn,
      later: (ms: number) => void (now += ms),
      salesforceDown: (down: boolean) => void (sfDown = down),
      /** Salesforce refuses the mirror for good (not transient): the request gives up at once. */
      salesforceRefuses: (refuses: boolean) => void (sfRefuses = refuses),
      xeroAnswers: (fault: typeof xeroFault) => void (xeroFault = fault),
    };
  }

  it('the next milestone waits for it, then is refused for more than remains (not 16,000.00 of drafts for 12,000.00)', async () => {
    const b = bridgeOn();
    const first = (await b.ask(1, '8000.00')).job;
    const second = (await b.ask(2, '8000.00')).job;
    // The first reaches Xero; Salesforce answers 503 on its mirror, so it will try again (and gave up the lease).
    b.salesforceDown(true);
    const tried = await b.turn();
    expect(tried).toMatchObject({ id: first.id, outcome: { kind: 'retry' } });
    expect(tried.outcome.kind === 'retry' && tried.outcome.error).toMatch(/is in Xero but not yet in Salesforce/);
    b.salesforceDown(false);
    // The second takes the lease: what remains still reads 12,000.00, so it must not go on.
    expect(await b.turn()).toEqual({
      id: second.id,
      outcome: { kind: 'hold', reason: PARTIAL_WAITS.partialOnItsWay, delayMs: 30_000 },
    });
    expect(b.inXero).toEqual(['8000.00']);
    expect((await b.store.jobs.getJob(second.id))?.attempts).toBe(0); // the wait is not counted
    // The first's retry finds its draft and mirrors it; the second is then checked against the 4,000.00 left.
    b.later(30_000);
    expect(await b.turn()).toMatchObject({ id: first.id, outcome: { kind: 'done' } });
    expect(await b.turn()).toEqual({
      id: second.id,
      outcome: { kind: 'failed', error: expect.stringMatching(/remain/i) },
    });
    expect(b.inXero).toEqual(['8000.00']);
  });

  it('one given up with its draft in Xero refuses the next in words (not 12,500.00 of drafts for 12,000.00); Retry on it lets the next through', async () => {
    const b = bridgeOn();
    const deposit = (await b.ask(1, '4500.00')).job;
    // The deposit reaches Xero; Salesforce refuses its mirror for good, so the request gives up at once.
    b.salesforceRefuses(true);
    expect(await b.turn()).toEqual({
      id: deposit.id,
      outcome: { kind: 'failed', error: expect.stringMatching(/is in Xero but not yet in Salesforce.*press Retry/) },
    });
    expect((await b.store.jobs.getJob(deposit.id))?.state).toBe('dead');
    b.salesforceRefuses(false);
    // What remains still reads 12,000.00: the next milestone is refused, saying what to do, and sends nothing.
    const next = (await b.ask(2, '8000.00')).job;
    expect(await b.turn()).toEqual({ id: next.id, outcome: { kind: 'failed', error: partialGivenUp(deposit.key) } });
    expect(b.inXero).toEqual(['4500.00']);
    // Retry on the deposit mirrors its draft (no second one); the milestone asked again is checked against 7,500.00.
    await b.store.jobs.retryJob(deposit.id);
    expect(await b.turn()).toMatchObject({ id: deposit.id, outcome: { kind: 'done' } });
    await b.store.jobs.retryJob(next.id);
    expect(await b.turn()).toEqual({
      id: next.id,
      outcome: { kind: 'failed', error: expect.stringMatching(/remain/i) },
    });
    const rest = (await b.ask(3, '7500.00')).job;
    expect(await b.turn()).toMatchObject({ id: rest.id, outcome: { kind: 'done' } });
    expect(b.inXero).toEqual(['4500.00', '7500.00']);
  });

  it('one whose create call Xero never answered, given up, refuses the next in words; Retry finds its draft by its link (none made again) and the next is checked against 7,500.00', async () => {
    const b = bridgeOn();
    const deposit = (await b.ask(1, '4500.00')).job;
    // Xero makes the 4,500.00 draft, the connection drops before its answer, and the request's retries run out.
    b.xeroAnswers('drop');
    const unanswered = await b.turn({ lastTry: true });
    expect(unanswered).toMatchObject({ id: deposit.id, outcome: { kind: 'retry' } });
    expect(unanswered.outcome.kind === 'retry' && unanswered.outcome.error).toMatch(/^Whether Xero holds this partial/);
    expect(await b.store.jobs.getJob(deposit.id)).toMatchObject({ state: 'dead' });
    expect(await b.store.xeroResults.findXeroResult(deposit.key, UK_LTD.xeroTenantId, 'invoice')).toBeNull();
    // What remains still reads 12,000.00: the next is refused in words and sends nothing.
    const next = (await b.ask(2, '8000.00')).job;
    expect(await b.turn()).toEqual({
      id: next.id,
      outcome: { kind: 'failed', error: partialMayBeInXero(deposit.key) },
    });
    expect(b.inXero).toEqual(['4500.00']);
    // Retry on the deposit: found in Xero by its link, recorded, mirrored; no second create call.
    await b.store.jobs.retryJob(deposit.id);
    expect(await b.turn()).toMatchObject({ id: deposit.id, outcome: { kind: 'done' } });
    expect(await b.store.xeroResults.findXeroResult(deposit.key, UK_LTD.xeroTenantId, 'invoice')).not.toBeNull();
    expect(b.inXero).toEqual(['4500.00']);
    await b.store.jobs.retryJob(next.id);
    expect(await b.turn()).toEqual({
      id: next.id,
      outcome: { kind: 'failed', error: expect.stringMatching(/remain/i) },
    });
    const rest = (await b.ask(3, '7500.00')).job;
    expect(await b.turn()).toMatchObject({ id: rest.id, outcome: { kind: 'done' } });
    expect(b.inXero).toEqual(['4500.00', '7500.00']);
  });

  it('one stopped for good on an answer it could not read refuses the next too; one Xero refused (a 400) does not', async () => {
    const b = bridgeOn();
    const unread = (await b.ask(1, '4500.00')).job;
    b.xeroAnswers('unreadable');
    expect(await b.turn()).toEqual({
      id: unread.id,
      outcome: { kind: 'failed', error: `${XERO_OUTCOME_UNKNOWN}createInvoices: Xero returned 0 invoices for 1` },
    });
    const next = (await b.ask(2, '1000.00')).job;
    expect(await b.turn()).toEqual({ id: next.id, outcome: { kind: 'failed', error: partialMayBeInXero(unread.key) } });
    expect(b.inXero).toEqual(['4500.00']);

    const c = bridgeOn();
    const refused = (await c.ask(1, '4500.00')).job;
    c.xeroAnswers('refuse');
    const answer = await c.turn();
    expect(answer).toMatchObject({ id: refused.id, outcome: { kind: 'failed' } });
    expect(answer.outcome.kind === 'failed' && answer.outcome.error).toMatch(
      /^Xero rejected the request: Account code/,
    );
    const after = (await c.ask(2, '4500.00')).job;
    expect(await c.turn()).toMatchObject({ id: after.id, outcome: { kind: 'done' } });
    expect(c.inXero).toEqual(['4500.00']);
  });

  it('two milestones never run do not wait for each other, nor does one that found the lease taken', async () => {
    const b = bridgeOn();
    // both queued, neither run: the first goes straight through
    const first = (await b.ask(1, '4000.00')).job;
    const second = (await b.ask(2, '4000.00')).job;
    expect(await b.turn()).toMatchObject({ id: first.id, outcome: { kind: 'done' } });
    expect(await b.turn()).toMatchObject({ id: second.id, outcome: { kind: 'done' } });
    expect(b.inXero).toEqual(['4000.00', '4000.00']);

    // a third found the deal's lease taken (its last error says so): the fourth waits for it once, the third
    // then sees the fourth waiting its turn and goes on, and so does the fourth after it
    const third = (await b.ask(3, '2000.00')).job;
    const fourth = (await b.ask(4, '1000.00')).job;
    const [claimed] = await b.store.jobs.claimJobs({
      owner: 'w',
      leaseMs: 60_000,
      limit: 1,
      actions: ['CREATE_PARTIAL'],
    });
    expect(claimed?.id).toBe(third.id);
    await b.store.jobs.deferJob(third.id, 'w', PARTIAL_LEASE_WAIT, NOW + 5_000);
    expect(await b.turn()).toMatchObject({
      id: fourth.id,
      outcome: { kind: 'hold', reason: PARTIAL_WAITS.partialOnItsWay },
    });
    b.later(5_000);
    expect(await b.turn()).toMatchObject({ id: third.id, outcome: { kind: 'done' } });
    b.later(30_000);
    expect(await b.turn()).toMatchObject({ id: fourth.id, outcome: { kind: 'done' } });
    expect(b.inXero).toEqual(['4000.00', '4000.00', '2000.00', '1000.00']);
  });
});
