/**
 * Xero credit notes of one tenant written back to Credit_Note__c with their allocations and refunds, newer version
 * wins. Each refund (a Payment on the credit note: credit paid back to the customer, xero-api.md §8) is a
 * Credit_Note_Refund__c keyed by its PaymentID, so the mirror's remaining credit, the drift check and cash collected
 * see it; one Xero deleted, or no longer lists, is kept as Deleted. The mirror carries the billing entity of the tenant
 * it came from, so a credit note allocated to no invoice still belongs to its entity's ledger (KPIs).
 * Credit_Allocation__c.Credit_Note__c and Credit_Note_Refund__c.Credit_Note__c are master-detail: set only when a row
 * is inserted.
 */
import { CreditAllocation, CreditNote, CreditNoteRefund } from '../../salesforce/objects';
import { publishSyncUpdates, type SyncChange } from '../services/sync-updates';
import { fromApiNumber } from '../../domain/money';
import type { CreditNoteForInbound, InvoiceForInbound, PendingCreditNote } from '../../salesforce/selections';
import { childRecords } from '../../salesforce/soql';
import type { SObjectUpdate, SObjectWrite } from '../../salesforce/sobject';
import type { XeroCreditNote } from '../../xero/types';
import {
  allocationRecord,
  amount,
  creditNoteRecord,
  isoDate,
  type CreditAllocationWrite,
  type CreditNoteWrite,
} from '../services/xero-records';
import { emptyResult, type ApplyContext, type ApplyDeps, type ApplyResult, type ApplyScope } from './apply-context';
import { isNewer, latestOf } from './versions';

type SalesCreditNote = XeroCreditNote & { creditNoteID: string };
type RefundWrite = SObjectWrite<typeof CreditNoteRefund>;

