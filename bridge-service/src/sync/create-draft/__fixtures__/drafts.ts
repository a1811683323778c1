/**
 * Typed builders for the CREATE_DRAFT step tests: jobs as the store hands them out, deals as the domain reads them,
 * billing entities, and Xero invoices and batch results as the xero/ client returns them.
 */
import { parseBillingEntities, type BillingEntity } from '../../../domain/billing-entity';
import type { AccountRow, OpportunityLineItemRow, OpportunityRow } from '../../../domain/records';
import type { InvoiceForSummary } from '../../../salesforce/selections';
import type { SObjectSchema } from '../../../salesforce/sobject';
import type { CompositeBatch, WriteOutcome } from '../../../salesforce/writeback';
import type { BatchElementResult, XeroInvoice } from '../../../xero/types';
import type { DraftJob } from '../draft';
import type { Draft } from '../draft';

export const UK_TENANT = '11111111-1111-4111-8111-111111111111';
export const US_TENANT = '22222222-2222-4222-8222-222222222222';

const [uk, us] = parseBillingEntities([
  {
    developerName: 'UK_Ltd',
    xeroTenantId: UK_TENANT,
    baseCurrency: 'GBP',
    countries: 'GB',
    currencies: 'GBP',
    accountCode: '4000',
    taxType: 'OUTPUT2',
    paymentTermsDays: 30,
    isDefault: true,
  },
  {
    developerName: 'US_Inc',
    xeroTenantId: US_TENANT,
    baseCurrency: 'USD',
    countries: 'US',
    currencies: 'USD',
    accountCode: '4000',
    taxType: 'OUTPUT',
    paymentTermsDays: 30,
  },
]).entities as [BillingEntity, BillingEntity];
export const UK_LTD = uk;
export const US_INC = us;

/** A Salesforce-shaped id: 3-character prefix, a number, padded to 18. */
export const sfId = (prefix: string, n: number) => `${prefix}${String(n).padStart(12, '0')}AAA`;

export function job(n: number, overrides: Partial<DraftJob> = {}): DraftJob {
  const opportunityId = sfId('006', n);
  const requestKey = `CREATE_DRAFT:${opportunityId}:1`;
  return {
    id: n,
    key: requestKey,
    action: 'CREATE_DRAFT',
    payload: { action: 'CREATE_DRAFT', requestKey, opportunityId },
    tenantId: null,
    state: 'running',
    attempts: 1,
    nextRunAt: 0,
    lastError: null,
    result: null,
    leaseOwner: 'bridge-1',
    leaseExpiresAt: null,
    createdAt: Date.UTC(2026, 2, 1),
    updatedAt: Date.UTC(2026, 2, 1),
    ...overrides,
  };
}

export function opportunity(n: number, overrides: Partial<OpportunityRow> = {}): OpportunityRow {
  return {
    Id: sfId('006', n),
    Name: `Deal ${n}`,
    CloseDate: '2026-03-01',
    CurrencyIsoCode: 'GBP',
    Amount: 1000,
    AccountId: sfId('001', n),
    ...overrides,
  };
}

export function account(n: number, overrides: Partial<AccountRow> = {}): AccountRow {
  return { Id: sfId('001', n), Name: `Customer ${n}`, BillingCountry: 'GB', ...overrides };
}

export const seats = (quantity = 10, unitPrice = 100): OpportunityLineItemRow => ({
  Id: sfId('00k', quantity),
  Description: 'Platform seats',
  Quantity: quantity,
  UnitPrice: unitPrice,
  TotalPrice: quantity * unitPrice,
});

export function draft(n: number, overrides: Partial<Draft> = {}): Draft {
  const j = overrides.job ?? job(n);
  return {
    job: j,
    requestKey: j.payload.requestKey,
    opportunity: opportunity(n),
    account: account(n),
    lineItems: [seats()],
    entity: UK_LTD,
    ...overrides,
  };
}

