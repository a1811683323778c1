/**
 * Credit notes started in Salesforce. CREDIT (an amount, or lines) creates a Credit_Note__c awaiting finance
 * approval, with Xero-exact totals computed up front; nothing reaches Xero yet. When finance approves it, AUTHORISE
 * creates it in Xero already AUTHORISED, in the invoice's tenant and currency, and allocates it to the invoice
 * while the invoice has an amount due (otherwise it stays as customer credit). Both steps are exactly once:
 * the Salesforce record is keyed by the CREDIT request key, the Xero credit note by its AUTHORISE key.
 *
 * An amount-only credit is the gross amount to take off the invoice (tax included), so it is sent as one
 * tax-inclusive line and the credit note's total equals the amount asked for.
 */
import { z } from 'zod';
import { DomainError } from '../domain/errors';
import { mapDocument, type XeroDraftDocument } from '../domain/invoice-mapping';
import { fromApiNumber, toWire } from '../domain/money';
import { CreditAllocation, CreditNote } from '../salesforce/objects';
import type { CreditNoteRecord } from '../salesforce/selections';
import type { XeroCreditNote, XeroCreditNoteInput } from '../xero/types';
import type { JobOutcome, RequestJob } from './handler';
import { createInvoiceSync, type InvoiceMirror } from './invoice-sync';
import type { SyncDeps } from './sync-deps';
import { amount, creditNoteRecord, isoDate, type CreditAllocationWrite, type CreditNoteWrite } from './xero-records';

const decimal = z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(String);

const creditPayloadSchema = z
  .object({
    amount: decimal.optional(),
    reason: z.string().max(255).optional(),
    lines: z
      .array(
        z.object({
          description: z.string().min(1),
          quantity: decimal,
          unitAmount: decimal,
          accountCode: z.string().nullish(),
          taxType: z.string().nullish(),
        }),
      )
      .optional(),
  })
  .refine((p) => p.amount !== undefined || (p.lines?.length ?? 0) > 0, 'a credit needs an amount or lines');

const today = (deps: SyncDeps) => new Date(deps.clock.now()).toISOString().slice(0, 10);

