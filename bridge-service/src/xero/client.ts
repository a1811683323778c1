import type { Contact, Invoice } from 'xero-node';
import type { XeroContactModel } from '../domain/contact';
import type { Config } from '../config';
import type { Logger } from '../lib/logger';
import type { RetryOptions } from '../lib/retry';
import { checkKey, createXeroCall, type XeroCall } from './calls';
import { checkBatch, paging, toBatch, toPage } from './results';
import { XeroApiError } from './errors';
import type { XeroScheduler } from './scheduler';
import type { XeroTokenManager } from './tokens';
import type {
  BatchElementResult,
  PagedQuery,
  XeroAllocation,
  XeroAllocationInput,
  XeroContact,
  XeroCreditNote,
  XeroInvoice,
  XeroOrganisation,
  XeroPage,
  XeroPayment,
  XeroTaxRate,
} from './types';
import {
  readCreditNote,
  readInvoice,
  readOrganisation,
  readPayment,
  readTaxRate,
  toAllocations,
  toContacts,
  toCreditNotes,
  toInvoices,
  toStatusChange,
  type NewCreditNote,
  type NewInvoice,
} from './wire';

export { toXeroApiError } from './calls';
export { MAX_BATCH } from './results';
export { XeroRequestInvalid, type NewCreditNote, type NewInvoice } from './wire';

/** IDs per GET /Invoices?IDs=… call (keeps the URL short). */
const IDS_PER_CALL = 40;

export interface XeroClientOptions {
  config: Pick<Config['xero'], 'apiBaseUrl'> & { httpTimeoutMs: number };
  tokens: Pick<XeroTokenManager, 'connectionIdForTenant' | 'getAccessToken' | 'refresh'>;
  /** `longWait`: a tenant that must wait longer than `maxRetryAfterMs` is refused at once, not queued (calls.ts). */
  scheduler: Pick<XeroScheduler, 'schedule'> & Partial<Pick<XeroScheduler, 'snapshot' | 'longWait'>>;
  logger?: Pick<Logger, 'warn' | 'debug'>;
  /** Retry policy for 5xx, network errors, timeouts and 429. Default: 4 retries, jittered backoff. */
  retry?: Omit<RetryOptions, 'isRetryable' | 'onRetry'>;
  /**
   * A 429 asking for a longer wait than this (e.g. the daily limit) is not retried in-process: it is thrown
   * so the job can be rescheduled for `retryAfterMs` instead of holding a worker. Default 60 s.
   */
  maxRetryAfterMs?: number;
  /** Told of the bridge's writes that a payment tends to follow, as each is made (calls.ts `isTenantActivity`). */
  onTenantWrite?: (tenantId: string) => void;
}

/**
 * The bridge's Xero Accounting client: xero-node's AccountingApi pointed at the configured base path, called as
 * calls.ts describes (scheduler, tokens, timeouts, retries), with the tenant id on every call, an Idempotency-Key on
 * every write, summarizeErrors=false on batch creates and unitdp=4. Domain objects go in (wire.ts maps them to the
 * SDK's models); xero-node's models come back, their enums as names. Only the operations the sync layer uses.
 */
/** The call path both Xero clients use (XeroClient, XeroLedgerClient), from their shared options. */
export function xeroCallOf(opts: XeroClientOptions): XeroCall {
  return createXeroCall({
    basePath: opts.config.apiBaseUrl.replace(/\/+$/, ''),
    timeoutMs: opts.config.httpTimeoutMs,
    tokens: opts.tokens,
    scheduler: opts.scheduler,
    logger: opts.logger,
    retry: opts.retry,
    maxRetryAfterMs: opts.maxRetryAfterMs ?? 60_000,
    onTenantWrite: opts.onTenantWrite,
  });
}

export class XeroClient {
  private readonly call: XeroCall;

  constructor(opts: XeroClientOptions) {
    this.call = xeroCallOf(opts);
  }

  // ── invoices ──────────────────────────────────────────────────────────────────────────────────────────

  /** PUT /Invoices (create only), up to 50 per call; results in request order. */
  async createInvoices(
    tenantId: string,
    invoices: readonly NewInvoice[],
    idempotencyKey: string,
  ): Promise<BatchElementResult<XeroInvoice>[]> {
    checkBatch('createInvoices', invoices, idempotencyKey);
    const payload = toInvoices(invoices);
    const body = await this.call(tenantId, 'createInvoices', (api) =>
      api.createInvoices(tenantId, payload, false, 4, idempotencyKey),
    );
    const items = (body.invoices ?? []).map(readInvoice);
    return toBatch('createInvoices', items, invoices.length, (r) => r.invoiceID);
  }

