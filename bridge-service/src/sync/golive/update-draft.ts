/**
 * UPDATE_DRAFT: a draft finance rejected, corrected in Salesforce (its lines, dates, reference; its contact follows
 * the Account's link), sent again as an update of the same Xero DRAFT: kept lines carry their LineItemID, lines
 * deleted in Salesforce are deleted by Xero, new ones are added (domain/rework.ts). Never a second invoice. The
 * mirror then holds Xero's figures, each Salesforce line its Xero LineItemID, and the message names what changed;
 * the rep submits it for approval again (the same gate). Until this job writes its outcome (Synced with what changed,
 * or Error with why not) the invoice shows Sync Status Pending (InvoiceActions.cls sets it with the request), and the
 * approval process takes no Pending invoice: finance never approves a draft whose correction is still on its way.
 */
import { DomainError } from '../../domain/errors';
import type { TrackingSelection } from '../../domain/invoice-mapping';
import { fromApiNumber } from '../../domain/money';
import type { XeroInvoiceStatus } from '../../domain/receivables';
import {
  checkReworkable,
  draftUpdateKey,
  planDraftUpdate,
  type ApprovalStatus,
  type DraftState,
} from '../../domain/rework';
import type { InvoiceDisplayStatus } from '../../domain/receivables';
import type { GoLiveQueries, InvoiceForRework } from '../../salesforce/golive-queries';
import { InvoiceLine } from '../../salesforce/objects';
import { childRecords } from '../../salesforce/soql';
import type { Writeback } from '../../salesforce/writeback';
import type { XeroClient } from '../../xero/client';
import type { XeroLedgerClient } from '../../xero/ledger-client';
import { isoDayOf } from '../../xero/ledger-states';
import type { XeroInvoice } from '../../xero/types';
import type { JobHandler } from '../handler';
import { perInvoice, type PerInvoiceDeps } from '../invoice-actions/per-invoice';
import type { InvoiceMirrors } from '../services/invoice-mirror';
import type { ReferenceData } from '../services/reference-data';

export interface UpdateDraftDeps extends PerInvoiceDeps {
  reference: PerInvoiceDeps['reference'] & Pick<ReferenceData, 'entity' | 'taxRates'>;
  goLive: Pick<GoLiveQueries, 'invoiceForRework' | 'linksOfAccounts'>;
  xero: Pick<XeroClient, 'getInvoicesByIds'>;
  ledger: Pick<XeroLedgerClient, 'updateDraft'>;
  invoices: Pick<InvoiceMirrors, 'load' | 'writeInvoice'>;
  writeback: Pick<Writeback, 'update' | 'requireAll'>;
}

const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const decimal = (value: number | null | undefined, what: string) => fromApiNumber(value ?? 0, what).toString();

/** The Xero draft as rework compares it. */
function draftState(invoice: XeroInvoice): DraftState {
  return {
    invoiceId: String(invoice.invoiceID),
    status: (invoice.status ?? 'DRAFT') as XeroInvoiceStatus,
    contactId: String(invoice.contact?.contactID ?? ''),
    currencyCode: invoice.currencyCode ?? '',
    date: isoDayOf(invoice.date),
    ...(invoice.dueDate ? { dueDate: isoDayOf(invoice.dueDate) } : {}),
    reference: invoice.reference ?? '',
    lineItems: (invoice.lineItems ?? []).map((line) => ({
      lineItemId: String(line.lineItemID),
      description: line.description ?? '',
      quantity: decimal(line.quantity, 'Quantity'),
      unitAmount: decimal(line.unitAmount, 'UnitAmount'),
      ...(line.discountRate ? { discountRate: decimal(line.discountRate, 'DiscountRate') } : {}),
      accountCode: line.accountCode ?? '',
      taxType: line.taxType ?? '',
      ...(line.itemCode ? { itemCode: line.itemCode } : {}),
      tracking: (line.tracking ?? []).map((t) => ({ name: t.name ?? '', option: t.option ?? '' })),
    })),
  };
}

