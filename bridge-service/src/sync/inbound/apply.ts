/**
 * Xero's state written back to Salesforce, newer version wins: the webhook handler and the poller both end here.
 * A mirror is only overwritten by a Xero version (UpdatedDateUTC) at least as new as the one it holds, so
 * duplicated, reordered or late events and polls can never regress a record.
 *
 * Master-detail parents (Invoice_Line__c.Invoice__c, Payment__c.Invoice__c, Credit_Allocation__c.Credit_Note__c)
 * are only set when a child row is inserted: Salesforce refuses to write them on update.
 */
import { shouldOverwrite, xeroTimestamp } from '../../domain/receivables';
import type { SalesforceRecord, WriteOutcome } from '../../salesforce/writeback';
import type { XeroCreditNote, XeroDate, XeroInvoice, XeroPayment } from '../../xero/types';
import type { SyncDeps } from '../sync-deps';
import {
  allocationRecord,
  creditNoteRecord,
  invoiceLineRecords,
  invoicePaymentRecord,
  invoiceRecord,
  isoDateTime,
  paymentRecord,
} from '../xero-records';

type Row = Record<string, unknown>;

/** Change__c values of Sync_Update__e. */
export type ChangeKind = 'STATUS' | 'PAYMENT' | 'CREDIT_NOTE';

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
/** Invoices the bridge created carry their Opportunity's URL; CREATE_DRAFT writes their mirrors. */
const BRIDGE_MADE = /\/lightning\/r\/Opportunity\/[a-zA-Z0-9]{15,18}\/view$/;

const text = (value: unknown): string | null =>
  value === null || value === undefined || value === '' ? null : String(value);

const children = (row: Row, relationship: string): Row[] =>
  ((row[relationship] as { records?: Row[] } | null | undefined)?.records ?? []) as Row[];

/** A Xero UpdatedDateUTC (Date from xero-node, `/Date(ms)/` or ISO text) as epoch ms; undefined if absent. */
export function xeroVersion(value: XeroDate | undefined | null): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  try {
    return xeroTimestamp(value);
  } catch {
    return undefined;
  }
}

/**
 * Newer wins: true when Xero's version may overwrite the stored one (same version included, so a repeat is
 * harmless). A Xero document without a version only fills a mirror that has none.
 */
export function isNewer(incoming: XeroDate | undefined, stored: unknown): boolean {
  const storedText = text(stored);
  const version = xeroVersion(incoming);
  if (version === undefined) return storedText === null;
  try {
    return shouldOverwrite(version, storedText);
  } catch {
    return true; // an unreadable stored version is no version
  }
}

/** What one Xero invoice changes on its mirror. */
export interface InvoicePlan {
  update: SalesforceRecord;
  lineUpdates: SalesforceRecord[];
  lineInserts: SalesforceRecord[];
  paymentUpdates: SalesforceRecord[];
  paymentInserts: SalesforceRecord[];
  change: ChangeKind;
}

/**
 * The writes that bring an Invoice__c mirror (queried with its lines' and payments' Xero ids) to a Xero
 * invoice's state, or undefined when the mirror already holds a newer version. Pure.
 */