  /** POST /Invoices/{id} with only a new status (SUBMITTED, AUTHORISED, VOIDED, DELETED). */
  async updateInvoiceStatus(
    tenantId: string,
    invoiceId: string,
    status: 'SUBMITTED' | 'AUTHORISED' | 'VOIDED' | 'DELETED',
    idempotencyKey: string,
  ): Promise<XeroInvoice> {
    checkKey('updateInvoiceStatus', idempotencyKey);
    const body = await this.call(tenantId, 'updateInvoiceStatus', (api) =>
      api.updateInvoice(tenantId, invoiceId, toStatusChange(invoiceId, status), 4, idempotencyKey),
    );
    const invoice = body.invoices?.[0];
    if (!invoice) throw new XeroApiError({ status: 502, body, operation: 'updateInvoiceStatus', tenantId });
    return readInvoice(invoice);
  }

  /**
   * POST /Invoices with only a new status for up to 50 invoices (summarizeErrors=false): one call for the batch,
   * each invoice's result (the invoice, or Xero's reasons) in request order.
   */
  async updateInvoiceStatuses(
    tenantId: string,
    invoiceIds: readonly string[],
    status: 'AUTHORISED',
    idempotencyKey: string,
  ): Promise<BatchElementResult<XeroInvoice>[]> {
    checkBatch('updateInvoiceStatuses', invoiceIds, idempotencyKey);
    const payload = { invoices: invoiceIds.flatMap((id) => toStatusChange(id, status).invoices ?? []) };
    const body = await this.call(tenantId, 'updateInvoiceStatuses', (api) =>
      api.updateOrCreateInvoices(tenantId, payload, false, 4, idempotencyKey),
    );
    const items = (body.invoices ?? []).map(readInvoice);
    return toBatch('updateInvoiceStatuses', items, invoiceIds.length, (r) => r.invoiceID);
  }

  /** Full invoices (line items included) by Xero id, any number of ids. */
  async getInvoicesByIds(tenantId: string, invoiceIds: readonly string[]): Promise<XeroInvoice[]> {
    const out: XeroInvoice[] = [];
    for (let i = 0; i < invoiceIds.length; i += IDS_PER_CALL) {
      const ids = invoiceIds.slice(i, i + IDS_PER_CALL);
      for (let page = 1; ; page += 1) {
        const body = await this.call(tenantId, 'getInvoices', (api) =>
          api.getInvoices(
            tenantId,
            undefined,
            undefined,
            undefined,
            ids,
            undefined,
            undefined,
            undefined,
            page,
            true,
            undefined,
            4,
            undefined,
            100,
          ),
        );
        const items: Invoice[] = body.invoices ?? [];
        out.push(...items.map(readInvoice));
        if (items.length < 100) break;
      }
    }
    return out;
  }

  /**
   * One page of invoices changed since a time, oldest change first: with line items and payments, or with
   * `summaryOnly` Xero's lightweight fields only (no lines, payments or credit notes; far fewer bytes).
   */
  async getInvoicesModifiedSince(
    tenantId: string,
    query: PagedQuery & { statuses?: string[]; summaryOnly?: boolean },
  ): Promise<XeroPage<XeroInvoice>> {
    const { page, pageSize } = paging(query);
    const body = await this.call(tenantId, 'getInvoices', (api) =>
      api.getInvoices(
        tenantId,
        query.modifiedSince,
        query.where,
        query.order ?? 'UpdatedDateUTC ASC',
        undefined,
        undefined,
        undefined,
        query.statuses,
        page,
        true,
        undefined,
        4,
        query.summaryOnly || undefined,
        pageSize,
      ),
    );
    return toPage((body.invoices ?? []).map(readInvoice), page, pageSize);
  }

  /** POST /Invoices/{id}/Email: Xero emails the approved invoice to the contact. */
  async emailInvoice(tenantId: string, invoiceId: string, idempotencyKey: string): Promise<void> {
    checkKey('emailInvoice', idempotencyKey);
    await this.call(tenantId, 'emailInvoice', async (api) => {
      await api.emailInvoice(tenantId, invoiceId, {}, idempotencyKey);
      return { body: undefined }; // 204: Xero answers with no body
    });
  }

  /** The customer-facing online invoice URL (approved sales invoices only), or null. */
  async getOnlineInvoiceUrl(tenantId: string, invoiceId: string): Promise<string | null> {
    const body = await this.call(tenantId, 'getOnlineInvoice', (api) => api.getOnlineInvoice(tenantId, invoiceId));
    return body.onlineInvoices?.[0]?.onlineInvoiceUrl ?? null;
  }

  // ── contacts ──────────────────────────────────────────────────────────────────────────────────────────

