/**
 * The one credit-note service. Every credit goes through here: a CREDIT started in Salesforce (an amount, or
 * lines) and a downgrade found by CREATE_DRAFT are recorded as a Credit_Note__c awaiting finance approval, with
 * Xero-exact totals computed up front, and nothing reaches Xero yet. When finance approves one
 * (AUTHORISE_CREDIT_NOTE), it is created in Xero already AUTHORISED, in the invoice's tenant and currency, and
 * allocated to the invoice while the invoice has an amount due (otherwise it stays as customer credit). Both steps
 * are exactly once: the Salesforce record is keyed by the request that asked for it, the Xero credit note by the
 * approval's request key.
 *
 * An amount-only credit is the gross amount to take off the invoice (tax included), so it is sent as one
 * tax-inclusive line and the credit note's total equals the amount asked for.
 */
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { mapDocument, type XeroDraftDocument } from '../../domain/invoice-mapping';
import { fromApiNumber, sum, toWire } from '../../domain/money';
import type { Clock } from '../../lib/clock';
import { CreditAllocation, CreditNote } from '../../salesforce/objects';
import type { Queries } from '../../salesforce/queries';
import type { CreditNoteRecord } from '../../salesforce/selections';
import type { Writeback } from '../../salesforce/writeback';
import { isStopped, type JobRepository, type XeroResultRepository } from '../../store/types';
import { onceKey } from '../../salesforce/invoice-request';
import type { XeroClient } from '../../xero/client';
import type { XeroCreditNote } from '../../xero/types';
import type { JobOutcome } from '../handler';
import type { InvoiceMirror, InvoiceMirrors } from './invoice-mirror';
import type { ReferenceData } from './reference-data';
import { amount, creditNoteRecord, isoDate, type CreditAllocationWrite, type CreditNoteWrite } from './xero-records';

const decimal = z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(String);

/**
 * Why a CREDIT request is refused before anything is drafted, in the words Salesforce uses for the same refusal
 * (InvoiceActions.cls, custom label Ledgerline_Error_Credit_Amount_And_Lines; a parity test holds them together).
 */
export const CREDIT_REFUSALS = {
  amountAndLines: 'Enter a credit amount or credit lines, not both: credit lines credit exactly what they list.',
} as const;

/** What a credit asks for: an amount, or lines (a credit already saved is read back with this, as it was asked). */
const creditSchema = z
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

/**
 * What a new CREDIT request may ask for: an amount or lines, not both. With lines the credit is exactly those lines,
 * so an amount beside them would be dropped without a word (Salesforce refuses the pair too).
 */
const creditRequestSchema = creditSchema.refine(
  (p) => p.amount === undefined || (p.lines?.length ?? 0) === 0,
  CREDIT_REFUSALS.amountAndLines,
);

/** Where a draft credit note comes from, for its Credit_Note__c. */
export interface CreditNoteSource {
  requestKey: string;
  invoiceRecordId: string | null;
  accountId: string | null;
  reason: string;
}

export interface CreditNoteDeps {
  invoices: Pick<InvoiceMirrors, 'load' | 'fetch' | 'requireXero' | 'writeInvoice' | 'notify'>;
  queries: Pick<Queries, 'creditNotes' | 'unpostedCreditNotes' | 'refusedCreditNotes'>;
  writeback: Pick<Writeback, 'update' | 'upsert' | 'requireAll'>;
  xero: Pick<XeroClient, 'getCreditNotes' | 'createCreditNotes' | 'allocateCreditNote'>;
  reference: Pick<ReferenceData, 'entity' | 'taxRates'>;
  jobs: Pick<JobRepository, 'getJobByKey' | 'retryJob'>;
  xeroResults: Pick<XeroResultRepository, 'findXeroResult' | 'recordXeroResult'>;
  clock: Pick<Clock, 'now'>;
}