/** The corrected lines, in the order Salesforce shows them; a kept line keeps Xero's tracking (Salesforce has none). */
function correctedLines(mirror: InvoiceForRework, current: DraftState) {
  const tracking = new Map<string, TrackingSelection[]>(current.lineItems.map((l) => [l.lineItemId, l.tracking]));
  return childRecords(mirror.Invoice_Lines__r).map((line) => {
    const lineItemId = line.Xero_Line_Item_Id__c ?? undefined;
    const kept = lineItemId ? tracking.get(lineItemId) : undefined;
    return {
      ...(lineItemId ? { lineItemId } : {}),
      description: text(line.Description__c) || 'Line',
      quantity: decimal(line.Quantity__c, 'Quantity__c'),
      unitPrice: decimal(line.Unit_Amount__c, 'Unit_Amount__c'),
      ...(line.Discount_Rate__c ? { discountPercent: decimal(line.Discount_Rate__c, 'Discount_Rate__c') } : {}),
      ...(line.Account_Code__c ? { accountCode: line.Account_Code__c } : {}),
      ...(line.Tax_Type__c ? { taxType: line.Tax_Type__c } : {}),
      ...(line.Item_Code__c ? { itemCode: line.Item_Code__c } : {}),
      ...(kept ? { tracking: kept } : {}),
    };
  });
}

export function updateDraftHandler(deps: UpdateDraftDeps): JobHandler<'UPDATE_DRAFT'> {
  return perInvoice<'UPDATE_DRAFT'>(
    deps,
    async (job) => {
      const invoiceId = job.payload.invoiceId;
      const mirror = await deps.goLive.invoiceForRework(invoiceId);
      if (!mirror) throw new DomainError('INVALID_INPUT', `Invoice ${invoiceId} was not found`);
      if (!mirror.Xero_Invoice_Id__c || !mirror.Xero_Tenant_Id__c || !mirror.Billing_Entity__c) {
        throw new DomainError(
          'INVALID_INPUT',
          `${mirror.Name ?? mirror.Id} has no Xero draft yet: use Retry to create it`,
        );
      }
      const tenantId = mirror.Xero_Tenant_Id__c;
      const [invoice] = await deps.xero.getInvoicesByIds(tenantId, [mirror.Xero_Invoice_Id__c]);
      if (!invoice) throw new DomainError('INVALID_INPUT', `Xero has no invoice ${mirror.Xero_Invoice_Id__c}`);
      const current = draftState(invoice);
      checkReworkable(
        {
          displayStatus: (mirror.Status__c ?? 'Draft') as InvoiceDisplayStatus,
          approvalStatus: (mirror.Approval_Status__c ?? 'Not Submitted') as ApprovalStatus,
        },
        current.status,
      );
      const entity = await deps.reference.entity(mirror.Billing_Entity__c);
      const links = mirror.Account__c
        ? await deps.goLive.linksOfAccounts(entity.developerName, [mirror.Account__c])
        : [];
      const linked = links.flatMap((l) => (l.Xero_Contact_Id__c ? [l.Xero_Contact_Id__c.toLowerCase()] : []));
      // The contact follows the Account's link; a draft made before links existed keeps its contact.
      const contactId = linked[0] ?? current.contactId.toLowerCase();
      const lines = correctedLines(mirror, current);
      const update = planDraftUpdate(
        { ...current, contactId: current.contactId.toLowerCase() },
        {
          contactId,
          date: mirror.Issue_Date__c ?? current.date,
          ...(mirror.Due_Date__c ? { dueDate: mirror.Due_Date__c } : {}),
          reference: mirror.Reference__c ?? current.reference ?? '',
          lines,
        },
        { entity, taxRates: await deps.reference.taxRates(tenantId), linkedContactIds: [contactId] },
      );
      const loaded = await deps.invoices.load(invoiceId);
      if (!update) {
        await deps.invoices.writeInvoice(loaded, invoice, {
          message: 'Nothing changed: the Xero draft already matches',
        });
        return { kind: 'done', result: { changed: false } };
      }
      const updated = await deps.ledger.updateDraft(tenantId, update, draftUpdateKey(mirror.Id, update));
      // Lines added in Salesforce get the LineItemID Xero gave them (Xero keeps the order sent), so the write-back
      // updates them instead of adding them twice.
      const rows = childRecords(mirror.Invoice_Lines__r);
      const added = rows.flatMap((row, i) => {
        const lineItemID = updated.lineItems?.[i]?.lineItemID;
        return !row.Xero_Line_Item_Id__c && lineItemID ? [{ Id: row.Id, Xero_Line_Item_Id__c: lineItemID }] : [];
      });
      if (added.length > 0) {
        deps.writeback.requireAll(
          InvoiceLine,
          added.map((a) => a.Id),
          await deps.writeback.update(InvoiceLine, added),
        );
      }
      const message = `Corrected in Xero (${update.version}): ${update.changes.join('; ')}`.slice(0, 32000);
      await deps.invoices.writeInvoice(loaded, updated, { message, change: 'STATUS' });
      return { kind: 'done', result: { changed: true, version: update.version, removed: update.removedLineItemIds } };
    },
    { writesToXero: true },
  );
}