  /** PUT /Contacts, up to 50 per call; results in request order. */
  async createContacts(
    tenantId: string,
    contacts: readonly XeroContactModel[],
    idempotencyKey: string,
  ): Promise<BatchElementResult<XeroContact>[]> {
    checkBatch('createContacts', contacts, idempotencyKey);
    const payload = toContacts(contacts);
    const body = await this.call(tenantId, 'createContacts', (api) =>
      api.createContacts(tenantId, payload, false, idempotencyKey),
    );
    const items: Contact[] = body.contacts ?? [];
    return toBatch('createContacts', items, contacts.length, (r) => r.contactID);
  }

  /** The contact with this ContactNumber (the bridge uses the Salesforce Account id), or null. */
  async findContactByNumber(tenantId: string, contactNumber: string): Promise<XeroContact | null> {
    try {
      const body = await this.call(tenantId, 'getContactByContactNumber', (api) =>
        api.getContactByContactNumber(tenantId, contactNumber),
      );
      return body.contacts?.[0] ?? null;
    } catch (err) {
      if (err instanceof XeroApiError && err.status === 404) return null;
      throw err;
    }
  }

  // ── credit notes ──────────────────────────────────────────────────────────────────────────────────────

  /** PUT /CreditNotes, up to 50 per call; results in request order. */
  async createCreditNotes(
    tenantId: string,
    creditNotes: readonly NewCreditNote[],
    idempotencyKey: string,
  ): Promise<BatchElementResult<XeroCreditNote>[]> {
    checkBatch('createCreditNotes', creditNotes, idempotencyKey);
    const payload = toCreditNotes(creditNotes);
    const body = await this.call(tenantId, 'createCreditNotes', (api) =>
      api.createCreditNotes(tenantId, payload, false, 4, idempotencyKey),
    );
    const items = (body.creditNotes ?? []).map(readCreditNote);
    return toBatch('createCreditNotes', items, creditNotes.length, (r) => r.creditNoteID);
  }

  /** PUT /CreditNotes/{id}/Allocations: applies credit to one invoice. */
  async allocateCreditNote(
    tenantId: string,
    creditNoteId: string,
    allocation: XeroAllocationInput,
    idempotencyKey: string,
  ): Promise<XeroAllocation> {
    checkKey('allocateCreditNote', idempotencyKey);
    const payload = toAllocations(allocation);
    const body = await this.call(tenantId, 'allocateCreditNote', (api) =>
      api.createCreditNoteAllocation(tenantId, creditNoteId, payload, false, idempotencyKey),
    );
    const result = body.allocations?.[0];
    const [element] = toBatch('allocateCreditNote', result ? [result] : [], 1, (r) => r.allocationID ?? 'allocated');
    if (!element?.ok) {
      throw new XeroApiError({
        status: 400,
        body: { Elements: [{ ValidationErrors: (element?.errors ?? []).map((m) => ({ Message: m })) }] },
        operation: 'allocateCreditNote',
        tenantId,
      });
    }
    return element.record;
  }

  /** One page of credit notes, optionally changed since a time. */
  async getCreditNotes(tenantId: string, query: PagedQuery = {}): Promise<XeroPage<XeroCreditNote>> {
    const { page, pageSize } = paging(query);
    const body = await this.call(tenantId, 'getCreditNotes', (api) =>
      api.getCreditNotes(
        tenantId,
        query.modifiedSince,
        query.where,
        query.order ?? 'UpdatedDateUTC ASC',
        page,
        4,
        pageSize,
      ),
    );
    return toPage((body.creditNotes ?? []).map(readCreditNote), page, pageSize);
  }

  // ── payments, settings ────────────────────────────────────────────────────────────────────────────────

  /** One page of payments, optionally changed since a time (Xero sends no payment webhooks: poll this). */
  async getPayments(tenantId: string, query: PagedQuery = {}): Promise<XeroPage<XeroPayment>> {
    const { page, pageSize } = paging(query);
    const body = await this.call(tenantId, 'getPayments', (api) =>
      api.getPayments(tenantId, query.modifiedSince, query.where, query.order ?? 'UpdatedDateUTC ASC', page, pageSize),
    );
    return toPage((body.payments ?? []).map(readPayment), page, pageSize);
  }

  async getTaxRates(tenantId: string): Promise<XeroTaxRate[]> {
    const body = await this.call(tenantId, 'getTaxRates', (api) => api.getTaxRates(tenantId));
    return (body.taxRates ?? []).map(readTaxRate);
  }

  async getOrganisation(tenantId: string): Promise<XeroOrganisation> {
    const body = await this.call(tenantId, 'getOrganisation', (api) => api.getOrganisations(tenantId));
    const org = body.organisations?.[0];
    if (!org) throw new XeroApiError({ status: 502, body, operation: 'getOrganisation', tenantId });
    return readOrganisation(org);
  }
}