export function createCreditNotes(deps: CreditNoteDeps) {
  const { invoices } = deps;
  const today = () => new Date(deps.clock.now()).toISOString().slice(0, 10);

  /** The credit note model for a credit asked on an invoice, with Xero-exact totals. */
  async function draftFor(asked: unknown, mirror: InvoiceMirror, contactId: string) {
    const credit = creditSchema.parse(asked ?? {});
    const entity = await deps.reference.entity(mirror.Billing_Entity__c ?? '');
    const byAmount = !credit.lines?.length;
    const reason = credit.reason?.trim() || 'Credit';
    const lines = byAmount
      ? [
          {
            description: `${reason} (credit against ${mirror.Invoice_Number__c ?? mirror.Name})`,
            quantity: '1',
            unitPrice: credit.amount!,
          },
        ]
      : credit.lines!.map((line) => ({
          description: line.description,
          quantity: line.quantity,
          unitPrice: line.unitAmount,
          ...(line.accountCode ? { accountCode: line.accountCode } : {}),
          ...(line.taxType ? { taxType: line.taxType } : {}),
        }));
    const document = mapDocument({
      type: 'ACCRECCREDIT',
      entity,
      ...(byAmount && entity.lineAmountType !== 'NoTax' ? { lineAmountTypes: 'Inclusive' as const } : {}),
      contact: { contactId },
      currencyCode: mirror.Currency_Code__c ?? entity.baseCurrency,
      date: today(),
      reference: `${mirror.Invoice_Number__c ?? mirror.Name}: ${reason}`.slice(0, 255),
      lines,
      taxRates: await deps.reference.taxRates(entity.xeroTenantId),
    });
    return { document, reason };
  }

  /**
   * Records a credit note awaiting finance approval (nothing in Xero yet), keyed by the request that asked for it.
   * Returns the Credit_Note__c id.
   */
  async function saveDraft(document: XeroDraftDocument, source: CreditNoteSource): Promise<string> {
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

  /** A credit asked on an invoice (CREDIT): checked against what the invoice has left, then saved as a draft. */
  async function request(ask: { requestKey: string; invoiceId: string; credit: unknown }): Promise<JobOutcome> {
    const asked = creditRequestSchema.safeParse(ask.credit ?? {});
    if (!asked.success && asked.error.issues.some((i) => i.message === CREDIT_REFUSALS.amountAndLines)) {
      return { kind: 'failed', error: CREDIT_REFUSALS.amountAndLines };
    }
    const mirror = await invoices.load(ask.invoiceId);
    const invoice = await invoices.fetch(mirror);
    if (invoice.status !== 'AUTHORISED' && invoice.status !== 'PAID') {
      return {
        kind: 'failed',
        error: `${invoice.invoiceNumber} is ${invoice.status}: only authorised or paid invoices can be credited`,
      };
    }
    const { document, reason } = await draftFor(ask.credit, mirror, invoice.contact?.contactID ?? '');
    // Credit notes asked for earlier and not in Xero yet hold their amounts against the invoice too (this request's
    // own draft, when a retry finds it saved, does not count against itself).
    const promised = sum(
      (await deps.queries.unpostedCreditNotes([mirror.Id]))
        .filter((row) => row.Request_Key__c !== ask.requestKey)
        .map((row) => fromApiNumber(row.Total__c ?? 0)),
    );
    const left = fromApiNumber(invoice.total ?? 0)
      .minus(fromApiNumber(invoice.amountCredited ?? 0))
      .minus(promised);
    if (fromApiNumber(document.total).gt(left)) {
      const awaiting = promised.gt(0)
        ? ` (${toWire(left)} ${document.currencyCode}, after ${toWire(promised)} in credit notes not yet in Xero)`
        : '';
      return {
        kind: 'failed',
        error: `A credit of ${document.total} ${document.currencyCode} is more than ${invoice.invoiceNumber} has left to credit${awaiting}`,
      };
    }
    const id = await saveDraft(document, {
      requestKey: ask.requestKey,
      invoiceRecordId: mirror.Id,
      accountId: mirror.Account__c,
      reason,
    });
    await invoices.notify(mirror, 'CREDIT_NOTE');
    return { kind: 'done', result: { creditNoteRecordId: id, total: document.total } };
  }

  /** The credit note in Xero for an approval: made now (AUTHORISED), or read back if this key already made it. */
  async function inXero(
    approval: { requestKey: string; creditNoteId: string },
    row: CreditNoteRecord,
    mirror: InvoiceMirror,
  ) {
    const { tenantId } = invoices.requireXero(mirror);
    const known = await deps.xeroResults.findXeroResult(approval.requestKey, tenantId, 'credit_note');
    if (known) return readCreditNote(tenantId, known.xeroId);
    const invoice = await invoices.fetch(mirror);
    // The credit as it was asked for (its lines, if any), else the approved total as one amount.
    const asked = row.Request_Key__c ? await deps.jobs.getJobByKey(row.Request_Key__c) : null;
    const credit = askedCredit(asked?.payload) ?? {
      amount: String(row.Total__c ?? '0'),
      reason: row.Reason__c ?? 'Credit',
    };
    const { document } = await draftFor(credit, mirror, invoice.contact?.contactID ?? '');
    const [result] = await deps.xero.createCreditNotes(
      tenantId,
      [{ document, status: 'AUTHORISED' }],
      approval.requestKey,
    );
    if (!result?.ok || !result.id) {
      throw new CreditNoteRefused(`Xero rejected the credit note: ${result?.errors.join('; ') ?? 'no answer'}`);
    }
    await deps.xeroResults.recordXeroResult({
      requestKey: approval.requestKey,
      tenantId,
      kind: 'credit_note',
      xeroId: result.id,
    });
    return result.record;
  }

  async function readCreditNote(tenantId: string, creditNoteId: string): Promise<XeroCreditNote | undefined> {
    return (await deps.xero.getCreditNotes(tenantId, { where: `CreditNoteID==guid("${creditNoteId}")` })).items[0];
  }

  /** After finance approval (AUTHORISE_CREDIT_NOTE): the credit note made AUTHORISED in Xero and allocated. */
  async function authorise(approval: { requestKey: string; creditNoteId: string }): Promise<JobOutcome> {
    const { requestKey, creditNoteId } = approval;
    const [row] = await deps.queries.creditNotes([creditNoteId]);
    if (!row) throw new DomainError('INVALID_INPUT', `Credit note ${creditNoteId} was not found`);
    if (!row.Invoice__c) throw new DomainError('INVALID_INPUT', `Credit note ${creditNoteId} is on no invoice`);
    const mirror = await invoices.load(row.Invoice__c);
    const { tenantId, xeroId } = invoices.requireXero(mirror);
    let note: XeroCreditNote | undefined;
    try {
      note = await inXero(approval, row, mirror);
    } catch (err) {
      if (err instanceof CreditNoteRefused) return { kind: 'failed', error: err.message };
      throw err;
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
        { invoiceId: xeroId, amount: toWire(allocate), date: today() },
        `${requestKey}:ALLOCATE`,
      );
      allocations.push({
        Xero_Allocation_Id__c: allocation.allocationID ?? `${note.creditNoteID}:${xeroId}`,
        Credit_Note__c: creditNoteId,
        Invoice__c: mirror.Id,
        Amount__c: amount(toWire(allocate)),
        Currency_Code__c: note.currencyCode ?? null,
        Allocation_Date__c: isoDate(allocation.date) ?? today(),
        Status__c: 'Active',
      });
      note = (await readCreditNote(tenantId, note.creditNoteID)) ?? note;
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

  /**
   * Retry on the invoice: each credit note on it that finance approved and that could not be made in Xero is run
   * again (its AUTHORISE job, under the key CreditNoteTriggerHandler gave it), and shows Pending meanwhile, so it counts
   * as on its way to Xero again. Returns the keys queued again.
   */
  async function retryRefused(invoiceRecordId: string): Promise<string[]> {
    const requeued: string[] = [];
    for (const note of await deps.queries.refusedCreditNotes([invoiceRecordId])) {
      // CreditNoteTriggerHandler asks for a credit note's approval once (AUTHORISE_VERSION 1).
      const job = await deps.jobs.getJobByKey(onceKey('AUTHORISE', note.Id));
      if (!isStopped(job)) continue;
      deps.writeback.requireAll(
        CreditNote,
        [note.Id],
        await deps.writeback.update(CreditNote, [
          { Id: note.Id, Sync_Status__c: 'Pending', Sync_Message__c: 'Sent to Xero again (Retry)' },
        ]),
      );
      if (await deps.jobs.retryJob(job.id)) requeued.push(job.key);
    }
    return requeued;
  }

  return { request, authorise, saveDraft, retryRefused };
}

export type CreditNotes = ReturnType<typeof createCreditNotes>;

/** Xero refused to make the credit note: the approval fails with Xero's words, nothing else is written. */
class CreditNoteRefused extends Error {}

/** The credit a CREDIT request stored, if the stored job is one (its `payload`). */
function askedCredit(stored: unknown): unknown {
  return typeof stored === 'object' && stored !== null && 'payload' in stored ? stored.payload : undefined;
}
