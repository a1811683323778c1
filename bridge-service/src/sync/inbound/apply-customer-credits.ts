/**
 * Xero overpayments and prepayments of one tenant written back to Customer_Credit__c, with each allocation to an
 * invoice and each refund as a Customer_Credit_Allocation__c, newer version wins: a customer who paid more than was
 * due shows the credit they hold, and how it was used. Customer_Credit_Allocation__c.Customer_Credit__c is
 * master-detail: set only when a row is inserted. An allocation or refund Xero no longer lists was removed there.
 */
import { fromApiNumber, sum, toWire } from '../../domain/money';
import type { CustomerCreditRow } from '../../salesforce/golive-queries';
import { CustomerCredit, CustomerCreditAllocation } from '../../salesforce/objects';
import { publishSyncUpdates, type SyncChange } from '../services/sync-updates';
import { childRecords } from '../../salesforce/soql';
import type { SObjectUpdate, SObjectWrite } from '../../salesforce/sobject';
import { creditSide } from '../../xero/ledger-states';
import type { XeroOverpayment, XeroPrepayment } from '../../xero/types';
import { amount, isoDate, isoDateTime } from '../services/xero-records';
import { emptyResult, type ApplyContext, type ApplyDeps, type ApplyResult, type ApplyScope } from './apply-context';
import { isNewer } from './versions';

export type XeroCustomerCredit =
  { kind: 'overpayment'; credit: XeroOverpayment } | { kind: 'prepayment'; credit: XeroPrepayment };

type CreditWrite = SObjectWrite<typeof CustomerCredit>;
type AllocationWrite = SObjectWrite<typeof CustomerCreditAllocation>;

const STATUS: Record<string, string> = { AUTHORISED: 'Authorised', PAID: 'Paid', VOIDED: 'Voided' };

const idOf = (c: XeroCustomerCredit) =>
  String(c.kind === 'overpayment' ? c.credit.overpaymentID : c.credit.prepaymentID).toLowerCase();

