/**
 * The month-end close's reads (issue 16): a close by id or key, the journal lines of one version, and the lines an
 * entity's earlier closes posted (the close's history: what was already released). Typed selections of the object
 * schemas, rendered with the namespace, as queries.ts does for the sync.
 */
import type { Connection } from 'jsforce';
import { MonthEndClose, MonthEndJournalLine } from './objects';
import { soqlIdList, soqlStringList } from './queries';
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

export function createCloseQueries(deps: { conn: Connection; names: SalesforceNames }) {
  const { conn, names } = deps;
  async function all<S extends SObjectSchema, R>(selection: Selection<S, R>, soql: string): Promise<R[]> {
    const result = await conn.query(soql).run({ autoFetch: true, maxFetch: 1_000_000 });
    return result.records.map((record) => selection.parse(names, record));
  }
  return {
    /** Closes by record id. */
    closesById(ids: readonly string[]): Promise<CloseRecordRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return all(
        closeRecordRow,
        closeRecordRow.soql(names, { where: (q) => `${q.field('Id')} IN (${soqlIdList(ids)})` }),
      );
    },

    /** Closes by Close_Key__c (entity:YYYY-MM). */
    closesByKey(keys: readonly string[]): Promise<CloseRecordRow[]> {
      if (keys.length === 0) return Promise.resolve([]);
      return all(
        closeRecordRow,
        closeRecordRow.soql(names, { where: (q) => `${q.field('Close_Key__c')} IN (${soqlStringList(keys)})` }),
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
