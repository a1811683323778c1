/**
 * The drift check of one tenant (DRIFT_CHECK, a dated job: daily, and on demand from the admin API): every mirror
 * compared with its Xero document (domain/drift.ts), each difference with its likely cause and the fix to offer, kept
 * as Reconciliation_Result__c records (opened, still open, resolved; finance's dismissals kept), and the reconciliation
 * (booked, billed, collected per deal, Account and entity) worked from both sides and compared figure by figure.
 *
 * Scope: the documents of the contacts linked to Accounts in the entity (others are not mirrored), dated on or after
 * the start of the organisation's latest completed import (all of them when there was none).
 * Egress (month-end.md §2): invoices are read as summaries (status and totals, 1,000 a page); only those that differ
 * from their mirror, changed since it was written, or whose mirror lacks a payment behind its Amount_Paid__c, are read
 * in full (40 a call). Credit notes (with their allocations and refunds), overpayments and prepayments are read in
 * full, paged.
 */
import { tenantDrift, settleFindings, type MirrorCredit, type MirrorInvoice } from '../../domain/drift';
import type { DriftFinding } from '../../domain/drift-findings';
import {
  driftResultRecord,
  keyDifference,
  reconciliationResultRecord,
  type KeyedDifference,
} from '../../domain/golive-records';
import {
  isActiveAllocation,
  isActivePayment,
  type AllocationState,
  type CreditKind,
  type CreditState,
  type InvoiceState,
  type PaymentState,
} from '../../domain/ledger-documents';
import { money, sum } from '../../domain/money';
import type { InvoiceDisplayStatus } from '../../domain/receivables';
import type { Decimal } from '../../domain/xero-invoice-math';
import { reconcile, compareReconciliations, type ReconciliationLine, type WonDeal } from '../../domain/reconciliation';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type {
  CreditNoteForDrift,
  CustomerCreditRow,
  GoLiveQueries,
  InvoiceForDrift,
} from '../../salesforce/golive-queries';
import { ReconciliationResult } from '../../salesforce/objects';
import { childRecords } from '../../salesforce/soql';
import type { Writeback } from '../../salesforce/writeback';
import type { ImportRunRepository, JobRepository } from '../../store/types';
import type { XeroClient } from '../../xero/client';
import type { XeroLedgerClient } from '../../xero/ledger-client';
import {
  creditNoteStateOf,
  epochOf,
  invoiceStateOf,
  creditSide,
  overpaymentStateOf,
  prepaymentStateOf,
} from '../../xero/ledger-states';
import type { XeroInvoice } from '../../xero/types';
import type { JobHandler, JobOutcome } from '../handler';
import { checkedWrite } from '../services/contact-links';
import type { ReferenceData } from '../services/reference-data';

/** What the drift check reports, for Prometheus (implemented by the server's metrics). */
export interface DriftMetrics {
  setDriftFindings(tenantId: string, open: number): void;
}

export interface DriftDeps {
  goLive: Pick<
    GoLiveQueries,
    | 'invoiceMirrorsOfTenant'
    | 'creditNoteMirrors'
    | 'customerCreditsOfTenant'
    | 'linksOfEntity'
    | 'driftResults'
    | 'wonDealsOfAccounts'
  >;
  ledger: Pick<XeroLedgerClient, 'getInvoices' | 'getOverpayments' | 'getPrepayments'>;
  xero: Pick<XeroClient, 'getInvoicesByIds' | 'getCreditNotes'>;
  reference: Pick<ReferenceData, 'billingEntities'>;
  importRuns: Pick<ImportRunRepository, 'listImportRuns'>;
  jobs: Pick<JobRepository, 'enqueueJob'>;
  writeback: Pick<Writeback, 'upsert' | 'update'>;
  metrics?: DriftMetrics;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'info' | 'warn'>;
  /** When the daily check runs, UTC hour (default 2). */
  dailyHourUtc?: number;
  onQueued?: () => void;
}

