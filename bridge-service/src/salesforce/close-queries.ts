/**
 * The month-end close's reads (issue 16): a close by id or key, an entity's closes (they post in month order), the
 * journal lines of one version, and the lines an entity's closes posted (the close's history: what was already
 * released). Typed selections of the object
 * schemas, rendered with the namespace, as queries.ts does for the sync.
 */
import type { Connection } from 'jsforce';
import {
  BillingPlan,
  CreditNote,
  Invoice,
  InvoiceLine,
  MonthEndClose,
  MonthEndJournalLine,
  RevenueMonth,
} from './objects';
import { IDS_PER_QUERY, soqlIdList, soqlStringList } from './queries';
import type { SalesforceNames } from './schema';
import { select, type RowOf, type Selection } from './soql';
import type { SObjectSchema } from './sobject';

export const closeRecordRow = select(MonthEndClose, [
  'Id',
  'Name',
  'Close_Key__c',
  'Billing_Entity__c',
  'Xero_Tenant_Id__c',
  'Period_Start__c',
  'Period_End__c',
  'Currency_Code__c',
  'Status__c',
  'Version__c',
  'Closing_Deferred__c',
  'Closing_Accrued__c',
  'Deferred_Account_Codes__c',
  'Accrued_Account_Code__c',
  'Xero_Recognition_Journal_Id__c',
  'Xero_Accrual_Journal_Id__c',
  'Xero_Reversal_Journal_Id__c',
  'Proposed_At__c',
  'Posted_At__c',
]);
export type CloseRecordRow = RowOf<typeof closeRecordRow>;

export const journalLineRow = select(MonthEndJournalLine, [
  'Id',
  'Month_End_Close__c',
  'Line_Key__c',
  'Version__c',
  'Journal_Kind__c',
  'Journal_Date__c',
  'Account_Code__c',
  'Description__c',
  'Amount__c',
  'Tracking_1_Category__c',
  'Tracking_1_Option__c',
  'Tracking_2_Category__c',
  'Tracking_2_Option__c',
  'Status__c',
  'Manual_Journal_Id__c',
]);
export type JournalLineRow = RowOf<typeof journalLineRow>;

const postedLineRow = journalLineRow.with('Month_End_Close__r', select(MonthEndClose, ['Period_Start__c']));
export type PostedLineRow = RowOf<typeof postedLineRow>;

const entityPlan = select(BillingPlan, ['Plan_Key__c']);

/** A revenue month as the close closes it. */
const revenueMonthRow = select(RevenueMonth, ['Id', 'Month_Key__c', 'Status__c']);
export type CloseRevenueMonthRow = RowOf<typeof revenueMonthRow>;

/** An invoice as the close reads what it billed: its rate and number, and the account each line posted to. */
export const closeInvoice = select(Invoice, [
  'Id',
  'Invoice_Number__c',
  'Currency_Code__c',
  'Currency_Rate__c',
  'Issue_Date__c',
  'Status__c',
]).withChildren(
  'Invoice_Lines__r',
  select(InvoiceLine, ['Opportunity_Line_Item_Id__c', 'Account_Code__c', 'Line_Amount__c', 'Sort_Order__c']),
  ['Sort_Order__c'],
);
export type CloseInvoiceRow = RowOf<typeof closeInvoice>;

/** A credit note as the close reads it: its number, the invoice it credits, and its Xero id (its lines are read there). */
export const closeCreditNote = select(CreditNote, [
  'Id',
  'Credit_Note_Number__c',
  'Invoice__c',
  'Xero_Credit_Note_Id__c',
]);
export type CloseCreditNoteRow = RowOf<typeof closeCreditNote>;

