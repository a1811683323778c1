import type { Connection } from 'jsforce';
import type { SalesforceNames } from './schema';
import {
  billingEntity,
  contactEmail,
  corporateCurrency,
  creditNoteForInbound,
  creditNoteRecord,
  invoicedOpportunity,
  invoiceForInbound,
  invoiceForSummary,
  invoiceMirror,
  lineKey,
  lineKeyOfRequest,
  opportunityAccount,
  opportunityForInvoicing,
  paymentForInbound,
  pendingCreditNote,
  unpostedCreditNote,
  settings,
  wonOpportunity,
} from './selections';
import type { Selection } from './soql';
import type { SObjectSchema } from './sobject';
import type { CompositeBatch } from './writeback';

/** SOQL `IN` lists are kept well under the 100,000-character query limit (and a GET's URL under 16 KB). */
export const IDS_PER_QUERY = 200;

/**
 * Inside a Composite call a query travels in the request body, so only SOQL's own limit applies: 1,000 ids are
 * about 21,000 characters.
 */
export const IDS_PER_BATCHED_QUERY = 1000;

/** Where a query can be queued instead of sent at once (a Composite batch: see writeback). */
export interface QueryBatch {
  query(soql: string): Promise<unknown[]>;
}

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const XERO_GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Quotes ids for SOQL; anything that is not an id is refused, so no text reaches a query unescaped. */
export function soqlIdList(ids: readonly string[]): string {
  for (const id of ids) {
    if (!SALESFORCE_ID.test(id)) throw new TypeError(`not a Salesforce id: ${JSON.stringify(id)}`);
  }
  return ids.map((id) => `'${id}'`).join(',');
}

