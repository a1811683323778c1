/**
 * The go-live reads (issue 18): contact links and match reviews, the Accounts matching compares, the won deals
 * history is linked to and reconciled against, drafts waiting for a review, and the mirrors the drift check compares
 * with Xero. Typed selections of the object schemas, rendered with the namespace, as queries.ts does for the sync.
 */
import type { Connection } from 'jsforce';
import {
  Account,
  BillingPlan,
  ContactMatchReview,
  CreditNote,
  CustomerCredit,
  CustomerCreditAllocation,
  ImportRun,
  Invoice,
  InvoiceLine,
  Opportunity,
  Payment,
  ReconciliationResult,
  XeroContactLink,
} from './objects';
import {
  IDS_PER_BATCHED_QUERY,
  IDS_PER_QUERY,
  soqlGuidList,
  soqlIdList,
  soqlStringList,
  type QueryBatch,
} from './queries';
import {
  accountAsContact,
  CREDIT_AMOUNTS,
  creditAllocation,
  creditNoteRefund,
  CUSTOMER_CREDIT_USE,
  INVOICE_AMOUNTS,
  INVOICE_KEYS,
  opportunityAccount,
  opportunityBillingTerms,
  type OpportunityBillingTerms,
} from './selections';
import type { SalesforceNames } from './schema';
import { childRecords, select, type RowOf, type Selection } from './soql';
import type { SObjectSchema } from './sobject';

export const contactLink = select(XeroContactLink, [
  'Id',
  'Account__c',
  'Billing_Entity__c',
  'Xero_Tenant_Id__c',
  'Xero_Contact_Id__c',
  'Contact_Name__c',
  'Match_Method__c',
  'Link_Key__c',
]);
export type ContactLinkRow = RowOf<typeof contactLink>;

export const matchReview = select(ContactMatchReview, [
  'Id',
  'Name',
  'Account__c',
  'Billing_Entity__c',
  'Review_Key__c',
  'Status__c',
  'Reason__c',
  'Chosen_Contact_Id__c',
  'Decision_Note__c',
  'Sync_Status__c',
  'Request_Key__c',
]);
export type MatchReviewRow = RowOf<typeof matchReview>;

/** What matching compares of an Account: what its Xero contact is made from. */
export const accountToMatch = accountAsContact;
export type AccountToMatchRow = RowOf<typeof accountToMatch>;

const DEAL_FIELDS = [
  'Id',
  'Name',
  'AccountId',
  'Amount',
  'CloseDate',
  'IsWon',
  'PO_Number__c',
  'CurrencyIsoCode',
] as const;
/** A won deal: booked for reconciliation, and where history made by the bridge is linked. */
export const wonDeal = (multiCurrency: boolean) =>
  select(Opportunity, DEAL_FIELDS, multiCurrency ? [] : ['CurrencyIsoCode']);
export type WonDealRow = RowOf<ReturnType<typeof wonDeal>>;

/** A draft waiting for finance (no Xero invoice yet): its request runs again once the review is decided. */
export const waitingDraft = select(Invoice, ['Id', 'Request_Key__c', 'Opportunity__c', 'Account__c', 'Sync_Status__c']);

/** An Invoice__c as the drift check and reconciliation read it, with its payments. */
export const invoiceForDrift = select(Invoice, [
  'Id',
  'Opportunity__c',
  'Account__c',
  'Xero_Invoice_Id__c',
  'Invoice_Number__c',
  'Billing_Entity__c',
  'Currency_Code__c',
  ...INVOICE_AMOUNTS,
  'Status__c',
  'Approval_Status__c',
  'Xero_Updated__c',
]).withChildren(
  'Payments__r',
  select(Payment, ['Xero_Payment_Id__c', 'Amount__c', 'Payment_Date__c', 'Status__c', 'Reference__c']),
);
export type InvoiceForDrift = RowOf<typeof invoiceForDrift>;

/** A Credit_Note__c mirror with its allocations and refunds, for drift. */
export const creditNoteForDrift = select(CreditNote, [
  'Id',
  'Invoice__c',
  'Account__c',
  'Xero_Credit_Note_Id__c',
  'Credit_Note_Number__c',
  'Currency_Code__c',
  ...CREDIT_AMOUNTS,
  'Status__c',
  'Approval_Status__c',
  'Xero_Updated__c',
])
  .withChildren('Allocations__r', creditAllocation)
  .withChildren('Refunds__r', creditNoteRefund);
export type CreditNoteForDrift = RowOf<typeof creditNoteForDrift>;