export interface DriftReport {
  tenantId: string;
  entity: string;
  checkedAt: number;
  since: string | null;
  documents: { invoices: number; credits: number; readInFull: number };
  findings: DriftFinding[];
  resolved: number;
  reconciliation: ReconciliationLine[];
  /** Salesforce and Xero reconciled apart, figure by figure (empty when they agree). */
  reconciliationDifferences: {
    level: string;
    key: string;
    figure: string;
    currencyCode: string;
    salesforce: string;
    xero: string;
  }[];
}

const num = (value: number | null | undefined) => String(value ?? 0);
const day = (value: string | null | undefined) => value ?? '';
const lower = (value: string | null | undefined) => (value ?? '').toLowerCase();

function mirrorInvoice(
  row: InvoiceForDrift,
  contactOf: (accountId: string | null) => string | undefined,
): MirrorInvoice {
  const contactId = contactOf(row.Account__c);
  return {
    salesforceId: row.Id,
    invoiceId: lower(row.Xero_Invoice_Id__c),
    ...(row.Invoice_Number__c ? { invoiceNumber: row.Invoice_Number__c } : {}),
    currencyCode: row.Currency_Code__c ?? '',
    subTotal: num(row.Sub_Total__c),
    totalTax: num(row.Total_Tax__c),
    total: num(row.Total__c),
    amountPaid: num(row.Amount_Paid__c),
    amountCredited: num(row.Amount_Credited__c),
    amountDue: num(row.Amount_Due__c),
    displayStatus: (row.Status__c ?? 'Draft') as InvoiceDisplayStatus,
    approved: row.Approval_Status__c === 'Approved',
    awaitingApproval: row.Approval_Status__c === 'Pending',
    ...(contactId ? { contactId } : {}),
    ...(row.Xero_Updated__c ? { xeroUpdated: row.Xero_Updated__c } : {}),
    payments: childRecords(row.Payments__r).flatMap((p): PaymentState[] =>
      p.Xero_Payment_Id__c
        ? [
            {
              paymentId: lower(p.Xero_Payment_Id__c),
              amount: num(p.Amount__c),
              date: day(p.Payment_Date__c),
              status: p.Status__c === 'Deleted' ? 'DELETED' : 'AUTHORISED',
            },
          ]
        : [],
    ),
  };
}

function mirrorCreditNote(
  row: CreditNoteForDrift,
  xeroIdOfInvoice: (recordId: string | null) => string | undefined,
  contactOf: (accountId: string | null) => string | undefined,
  invoiceOfCredit: (creditId: string) => string | undefined,
): MirrorCredit {
  const creditId = lower(row.Xero_Credit_Note_Id__c);
  const contactId = contactOf(row.Account__c);
  const invoiceId = invoiceOfCredit(creditId);
  return {
    kind: 'credit-note',
    salesforceId: row.Id,
    creditId,
    ...(invoiceId ? { invoiceId } : {}),
    ...(row.Credit_Note_Number__c ? { number: row.Credit_Note_Number__c } : {}),
    currencyCode: row.Currency_Code__c ?? '',
    subTotal: num(row.Sub_Total__c),
    totalTax: num(row.Total_Tax__c),
    total: num(row.Total__c),
    remainingCredit: num(row.Remaining_Credit__c),
    displayStatus: row.Status__c ?? 'Draft',
    approved: row.Approval_Status__c === 'Approved',
    ...(contactId ? { contactId } : {}),
    ...(row.Xero_Updated__c ? { xeroUpdated: row.Xero_Updated__c } : {}),
    allocations: childRecords(row.Allocations__r).flatMap((a): AllocationState[] => {
      const invoiceId = xeroIdOfInvoice(a.Invoice__c);
      return a.Xero_Allocation_Id__c && invoiceId
        ? [
            {
              allocationId: lower(a.Xero_Allocation_Id__c),
              creditKind: 'credit-note',
              creditId,
              invoiceId,
              amount: num(a.Amount__c),
              date: day(a.Allocation_Date__c),
              status: a.Status__c === 'Deleted' ? 'DELETED' : 'ACTIVE',
            },
          ]
        : [];
    }),
    refunds: childRecords(row.Refunds__r).flatMap((r): PaymentState[] =>
      r.Xero_Payment_Id__c
        ? [
            {
              paymentId: lower(r.Xero_Payment_Id__c),
              amount: num(r.Amount__c),
              date: day(r.Refund_Date__c),
              status: r.Status__c === 'Deleted' ? 'DELETED' : 'AUTHORISED',
            },
          ]
        : [],
    ),
  };
}