export function planInvoice(
  mirror: Row,
  invoice: XeroInvoice,
  ctx: { tenantId: string; now: number },
): InvoicePlan | undefined {
  if (!isNewer(invoice.updatedDateUTC, mirror.Xero_Updated__c)) return undefined;
  const mirrorId = String(mirror.Id);
  const record = invoiceRecord(invoice, {
    requestKey: text(mirror.Request_Key__c) ?? `XERO:${invoice.invoiceID}`,
    opportunityId: text(mirror.Opportunity__c),
    accountId: text(mirror.Account__c),
    billingEntity: text(mirror.Billing_Entity__c) ?? '',
    tenantId: text(mirror.Xero_Tenant_Id__c) ?? ctx.tenantId,
    approved: mirror.Approval_Status__c === 'Approved',
    now: ctx.now,
  });
  // Inbound reads never settle an outbound failure the record shows: leave sync status and message alone.
  delete record.Sync_Status__c;
  delete record.Sync_Message__c;
  const update: SalesforceRecord = { ...record, Id: mirrorId };

  const lineIds = new Map(
    children(mirror, 'Invoice_Lines__r').map((line) => [text(line.Xero_Line_Item_Id__c), String(line.Id)]),
  );
  const lineUpdates: SalesforceRecord[] = [];
  const lineInserts: SalesforceRecord[] = [];
  for (const line of invoiceLineRecords(invoice, mirrorId)) {
    const existing = lineIds.get(text(line.Xero_Line_Item_Id__c));
    if (existing) {
      const { Invoice__c: _parent, ...fields } = line;
      lineUpdates.push({ ...fields, Id: existing });
    } else lineInserts.push(line);
  }

  const stored = children(mirror, 'Payments__r');
  const storedById = new Map(stored.map((p) => [text(p.Xero_Payment_Id__c), p]));
  const standing = (invoice.payments ?? []).filter((p): p is typeof p & { paymentID: string } => Boolean(p.paymentID));
  const paymentInserts = standing
    .filter((p) => !storedById.has(p.paymentID))
    .map((p) => invoicePaymentRecord(p, invoice, mirrorId));
  // Xero lists only the payments that stand; one the mirror holds that a newer invoice no longer lists was
  // deleted. Without a list at all (a summary read) nothing can be concluded unless nothing is paid.
  const listKnown = invoice.payments !== undefined || Number(invoice.amountPaid ?? 0) === 0;
  const standingIds = new Set(standing.map((p) => p.paymentID));
  const paymentUpdates: SalesforceRecord[] = listKnown
    ? stored
        .filter((p) => p.Status__c !== 'Deleted' && !standingIds.has(String(p.Xero_Payment_Id__c)))
        .map((p) => ({
          Id: String(p.Id),
          Status__c: 'Deleted',
          Xero_Updated__c: isoDateTime(invoice.updatedDateUTC),
        }))
    : [];
  const paidChanged = Number(mirror.Amount_Paid__c ?? 0) !== Number(update.Amount_Paid__c ?? 0);
  const change: ChangeKind =
    paymentInserts.length > 0 || paymentUpdates.length > 0 || paidChanged ? 'PAYMENT' : 'STATUS';
  return { update, lineUpdates, lineInserts, paymentUpdates, paymentInserts, change };
}

/** A changed invoice mirror, for summaries and Sync_Update__e. */
export interface ChangedInvoice {
  id: string;
  opportunityId: string | null;
  accountId: string | null;
  change: ChangeKind;
}

export interface ApplyResult {
  /** Invoice__c mirrors written. */
  changed: ChangedInvoice[];
  /** Xero documents skipped because Salesforce already holds a newer version. */
  stale: number;
  /**
   * Xero ids of documents whose mirror another flow is about to write (bridge-made invoices before CREATE_DRAFT
   * wrote them; credit notes while a credit note started in Salesforce for the customer has no Xero id yet).
   * The event is worth retrying a little later.
   */
  awaitingMirror: string[];
  /** Salesforce refusals, in its words (the caller retries). */
  errors: string[];
}

const emptyResult = (): ApplyResult => ({ changed: [], stale: 0, awaitingMirror: [], errors: [] });