/** A Customer_Credit__c mirror with its allocations and refunds. */
export const customerCredit = select(CustomerCredit, [
  'Id',
  'Account__c',
  'Xero_Credit_Id__c',
  'Credit_Type__c',
  'Reference__c',
  'Currency_Code__c',
  ...CREDIT_AMOUNTS,
  'Status__c',
  'Xero_Updated__c',
]).withChildren('Allocations__r', select(CustomerCreditAllocation, ['Id', ...CUSTOMER_CREDIT_USE]));
export type CustomerCreditRow = RowOf<typeof customerCredit>;

/** A draft as finance corrected it in Salesforce: its fields and every line, in order (rework). */
export const invoiceForRework = select(Invoice, [
  ...INVOICE_KEYS,
  'Name',
  'Currency_Code__c',
  'Status__c',
  'Approval_Status__c',
  'Issue_Date__c',
  'Due_Date__c',
  'Reference__c',
]).withChildren(
  'Invoice_Lines__r',
  select(InvoiceLine, [
    'Id',
    'Xero_Line_Item_Id__c',
    'Description__c',
    'Quantity__c',
    'Unit_Amount__c',
    'Discount_Rate__c',
    'Account_Code__c',
    'Tax_Type__c',
    'Item_Code__c',
    'Sort_Order__c',
  ]),
  ['Sort_Order__c', 'Id'],
);
export type InvoiceForRework = RowOf<typeof invoiceForRework>;

/** Lines of a deal's invoices, with their invoice's status (what a partial invoice counts as invoiced). */
export const dealInvoiceLine = select(InvoiceLine, ['Id', 'Line_Amount__c', 'Opportunity_Line_Item_Id__c']).with(
  'Invoice__r',
  select(Invoice, ['Status__c', 'Opportunity__c']),
);

/** A deal's billing plan as a partial invoice reads it: billed on signature, or by its periods (Terms_Source__c). */
export const dealPlanSource = select(BillingPlan, ['Id', 'Status__c', 'Terms_Source__c']);
export type DealPlanSourceRow = RowOf<typeof dealPlanSource>;

export const reconciliationResult = select(ReconciliationResult, ['Id', 'Result_Key__c', 'Status__c']);
/** An Account's contact links and match reviews, every entity (one query for a batch of drafts). */
export const accountLinks = select(Account, ['Id'])
  .withChildren('Xero_Contact_Links__r', contactLink)
  .withChildren('Contact_Match_Reviews__r', matchReview);

export const importRun = select(ImportRun, ['Id', 'Run_Key__c', 'Status__c', 'Phase__c']);
/** Invoice lines by their Xero ids (a history page may have some already). */
export const lineByXeroId = select(InvoiceLine, ['Id', 'Xero_Line_Item_Id__c']);