function mirrorCustomerCredit(
  row: CustomerCreditRow,
  xeroIdOfInvoice: (recordId: string | null) => string | undefined,
  contactOf: (accountId: string | null) => string | undefined,
): MirrorCredit {
  const kind: CreditKind = row.Credit_Type__c === 'Prepayment' ? 'prepayment' : 'overpayment';
  const creditId = lower(row.Xero_Credit_Id__c);
  const contactId = contactOf(row.Account__c);
  const rows = childRecords(row.Allocations__r);
  return {
    kind,
    salesforceId: row.Id,
    creditId,
    ...(row.Reference__c ? { number: row.Reference__c } : {}),
    currencyCode: row.Currency_Code__c ?? '',
    subTotal: num(row.Sub_Total__c),
    totalTax: num(row.Total_Tax__c),
    total: num(row.Total__c),
    remainingCredit: num(row.Remaining_Credit__c),
    displayStatus: row.Status__c ?? 'Authorised',
    ...(contactId ? { contactId } : {}),
    ...(row.Xero_Updated__c ? { xeroUpdated: row.Xero_Updated__c } : {}),
    allocations: rows.flatMap((a): AllocationState[] => {
      const invoiceId = xeroIdOfInvoice(a.Invoice__c);
      return a.Kind__c === 'Allocation' && a.Xero_Allocation_Id__c && invoiceId
        ? [
            {
              allocationId: lower(a.Xero_Allocation_Id__c),
              creditKind: kind,
              creditId,
              invoiceId,
              amount: num(a.Amount__c),
              date: day(a.Allocation_Date__c),
              status: a.Status__c === 'Deleted' ? 'DELETED' : 'ACTIVE',
            },
          ]
        : [];
    }),
    refunds: rows.flatMap((a): PaymentState[] =>
      a.Kind__c === 'Refund' && a.Xero_Payment_Id__c
        ? [
            {
              paymentId: lower(a.Xero_Payment_Id__c),
              amount: num(a.Amount__c),
              date: day(a.Allocation_Date__c),
              status: a.Status__c === 'Deleted' ? 'DELETED' : 'AUTHORISED',
            },
          ]
        : [],
    ),
  };
}

/**
 * A summary read agrees with its mirror: same version, the same figures, and the mirror holds every payment behind its
 * Amount_Paid__c (no need to read it in full). Payment__c records are written in a call of their own after the invoice
 * (inbound/apply-invoices.ts) and can be refused there or deleted by hand: an invoice whose live payments do not add up
 * to what it says was paid is read in full, so a payment missing in Salesforce is found (a summary lists no payments).
 */
function summaryAgrees(summary: InvoiceState, mirror: MirrorInvoice | undefined): boolean {
  if (!mirror || mirror.xeroUpdated === undefined || summary.updatedAt === undefined) return false;
  const same = (a: Decimal, b: Decimal) => money(a).eq(money(b));
  const mirroredPayments = sum(mirror.payments.filter(isActivePayment).map((p) => money(p.amount)));
  return (
    // Salesforce keeps datetimes to the second
    Math.floor((epochOf(String(mirror.xeroUpdated)) ?? 0) / 1000) ===
      Math.floor((epochOf(String(summary.updatedAt)) ?? Number(summary.updatedAt)) / 1000) &&
    same(summary.total, mirror.total) &&
    same(summary.amountPaid, mirror.amountPaid) &&
    same(summary.amountCredited, mirror.amountCredited) &&
    same(summary.amountDue, mirror.amountDue) &&
    mirroredPayments.eq(money(mirror.amountPaid))
  );
}