export function createInboundApply(deps: SyncDeps) {
  const { queries, writeback, contactMappings, log } = deps;

  function refused(objectName: string, outcomes: readonly WriteOutcome[], keys: readonly unknown[], errors: string[]) {
    outcomes.forEach((outcome, index) => {
      if (outcome.ok) return;
      const why = outcome.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ');
      errors.push(`Salesforce refused ${objectName} ${String(keys[index])}: ${why}`);
    });
  }

  async function write(
    objectName: string,
    kind: 'update' | 'create',
    records: SalesforceRecord[],
    keyField: string,
    errors: string[],
  ): Promise<WriteOutcome[]> {
    if (records.length === 0) return [];
    const outcomes = await writeback[kind](objectName, records);
    refused(
      objectName,
      outcomes,
      records.map((r) => r[keyField] ?? r.Id),
      errors,
    );
    return outcomes;
  }

  /** The Salesforce Account a Xero contact stands for, if the bridge made that contact (ContactNumber = Account id). */
  async function knownAccount(
    tenantId: string,
    contact: { contactID?: string; contactNumber?: string } | undefined,
  ): Promise<string | null> {
    const accountId = contact?.contactNumber;
    if (!accountId || !contact.contactID || !SALESFORCE_ID.test(accountId)) return null;
    const mapped = await contactMappings.getContactMapping(tenantId, accountId);
    return mapped !== null && mapped.toLowerCase() === contact.contactID.toLowerCase() ? accountId : null;
  }

  async function entityName(tenantId: string): Promise<string> {
    const entities = await deps.reference.billingEntities();
    return entities.find((e) => e.xeroTenantId.toLowerCase() === tenantId.toLowerCase())?.developerName ?? '';
  }

  /** Refreshes the rep's summary fields and tells open pages, once per changed record. */
  async function announce(changed: readonly ChangedInvoice[]): Promise<void> {
    if (changed.length === 0) return;
    const opportunities = [...new Set(changed.map((c) => c.opportunityId).filter((id): id is string => !!id))];
    const accounts = [...new Set(changed.map((c) => c.accountId).filter((id): id is string => !!id))];
    await deps.summaries.refreshOpportunities(opportunities);
    await deps.summaries.refreshAccounts(accounts);
    const events = changed.map((c) => ({
      Record_Ids__c: [c.id, c.opportunityId, c.accountId].filter(Boolean).join(','),
      Invoice_Id__c: c.id,
      Opportunity_Id__c: c.opportunityId,
      Account_Id__c: c.accountId,
      Change__c: c.change,
    }));
    const outcomes = await writeback.create('Sync_Update__e', events);
    if (outcomes.some((o) => !o.ok))
      log.warn({ refused: outcomes.filter((o) => !o.ok) }, 'Sync_Update__e not published');
  }

  /** Writes these Xero invoices of one tenant back to their mirrors (creating mirrors for known accounts). */
  async function applyInvoices(tenantId: string, invoices: readonly XeroInvoice[]): Promise<ApplyResult> {
    const result = emptyResult();
    const sales = invoices.filter((inv) => inv.invoiceID && inv.type !== 'ACCPAY');
    if (sales.length === 0) return result;
    const now = deps.clock.now();
    const rows = await queries.invoicesByXeroIds([...new Set(sales.map((inv) => inv.invoiceID!))]);
    const mirrors = new Map(rows.map((row) => [String(row.Xero_Invoice_Id__c).toLowerCase(), row]));

    const updates: SalesforceRecord[] = [];
    const lineUpdates: SalesforceRecord[] = [];
    const lineInserts: SalesforceRecord[] = [];
    const paymentUpdates: SalesforceRecord[] = [];
    const paymentInserts: SalesforceRecord[] = [];
    const planned: { mirror: Row; change: ChangeKind }[] = [];
    const created: { invoice: XeroInvoice; record: SalesforceRecord; accountId: string }[] = [];

    for (const invoice of latestOf(sales, (inv) => inv.invoiceID!)) {
      const mirror = mirrors.get(invoice.invoiceID!.toLowerCase());
      if (mirror) {
        const plan = planInvoice(mirror, invoice, { tenantId, now });
        if (!plan) {
          result.stale += 1;
          continue;
        }
        updates.push(plan.update);
        lineUpdates.push(...plan.lineUpdates);
        lineInserts.push(...plan.lineInserts);
        paymentUpdates.push(...plan.paymentUpdates);
        paymentInserts.push(...plan.paymentInserts);
        planned.push({ mirror, change: plan.change });
        continue;
      }
      if (invoice.url && BRIDGE_MADE.test(invoice.url)) {
        result.awaitingMirror.push(invoice.invoiceID!);
        continue;
      }
      const accountId = await knownAccount(tenantId, invoice.contact);
      if (!accountId) continue; // not a customer Salesforce knows: not ours to mirror
      const record = invoiceRecord(invoice, {
        requestKey: `XERO:${invoice.invoiceID}`,
        opportunityId: null,
        accountId,
        billingEntity: await entityName(tenantId),
        tenantId,
        now,
      });
      created.push({ invoice, record, accountId });
    }

    const updated = await write('Invoice__c', 'update', updates, 'Xero_Invoice_Id__c', result.errors);
    updated.forEach((outcome, index) => {
      if (!outcome.ok) return;
      const { mirror, change } = planned[index]!;
      result.changed.push({
        id: String(mirror.Id),
        opportunityId: text(mirror.Opportunity__c),
        accountId: text(mirror.Account__c),
        change,
      });
    });

    if (created.length > 0) {
      const outcomes = await writeback.upsert(
        'Invoice__c',
        'Request_Key__c',
        created.map((c) => c.record),
      );
      refused(
        'Invoice__c',
        outcomes,
        created.map((c) => c.record.Request_Key__c),
        result.errors,
      );
      outcomes.forEach((outcome, index) => {
        if (!outcome.ok) return;
        const { invoice, accountId } = created[index]!;
        lineInserts.push(...invoiceLineRecords(invoice, outcome.id));
        paymentInserts.push(
          ...(invoice.payments ?? [])
            .filter((p) => p.paymentID)
            .map((p) => invoicePaymentRecord(p, invoice, outcome.id)),
        );
        result.changed.push({ id: outcome.id, opportunityId: null, accountId, change: 'STATUS' });
        log.info({ tenantId, xeroInvoiceId: invoice.invoiceID, accountId }, 'invoice made in Xero mirrored');
      });
    }

    await write('Invoice_Line__c', 'update', lineUpdates, 'Xero_Line_Item_Id__c', result.errors);
    await write('Invoice_Line__c', 'create', lineInserts, 'Xero_Line_Item_Id__c', result.errors);
    await write('Payment__c', 'update', paymentUpdates, 'Id', result.errors);
    await write('Payment__c', 'create', paymentInserts, 'Xero_Payment_Id__c', result.errors);
    await announce(result.changed);
    return result;
  }

  /**
   * Writes these Xero credit notes of one tenant back (with their allocations). Returns, besides the usual, the
   * Xero invoices they are allocated to: their amounts credited and due changed too.
   */
  async function applyCreditNotes(
    tenantId: string,
    notes: readonly XeroCreditNote[],
  ): Promise<ApplyResult & { allocatedInvoiceIds: string[] }> {
    const result = { ...emptyResult(), allocatedInvoiceIds: [] as string[] };
    const sales = notes.filter((n) => n.creditNoteID && n.type !== 'ACCPAYCREDIT');
    if (sales.length === 0) return result;
    const now = deps.clock.now();
    const rows = await queries.creditNotesByXeroIds([...new Set(sales.map((n) => n.creditNoteID!))]);
    const mirrors = new Map(rows.map((row) => [String(row.Xero_Credit_Note_Id__c).toLowerCase(), row]));
    const allocatedIds = [
      ...new Set(
        sales.flatMap((n) => (n.allocations ?? []).map((a) => a.invoice?.invoiceID).filter((id): id is string => !!id)),
      ),
    ];
    result.allocatedInvoiceIds = allocatedIds;
    const invoiceRows = allocatedIds.length > 0 ? await queries.invoicesByXeroIds(allocatedIds) : [];
    const invoiceMirrors = new Map(invoiceRows.map((row) => [String(row.Xero_Invoice_Id__c).toLowerCase(), row]));
    const mirrorOfInvoice = (xeroId: string | undefined) =>
      xeroId ? invoiceMirrors.get(xeroId.toLowerCase()) : undefined;

    const pending = new Map<string, boolean>();
    const creditPending = async (accountId: string): Promise<boolean> => {
      if (!pending.has(accountId)) pending.set(accountId, (await queries.pendingCreditNotes([accountId])).length > 0);
      return pending.get(accountId)!;
    };

    const upserts: {
      note: XeroCreditNote;
      record: SalesforceRecord;
      mirror: Row | undefined;
      invoice: Row | undefined;
    }[] = [];
    for (const note of latestOf(sales, (n) => n.creditNoteID!)) {
      const mirror = mirrors.get(note.creditNoteID!.toLowerCase());
      if (mirror && !isNewer(note.updatedDateUTC, mirror.Xero_Updated__c)) {
        result.stale += 1;
        continue;
      }
      const live = (note.allocations ?? []).filter((a) => !a.isDeleted);
      const invoice = mirrorOfInvoice(live[0]?.invoice?.invoiceID ?? note.allocations?.[0]?.invoice?.invoiceID);
      const accountId =
        text(mirror?.Account__c) ?? text(invoice?.Account__c) ?? (await knownAccount(tenantId, note.contact));
      if (!mirror && !accountId && !invoice) continue; // a customer Salesforce does not know
      if (!mirror && accountId && (await creditPending(accountId))) {
        // A credit note started in Salesforce for this customer is on its way to Xero: that flow writes its
        // mirror (under its own request key). Mirroring this one now could make a second row for it.
        result.awaitingMirror.push(note.creditNoteID!);
        continue;
      }
      const record = creditNoteRecord(note, {
        invoiceRecordId: text(mirror?.Invoice__c) ?? (invoice ? String(invoice.Id) : null),
        accountId,
        ...(mirror ? {} : { requestKey: `XERO:${note.creditNoteID}` }),
        now,
      });
      if (mirror) {
        delete record.Sync_Status__c;
        delete record.Sync_Message__c;
      }
      upserts.push({ note, record, mirror, invoice });
    }
    if (upserts.length === 0) return result;

    // By Xero id: a mirror the CREDIT action wrote meanwhile is updated, never duplicated.
    const outcomes = await writeback.upsert(
      'Credit_Note__c',
      'Xero_Credit_Note_Id__c',
      upserts.map((u) => u.record),
    );
    refused(
      'Credit_Note__c',
      outcomes,
      upserts.map((u) => u.note.creditNoteID),
      result.errors,
    );
    const allocationUpdates: SalesforceRecord[] = [];
    const allocationInserts: SalesforceRecord[] = [];
    const events: SalesforceRecord[] = [];
    outcomes.forEach((outcome, index) => {
      if (!outcome.ok) return;
      const { note, mirror, invoice, record } = upserts[index]!;
      const storedAllocations = new Map(
        (mirror ? children(mirror, 'Allocations__r') : []).map((a) => [text(a.Xero_Allocation_Id__c), String(a.Id)]),
      );
      const seen = new Set<string>();
      for (const allocation of note.allocations ?? []) {
        if (!allocation.allocationID) continue;
        seen.add(allocation.allocationID);
        const allocated = mirrorOfInvoice(allocation.invoice?.invoiceID);
        const row = allocationRecord(allocation, {
          creditNoteRecordId: outcome.id,
          invoiceRecordId: allocated ? String(allocated.Id) : null,
          currencyCode: note.currencyCode ?? null,
        });
        const existing = storedAllocations.get(allocation.allocationID);
        if (existing) {
          const { Credit_Note__c: _parent, ...fields } = row;
          allocationUpdates.push({ ...fields, Id: existing });
        } else allocationInserts.push(row);
      }
      // An allocation the mirror holds that Xero no longer lists was removed.
      for (const [allocationId, id] of storedAllocations) {
        if (allocationId && !seen.has(allocationId)) allocationUpdates.push({ Id: id, Status__c: 'Deleted' });
      }
      const invoiceId = text(record.Invoice__c) ?? (invoice ? String(invoice.Id) : null);
      const opportunityId = invoice ? text(invoice.Opportunity__c) : null;
      const accountId = text(record.Account__c);
      result.changed.push({ id: invoiceId ?? outcome.id, opportunityId, accountId, change: 'CREDIT_NOTE' });
      events.push({
        Record_Ids__c: [outcome.id, invoiceId, opportunityId, accountId].filter(Boolean).join(','),
        Invoice_Id__c: invoiceId,
        Opportunity_Id__c: opportunityId,
        Account_Id__c: accountId,
        Change__c: 'CREDIT_NOTE',
      });
    });
    await write('Credit_Allocation__c', 'update', allocationUpdates, 'Xero_Allocation_Id__c', result.errors);
    await write('Credit_Allocation__c', 'create', allocationInserts, 'Xero_Allocation_Id__c', result.errors);
    if (events.length > 0) await writeback.create('Sync_Update__e', events);
    return result;
  }

  /** Writes polled Xero payments back to Payment__c (deleted ones too), newer version wins. */
  async function applyPayments(tenantId: string, payments: readonly XeroPayment[]): Promise<ApplyResult> {
    const result = emptyResult();
    const onInvoices = payments.filter((p) => p.paymentID && p.invoice?.invoiceID && p.invoice.type !== 'ACCPAY');
    if (onInvoices.length === 0) return result;
    const rows = await queries.paymentsByXeroIds([...new Set(onInvoices.map((p) => p.paymentID!))]);
    const stored = new Map(rows.map((row) => [String(row.Xero_Payment_Id__c).toLowerCase(), row]));
    const invoiceRows = await queries.invoicesByXeroIds([...new Set(onInvoices.map((p) => p.invoice!.invoiceID!))]);
    const invoices = new Map(invoiceRows.map((row) => [String(row.Xero_Invoice_Id__c).toLowerCase(), row]));

    const updates: SalesforceRecord[] = [];
    const inserts: SalesforceRecord[] = [];
    const touched = new Map<string, Row>();
    for (const payment of latestOf(onInvoices, (p) => p.paymentID!)) {
      const invoice = invoices.get(payment.invoice!.invoiceID!.toLowerCase());
      if (!invoice) continue; // an invoice Salesforce does not mirror
      const existing = stored.get(payment.paymentID!.toLowerCase());
      const record = paymentRecord(payment, String(invoice.Id), text(invoice.Currency_Code__c));
      if (existing) {
        if (!isNewer(payment.updatedDateUTC, existing.Xero_Updated__c)) {
          result.stale += 1;
          continue;
        }
        const { Invoice__c: _parent, ...fields } = record;
        updates.push({ ...fields, Id: String(existing.Id) });
      } else inserts.push(record);
      touched.set(String(invoice.Id), invoice);
    }
    await write('Payment__c', 'update', updates, 'Xero_Payment_Id__c', result.errors);
    await write('Payment__c', 'create', inserts, 'Xero_Payment_Id__c', result.errors);
    result.changed = [...touched.values()].map((invoice) => ({
      id: String(invoice.Id),
      opportunityId: text(invoice.Opportunity__c),
      accountId: text(invoice.Account__c),
      change: 'PAYMENT' as const,
    }));
    await announce(result.changed);
    log.debug({ tenantId, updated: updates.length, inserted: inserts.length }, 'payments written back');
    return result;
  }

  return { applyInvoices, applyCreditNotes, applyPayments };
}

export type InboundApply = ReturnType<typeof createInboundApply>;

/** One document per id: the newest version when a batch holds several (a poll page and a webhook may overlap). */
export function latestOf<T extends { updatedDateUTC?: XeroDate }>(items: readonly T[], id: (item: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const item of items) {
    const key = id(item).toLowerCase();
    const held = byId.get(key);
    if (!held || (xeroVersion(item.updatedDateUTC) ?? 0) >= (xeroVersion(held.updatedDateUTC) ?? 0))
      byId.set(key, item);
  }
  return [...byId.values()];
}