export function createCreditFlow(deps: SyncDeps) {
  const invoices = createInvoiceSync(deps);

  /** The credit note model for a CREDIT request on an invoice, with Xero-exact totals. */
  async function draftFor(job: RequestJob, mirror: InvoiceMirror, contactId: string) {
    const payload = creditPayloadSchema.parse(job.payload.payload ?? {});
    const entity = await deps.reference.entity(mirror.Billing_Entity__c ?? '');
    const byAmount = !payload.lines?.length;
    const reason = payload.reason?.trim() || 'Credit';
    const lines = byAmount
      ? [
          {
            description: `${reason} (credit against ${mirror.Invoice_Number__c ?? mirror.Name})`,
            quantity: '1',
            unitPrice: payload.amount!,
          },
        ]
      : payload.lines!.map((line) => ({
          description: line.description,
          quantity: line.quantity,
          unitPrice: line.unitAmount,
          ...(line.accountCode ? { accountCode: line.accountCode } : {}),
          ...(line.taxType ? { taxType: line.taxType } : {}),
        }));
    const document = mapDocument({
      type: 'ACCRECCREDIT',
      entity: byAmount && entity.lineAmountType !== 'NoTax' ? { ...entity, lineAmountType: 'Inclusive' } : entity,
      contact: { contactId },
      currencyCode: mirror.Currency_Code__c ?? entity.baseCurrency,
      date: today(deps),
      reference: `${mirror.Invoice_Number__c ?? mirror.Name}: ${reason}`.slice(0, 255),
      lines,
      taxRates: await deps.reference.taxRates(entity.xeroTenantId),
    });
    return { document, reason };
  }

  /** CREDIT: record the credit note in Salesforce, awaiting finance approval. */
  async function request(job: RequestJob): Promise<JobOutcome> {
    const mirror = await invoices.load(job.payload.invoiceId!);
    const invoice = await invoices.fetch(mirror);
    if (invoice.status !== 'AUTHORISED' && invoice.status !== 'PAID') {
      return {
        kind: 'failed',
        error: `${invoice.invoiceNumber} is ${invoice.status}: only authorised or paid invoices can be credited`,
      };
    }
    const { document, reason } = await draftFor(job, mirror, invoice.contact?.contactID ?? '');
    if (
      fromApiNumber(document.total).gt(
        fromApiNumber(invoice.total ?? 0).minus(fromApiNumber(invoice.amountCredited ?? 0)),
      )
    ) {
      return {
        kind: 'failed',
        error: `A credit of ${document.total} ${document.currencyCode} is more than ${invoice.invoiceNumber} has left to credit`,
      };
    }
    const id = await saveCreditNoteDraft(deps, document, {
      requestKey: job.payload.requestKey,
      invoiceRecordId: mirror.Id,
      accountId: mirror.Account__c,
      reason,
    });
    await invoices.notify(mirror, 'CREDIT_NOTE');
    return { kind: 'done', result: { creditNoteRecordId: id, total: document.total } };
  }

  /** AUTHORISE of a credit note (after finance approval): create it AUTHORISED in Xero and allocate it. */
  async function authorise(job: RequestJob, creditNoteId: string): Promise<JobOutcome> {
    const [row] = await deps.queries.creditNotes([creditNoteId]);
    if (!row) throw new DomainError('INVALID_INPUT', `Credit note ${creditNoteId} was not found`);
    if (!row.Invoice__c) throw new DomainError('INVALID_INPUT', `Credit note ${creditNoteId} is on no invoice`);
    const mirror = await invoices.load(row.Invoice__c);
    const { tenantId, xeroId } = invoices.requireXero(mirror);
    const requestKey = job.payload.requestKey;
    let note: XeroCreditNote | undefined;
    const known = await deps.xeroResults.findXeroResult(requestKey, tenantId, 'credit_note');
    if (known) {
      note = (await deps.xero.getCreditNotes(tenantId, { where: `CreditNoteID==guid("${known.xeroId}")` })).items[0];
    } else {
      const invoice = await invoices.fetch(mirror);
      // The credit as it was asked for (its lines, if any), else the approved total as one amount.
      const original = row.Request_Key__c ? await deps.jobs.getJobByKey(row.Request_Key__c) : null;
      const asked = (original?.payload as { payload?: unknown } | undefined)?.payload ?? creditPayloadFrom(row);
      const creditRequest = { ...job, payload: { ...job.payload, payload: asked } };
      const { document } = await draftFor(creditRequest, mirror, invoice.contact?.contactID ?? '');
      const [result] = await deps.xero.createCreditNotes(tenantId, [toCreditNoteInput(document)], requestKey);
      if (!result?.ok || !result.id) {
        return { kind: 'failed', error: `Xero rejected the credit note: ${result?.errors.join('; ') ?? 'no answer'}` };
      }
      await deps.xeroResults.recordXeroResult({ requestKey, tenantId, kind: 'credit_note', xeroId: result.id });
      note = result.record;
    }
    if (!note?.creditNoteID) throw new DomainError('INVALID_INPUT', `Xero has no credit note for ${requestKey}`);

    // Allocate while the invoice has something due; whatever is left stays as customer credit.
    let invoice = await invoices.fetch(mirror);
    const due = fromApiNumber(invoice.amountDue ?? 0);
    const remaining = fromApiNumber(note.remainingCredit ?? note.total ?? 0);
    const allocations: CreditAllocationWrite[] = [];
    if (due.gt(0) && remaining.gt(0)) {
      const allocate = due.lt(remaining) ? due : remaining;
      const allocation = await deps.xero.allocateCreditNote(
        tenantId,
        note.creditNoteID,
        { invoiceId: xeroId, amount: toWire(allocate), date: today(deps) },
        `${requestKey}:ALLOCATE`,
      );
      allocations.push({
        Xero_Allocation_Id__c: allocation.allocationID ?? `${note.creditNoteID}:${xeroId}`,
        Credit_Note__c: creditNoteId,
        Invoice__c: mirror.Id,
        Amount__c: amount(toWire(allocate)),
        Currency_Code__c: note.currencyCode ?? null,
        Allocation_Date__c: isoDate(allocation.date) ?? today(deps),
        Status__c: 'Active',
      });
      note =
        (await deps.xero.getCreditNotes(tenantId, { where: `CreditNoteID==guid("${note.creditNoteID}")` })).items[0] ??
        note;
      invoice = await invoices.fetch(mirror);
    }
    const record = creditNoteRecord(note, { invoiceRecordId: null, accountId: null, now: deps.clock.now() });
    deps.writeback.requireAll(
      CreditNote,
      [creditNoteId],
      await deps.writeback.update(CreditNote, [{ ...record, Id: creditNoteId }]),
    );
    if (allocations.length > 0) {
      deps.writeback.requireAll(
        CreditAllocation,
        allocations.map((a) => a.Xero_Allocation_Id__c),
        await deps.writeback.upsert(CreditAllocation, 'Xero_Allocation_Id__c', allocations),
      );
    }
    await invoices.writeInvoice(mirror, invoice, { change: 'CREDIT_NOTE' });
    return { kind: 'done', result: { creditNoteId: note.creditNoteID, allocated: allocations.length > 0 } };
  }

  return { request, authorise };
}