export async function applyCustomerCredits(
  deps: ApplyDeps,
  ctx: ApplyContext,
  tenantId: string,
  credits: readonly XeroCustomerCredit[],
  scope: ApplyScope = {},
): Promise<ApplyResult> {
  const result = { ...emptyResult(), skipped: [] as string[] };
  const received: XeroCustomerCredit[] = [];
  for (const c of credits) {
    const type = String(c.credit.type ?? '');
    const side = creditSide(type);
    if (side === 'customer') {
      received.push(c);
      continue;
    }
    // Not mirrored, but never silently: the import counts it as skipped and the log says why.
    const supplier = side === 'supplier';
    result.skipped.push(idOf(c));
    deps.log[supplier ? 'info' : 'warn'](
      { tenantId, creditId: idOf(c), kind: c.kind, type },
      supplier
        ? 'a supplier credit, not a customer one: skipped'
        : 'a credit of a Type the bridge does not know: skipped',
    );
  }
  if (received.length === 0) return result;
  const now = deps.clock.now();
  const mirrors = new Map(
    (await deps.goLive.customerCreditsByXeroIds([...new Set(received.map(idOf))])).map((row) => [
      String(row.Xero_Credit_Id__c).toLowerCase(),
      row,
    ]),
  );
  const customers = await ctx.accountsOf(
    tenantId,
    received.map((c) => c.credit.contact),
    scope.entity,
  );
  const invoiceIds = [
    ...new Set(received.flatMap((c) => (c.credit.allocations ?? []).flatMap((a) => a.invoice?.invoiceID ?? []))),
  ];
  const invoices = new Map(
    (invoiceIds.length > 0 ? await deps.queries.invoicesByXeroIds(invoiceIds) : []).map((row) => [
      String(row.Xero_Invoice_Id__c).toLowerCase(),
      row,
    ]),
  );
  const tenantEntity = await ctx.tenantEntity(tenantId, scope.entity);

  const upserts: { credit: XeroCustomerCredit; record: CreditWrite; mirror: CustomerCreditRow | undefined }[] = [];
  for (const c of received) {
    const id = idOf(c);
    const mirror = mirrors.get(id);
    if (mirror && !isNewer(c.credit.updatedDateUTC, mirror.Xero_Updated__c)) {
      result.stale += 1;
      continue;
    }
    const customer = customers.get(String(c.credit.contact?.contactID).toLowerCase());
    const accountId = mirror?.Account__c ?? customer?.accountId ?? null;
    if (!accountId) {
      result.skipped.push(id);
      deps.log.debug(
        { tenantId, creditId: id, kind: c.kind },
        'credit of a customer Salesforce does not have: skipped',
      );
      continue;
    }
    const allocations = (c.credit.allocations ?? []).filter((a) => !a.isDeleted);
    // The entity of the link that holds its contact, else of an invoice it paid, else the import's or the tenant's
    // only one; on a shared tenant with none of these, the mirror keeps what it has.
    const entity =
      customer?.entity ||
      allocations
        .map((a) => invoices.get(String(a.invoice?.invoiceID).toLowerCase())?.Billing_Entity__c)
        .find(Boolean) ||
      tenantEntity;
    const refunds = (c.credit.payments ?? []).filter((p) => String(p.status ?? 'AUTHORISED') !== 'DELETED');
    const record: CreditWrite = {
      Xero_Credit_Id__c: id,
      Account__c: accountId,
      ...(entity || !mirror ? { Billing_Entity__c: entity || null } : {}),
      Xero_Tenant_Id__c: tenantId,
      Credit_Type__c: c.kind === 'overpayment' ? 'Overpayment' : 'Prepayment',
      Credit_Date__c: isoDate(c.credit.date),
      Reference__c: c.credit.reference ?? null,
      Currency_Code__c: c.credit.currencyCode ?? null,
      Currency_Rate__c: c.credit.currencyRate === undefined ? null : amount(c.credit.currencyRate, 6),
      Status__c: STATUS[c.credit.status ?? 'AUTHORISED'] ?? 'Authorised',
      Sub_Total__c: amount(c.credit.subTotal),
      Total_Tax__c: amount(c.credit.totalTax),
      Total__c: amount(c.credit.total),
      Remaining_Credit__c: amount(c.credit.remainingCredit),
      Allocated__c: Number(toWire(sum(allocations.map((a) => fromApiNumber(a.amount ?? 0))))),
      Refunded__c: Number(toWire(sum(refunds.map((p) => fromApiNumber(p.amount ?? 0))))),
      Last_Synced__c: new Date(now).toISOString(),
      Xero_Updated__c: isoDateTime(c.credit.updatedDateUTC),
    };
    upserts.push({ credit: c, record, mirror });
  }
  if (upserts.length === 0) return result;

  const outcomes = await deps.writeback.upsert(
    CustomerCredit,
    'Xero_Credit_Id__c',
    upserts.map((u) => u.record),
  );
  ctx.refused(
    CustomerCredit,
    outcomes,
    upserts.map((u) => u.record.Xero_Credit_Id__c),
    result.errors,
  );
  const updates: SObjectUpdate<typeof CustomerCreditAllocation>[] = [];
  const inserts: AllocationWrite[] = [];
  const changes: SyncChange[] = [];
  outcomes.forEach((outcome, index) => {
    if (!outcome.ok) return;
    const { credit: c, mirror, record } = upserts[index]!;
    const stored = childRecords(mirror?.Allocations__r);
    const byAllocation = new Map(
      stored.flatMap((r) => (r.Xero_Allocation_Id__c ? [[r.Xero_Allocation_Id__c.toLowerCase(), r.Id]] : [])),
    );
    const byRefund = new Map(
      stored.flatMap((r) => (r.Xero_Payment_Id__c ? [[r.Xero_Payment_Id__c.toLowerCase(), r.Id]] : [])),
    );
    const seen = new Set<string>();
    const put = (existing: string | undefined, row: AllocationWrite) => {
      if (existing) {
        const { Customer_Credit__c: _parent, ...fields } = row;
        updates.push({ ...fields, Id: existing });
      } else inserts.push(row);
    };
    for (const allocation of c.credit.allocations ?? []) {
      const allocationId = allocation.allocationID?.toLowerCase();
      if (!allocationId) continue;
      seen.add(allocationId);
      const invoice = invoices.get(String(allocation.invoice?.invoiceID).toLowerCase());
      put(byAllocation.get(allocationId), {
        Customer_Credit__c: outcome.id,
        Kind__c: 'Allocation',
        Xero_Allocation_Id__c: allocationId,
        Amount__c: amount(allocation.amount),
        Allocation_Date__c: isoDate(allocation.date),
        Currency_Code__c: c.credit.currencyCode ?? null,
        Status__c: allocation.isDeleted ? 'Deleted' : 'Active',
        ...(invoice ? { Invoice__c: invoice.Id } : {}),
      });
    }
    for (const refund of c.credit.payments ?? []) {
      const paymentId = refund.paymentID?.toLowerCase();
      if (!paymentId) continue;
      seen.add(paymentId);
      put(byRefund.get(paymentId), {
        Customer_Credit__c: outcome.id,
        Kind__c: 'Refund',
        Xero_Payment_Id__c: paymentId,
        Amount__c: amount(refund.amount),
        Allocation_Date__c: isoDate(refund.date),
        Currency_Code__c: c.credit.currencyCode ?? null,
        Status__c: String(refund.status ?? 'AUTHORISED') === 'DELETED' ? 'Deleted' : 'Active',
      });
    }
    for (const row of stored) {
      const key = (row.Xero_Allocation_Id__c ?? row.Xero_Payment_Id__c ?? '').toLowerCase();
      if (key && !seen.has(key) && row.Status__c !== 'Deleted') updates.push({ Id: row.Id, Status__c: 'Deleted' });
    }
    const accountId = record.Account__c ?? null;
    changes.push({ change: 'CREDIT', accountId, otherIds: [outcome.id] });
  });
  await ctx.updateAll(CustomerCreditAllocation, updates, (r) => r.Id, result.errors);
  await ctx.createAll(
    CustomerCreditAllocation,
    inserts,
    (r) => r.Xero_Allocation_Id__c ?? r.Xero_Payment_Id__c,
    result.errors,
  );
  await publishSyncUpdates(deps.writeback, changes);
  return result;
}
