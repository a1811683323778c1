import type { Connection } from 'jsforce';
import { PACKAGE_FIELDS, PACKAGE_RELATIONSHIPS, STANDARD_FIELDS, type SalesforceNames } from './schema';

/** SOQL `IN` lists are kept well under the 100,000-character query limit (and a GET's URL under 16 KB). */
export const IDS_PER_QUERY = 200;

/**
 * Inside a Composite call a query travels in the request body, so only SOQL's own limit applies: 1,000 ids are
 * about 21,000 characters.
 */
export const IDS_PER_BATCHED_QUERY = 1000;

/** Where a query can be queued instead of sent at once (a Composite batch: see writeback). */
export interface QueryBatch {
  query<T>(soql: string): Promise<T[]>;
}

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

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

const fieldsOf = (map: Readonly<Record<string, string>>, exclude: readonly string[] = []) =>
  Object.keys(map).filter((name) => !exclude.includes(name));

/**
 * The bridge's reads. Every query takes its field list from the schema module and applies the namespace, so
 * the one-schema test covers them; rows come back with the namespace stripped.
 */
export function createQueries(deps: { conn: Connection; names: SalesforceNames; multiCurrency: boolean }) {
  const { conn, names } = deps;
  const api = names.api;

  async function all<T>(soql: string): Promise<T[]> {
    const result = await conn.query(soql).run({ autoFetch: true, maxFetch: 1_000_000 });
    return result.records.map((record) => names.strip(record) as T);
  }

  /**
   * One query per slice of ids: sent one after another, or all queued at once on `via`, where the promise settles
   * when the batch has run (a bad id then throws at once, before anything is queued, rather than leaving a
   * rejected promise no one awaits yet).
   */
  function inBatches<T>(
    ids: readonly string[],
    build: (idList: string) => string,
    via?: QueryBatch,
    quote: (ids: readonly string[]) => string = soqlIdList,
  ): Promise<T[]> {
    if (via) {
      const soql: string[] = [];
      for (let i = 0; i < ids.length; i += IDS_PER_BATCHED_QUERY) {
        soql.push(build(quote(ids.slice(i, i + IDS_PER_BATCHED_QUERY))));
      }
      return Promise.all(soql.map((q) => via.query<T>(q))).then((pages) => pages.flat());
    }
    return (async () => {
      const rows: T[] = [];
      for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
        rows.push(...(await all<T>(build(quote(ids.slice(i, i + IDS_PER_QUERY))))));
      }
      return rows;
    })();
  }

  const opportunityFields = [
    ...fieldsOf(
      STANDARD_FIELDS.Opportunity,
      deps.multiCurrency ? ['IsWon', 'StageName'] : ['IsWon', 'StageName', 'CurrencyIsoCode'],
    ),
    ...[
      'Billing_Entity__c',
      'Amended_Opportunity__c',
      'Invoice_Type__c',
      'Service_Start_Date__c',
      'Service_End_Date__c',
      'Renewal_Uplift_Percent__c',
    ],
  ];
  const accountFields = [...fieldsOf(STANDARD_FIELDS.Account, ['BillingCountryCode']), 'Billing_Entity__c'];
  const lineFields = [
    ...fieldsOf(STANDARD_FIELDS.OpportunityLineItem, ['OpportunityId']),
    'Product2.Name',
    'Product2.ProductCode',
  ];

  return {
    /** Opportunities with their Account and line items: one query per 200 opportunities (1,000 on `via`). */
    opportunitiesForInvoicing(opportunityIds: readonly string[], via?: QueryBatch) {
      return inBatches<Record<string, unknown>>(
        opportunityIds,
        (idList) =>
          `SELECT ${opportunityFields.map(api).join(', ')}, ${accountFields.map((f) => `Account.${api(f)}`).join(', ')}, ` +
          `(SELECT ${lineFields.map(api).join(', ')} FROM OpportunityLineItems ORDER BY SortOrder, Id) ` +
          `FROM Opportunity WHERE Id IN (${idList})`,
        via,
      );
    },

    /** Invoices with their lines, payments and credit notes. */
    invoices(invoiceIds: readonly string[]) {
      const lines = PACKAGE_RELATIONSHIPS.Invoice_Line__c.name;
      const payments = PACKAGE_RELATIONSHIPS.Payment__c.name;
      return inBatches<Record<string, unknown>>(
        invoiceIds,
        (idList) =>
          `SELECT Id, Name, ${fieldsOf(PACKAGE_FIELDS.Invoice__c).map(api).join(', ')}, ` +
          `(SELECT Id, ${fieldsOf(PACKAGE_FIELDS.Invoice_Line__c, ['Invoice__c']).map(api).join(', ')} FROM ${api(`${lines}__r`)}), ` +
          `(SELECT Id, ${fieldsOf(PACKAGE_FIELDS.Payment__c, ['Invoice__c']).map(api).join(', ')} FROM ${api(`${payments}__r`)}) ` +
          `FROM ${api('Invoice__c')} WHERE Id IN (${idList})`,
      );
    },

    /** Invoices (with payment dates) of these Opportunities or Accounts, for the summary fields a rep reads. */
    invoicesFor(parentField: 'Opportunity__c' | 'Account__c', parentIds: readonly string[], via?: QueryBatch) {
      const payments = PACKAGE_RELATIONSHIPS.Payment__c.name;
      const fields = [
        'Opportunity__c',
        'Account__c',
        'Status__c',
        'Approval_Status__c',
        'Currency_Code__c',
        'Total__c',
        'Amount_Paid__c',
        'Amount_Credited__c',
        'Amount_Due__c',
        'Issue_Date__c',
        'Due_Date__c',
      ];
      return inBatches<Record<string, unknown>>(
        parentIds,
        (idList) =>
          `SELECT Id, ${fields.map(api).join(', ')}, ` +
          `(SELECT ${api('Payment_Date__c')}, ${api('Status__c')} FROM ${api(`${payments}__r`)}) ` +
          `FROM ${api('Invoice__c')} WHERE ${api(parentField)} IN (${idList})`,
        via,
      );
    },

    /** Existing lines of these invoices (for updating rows whose master-detail parent cannot be written again). */
    invoiceLines(invoiceIds: readonly string[]) {
      return inBatches<{ Id: string; Xero_Line_Item_Id__c: string | null }>(
        invoiceIds,
        (idList) =>
          `SELECT Id, ${api('Xero_Line_Item_Id__c')} FROM ${api('Invoice_Line__c')} WHERE ${api('Invoice__c')} IN (${idList})`,
      );
    },

    /** The first contact with an email per Account: where Xero sends approved invoices. */
    async billingEmails(accountIds: readonly string[]): Promise<Map<string, string>> {
      return firstEmails(
        await inBatches<{ AccountId: string; Email: string }>(
          accountIds,
          (idList) =>
            `SELECT AccountId, Email FROM Contact WHERE AccountId IN (${idList}) AND Email != null ORDER BY CreatedDate, Id`,
        ),
      );
    },

    /**
     * billingEmails for the Accounts of these Opportunities (a semi-join, so it can be queued with the
     * Opportunities' own load before their Accounts are known).
     */
    billingEmailsOfOpportunities(opportunityIds: readonly string[], via?: QueryBatch): Promise<Map<string, string>> {
      return inBatches<{ AccountId: string; Email: string }>(
        opportunityIds,
        (idList) =>
          `SELECT AccountId, Email FROM Contact WHERE AccountId IN (SELECT AccountId FROM Opportunity WHERE Id IN (${idList})) ` +
          `AND Email != null ORDER BY CreatedDate, Id`,
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
      return inBatches<{ Id: string; Xero_Line_Item_Id__c: string | null; Invoice__r: { Request_Key__c: string } }>(
        requestKeys,
        (keyList) =>
          `SELECT Id, ${api('Xero_Line_Item_Id__c')}, ${api('Invoice__r.Request_Key__c')} FROM ${api('Invoice_Line__c')} ` +
          `WHERE ${api('Invoice__r.Request_Key__c')} IN (${keyList})`,
        via,
        soqlStringList,
      ).then((rows) => {
        const byKey = new Map<string, Map<string, string>>();
        for (const row of rows) {
          if (!row.Xero_Line_Item_Id__c) continue;
          const key = row.Invoice__r.Request_Key__c;
          byKey.set(key, (byKey.get(key) ?? new Map<string, string>()).set(row.Xero_Line_Item_Id__c, row.Id));
        }
        return byKey;
      });
    },

    /** Opportunities won recently (by last change) that have no Invoice__c: what a lost event would leave behind. */
    async wonWithoutInvoice(days: number): Promise<string[]> {
      const won = await all<{ Id: string }>(
        `SELECT Id FROM Opportunity WHERE IsWon = true AND LastModifiedDate = LAST_N_DAYS:${Math.trunc(days)}`,
      );
      const invoiced = new Set<string>();
      const ids = won.map((row) => row.Id);
      for (const row of await inBatches<Record<string, unknown>>(
        ids,
        (idList) =>
          `SELECT ${api('Opportunity__c')} FROM ${api('Invoice__c')} WHERE ${api('Opportunity__c')} IN (${idList})`,
      )) {
        invoiced.add(String(row.Opportunity__c));
      }
      return ids.filter((id) => !invoiced.has(id));
    },

    /** Credit notes by id, with the fields the credit flow needs. */
    creditNotes(creditNoteIds: readonly string[]) {
      return inBatches<Record<string, unknown>>(
        creditNoteIds,
        (idList) =>
          `SELECT Id, Name, ${fieldsOf(PACKAGE_FIELDS.Credit_Note__c).map(api).join(', ')} ` +
          `FROM ${api('Credit_Note__c')} WHERE Id IN (${idList})`,
      );
    },

    /** Billing entities (custom metadata records). */
    billingEntities() {
      return all<Record<string, unknown>>(
        `SELECT DeveloperName, MasterLabel, ${fieldsOf(PACKAGE_FIELDS.Billing_Entity__mdt).map(api).join(', ')} ` +
          `FROM ${api('Billing_Entity__mdt')} ORDER BY DeveloperName`,
      );
    },

    /** The org-wide default of the package settings (hierarchy custom setting), or undefined if none is saved. */
    async settings(): Promise<Record<string, unknown> | undefined> {
      const rows = await all<Record<string, unknown>>(
        `SELECT SetupOwnerId, ${fieldsOf(PACKAGE_FIELDS.Ledgerline_Settings__c).map(api).join(', ')} ` +
          `FROM ${api('Ledgerline_Settings__c')}`,
      );
      // The org default is the row owned by the organisation (id prefix 00D), not a profile or user.
      return rows.find((row) => String(row.SetupOwnerId).startsWith('00D'));
    },

    /** Invoice__c mirrors of these Xero invoices, with their lines' and payments' Xero ids (one query per 200). */
    invoicesByXeroIds(xeroInvoiceIds: readonly string[]) {
      const lines = PACKAGE_RELATIONSHIPS.Invoice_Line__c.name;
      const payments = PACKAGE_RELATIONSHIPS.Payment__c.name;
      return inXeroBatches<Record<string, unknown>>(
        xeroInvoiceIds,
        (idList) =>
          `SELECT Id, Name, ${fieldsOf(PACKAGE_FIELDS.Invoice__c).map(api).join(', ')}, ` +
          `(SELECT Id, ${api('Xero_Line_Item_Id__c')} FROM ${api(`${lines}__r`)}), ` +
          `(SELECT Id, ${api('Xero_Payment_Id__c')}, ${api('Status__c')}, ${api('Xero_Updated__c')} FROM ${api(`${payments}__r`)}) ` +
          `FROM ${api('Invoice__c')} WHERE ${api('Xero_Invoice_Id__c')} IN (${idList})`,
      );
    },

    /** Credit_Note__c mirrors of these Xero credit notes, with their allocations' Xero ids. */
    creditNotesByXeroIds(xeroCreditNoteIds: readonly string[]) {
      const allocations = PACKAGE_RELATIONSHIPS.Credit_Allocation__c.name;
      return inXeroBatches<Record<string, unknown>>(
        xeroCreditNoteIds,
        (idList) =>
          `SELECT Id, ${fieldsOf(PACKAGE_FIELDS.Credit_Note__c).map(api).join(', ')}, ` +
          `(SELECT Id, ${api('Xero_Allocation_Id__c')} FROM ${api(`${allocations}__r`)}) ` +
          `FROM ${api('Credit_Note__c')} WHERE ${api('Xero_Credit_Note_Id__c')} IN (${idList})`,
      );
    },

    /** Payment__c rows with these Xero payment ids. */
    paymentsByXeroIds(xeroPaymentIds: readonly string[]) {
      return inXeroBatches<Record<string, unknown>>(
        xeroPaymentIds,
        (idList) =>
          `SELECT Id, ${fieldsOf(PACKAGE_FIELDS.Payment__c).map(api).join(', ')} ` +
          `FROM ${api('Payment__c')} WHERE ${api('Xero_Payment_Id__c')} IN (${idList})`,
      );
    },

    /** Credit notes started in Salesforce for these Accounts that have no Xero credit note yet. */
    pendingCreditNotes(accountIds: readonly string[]) {
      return inBatches<{ Id: string; Account__c: string | null; Invoice__c: string | null }>(
        accountIds,
        (idList) =>
          `SELECT Id, ${api('Account__c')}, ${api('Invoice__c')} FROM ${api('Credit_Note__c')} ` +
          `WHERE ${api('Xero_Credit_Note_Id__c')} = null AND ${api('Account__c')} IN (${idList})`,
      );
    },
  };

  async function inXeroBatches<T>(ids: readonly string[], build: (idList: string) => string): Promise<T[]> {
    const rows: T[] = [];
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      rows.push(...(await all<T>(build(soqlGuidList(ids.slice(i, i + IDS_PER_QUERY))))));
    }
    return rows;
  }
}

export type Queries = ReturnType<typeof createQueries>;

function firstEmails(rows: readonly { AccountId: string; Email: string }[]): Map<string, string> {
  const emails = new Map<string, string>();
  for (const row of rows) if (!emails.has(row.AccountId)) emails.set(row.AccountId, row.Email);
  return emails;
}

const XERO_GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Quotes Xero ids (GUIDs) for SOQL; anything that is not a GUID is refused. */
export function soqlGuidList(ids: readonly string[]): string {
  for (const id of ids) {
    if (!XERO_GUID.test(id)) throw new TypeError(`not a Xero id: ${JSON.stringify(id)}`);
  }
  return ids.map((id) => `'${id}'`).join(',');
}