/**
 * Records a credit note awaiting finance approval (nothing in Xero yet), keyed by the request that asked for it:
 * a CREDIT from Salesforce or a downgrade. Returns the Credit_Note__c id.
 */
export async function saveCreditNoteDraft(
  deps: Pick<SyncDeps, 'writeback' | 'clock'>,
  document: XeroDraftDocument,
  source: { requestKey: string; invoiceRecordId: string | null; accountId: string | null; reason: string },
): Promise<string> {
  const record: CreditNoteWrite = {
    Request_Key__c: source.requestKey,
    Invoice__c: source.invoiceRecordId,
    Account__c: source.accountId,
    Currency_Code__c: document.currencyCode,
    Sub_Total__c: Number(document.subTotal),
    Total_Tax__c: Number(document.totalTax),
    Total__c: Number(document.total),
    Remaining_Credit__c: Number(document.total),
    Status__c: 'Draft',
    Issue_Date__c: document.date,
    Reason__c: source.reason.slice(0, 255),
    Sync_Status__c: 'Synced',
    Sync_Message__c: null,
    Last_Synced__c: new Date(deps.clock.now()).toISOString(),
  };
  const [id] = deps.writeback.requireAll(
    CreditNote,
    [source.requestKey],
    await deps.writeback.upsert(CreditNote, 'Request_Key__c', [record]),
  );
  return id!;
}

/** The credit an approved Credit_Note__c stands for: its Xero-exact total, as one tax-inclusive amount. */
function creditPayloadFrom(row: CreditNoteRecord): unknown {
  return { amount: String(row.Total__c ?? '0'), reason: row.Reason__c ?? 'Credit' };
}

function toCreditNoteInput(document: XeroDraftDocument): XeroCreditNoteInput {
  if (!('contactId' in document.contact)) throw new DomainError('INVALID_INPUT', 'the credit note has no Xero contact');
  return {
    type: 'ACCRECCREDIT',
    status: 'AUTHORISED',
    contact: { contactID: document.contact.contactId },
    date: document.date,
    lineAmountTypes: document.lineAmountTypes,
    currencyCode: document.currencyCode,
    reference: document.reference,
    lineItems: document.lineItems.map((line) => ({
      description: line.description,
      quantity: line.quantity,
      unitAmount: line.unitAmount,
      accountCode: line.accountCode,
      taxType: line.taxType,
    })),
  };
}