/** Writes these Xero credit notes of one tenant back (with their allocations). */
export async function applyCreditNotes(
  deps: ApplyDeps,
  ctx: ApplyContext,
  tenantId: string,
  notes: readonly XeroCreditNote[],
  scope: ApplyScope = {},
): Promise<ApplyResult> {
  const result = { ...emptyResult(), skipped: [] as string[] };
  const sales = notes.filter((n): n is SalesCreditNote => Boolean(n.creditNoteID && n.type !== 'ACCPAYCREDIT'));
  if (sales.length === 0) return result;
  const now = deps.clock.now();
  const rows = await deps.queries.creditNotesByXeroIds([...new Set(sales.map((n) => n.creditNoteID))]);
  const mirrors = new Map(rows.map((row) => [String(row.Xero_Credit_Note_Id__c).toLowerCase(), row]));
  const allocatedIds = [
    ...new Set(
      sales.flatMap((n) => (n.allocations ?? []).map((a) => a.invoice?.invoiceID).filter((id): id is string => !!id)),
    ),
  ];
  const invoiceRows = allocatedIds.length > 0 ? await deps.queries.invoicesByXeroIds(allocatedIds) : [];
  const invoiceMirrors = new Map(invoiceRows.map((row) => [String(row.Xero_Invoice_Id__c).toLowerCase(), row]));
  const mirrorOfInvoice = (xeroId: string | undefined) =>
    xeroId ? invoiceMirrors.get(xeroId.toLowerCase()) : undefined;

  const customers = await ctx.accountsOf(
    tenantId,
    sales.map((n) => n.contact),
    scope.entity,
  );
  const tenantEntity = await ctx.tenantEntity(tenantId, scope.entity);
  const candidates: {
    note: SalesCreditNote;
    mirror?: CreditNoteForInbound;
    invoice?: InvoiceForInbound;
    accountId: string | null;
    entity: string;
  }[] = [];
  for (const note of latestOf(sales, (n) => n.creditNoteID)) {
    const mirror = mirrors.get(note.creditNoteID.toLowerCase());
    if (mirror && !isNewer(note.updatedDateUTC, mirror.Xero_Updated__c)) {
      result.stale += 1;
      continue;
    }
    const live = (note.allocations ?? []).filter((a) => !a.isDeleted);
    const invoice = mirrorOfInvoice(live[0]?.invoice?.invoiceID ?? note.allocations?.[0]?.invoice?.invoiceID);
    const customer = customers.get(String(note.contact?.contactID).toLowerCase());
    const accountId = mirror?.Account__c ?? invoice?.Account__c ?? customer?.accountId ?? null;
    if (!mirror && !accountId && !invoice) {
      result.skipped.push(note.creditNoteID); // a customer Salesforce does not know
      continue;
    }
    // The entity of the invoice it credits, else of the link that holds its contact, else the import's or the
    // tenant's only one ('' on a shared tenant: left as the mirror has it).
    const entity = invoice?.Billing_Entity__c || customer?.entity || tenantEntity;
    candidates.push({ note, mirror, invoice, accountId, entity });
  }
  const onTheirWay = await approvedOnTheirWay(
    deps,
    candidates.flatMap((c) => (!c.mirror && c.accountId ? [c.accountId] : [])),
  );

  const upserts: {
    note: SalesCreditNote;
    record: CreditNoteWrite;
    mirror: CreditNoteForInbound | undefined;
    invoice: InvoiceForInbound | undefined;
  }[] = [];
  for (const { note, mirror, invoice, accountId, entity } of candidates) {
    if (!mirror && accountId && onTheirWay.some((row) => mayBe(row, accountId, note))) {
      // A credit note finance approved for this customer, of this currency and total, is on its way to Xero, and this
      // may be it, made a moment ago: its flow writes the mirror (on its own row). Mirroring it here would make a
      // second row. Any other credit note of the customer is mirrored as usual.
      result.awaitingMirror.push(note.creditNoteID);
      continue;
    }
    const record = creditNoteRecord(note, {
      invoiceRecordId: mirror?.Invoice__c ?? invoice?.Id ?? null,
      accountId,
      ...(mirror ? {} : { requestKey: `XERO:${note.creditNoteID}` }),
      now,
    });
    // The tenant's entity: a credit note allocated to no invoice still belongs to its entity's ledger.
    if (entity) record.Billing_Entity__c = entity;
    if (mirror) {
      // Inbound reads never settle an outbound failure the record shows: leave sync status and message alone.
      delete record.Sync_Status__c;
      delete record.Sync_Message__c;
    }
    upserts.push({ note, record, mirror, invoice });
  }
  if (upserts.length === 0) return result;

  // By Xero id: a mirror the CREDIT action wrote meanwhile is updated, never duplicated.
  const outcomes = await deps.writeback.upsert(
    CreditNote,
    'Xero_Credit_Note_Id__c',
    upserts.map((u) => u.record),
  );
  ctx.refused(
    CreditNote,
    outcomes,
    upserts.map((u) => u.note.creditNoteID),
    result.errors,
  );
  const allocationUpdates: SObjectUpdate<typeof CreditAllocation>[] = [];
  const allocationInserts: CreditAllocationWrite[] = [];
  const refundUpdates: SObjectUpdate<typeof CreditNoteRefund>[] = [];
  const refundInserts: RefundWrite[] = [];
  const changes: SyncChange[] = [];
  outcomes.forEach((outcome, index) => {
    if (!outcome.ok) return;
    const { note, mirror, invoice, record } = upserts[index]!;
    const storedAllocations = new Map(childRecords(mirror?.Allocations__r).map((a) => [a.Xero_Allocation_Id__c, a.Id]));
    const seen = new Set<string>();
    for (const allocation of note.allocations ?? []) {
      if (!allocation.allocationID) continue;
      seen.add(allocation.allocationID);
      const allocated = mirrorOfInvoice(allocation.invoice?.invoiceID);
      const row = allocationRecord(allocation, {
        creditNoteRecordId: outcome.id,
        invoiceRecordId: allocated?.Id ?? null,
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
    const storedRefunds = childRecords(mirror?.Refunds__r);
    const refundRow = new Map(
      storedRefunds.flatMap((r) => (r.Xero_Payment_Id__c ? [[r.Xero_Payment_Id__c.toLowerCase(), r.Id]] : [])),
    );
    const refunded = new Set<string>();
    for (const refund of note.payments ?? []) {
      const paymentId = refund.paymentID?.toLowerCase();
      if (!paymentId) continue;
      refunded.add(paymentId);
      const row: RefundWrite = {
        Credit_Note__c: outcome.id,
        Xero_Payment_Id__c: paymentId,
        Amount__c: amount(refund.amount),
        Currency_Code__c: note.currencyCode ?? null,
        Refund_Date__c: isoDate(refund.date),
        Status__c: String(refund.status ?? 'AUTHORISED') === 'DELETED' ? 'Deleted' : 'Active',
      };
      const existing = refundRow.get(paymentId);
      if (existing) {
        const { Credit_Note__c: _parent, ...fields } = row;
        refundUpdates.push({ ...fields, Id: existing });
      } else refundInserts.push(row);
    }
    // A refund the mirror holds that Xero no longer lists was removed.
    for (const row of storedRefunds) {
      const paymentId = row.Xero_Payment_Id__c?.toLowerCase();
      if (paymentId && !refunded.has(paymentId) && row.Status__c !== 'Deleted') {
        refundUpdates.push({ Id: row.Id, Status__c: 'Deleted' });
      }
    }
    const invoiceId = record.Invoice__c ?? invoice?.Id ?? null;
    const opportunityId = invoice?.Opportunity__c ?? null;
    const accountId = record.Account__c ?? null;
    result.changed.push({ id: invoiceId ?? outcome.id, opportunityId, accountId, change: 'CREDIT_NOTE' });
    changes.push({ change: 'CREDIT_NOTE', invoiceId, opportunityId, accountId, otherIds: [outcome.id] });
  });
  await ctx.updateAll(CreditAllocation, allocationUpdates, (r) => r.Xero_Allocation_Id__c ?? r.Id, result.errors);
  await ctx.createAll(CreditAllocation, allocationInserts, (r) => r.Xero_Allocation_Id__c, result.errors);
  await ctx.updateAll(CreditNoteRefund, refundUpdates, (r) => r.Xero_Payment_Id__c ?? r.Id, result.errors);
  await ctx.createAll(CreditNoteRefund, refundInserts, (r) => r.Xero_Payment_Id__c, result.errors);
  await publishSyncUpdates(deps.writeback, changes);
  return result;
}

/** The approved credit notes of these Accounts the bridge has not made in Xero yet (one query for the lot). */
async function approvedOnTheirWay(deps: ApplyDeps, accountIds: readonly string[]): Promise<PendingCreditNote[]> {
  const unique = [...new Set(accountIds)];
  return unique.length > 0 ? deps.queries.pendingCreditNotes(unique) : [];
}

/**
 * Whether this Xero credit note may be the one the approval of `row` is making: same customer, currency and total
 * (the bridge computes Xero's total before approval and sends the note with it, so its own note matches exactly).
 */
function mayBe(row: PendingCreditNote, accountId: string, note: XeroCreditNote): boolean {
  return (
    row.Account__c === accountId &&
    (row.Currency_Code__c ?? '').toUpperCase() === (note.currencyCode ?? '').toUpperCase() &&
    row.Total__c !== null &&
    note.total !== undefined &&
    fromApiNumber(row.Total__c).eq(fromApiNumber(note.total))
  );
}
