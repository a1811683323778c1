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
 *
 * The Credit_Note__c keeps the lines it was recorded with (`Lines__c`: each line's description, quantity, unit
 * amount, account, tax type, item and tracking, and the amounts type), and approval sends exactly those lines: Xero's
 * subtotal, tax (per line, finance.md §1.2) and total are the ones finance approved, to the cent, whatever made the
 * credit note (a CREDIT, a downgrade, a plan's credit-note instalment). A credit note recorded before its lines were
 * kept is sent as it was asked (a CREDIT's request), else as one tax-inclusive line of its total, with a warning.
 */
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { mapDocument, type XeroDraftDocument } from '../../domain/invoice-mapping';
import { fromApiNumber, sum, toWire } from '../../domain/money';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
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

/** Credit_Note__c.Lines__c holds at most this many characters (its field length). */
export const MAX_RECORDED_LINES = 131_072;

/**
 * The lines a credit note was recorded with (Credit_Note__c.Lines__c, JSON): each as Xero will hold it (a credit
 * note's lines carry no discount: the net unit price) and the document's amounts type. Approval sends these.
 */
const recordedLinesSchema = z.object({
  lineAmountTypes: z.enum(['Exclusive', 'Inclusive', 'NoTax']),
  lines: z
    .array(
      z.object({
        description: z.string(),
        quantity: decimal,
        unitAmount: decimal,
        accountCode: z.string().min(1),
        taxType: z.string().min(1),
        itemCode: z.string().min(1).optional(),
        tracking: z.array(z.object({ name: z.string().min(1), option: z.string().min(1) })).max(2),
        lineAmount: decimal,
        taxAmount: decimal,
      }),
    )
    .min(1),
});
export type RecordedLines = z.infer<typeof recordedLinesSchema>;

/** A credit note's lines as its Credit_Note__c records them (Lines__c). */
export function recordedLines(document: XeroDraftDocument): string {
  const recorded: RecordedLines = {
    lineAmountTypes: document.lineAmountTypes,
    lines: document.lineItems.map((line) => ({
      description: line.description,
      quantity: line.quantity,
      unitAmount: line.unitAmount,
      accountCode: line.accountCode,
      taxType: line.taxType,
      ...(line.itemCode ? { itemCode: line.itemCode } : {}),
      tracking: line.tracking.map((t) => ({ name: t.name, option: t.option })),
      lineAmount: line.lineAmount,
      taxAmount: line.taxAmount,
    })),
  };
  return JSON.stringify(recorded);
}

/** Why a credit note cannot be recorded as it stands (its lines do not fit Lines__c), or undefined. */
export function unrecordable(document: XeroDraftDocument): string | undefined {
  const size = recordedLines(document).length;
  return size > MAX_RECORDED_LINES
    ? `This credit note's ${document.lineItems.length} lines take ${size} characters to record, more than a credit note holds (${MAX_RECORDED_LINES}): nothing was credited. Shorten the line descriptions or credit in parts.`
    : undefined;
}

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
  log: Pick<Logger, 'warn'>;
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
   * The credit note model for an approval, from the lines its Credit_Note__c recorded: the same lines, accounts, tax
   * types, items and tracking, so the same per-line tax and totals. Totals that no longer come to what was recorded
   * (a tax rate changed in Xero since) are refused: Xero would hold figures finance did not approve.
   */
  async function recordedDraft(
    recorded: RecordedLines,
    row: CreditNoteRecord,
    mirror: InvoiceMirror,
    contactId: string,
  ) {
    const entity = await deps.reference.entity(mirror.Billing_Entity__c ?? '');
    const reason = row.Reason__c?.trim() || 'Credit';
    const document = mapDocument({
      type: 'ACCRECCREDIT',
      entity,
      lineAmountTypes: recorded.lineAmountTypes,
      contact: { contactId },
      currencyCode: mirror.Currency_Code__c ?? entity.baseCurrency,
      date: today(),
      reference: `${mirror.Invoice_Number__c ?? mirror.Name}: ${reason}`.slice(0, 255),
      lines: recorded.lines.map((line) => ({
        description: line.description,
        quantity: line.quantity,
        unitPrice: line.unitAmount,
        accountCode: line.accountCode,
        taxType: line.taxType,
        ...(line.itemCode ? { itemCode: line.itemCode } : {}),
        tracking: line.tracking,
      })),
      taxRates: await deps.reference.taxRates(entity.xeroTenantId),
    });
    const approved = [row.Sub_Total__c, row.Total_Tax__c, row.Total__c];
    const sent = [document.subTotal, document.totalTax, document.total];
    if (approved.some((value, i) => value !== null && value !== undefined && !fromApiNumber(value).eq(sent[i]!))) {
      const figures = (values: readonly (string | number | null | undefined)[]) =>
        `${toWire(fromApiNumber(values[0] ?? 0))} + tax ${toWire(fromApiNumber(values[1] ?? 0))} = ${toWire(fromApiNumber(values[2] ?? 0))}`;
      throw new CreditNoteRefused(
        `The credit note's lines now come to ${figures(sent)} ${document.currencyCode} with the tax rates in Xero, not the ${figures(approved)} finance approved (a tax rate changed since it was recorded): nothing was sent to Xero. Raise the credit again.`,
      );
    }
    return document;
  }

  /** The lines a credit note recorded (Lines__c), or undefined for one recorded before they were kept. */
  function linesOf(row: CreditNoteRecord): RecordedLines | undefined {
    if (!row.Lines__c) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(row.Lines__c);
    } catch {
      json = undefined;
    }
    const parsed = recordedLinesSchema.safeParse(json);
    if (!parsed.success) {
      throw new CreditNoteRefused(
        `The lines recorded on credit note ${row.Name ?? row.Id} (Lines__c) cannot be read, so what finance approved cannot be sent: nothing was sent to Xero. Raise the credit again.`,
      );
    }
    return parsed.data;
  }

  /**
   * Records a credit note awaiting finance approval (nothing in Xero yet), keyed by the request that asked for it.
   * Returns the Credit_Note__c id.
   */
  async function saveDraft(document: XeroDraftDocument, source: CreditNoteSource): Promise<string> {
    const refusal = unrecordable(document);
    if (refusal) throw new DomainError('INVALID_INPUT', refusal);
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
      Lines__c: recordedLines(document),
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
    const refusal = unrecordable(document);
    if (refusal) return { kind: 'failed', error: refusal };
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
    const document = await approvedDocument(row, mirror, invoice.contact?.contactID ?? '');
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

  /**
   * What Xero is sent for an approved credit note: its recorded lines. One recorded before the lines were kept: the
   * credit as its CREDIT asked it (its lines, if any), else its total as one tax-inclusive amount, with a warning
   * (that amount's tax is worked out at the entity's tax type, which may not be the tax the credit note recorded).
   */
  async function approvedDocument(row: CreditNoteRecord, mirror: InvoiceMirror, contactId: string) {
    const recorded = linesOf(row);
    if (recorded) return recordedDraft(recorded, row, mirror, contactId);
    const asked = row.Request_Key__c ? await deps.jobs.getJobByKey(row.Request_Key__c) : null;
    let credit = askedCredit(asked?.payload);
    if (credit === undefined) {
      deps.log.warn(
        { creditNoteId: row.Id, requestKey: row.Request_Key__c, total: row.Total__c, totalTax: row.Total_Tax__c },
        "credit note recorded without its lines (before they were kept): sent to Xero as one tax-inclusive line of its total, at the entity's tax type and account; check its tax in Xero",
      );
      credit = { amount: String(row.Total__c ?? '0'), reason: row.Reason__c ?? 'Credit' };
    }
    return (await draftFor(credit, mirror, contactId)).document;
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