export function createGoLiveQueries(deps: { conn: Connection; names: SalesforceNames; multiCurrency: boolean }) {
  const { conn, names } = deps;
  const deals = wonDeal(deps.multiCurrency);

  async function all<S extends SObjectSchema, R>(selection: Selection<S, R>, soql: string): Promise<R[]> {
    const result = await conn.query(soql).run({ autoFetch: true, maxFetch: 1_000_000 });
    return result.records.map((record) => selection.parse(names, record));
  }

  async function sliced<S extends SObjectSchema, R>(
    selection: Selection<S, R>,
    values: readonly string[],
    quote: (values: readonly string[]) => string,
    build: (list: string) => string,
  ): Promise<R[]> {
    const rows: R[] = [];
    for (let i = 0; i < values.length; i += IDS_PER_QUERY) {
      rows.push(...(await all(selection, build(quote(values.slice(i, i + IDS_PER_QUERY))))));
    }
    return rows;
  }

  const entityIs = (entity: string) => soqlStringList([entity]);

  /** Rows of the Accounts of these Opportunities (a semi-join), queued on a Composite batch. */
  function ofOpportunityAccounts<S extends SObjectSchema, R>(
    selection: Selection<S, R>,
    accountField: 'Account__c' | 'Id',
    opportunityIds: readonly string[],
    via: QueryBatch,
  ): Promise<R[]> {
    const queries: Promise<unknown[]>[] = [];
    for (let i = 0; i < opportunityIds.length; i += IDS_PER_BATCHED_QUERY) {
      const list = soqlIdList(opportunityIds.slice(i, i + IDS_PER_BATCHED_QUERY));
      queries.push(
        via.query(
          selection.soql(names, {
            where: (q) =>
              `${names.api(accountField)} IN (${q.subquery(opportunityAccount, (o) => `${o.field('Id')} IN (${list})`)})`,
          }),
        ),
      );
    }
    return Promise.all(queries).then((pages) => pages.flat().map((record) => selection.parse(names, record)));
  }

  return {
    /**
     * Every link and match review of the Accounts of these Opportunities (any entity), in one query (the Account with
     * both as subqueries) queued with the batch's load: a load stays within one Composite call's five queries.
     */
    async knownOfOpportunityAccounts(
      opportunityIds: readonly string[],
      via: QueryBatch,
    ): Promise<{ links: ContactLinkRow[]; reviews: MatchReviewRow[] }> {
      const accounts = await ofOpportunityAccounts(accountLinks, 'Id', opportunityIds, via);
      return {
        links: accounts.flatMap((a) => childRecords(a.Xero_Contact_Links__r)),
        reviews: accounts.flatMap((a) => childRecords(a.Contact_Match_Reviews__r)),
      };
    },

    /** The entity's links held by these Accounts. */
    linksOfAccounts(entity: string, accountIds: readonly string[]) {
      return sliced(contactLink, accountIds, soqlIdList, (list) =>
        contactLink.soql(names, {
          where: (q) =>
            `${q.field('Billing_Entity__c')} = ${entityIs(entity)} AND ${q.field('Account__c')} IN (${list})`,
        }),
      );
    },

    /**
     * The links holding these Xero contacts in this entity, or in any of these entities (those sharing a tenant: one
     * query for them all).
     */
    linksOfContacts(entity: string | readonly string[], contactIds: readonly string[]) {
      const entities = typeof entity === 'string' ? [entity] : entity;
      return sliced(contactLink, contactIds, soqlGuidList, (list) =>
        contactLink.soql(names, {
          where: (q) =>
            `${q.field('Billing_Entity__c')} IN (${soqlStringList(entities)}) AND ${q.field('Xero_Contact_Id__c')} IN (${list})`,
        }),
      );
    },

    /** Every link of the entity. */
    linksOfEntity(entity: string) {
      return all(
        contactLink,
        contactLink.soql(names, { where: (q) => `${q.field('Billing_Entity__c')} = ${entityIs(entity)}` }),
      );
    },

    reviewsByKey(keys: readonly string[]) {
      return sliced(matchReview, keys, soqlStringList, (list) =>
        matchReview.soql(names, { where: (q) => `${q.field('Review_Key__c')} IN (${list})` }),
      );
    },

    /** Reviews finance decided that the bridge has not applied (Sync_Status__c Pending), e.g. refused by an older bridge. */
    reviewsAwaitingBridge() {
      return all(
        matchReview,
        matchReview.soql(names, {
          where: (q) =>
            `${q.field('Sync_Status__c')} = 'Pending' AND ${q.field('Status__c')} != 'Open' AND ${q.field('Request_Key__c')} != null`,
        }),
      );
    },

    reviewsById(ids: readonly string[]) {
      return sliced(matchReview, ids, soqlIdList, (list) =>
        matchReview.soql(names, { where: (q) => `${q.field('Id')} IN (${list})` }),
      );
    },

    /** Accounts as matching reads them: these, or every Account (an import matches them all). */
    accountsToMatch(accountIds?: readonly string[]) {
      if (!accountIds) return all(accountToMatch, accountToMatch.soql(names, { orderBy: ['Id'] }));
      return sliced(accountToMatch, accountIds, soqlIdList, (list) =>
        accountToMatch.soql(names, { where: (q) => `${q.field('Id')} IN (${list})` }),
      );
    },

    /** Won deals of these Accounts. */
    wonDealsOfAccounts(accountIds: readonly string[]) {
      return sliced(deals, accountIds, soqlIdList, (list) =>
        deals.soql(names, { where: (q) => `${q.field('IsWon')} = true AND ${q.field('AccountId')} IN (${list})` }),
      );
    },

    /** These Opportunities (any stage), for history that names them. */
    opportunities(ids: readonly string[]) {
      return sliced(deals, ids, soqlIdList, (list) =>
        deals.soql(names, { where: (q) => `${q.field('Id')} IN (${list})` }),
      );
    },

    /** Drafts of these Accounts in the entity still waiting to reach Xero (Pending, no Xero invoice). */
    waitingDrafts(entity: string, accountIds: readonly string[]) {
      return sliced(waitingDraft, accountIds, soqlIdList, (list) =>
        waitingDraft.soql(names, {
          where: (q) =>
            `${q.field('Billing_Entity__c')} = ${entityIs(entity)} AND ${q.field('Account__c')} IN (${list}) ` +
            `AND ${q.field('Sync_Status__c')} = 'Pending' AND ${q.field('Xero_Invoice_Id__c')} = null`,
        }),
      );
    },

    /** Every invoice mirror of the tenant that reached Xero. */
    invoiceMirrorsOfTenant(tenantId: string) {
      return all(
        invoiceForDrift,
        invoiceForDrift.soql(names, {
          where: (q) =>
            `${q.field('Xero_Tenant_Id__c')} = ${soqlStringList([tenantId])} AND ${q.field('Xero_Invoice_Id__c')} != null`,
        }),
      );
    },

    /** Credit note mirrors with these Xero ids. */
    creditNoteMirrors(xeroIds: readonly string[]) {
      return sliced(creditNoteForDrift, xeroIds, soqlGuidList, (list) =>
        creditNoteForDrift.soql(names, { where: (q) => `${q.field('Xero_Credit_Note_Id__c')} IN (${list})` }),
      );
    },

    /** Overpayment and prepayment mirrors of the tenant. */
    customerCreditsOfTenant(tenantId: string) {
      return all(
        customerCredit,
        customerCredit.soql(names, {
          where: (q) => `${q.field('Xero_Tenant_Id__c')} = ${soqlStringList([tenantId])}`,
        }),
      );
    },

    /** Customer credits with these Xero ids. */
    customerCreditsByXeroIds(xeroIds: readonly string[]) {
      return sliced(customerCredit, xeroIds, soqlGuidList, (list) =>
        customerCredit.soql(names, { where: (q) => `${q.field('Xero_Credit_Id__c')} IN (${list})` }),
      );
    },

    /** The drift and reconciliation results already stored for the tenant (to settle a run against). */
    driftResults(tenantId: string) {
      return all(
        reconciliationResult,
        reconciliationResult.soql(names, {
          where: (q) => `${q.field('Xero_Tenant_Id__c')} = ${soqlStringList([tenantId])}`,
        }),
      );
    },

    /** Invoice__c ids by Xero invoice id. */
    async invoiceIdsByXeroIds(
      xeroIds: readonly string[],
    ): Promise<Map<string, { id: string; accountId: string | null; opportunityId: string | null }>> {
      const rows = await sliced(invoiceForDrift, xeroIds, soqlGuidList, (list) =>
        invoiceForDrift.soql(names, { where: (q) => `${q.field('Xero_Invoice_Id__c')} IN (${list})` }),
      );
      return new Map(
        rows.map((row) => [
          String(row.Xero_Invoice_Id__c).toLowerCase(),
          { id: row.Id, accountId: row.Account__c, opportunityId: row.Opportunity__c },
        ]),
      );
    },

    /** One Invoice__c with its lines, for rework. */
    async invoiceForRework(invoiceId: string): Promise<InvoiceForRework | undefined> {
      const [row] = await sliced(invoiceForRework, [invoiceId], soqlIdList, (list) =>
        invoiceForRework.soql(names, { where: (q) => `${q.field('Id')} IN (${list})` }),
      );
      return row;
    },

    /** The lines of a deal's invoices that are not voided or deleted (drafts count: they are on their way). */
    invoicedLinesOfDeal(opportunityId: string) {
      return sliced(dealInvoiceLine, [opportunityId], soqlIdList, (list) =>
        dealInvoiceLine.soql(names, {
          where: (q) =>
            `${q.path('Invoice__r', 'Opportunity__c')} IN (${list}) AND ${q.path('Invoice__r', 'Status__c')} NOT IN ('Voided', 'Deleted')`,
        }),
      );
    },

    /**
     * What decides whether a deal takes partial invoices: its billing terms, its lines' products and schedules (the
     * closing request's reading), and the billing plans written for it (two queries, sent together).
     */
    async partialInvoiceBasis(
      opportunityId: string,
    ): Promise<{ terms: OpportunityBillingTerms | undefined; plans: DealPlanSourceRow[] }> {
      const list = soqlIdList([opportunityId]);
      const [terms, plans] = await Promise.all([
        all(
          opportunityBillingTerms,
          opportunityBillingTerms.soql(names, { where: (q) => `${q.field('Id')} = ${list}` }),
        ),
        all(dealPlanSource, dealPlanSource.soql(names, { where: (q) => `${q.field('Opportunity__c')} = ${list}` })),
      ]);
      return { terms: terms[0], plans };
    },

    /** Invoice lines that exist already, by Xero LineItemID. */
    async linesByXeroIds(xeroIds: readonly string[]): Promise<Map<string, string>> {
      const rows = await sliced(lineByXeroId, xeroIds, soqlGuidList, (list) =>
        lineByXeroId.soql(names, { where: (q) => `${q.field('Xero_Line_Item_Id__c')} IN (${list})` }),
      );
      return new Map(rows.map((row) => [String(row.Xero_Line_Item_Id__c).toLowerCase(), row.Id]));
    },
  };
}

export type GoLiveQueries = ReturnType<typeof createGoLiveQueries>;