export function createCloseQueries(deps: { conn: Connection; names: SalesforceNames }) {
  const { conn, names } = deps;
  async function all<S extends SObjectSchema, R>(selection: Selection<S, R>, soql: string): Promise<R[]> {
    const result = await conn.query(soql).run({ autoFetch: true, maxFetch: 1_000_000 });
    return result.records.map((record) => selection.parse(names, record));
  }
  /** Records by Id, IDS_PER_QUERY a query (every object here has an Id). */
  async function byIds<S extends SObjectSchema, R>(selection: Selection<S, R>, ids: readonly string[]): Promise<R[]> {
    const rows: R[] = [];
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const list = soqlIdList(ids.slice(i, i + IDS_PER_QUERY));
      rows.push(...(await all(selection, `${selection.soql(names)} WHERE Id IN (${list})`)));
    }
    return rows;
  }
  return {
    /** The deals (Plan_Key__c) an entity's billing plans belong to. */
    async dealsOfEntity(entity: string): Promise<string[]> {
      const rows = await all(
        entityPlan,
        entityPlan.soql(names, { where: (q) => `${q.field('Billing_Entity__c')} = ${soqlStringList([entity])}` }),
      );
      return [...new Set(rows.map((r) => String(r.Plan_Key__c)).filter((k) => k !== ''))];
    },

    /**
     * The revenue months (Revenue_Month__c) of an entity's billing plans for one month that are not Closed yet. The
     * entity is the plan's (Billing_Plan__c.Billing_Entity__c), as dealsOfEntity reads the plans a close is made of.
     */
    openRevenueMonths(entity: string, month: string): Promise<CloseRevenueMonthRow[]> {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error(`${month} is not a month (YYYY-MM)`);
      return all(
        revenueMonthRow,
        revenueMonthRow.soql(names, {
          where: (q) =>
            `${q.path('Billing_Plan__r', 'Billing_Entity__c')} = ${soqlStringList([entity])} AND ` +
            `${q.field('Month__c')} = ${month}-01 AND ${q.field('Status__c')} != 'Closed'`,
          orderBy: ['Month_Key__c'],
        }),
      );
    },

    /** Invoices with their lines, by id. */
    invoices: (ids: readonly string[]) => byIds(closeInvoice, ids),
    /** Credit notes, by id. */
    creditNotes: (ids: readonly string[]) => byIds(closeCreditNote, ids),

    /** Closes by record id. */
    closesById: (ids: readonly string[]): Promise<CloseRecordRow[]> => byIds(closeRecordRow, ids),

    /** Closes by Close_Key__c (entity:YYYY-MM). */
    closesByKey(keys: readonly string[]): Promise<CloseRecordRow[]> {
      if (keys.length === 0) return Promise.resolve([]);
      return all(
        closeRecordRow,
        closeRecordRow.soql(names, { where: (q) => `${q.field('Close_Key__c')} IN (${soqlStringList(keys)})` }),
      );
    },

    /** Every close of an entity, in month order (closes post in month order: close-rules.ts checkCloseOrder). */
    closesOfEntity(entity: string): Promise<CloseRecordRow[]> {
      return all(
        closeRecordRow,
        closeRecordRow.soql(names, {
          where: (q) => `${q.field('Billing_Entity__c')} = ${soqlStringList([entity])}`,
          orderBy: ['Period_Start__c'],
        }),
      );
    },

    /**
     * Every entity's closes still Proposed or Refused (those a re-proposal must come back for), and the posted ones
     * (Posted, Tied, Difference: an open close before a posted one was carried by it, and never posts): one read at
     * start.
     */
    openAndPostedCloses(): Promise<CloseRecordRow[]> {
      return all(
        closeRecordRow,
        closeRecordRow.soql(names, {
          where: (q) =>
            `${q.field('Status__c')} IN (${soqlStringList(['Proposed', 'Refused', 'Posted', 'Tied', 'Difference'])})`,
          orderBy: ['Period_Start__c'],
        }),
      );
    },

    /** The journal lines of one version of a close, in key order. */
    journalLines(closeId: string, version: number): Promise<JournalLineRow[]> {
      return all(
        journalLineRow,
        journalLineRow.soql(names, {
          where: (q) =>
            `${q.field('Month_End_Close__c')} = ${soqlIdList([closeId])} AND ${q.field('Version__c')} = ${Math.trunc(version)}`,
          orderBy: ['Line_Key__c'],
        }),
      );
    },

    /** Every line an entity's closes posted (Status Posted), with the month of the close it belongs to. */
    postedLines(entity: string): Promise<PostedLineRow[]> {
      return all(
        postedLineRow,
        postedLineRow.soql(names, {
          where: (q) =>
            `${q.field('Status__c')} = 'Posted' AND ${q.path('Month_End_Close__r', 'Billing_Entity__c')} = ${soqlStringList([entity])}`,
          orderBy: ['Line_Key__c'],
        }),
      );
    },
  };
}

export type CloseQueries = ReturnType<typeof createCloseQueries>;