/** Quotes text for SOQL (backslash and quote escaped). */
export function soqlStringList(values: readonly string[]): string {
  return values.map((value) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(',');
}

/**
 * A SOQL dateTime literal (UTC, to the second: SOQL takes no milliseconds) for an epoch-ms time; a time that is not a
 * finite number is refused.
 */
export function soqlDateTime(epochMs: number): string {
  if (!Number.isFinite(epochMs)) throw new TypeError(`not a time: ${String(epochMs)}`);
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Quotes Xero ids (GUIDs) for SOQL; anything that is not a GUID is refused. */
export function soqlGuidList(ids: readonly string[]): string {
  for (const id of ids) {
    if (!XERO_GUID.test(id)) throw new TypeError(`not a Xero id: ${JSON.stringify(id)}`);
  }
  return ids.map((id) => `'${id}'`).join(',');
}

/**
 * The bridge's reads. Each query is a selection (selections.ts) rendered with the namespace; rows come back with
 * the namespace stripped, checked against the selection and typed by it.
 */
export function createQueries(deps: {
  conn: Connection;
  names: SalesforceNames;
  multiCurrency: boolean;
  /** A Composite batch of its own, for reads by many Xero ids (byXeroIds); without it they are sent one by one. */
  batch?: () => Pick<CompositeBatch, 'query' | 'run'>;
}) {
  const { conn, names } = deps;
  const forInvoicing = opportunityForInvoicing(deps.multiCurrency);

  async function all<S extends SObjectSchema, R>(selection: Selection<S, R>, soql: string): Promise<R[]> {
    const result = await conn.query(soql).run({ autoFetch: true, maxFetch: 1_000_000 });
    return result.records.map((record) => selection.parse(names, record));
  }

  /**
   * One query per slice of ids: sent one after another, or all queued at once on `via`, where the promise settles
   * when the batch has run (a bad id then throws at once, before anything is queued, rather than leaving a
   * rejected promise no one awaits yet).
   */
  function inBatches<S extends SObjectSchema, R>(
    selection: Selection<S, R>,
    ids: readonly string[],
    build: (idList: string) => string,
    via?: QueryBatch,
    quote: (ids: readonly string[]) => string = soqlIdList,
  ): Promise<R[]> {
    if (via) {
      const soql: string[] = [];
      for (let i = 0; i < ids.length; i += IDS_PER_BATCHED_QUERY) {
        soql.push(build(quote(ids.slice(i, i + IDS_PER_BATCHED_QUERY))));
      }
      return Promise.all(soql.map((q) => via.query(q))).then((pages) =>
        pages.flat().map((record) => selection.parse(names, record)),
      );
    }
    return (async () => {
      const rows: R[] = [];
      for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
        rows.push(...(await all(selection, build(quote(ids.slice(i, i + IDS_PER_QUERY))))));
      }
      return rows;
    })();
  }

  /**
   * Rows with these Xero ids. More than one query's worth (IDS_PER_QUERY, in a URL) are read as one Composite batch
   * of their own, 1,000 ids a query and five queries a call: the poller checks each page of 1,000 invoice summaries
   * against their mirrors, five queries and their queryMore pages a page before, one call now.
   */
  async function byXeroIds<S extends SObjectSchema, R>(
    selection: Selection<S, R>,
    ids: readonly string[],
    build: (idList: string) => string,
  ): Promise<R[]> {
    if (ids.length <= IDS_PER_QUERY || !deps.batch) return inBatches(selection, ids, build, undefined, soqlGuidList);
    const batch = deps.batch();
    const [rows] = await Promise.all([inBatches(selection, ids, build, batch, soqlGuidList), batch.run()]);
    return rows;
  }

  return {
    /** Opportunities with their Account and line items: one query per 200 opportunities (1,000 on `via`). */
    opportunitiesForInvoicing(opportunityIds: readonly string[], via?: QueryBatch) {
      return inBatches(
        forInvoicing,
        opportunityIds,
        (idList) => forInvoicing.soql(names, { where: (q) => `${q.field('Id')} IN (${idList})` }),
        via,
      );
    },

    /** Invoice__c records as the per-invoice actions read them. */
    invoices(invoiceIds: readonly string[]) {
      return inBatches(invoiceMirror, invoiceIds, (idList) =>
        invoiceMirror.soql(names, { where: (q) => `${q.field('Id')} IN (${idList})` }),
      );
    },

    /** Invoices (with payment dates) of these Opportunities or Accounts, for the summary fields a rep reads. */
    invoicesFor(parentField: 'Opportunity__c' | 'Account__c', parentIds: readonly string[], via?: QueryBatch) {
      return inBatches(
        invoiceForSummary,
        parentIds,
        (idList) => invoiceForSummary.soql(names, { where: (q) => `${q.field(parentField)} IN (${idList})` }),
        via,
      );
    },

    /** Existing lines of these invoices (for updating rows whose master-detail parent cannot be written again). */
    invoiceLines(invoiceIds: readonly string[]) {
      return inBatches(lineKey, invoiceIds, (idList) =>
        lineKey.soql(names, { where: (q) => `${q.field('Invoice__c')} IN (${idList})` }),
      );
    },

    /**
     * The first contact with an email for the Accounts of these Opportunities (a semi-join, so it can be queued
     * with the Opportunities' own load before their Accounts are known): where Xero sends approved invoices when
     * the Account names no billing email.
     */
    billingEmailsOfOpportunities(opportunityIds: readonly string[], via?: QueryBatch): Promise<Map<string, string>> {
      return inBatches(
        contactEmail,
        opportunityIds,
        (idList) =>
          contactEmail.soql(names, {
            where: (q) =>
              `${q.field('AccountId')} IN (${q.subquery(opportunityAccount, (o) => `${o.field('Id')} IN (${idList})`)}) ` +
              `AND ${q.field('Email')} != null`,
            orderBy: ['CreatedDate', 'Id'],
          }),
        via,
      ).then(firstEmails);
    },

    /**
     * Lines already written under the Invoice__c of these request keys (a retried CREATE_DRAFT may have some), by
     * request key, then Xero LineItemID → record id.
     */
    invoiceLinesOfRequests(
      requestKeys: readonly string[],
      via?: QueryBatch,
    ): Promise<Map<string, Map<string, string>>> {
      return inBatches(
        lineKeyOfRequest,
        requestKeys,
        (keyList) =>
          lineKeyOfRequest.soql(names, {
            where: (q) => `${q.path('Invoice__r', 'Request_Key__c')} IN (${keyList})`,
          }),
        via,
        soqlStringList,
      ).then((rows) => {
        const byKey = new Map<string, Map<string, string>>();
        for (const row of rows) {
          const key = row.Invoice__r?.Request_Key__c;
          if (!row.Xero_Line_Item_Id__c || !key) continue;
          byKey.set(key, (byKey.get(key) ?? new Map<string, string>()).set(row.Xero_Line_Item_Id__c, row.Id));
        }
        return byKey;
      });
    },

    /**
     * Opportunities won and changed since `since` (epoch ms) that have no Invoice__c: what a lost event would leave
     * behind.
     */
    async wonWithoutInvoice(since: number): Promise<string[]> {
      const won = await all(
        wonOpportunity,
        wonOpportunity.soql(names, {
          where: (q) => `${q.field('IsWon')} = true AND ${q.field('LastModifiedDate')} >= ${soqlDateTime(since)}`,
        }),
      );
      const ids = won.map((row) => row.Id);
      const invoiced = new Set(
        (
          await inBatches(invoicedOpportunity, ids, (idList) =>
            invoicedOpportunity.soql(names, { where: (q) => `${q.field('Opportunity__c')} IN (${idList})` }),
          )
        ).map((row) => row.Opportunity__c),
      );
      return ids.filter((id) => !invoiced.has(id));
    },

    /**
     * Invoices finance approved, changed since `since` (epoch ms), that Xero holds but the bridge has not authorised
     * (Status__c still Approved): what a lost AUTHORISE event leaves behind. An invoice whose Xero draft changed after
     * the approval is sent back (Not Submitted) by its trigger, so it is not among them.
     */
    approvedNotAuthorised(since: number) {
      return all(
        invoiceMirror,
        invoiceMirror.soql(names, {
          where: (q) =>
            `${q.field('Approval_Status__c')} = 'Approved' AND ${q.field('Status__c')} = 'Approved' AND ` +
            `${q.field('Xero_Invoice_Id__c')} != null AND ${q.field('LastModifiedDate')} >= ${soqlDateTime(since)}`,
        }),
      );
    },

    /** Credit notes by id. */
    creditNotes(creditNoteIds: readonly string[]) {
      return inBatches(creditNoteRecord, creditNoteIds, (idList) =>
        creditNoteRecord.soql(names, { where: (q) => `${q.field('Id')} IN (${idList})` }),
      );
    },

    /**
     * Credit notes on these invoices that are not in Xero and may still go: drafts, awaiting approval, approved on
     * their way. Not one finance rejected, nor one whose approval failed (Sync_Status__c Error). What they hold is
     * promised against the invoice, so a new credit may not take it twice.
     */
    unpostedCreditNotes(invoiceIds: readonly string[]) {
      return inBatches(unpostedCreditNote, invoiceIds, (idList) =>
        unpostedCreditNote.soql(names, {
          where: (q) =>
            `${q.field('Xero_Credit_Note_Id__c')} = null AND ${q.field('Approval_Status__c')} != 'Rejected' ` +
            `AND ${q.field('Sync_Status__c')} != 'Error' AND ${q.field('Invoice__c')} IN (${idList})`,
        }),
      );
    },

    /**
     * Credit notes on these invoices that finance approved and that could not be made in Xero (Sync_Status__c Error,
     * no Xero id): what Retry on the invoice runs again.
     */
    refusedCreditNotes(invoiceIds: readonly string[]) {
      return inBatches(unpostedCreditNote, invoiceIds, (idList) =>
        unpostedCreditNote.soql(names, {
          where: (q) =>
            `${q.field('Xero_Credit_Note_Id__c')} = null AND ${q.field('Approval_Status__c')} = 'Approved' ` +
            `AND ${q.field('Sync_Status__c')} = 'Error' AND ${q.field('Invoice__c')} IN (${idList})`,
        }),
      );
    },

    /** Billing entities (custom metadata records). */
    billingEntities() {
      return all(billingEntity, billingEntity.soql(names, { orderBy: ['DeveloperName'] }));
    },

    /** The org-wide default of the package settings (hierarchy custom setting), or undefined if none is saved. */
    async settings() {
      const rows = await all(settings, settings.soql(names));
      // The org default is the row owned by the organisation (id prefix 00D), not a profile or user.
      return rows.find((row) => String(row.SetupOwnerId).startsWith('00D'));
    },

    /** Invoice__c mirrors of these Xero invoices, with their lines' and payments' Xero ids (one query per 200). */
    invoicesByXeroIds(xeroInvoiceIds: readonly string[]) {
      return byXeroIds(invoiceForInbound, xeroInvoiceIds, (idList) =>
        invoiceForInbound.soql(names, { where: (q) => `${q.field('Xero_Invoice_Id__c')} IN (${idList})` }),
      );
    },

    /** Credit_Note__c mirrors of these Xero credit notes, with their allocations' Xero ids. */
    creditNotesByXeroIds(xeroCreditNoteIds: readonly string[]) {
      return byXeroIds(creditNoteForInbound, xeroCreditNoteIds, (idList) =>
        creditNoteForInbound.soql(names, { where: (q) => `${q.field('Xero_Credit_Note_Id__c')} IN (${idList})` }),
      );
    },

    /** Payment__c rows with these Xero payment ids. */
    paymentsByXeroIds(xeroPaymentIds: readonly string[]) {
      return byXeroIds(paymentForInbound, xeroPaymentIds, (idList) =>
        paymentForInbound.soql(names, { where: (q) => `${q.field('Xero_Payment_Id__c')} IN (${idList})` }),
      );
    },

    /**
     * Credit notes of these Accounts that finance approved and the bridge has not yet made in Xero: on their way
     * there. A draft awaiting approval is not (it may wait for days, or never be approved), nor one whose approval
     * failed (Sync_Status__c Error: Xero refused it, or the bridge gave up), which is going nowhere.
     */
    pendingCreditNotes(accountIds: readonly string[]) {
      return inBatches(pendingCreditNote, accountIds, (idList) =>
        pendingCreditNote.soql(names, {
          where: (q) =>
            `${q.field('Xero_Credit_Note_Id__c')} = null AND ${q.field('Approval_Status__c')} = 'Approved' ` +
            `AND ${q.field('Sync_Status__c')} != 'Error' AND ${q.field('Account__c')} IN (${idList})`,
        }),
      );
    },
  };
}

export type Queries = ReturnType<typeof createQueries>;

/**
 * The org's corporate currency, and whether the org has multi-currency on: CurrencyType exists only then, so a
 * query of it that fails means a single-currency org.
 */
export async function readOrgCurrency(
  conn: Connection,
  names: SalesforceNames,
): Promise<{ corporate: string | undefined; multi: boolean; error?: unknown }> {
  try {
    const result = await conn.query(
      corporateCurrency.soql(names, { where: (q) => `${q.field('IsCorporate')} = true` }),
    );
    const [row] = result.records.map((record) => corporateCurrency.parse(names, record));
    return { corporate: row?.IsoCode ?? undefined, multi: true };
  } catch (error) {
    // Only a single-currency org lacks CurrencyType (INVALID_TYPE); any other failure is a failure, not a mode.
    const code = (error as { errorCode?: unknown; name?: unknown }).errorCode ?? (error as { name?: unknown }).name;
    if (code !== 'INVALID_TYPE') throw error;
    return { corporate: undefined, multi: false, error };
  }
}

function firstEmails(rows: readonly { AccountId: string | null; Email: string | null }[]): Map<string, string> {
  const emails = new Map<string, string>();
  for (const row of rows) {
    if (row.AccountId && row.Email && !emails.has(row.AccountId)) emails.set(row.AccountId, row.Email);
  }
  return emails;
}