export function xeroInvoice(id: string, overrides: Partial<XeroInvoice> = {}): XeroInvoice {
  return {
    invoiceID: id,
    invoiceNumber: `INV-${id.slice(-4)}`,
    type: 'ACCREC',
    status: 'DRAFT',
    currencyCode: 'GBP',
    subTotal: 1000,
    totalTax: 200,
    total: 1200,
    amountDue: 1200,
    amountPaid: 0,
    amountCredited: 0,
    date: '2026-03-01',
    dueDate: '2026-03-31',
    lineItems: [
      { lineItemID: `${id}-line-1`, description: 'Platform seats', quantity: 10, unitAmount: 100, lineAmount: 1000 },
    ],
    ...overrides,
  };
}

/** One element of a batch create as the client reports it. */
export function created<T>(index: number, id: string, record: T): BatchElementResult<T> {
  return { index, ok: true, status: 'OK', id, errors: [], warnings: [], record };
}

export function rejected<T>(index: number, errors: string[], record: T): BatchElementResult<T> {
  return { index, ok: false, status: 'ERROR', id: null, errors, warnings: [], record };
}

/** A Composite batch that records what is queued and answers each write from `answer` when it runs. */
export function fakeComposite(
  answer: (object: string, record: Readonly<Record<string, unknown>>, index: number) => WriteOutcome = (_o, _r, i) => ({
    ok: true,
    id: `a0${i}`,
  }),
) {
  const runs: { method: string; object: string; records: Readonly<Record<string, unknown>>[] }[][] = [];
  const batch = (): CompositeBatch => {
    const queued: {
      method: string;
      object: string;
      records: Readonly<Record<string, unknown>>[];
      settle: () => void;
    }[] = [];
    const write = (method: string, object: SObjectSchema, records: readonly object[]) =>
      new Promise<WriteOutcome[]>((resolve) => {
        const rows = records.map((r) => ({ ...r }));
        queued.push({
          method,
          object: object.name,
          records: rows,
          settle: () => resolve(rows.map((r, i) => answer(object.name, r, i))),
        });
      });
    return {
      upsert: (object, _field, records) => write('upsert', object, records),
      update: (object, records) => write('update', object, records),
      create: (object, records) => write('create', object, records),
      query: async () => [],
      run: async () => {
        runs.push(queued.map(({ method, object, records }) => ({ method, object, records })));
        for (const q of queued.splice(0)) q.settle();
      },
    };
  };
  return { writeback: { composite: batch }, runs };
}

/** An Invoice__c as the summary query returns it. */
export function invoiceForSummary(id: string, status: string, opportunityId: string): InvoiceForSummary {
  return {
    Id: id,
    Opportunity__c: opportunityId,
    Account__c: null,
    Status__c: status,
    Approval_Status__c: null,
    Currency_Code__c: 'GBP',
    Total__c: 18000,
    Amount_Paid__c: 0,
    Amount_Credited__c: 0,
    Amount_Due__c: 18000,
    Issue_Date__c: '2026-01-01',
    Due_Date__c: '2026-01-31',
    Payments__r: null,
  };
}

/** Contact links where every Account is a new customer (no contact resembles it): the draft creates its contact. */
export function newCustomers() {
  const linked: { accountId: string; contactId: string; method: string }[] = [];
  return {
    linked,
    contactLinks: {
      resolve: async (_entity: unknown, accounts: readonly { accountId: string }[]) =>
        new Map(accounts.map((a) => [a.accountId, { kind: 'create' as const }])),
      addLinks: (
        _writes: unknown,
        _entity: unknown,
        links: readonly { accountId: string; contactId: string; method: string }[],
      ) => {
        linked.push(...links.map(({ accountId, contactId, method }) => ({ accountId, contactId, method })));
      },
      flush: async () => [],
    },
    directory: { add: () => undefined },
    // no product or entity line mapping beyond the defaults, nothing to create
    lineMappings: {
      forDeal: async () => ({ mappings: new Map(), itemsToCreate: [], warnings: [], problems: [] }),
      createItems: async () => new Map<string, string>(),
    },
  };
}

/** The go-live reads of a batch's load: no links or reviews yet. */
export const noLinksYet = {
  knownOfOpportunityAccounts: async () => ({ links: [], reviews: [] }),
};