export function createDriftCheck(deps: DriftDeps) {
  const dailyHour = deps.dailyHourUtc ?? 2;
  const reports = new Map<string, DriftReport>();

  /** The next daily check of an entity: tomorrow at the daily hour (UTC), keyed by that day so it exists once. */
  async function scheduleDaily(entity: { developerName: string; xeroTenantId: string }, after = deps.clock.now()) {
    const next = new Date(after);
    next.setUTCHours(dailyHour, 0, 0, 0);
    if (next.getTime() <= after) next.setUTCDate(next.getUTCDate() + 1);
    await deps.jobs.enqueueJob({
      key: `DRIFT_CHECK:${entity.developerName}:${next.toISOString().slice(0, 10)}`,
      action: 'DRIFT_CHECK',
      payload: { tenantId: entity.xeroTenantId, entity: entity.developerName, reason: 'daily' },
      tenantId: entity.xeroTenantId,
      runAt: next.getTime(),
    });
  }

  async function readAll<T>(read: (page: number) => Promise<{ items: T[]; hasMore: boolean }>): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page += 1) {
      const result = await read(page);
      out.push(...result.items);
      if (!result.hasMore) return out;
    }
  }

  async function check(tenantId: string, entity: string): Promise<DriftReport> {
    const now = deps.clock.now();
    const imports = (await deps.importRuns.listImportRuns(100)).filter(
      (r) => r.entity === entity && r.status === 'completed',
    );
    const since = imports.map((r) => r.since).sort()[0] ?? null;
    const sinceWhere = since ? ` AND Date>=DateTime(${since.replace(/-/g, ',')})` : '';
    const links = await deps.goLive.linksOfEntity(entity);
    const contactOfAccount = new Map(
      links.flatMap((l) =>
        l.Account__c && l.Xero_Contact_Id__c ? [[l.Account__c.slice(0, 15), l.Xero_Contact_Id__c.toLowerCase()]] : [],
      ),
    );
    const holders = new Map(
      links.flatMap((l) =>
        l.Account__c && l.Xero_Contact_Id__c ? [[l.Xero_Contact_Id__c.toLowerCase(), l.Account__c]] : [],
      ),
    );
    const contactOf = (accountId: string | null) =>
      accountId ? contactOfAccount.get(accountId.slice(0, 15)) : undefined;
    const linkedContact = (contactId: string) => holders.has(contactId.toLowerCase());
    const inScope = (d: { contactId: string; date: string }) =>
      linkedContact(d.contactId) && (!since || d.date >= since);

    // Salesforce's side.
    const invoiceRows = await deps.goLive.invoiceMirrorsOfTenant(tenantId);
    const mirrorInvoices = invoiceRows.map((row) => mirrorInvoice(row, contactOf));
    const xeroIdOfRecord = new Map(invoiceRows.map((r) => [r.Id, lower(r.Xero_Invoice_Id__c)]));
    const xeroIdOfInvoice = (recordId: string | null) => (recordId ? xeroIdOfRecord.get(recordId) : undefined);

    // Xero's: invoice summaries, then in full what does not agree.
    const summaries = (
      await readAll((page) =>
        deps.ledger.getInvoices(tenantId, {
          page,
          pageSize: 1000,
          summaryOnly: true,
          where: `Type=="ACCREC"${sinceWhere}`,
        }),
      )
    )
      .map(invoiceStateOf)
      .filter(inScope);
    const mirrorByXeroId = new Map(mirrorInvoices.map((m) => [m.invoiceId, m]));
    const toRead = summaries.filter((s) => !summaryAgrees(s, mirrorByXeroId.get(s.invoiceId))).map((s) => s.invoiceId);
    const full = new Map(
      (toRead.length > 0 ? await deps.xero.getInvoicesByIds(tenantId, toRead) : []).map((i: XeroInvoice) => {
        const state = invoiceStateOf(i);
        return [state.invoiceId, state];
      }),
    );
    const xeroInvoices = summaries.map((s) => {
      const read = full.get(s.invoiceId);
      if (read) return read;
      // Agrees with its mirror at the same version: its payments are the mirror's.
      return { ...s, payments: mirrorByXeroId.get(s.invoiceId)?.payments ?? [] };
    });
    const creditNotesRead = (
      await readAll((page) =>
        deps.xero.getCreditNotes(tenantId, { page, pageSize: 1000, where: `Type=="ACCRECCREDIT"${sinceWhere}` }),
      )
    )
      .map(creditNoteStateOf)
      .filter(inScope);
    const sinceOnly = since ? `Date>=DateTime(${since.replace(/-/g, ',')})` : undefined;
    const overpayments = (
      await readAll((page) =>
        deps.ledger.getOverpayments(tenantId, { page, pageSize: 1000, ...(sinceOnly ? { where: sinceOnly } : {}) }),
      )
    )
      .filter((o) => creditSide(o.type) === 'customer') // a supplier's is not mirrored (apply-customer-credits.ts)
      .map(overpaymentStateOf)
      .filter(inScope);
    const prepayments = (
      await readAll((page) =>
        deps.ledger.getPrepayments(tenantId, { page, pageSize: 1000, ...(sinceOnly ? { where: sinceOnly } : {}) }),
      )
    )
      .filter((p) => creditSide(p.type) === 'customer')
      .map(prepaymentStateOf)
      .filter(inScope);
    const noteRows = await deps.goLive.creditNoteMirrors(creditNotesRead.map((c) => c.creditId));
    // The invoice a credit note credits, the same on both sides (reconciliation counts it on that invoice's deal):
    // the one its mirror was raised against, else the one its first live allocation in Xero settles (Xero's credit
    // note names no invoice of its own).
    const raisedAgainst = new Map(
      noteRows.flatMap((row) => {
        const invoiceId = xeroIdOfInvoice(row.Invoice__c);
        return invoiceId ? [[lower(row.Xero_Credit_Note_Id__c), invoiceId]] : [];
      }),
    );
    const allocatedTo = new Map(
      creditNotesRead.flatMap((c) => {
        const first = c.allocations.find(isActiveAllocation);
        return first ? [[c.creditId, first.invoiceId]] : [];
      }),
    );
    const invoiceOfCredit = (creditId: string) => raisedAgainst.get(creditId) ?? allocatedTo.get(creditId);
    const creditNotes = creditNotesRead.map((c): CreditState => {
      const invoiceId = invoiceOfCredit(c.creditId);
      return invoiceId ? { ...c, invoiceId } : c;
    });
    const xeroCredits: CreditState[] = [...creditNotes, ...overpayments, ...prepayments];
    const creditRows = await deps.goLive.customerCreditsOfTenant(tenantId);
    const mirrorCredits = [
      ...noteRows.map((row) => mirrorCreditNote(row, xeroIdOfInvoice, contactOf, invoiceOfCredit)),
      ...creditRows.map((row) => mirrorCustomerCredit(row, xeroIdOfInvoice, contactOf)),
    ];
    // Mirrors of documents out of scope (before the import date) are not compared.
    const xeroDates = new Map(
      [...summaries, ...xeroCredits].map((d) => [d.kind === 'invoice' ? d.invoiceId : d.creditId, d.date]),
    );
    const findings = tenantDrift({
      mirrors: { invoices: mirrorInvoices, credits: mirrorCredits },
      xero: { invoices: xeroInvoices, credits: xeroCredits },
      contactHolders: holders,
    }).filter(
      (f) => f.cause !== 'NOT_IN_XERO' || !since || !xeroDates.has(f.xeroId) || xeroDates.get(f.xeroId)! >= since,
    );

    // The same reconciliation from both sides.
    const accountOfRecord = new Map(
      invoiceRows.map((r) => [
        lower(r.Xero_Invoice_Id__c),
        { accountId: r.Account__c, opportunityId: r.Opportunity__c },
      ]),
    );
    const deals = await deps.goLive.wonDealsOfAccounts([
      ...new Set(invoiceRows.flatMap((r) => (r.Account__c ? [r.Account__c] : []))),
    ]);
    const dealsWithInvoices = new Set(invoiceRows.flatMap((r) => (r.Opportunity__c ? [r.Opportunity__c] : [])));
    const won: WonDeal[] = deals
      .filter((d) => dealsWithInvoices.has(d.Id) && d.Amount !== null)
      .map((d) => ({
        opportunityId: d.Id,
        accountId: d.AccountId ?? '',
        entity,
        currencyCode: invoiceRows.find((r) => r.Opportunity__c === d.Id)?.Currency_Code__c ?? d.CurrencyIsoCode ?? '',
        amount: d.Amount ?? 0,
      }));
    const attribute = <T extends { invoiceId?: string; contactId?: string }>(doc: T) => {
      const known = doc.invoiceId ? accountOfRecord.get(doc.invoiceId) : undefined;
      const accountId = known?.accountId ?? (doc.contactId ? holders.get(doc.contactId) : undefined);
      return {
        ...doc,
        entity,
        ...(accountId ? { accountId } : {}),
        ...(known?.opportunityId ? { opportunityId: known.opportunityId } : {}),
      };
    };
    const mirrorAsState = (m: MirrorInvoice): InvoiceState => ({
      ...m,
      kind: 'invoice',
      contactId: m.contactId ?? '',
      status:
        full.get(m.invoiceId)?.status ?? xeroInvoices.find((x) => x.invoiceId === m.invoiceId)?.status ?? 'AUTHORISED',
      date: '',
    });
    const fromXero = reconcile(won, xeroInvoices.map(attribute), xeroCredits.map(attribute));
    const fromSalesforce = reconcile(
      won,
      mirrorInvoices
        .filter((m) => mirrorByXeroId.has(m.invoiceId) && xeroInvoices.some((x) => x.invoiceId === m.invoiceId))
        .map(mirrorAsState)
        .map(attribute),
      mirrorCredits
        .filter((m) => xeroCredits.some((x) => x.creditId === m.creditId))
        .map((m) => ({
          ...m,
          contactId: m.contactId ?? '',
          status: xeroCredits.find((x) => x.creditId === m.creditId)!.status,
          date: '',
        }))
        .map(attribute),
    );
    const differences = compareReconciliations(fromSalesforce, fromXero);

    // The results: opened, kept, resolved; finance's dismissals stay dismissed.
    const previous = await deps.goLive.driftResults(tenantId);
    const previousKeys = previous.flatMap((p) =>
      p.Result_Key__c
        ? [{ key: p.Result_Key__c, status: (p.Status__c ?? 'Open') as 'Open' | 'Resolved' | 'Dismissed' }]
        : [],
    );
    const isReconciliation = (key: string) => key.startsWith('RECONCILE:');
    const settled = settleFindings(
      previousKeys.filter((p) => !isReconciliation(p.key)),
      findings,
    );
    const settledDifferences = settleFindings(
      previousKeys.filter((p) => isReconciliation(p.key)),
      differences.map(keyDifference),
    );
    const at = new Date(now).toISOString();
    const known = new Set(previous.map((p) => p.Result_Key__c));
    const invoiceOf = new Map(
      mirrorInvoices.map((m) => [m.invoiceId, invoiceRows.find((r) => r.Id === m.salesforceId)]),
    );
    const record = (f: DriftFinding, keepStatus: boolean) => {
      const row = f.document === 'invoice' ? invoiceOf.get(f.xeroId) : undefined;
      const written = driftResultRecord(f, {
        entity,
        tenantId,
        ...(row?.Account__c ? { accountId: row.Account__c } : {}),
        ...(row?.Opportunity__c ? { opportunityId: row.Opportunity__c } : {}),
        now: at,
      });
      if (keepStatus) delete written.Status__c;
      if (!known.has(f.key)) written.Detected_At__c = at;
      else if (!keepStatus) written.Resolved_At__c = null;
      return checkedWrite(ReconciliationResult, written);
    };
    const accountOfDeal = new Map(won.map((d) => [d.opportunityId, d.accountId]));
    const differenceRecord = (d: KeyedDifference, keepStatus: boolean) => {
      const accountId = d.level === 'deal' ? accountOfDeal.get(d.subject) : undefined;
      const written = reconciliationResultRecord(d, { tenantId, ...(accountId ? { accountId } : {}), now: at });
      if (keepStatus) delete written.Status__c;
      if (!known.has(d.key)) written.Detected_At__c = at;
      else if (!keepStatus) written.Resolved_At__c = null;
      return checkedWrite(ReconciliationResult, written);
    };
    const upserts = [
      ...settled.open.map((f) => record(f, false)),
      ...settled.dismissed.map((f) => record(f, true)),
      ...settledDifferences.open.map((d) => differenceRecord(d, false)),
      ...settledDifferences.dismissed.map((d) => differenceRecord(d, true)),
    ];
    if (upserts.length > 0) {
      const outcomes = await deps.writeback.upsert(ReconciliationResult, 'Result_Key__c', upserts);
      const refused = outcomes.filter((o) => !o.ok);
      if (refused.length > 0) throw new Error(`Salesforce refused ${refused.length} Reconciliation_Result__c`);
    }
    const resolvedIds = previous
      .filter(
        (p) =>
          p.Result_Key__c &&
          (settled.resolved.includes(p.Result_Key__c) || settledDifferences.resolved.includes(p.Result_Key__c)),
      )
      .map((p) => p.Id);
    if (resolvedIds.length > 0) {
      await deps.writeback.update(
        ReconciliationResult,
        resolvedIds.map((Id) => ({ Id, Status__c: 'Resolved', Resolved_At__c: at })),
      );
    }
    deps.metrics?.setDriftFindings(tenantId, settled.open.length + settledDifferences.open.length);
    const report: DriftReport = {
      tenantId,
      entity,
      checkedAt: now,
      since,
      documents: { invoices: xeroInvoices.length, credits: xeroCredits.length, readInFull: toRead.length },
      findings: settled.open,
      resolved: settled.resolved.length,
      reconciliation: fromXero,
      reconciliationDifferences: differences.map((d) => ({
        level: d.level,
        key: d.key,
        figure: d.figure,
        currencyCode: d.currencyCode,
        salesforce: d.salesforce.toFixed(2),
        xero: d.xero.toFixed(2),
      })),
    };
    reports.set(entity, report);
    deps.log.info(
      { tenantId, entity, open: settled.open.length, resolved: settled.resolved.length, readInFull: toRead.length },
      'drift check done',
    );
    return report;
  }

  const handler: JobHandler<'DRIFT_CHECK'> = {
    batchSize: 1,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      for (const job of jobs) {
        const { tenantId, entity, reason } = job.payload;
        try {
          const report = await check(tenantId, entity);
          outcomes.set(job.id, {
            kind: 'done',
            result: {
              open: report.findings.length,
              resolved: report.resolved,
              differences: report.reconciliationDifferences.length,
            },
          });
        } catch (err) {
          outcomes.set(job.id, { kind: 'retry', error: err instanceof Error ? err.message : String(err) });
          continue;
        } finally {
          // The next day's check exists whatever became of this one: the next after now, so days the bridge was
          // down (or a calendar moved on) are caught up by this one check, not one check per missed day.
          if (reason === 'daily') {
            const entities = await deps.reference.billingEntities().catch(() => []);
            const found = entities.find((e) => e.developerName === entity);
            if (found) await scheduleDaily(found, Math.max(job.nextRunAt + 1, deps.clock.now()));
          }
        }
      }
      return outcomes;
    },
  };

  return {
    handler,
    /** Makes sure every entity has its next daily check (called at start: a bridge that was down runs it once). */
    async scheduleAll(): Promise<void> {
      for (const entity of await deps.reference.billingEntities()) await scheduleDaily(entity);
    },
    /** A check now (the admin API); returns the job key. */
    async requestCheck(entityName: string): Promise<{ key: string }> {
      const entity = (await deps.reference.billingEntities()).find((e) => e.developerName === entityName);
      if (!entity) throw new Error(`Billing entity ${entityName} is not in Billing_Entity__mdt`);
      const key = `DRIFT_CHECK:${entity.developerName}:on-demand:${deps.clock.now()}`;
      await deps.jobs.enqueueJob({
        key,
        action: 'DRIFT_CHECK',
        payload: { tenantId: entity.xeroTenantId, entity: entity.developerName, reason: 'on-demand' },
        tenantId: entity.xeroTenantId,
      });
      deps.onQueued?.();
      return { key };
    },
    /** The latest report of each entity checked by this process. */
    latest: (entity: string) => reports.get(entity),
  };
}

export type DriftCheck = ReturnType<typeof createDriftCheck>;
