import { dirname } from 'node:path';
import { AccountingApi } from 'xero-node';
import type { Config } from '../config';
import { isTransient, LedgerlineError, TimeoutError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { retry, withTimeout, type RetryOptions } from '../lib/retry';
import { XeroApiError } from './errors';
import type { XeroScheduler } from './scheduler';
import type { XeroTokenManager } from './tokens';
import type {
  BatchElementResult,
  Decimal,
  PagedQuery,
  XeroAllocation,
  XeroAllocationInput,
  XeroContact,
  XeroContactInput,
  XeroCreditNote,
  XeroCreditNoteInput,
  XeroElementFlags,
  XeroElementStatus,
  XeroInvoice,
  XeroInvoiceInput,
  XeroLineItemInput,
  XeroOrganisation,
  XeroPage,
  XeroPayment,
  XeroTaxRate,
} from './types';

/** Xero's practical ceiling for elements in one write. */
export const MAX_BATCH = 50;
/** IDs per GET /Invoices?IDs=… call (keeps the URL short). */
const IDS_PER_CALL = 40;
const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

/** A request the bridge refuses to send (bad batch size, missing key, malformed amount). A bug, not a Xero error. */
export class XeroRequestInvalid extends LedgerlineError {
  constructor(message: string) {
    super('XERO_REQUEST_INVALID', message);
  }
}

type SdkResult = { response: { status?: number; headers?: unknown }; body?: unknown };

export interface XeroClientOptions {
  config: Pick<Config['xero'], 'apiBaseUrl'> & { httpTimeoutMs: number };
  tokens: Pick<XeroTokenManager, 'connectionIdForTenant' | 'getAccessToken' | 'refresh'>;
  scheduler: Pick<XeroScheduler, 'schedule'>;
  logger?: Pick<Logger, 'warn' | 'debug'>;
  /** Retry policy for 5xx, network errors, timeouts and 429. Default: 4 retries, jittered backoff. */
  retry?: Omit<RetryOptions, 'isRetryable' | 'onRetry'>;
  /**
   * A 429 asking for a longer wait than this (e.g. the daily limit) is not retried in-process: it is thrown
   * so the job can be rescheduled for `retryAfterMs` instead of holding a worker. Default 60 s.
   */
  maxRetryAfterMs?: number;
}

/**
 * The bridge's Xero Accounting client: xero-node's AccountingApi pointed at the configured base path, with
 * a token from XeroTokenManager, the tenant id on every call, an Idempotency-Key on every write,
 * summarizeErrors=false on batch creates, unitdp=4, every call paced by the XeroScheduler, timeouts and
 * jittered retries on 5xx/network/429, one refresh-and-retry on 401, and xero-node's rejected JSON strings
 * turned into XeroApiError. Only the operations the sync handlers use are exposed.
 */
export class XeroClient {
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly tokens: XeroClientOptions['tokens'];
  private readonly scheduler: XeroClientOptions['scheduler'];
  private readonly log: XeroClientOptions['logger'];
  private readonly retryOptions: XeroClientOptions['retry'];
  private readonly maxRetryAfterMs: number;

  constructor(opts: XeroClientOptions) {
    this.basePath = opts.config.apiBaseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.config.httpTimeoutMs;
    this.tokens = opts.tokens;
    this.scheduler = opts.scheduler;
    this.log = opts.logger;
    this.retryOptions = opts.retry;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
    installAxiosTimeout(this.basePath, this.timeoutMs);
  }

  // ── invoices ──────────────────────────────────────────────────────────────────────────────────────────

  /** PUT /Invoices (create only), up to 50 per call; results in request order. */
  async createInvoices(
    tenantId: string,
    invoices: XeroInvoiceInput[],
    idempotencyKey: string,
  ): Promise<BatchElementResult<XeroInvoice>[]> {
    checkBatch('createInvoices', invoices, idempotencyKey);
    invoices.forEach((inv, i) => {
      if (!inv.type || !inv.contact || (!inv.contact.contactID && !inv.contact.name)) {
        throw new XeroRequestInvalid(`createInvoices: invoice ${i} needs a type and a contact (ContactID or Name)`);
      }
      if (!Array.isArray(inv.lineItems) || inv.lineItems.length === 0) {
        throw new XeroRequestInvalid(`createInvoices: invoice ${i} has no line items`);
      }
    });
    const payload = { invoices: invoices.map((inv) => wireDocument(inv, 'invoice')) };
    const body = await this.call(tenantId, 'createInvoices', (api) =>
      api.createInvoices(tenantId, payload as never, false, 4, idempotencyKey),
    );
    const items = ((body as { invoices?: XeroInvoice[] }).invoices ?? []) as XeroInvoice[];
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
      api.updateInvoice(
        tenantId,
        invoiceId,
        { invoices: [{ invoiceID: invoiceId, status }] } as never,
        4,
        idempotencyKey,
      ),
    );
    const invoice = (body as { invoices?: XeroInvoice[] }).invoices?.[0];
    if (!invoice) throw new XeroApiError({ status: 502, body, operation: 'updateInvoiceStatus', tenantId });
    return invoice;
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
        const items = ((body as { invoices?: XeroInvoice[] }).invoices ?? []) as XeroInvoice[];
        out.push(...items);
        if (items.length < 100) break;
      }
    }
    return out;
  }

  /** One page of invoices changed since a time (line items included), oldest change first. */
  async getInvoicesModifiedSince(
    tenantId: string,
    query: PagedQuery & { statuses?: string[] },
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
        undefined,
        pageSize,
      ),
    );
    return toPage((body as { invoices?: XeroInvoice[] }).invoices, page, pageSize);
  }

  /** POST /Invoices/{id}/Email: Xero emails the approved invoice to the contact. */
  async emailInvoice(tenantId: string, invoiceId: string, idempotencyKey: string): Promise<void> {
    checkKey('emailInvoice', idempotencyKey);
    await this.call(tenantId, 'emailInvoice', (api) => api.emailInvoice(tenantId, invoiceId, {}, idempotencyKey));
  }

  /** The customer-facing online invoice URL (approved sales invoices only), or null. */
  async getOnlineInvoiceUrl(tenantId: string, invoiceId: string): Promise<string | null> {
    const body = await this.call(tenantId, 'getOnlineInvoice', (api) => api.getOnlineInvoice(tenantId, invoiceId));
    const url = (body as { onlineInvoices?: { onlineInvoiceUrl?: string }[] }).onlineInvoices?.[0]?.onlineInvoiceUrl;
    return url ?? null;
  }

  // ── contacts ──────────────────────────────────────────────────────────────────────────────────────────

  /** PUT /Contacts, up to 50 per call; results in request order. */
  async createContacts(
    tenantId: string,
    contacts: XeroContactInput[],
    idempotencyKey: string,
  ): Promise<BatchElementResult<XeroContact>[]> {
    checkBatch('createContacts', contacts, idempotencyKey);
    contacts.forEach((c, i) => {
      if (!c.name) throw new XeroRequestInvalid(`createContacts: contact ${i} has no name`);
    });
    const body = await this.call(tenantId, 'createContacts', (api) =>
      api.createContacts(tenantId, { contacts } as never, false, idempotencyKey),
    );
    const items = ((body as { contacts?: XeroContact[] }).contacts ?? []) as XeroContact[];
    return toBatch('createContacts', items, contacts.length, (r) => r.contactID);
  }

  /** The contact with this ContactNumber (the bridge uses the Salesforce Account id), or null. */
  async findContactByNumber(tenantId: string, contactNumber: string): Promise<XeroContact | null> {
    try {
      const body = await this.call(tenantId, 'getContactByContactNumber', (api) =>
        api.getContactByContactNumber(tenantId, contactNumber),
      );
      return ((body as { contacts?: XeroContact[] }).contacts?.[0] as XeroContact | undefined) ?? null;
    } catch (err) {
      if (err instanceof XeroApiError && err.status === 404) return null;
      throw err;
    }
  }

  // ── credit notes ──────────────────────────────────────────────────────────────────────────────────────

  /** PUT /CreditNotes, up to 50 per call; results in request order. */
  async createCreditNotes(
    tenantId: string,
    creditNotes: XeroCreditNoteInput[],
    idempotencyKey: string,
  ): Promise<BatchElementResult<XeroCreditNote>[]> {
    checkBatch('createCreditNotes', creditNotes, idempotencyKey);
    const payload = { creditNotes: creditNotes.map((cn) => wireDocument(cn, 'credit note')) };
    const body = await this.call(tenantId, 'createCreditNotes', (api) =>
      api.createCreditNotes(tenantId, payload as never, false, 4, idempotencyKey),
    );
    const items = ((body as { creditNotes?: XeroCreditNote[] }).creditNotes ?? []) as XeroCreditNote[];
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
    const wire = {
      allocations: [
        {
          invoice: { invoiceID: allocation.invoiceId },
          amount: decimal(allocation.amount, 'allocation amount'),
          date: allocation.date,
        },
      ],
    };
    const body = await this.call(tenantId, 'allocateCreditNote', (api) =>
      api.createCreditNoteAllocation(tenantId, creditNoteId, wire as never, false, idempotencyKey),
    );
    const result = (body as { allocations?: XeroAllocation[] }).allocations?.[0] as XeroAllocation | undefined;
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
    return toPage((body as { creditNotes?: XeroCreditNote[] }).creditNotes, page, pageSize);
  }

  // ── payments, settings ────────────────────────────────────────────────────────────────────────────────

  /** One page of payments, optionally changed since a time (Xero sends no payment webhooks: poll this). */
  async getPayments(tenantId: string, query: PagedQuery = {}): Promise<XeroPage<XeroPayment>> {
    const { page, pageSize } = paging(query);
    const body = await this.call(tenantId, 'getPayments', (api) =>
      api.getPayments(tenantId, query.modifiedSince, query.where, query.order ?? 'UpdatedDateUTC ASC', page, pageSize),
    );
    return toPage((body as { payments?: XeroPayment[] }).payments, page, pageSize);
  }

  async getTaxRates(tenantId: string): Promise<XeroTaxRate[]> {
    const body = await this.call(tenantId, 'getTaxRates', (api) => api.getTaxRates(tenantId));
    return ((body as { taxRates?: XeroTaxRate[] }).taxRates ?? []) as XeroTaxRate[];
  }

  async getOrganisation(tenantId: string): Promise<XeroOrganisation> {
    const body = await this.call(tenantId, 'getOrganisation', (api) => api.getOrganisations(tenantId));
    const org = (body as { organisations?: XeroOrganisation[] }).organisations?.[0];
    if (!org) throw new XeroApiError({ status: 502, body, operation: 'getOrganisation', tenantId });
    return org;
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────

  private waitTooLong(err: unknown): boolean {
    return err instanceof XeroApiError && (err.retryAfterMs ?? 0) > this.maxRetryAfterMs;
  }

  /**
   * One logical call: retried on transient failures; each attempt waits for a scheduler slot, takes a
   * fresh access token inside it, and has a timeout. A 401 forces one token refresh and one more attempt.
   */
  private async call(
    tenantId: string,
    operation: string,
    fn: (api: AccountingApi) => Promise<SdkResult>,
  ): Promise<unknown> {
    const connectionId = await this.tokens.connectionIdForTenant(tenantId);
    let refreshedAfter401 = false;
    let retryNow = false;
    return retry(
      async () => {
        let accessToken: string | undefined;
        try {
          const result = await this.scheduler.schedule(tenantId, async () => {
            accessToken = await this.tokens.getAccessToken(connectionId);
            const api = new AccountingApi(this.basePath);
            api.accessToken = accessToken;
            try {
              return await withTimeout(fn(api), this.timeoutMs + 1_000, `Xero ${operation}`);
            } catch (err) {
              throw toXeroApiError(err, operation, tenantId);
            }
          });
          return result.body;
        } catch (err) {
          retryNow = false;
          if (err instanceof XeroApiError && err.status === 401 && !refreshedAfter401 && accessToken !== undefined) {
            refreshedAfter401 = true;
            // a refusal here (reauthorisation needed) propagates and is not retried
            await this.tokens.refresh(connectionId, { rejectedAccessToken: accessToken });
            retryNow = true;
          }
          throw err;
        }
      },
      {
        ...this.retryOptions,
        isRetryable: (err) => retryNow || (isTransient(err) && !this.waitTooLong(err)),
        onRetry: ({ attempt, delayMs, err }) =>
          this.log?.warn({ tenantId, operation, attempt, delayMs, err }, 'Xero call failed; retrying'),
      },
    );
  }
}

/** Turns xero-node's rejection (a JSON string, or `{ response, body }`) into XeroApiError. Other errors pass. */
export function toXeroApiError(err: unknown, operation: string, tenantId?: string): unknown {
  if (err instanceof XeroApiError || err instanceof TimeoutError) return err;
  let parsed: unknown = err;
  if (typeof err === 'string') {
    try {
      parsed = JSON.parse(err);
    } catch {
      return new XeroApiError({ status: 0, body: err, operation, tenantId });
    }
  }
  if (parsed && typeof parsed === 'object' && 'response' in parsed) {
    const p = parsed as { response?: Record<string, unknown>; body?: unknown };
    const r = p.response ?? {};
    const status = Number(r.statusCode ?? r.status ?? 0) || 0;
    return new XeroApiError({
      status,
      body: p.body ?? r.body ?? r.data,
      headers: lowerCaseHeaders(r.headers),
      operation,
      tenantId,
      cause: err instanceof Error ? err : undefined,
    });
  }
  return err;
}

function lowerCaseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers || typeof headers !== 'object') return out;
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function checkKey(operation: string, key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 128) {
    throw new XeroRequestInvalid(`${operation}: an Idempotency-Key of 1-128 characters is required`);
  }
}

function checkBatch(operation: string, items: readonly unknown[], key: string): void {
  checkKey(operation, key);
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH) {
    throw new XeroRequestInvalid(`${operation}: send 1-${MAX_BATCH} elements per call, got ${items?.length ?? 0}`);
  }
}

/** A decimal string or number as the JSON number Xero expects; rejects anything that is not a plain decimal. */
function decimal(value: Decimal, what: string): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(text) || !Number.isFinite(Number(text))) {
    throw new XeroRequestInvalid(`${what} ${JSON.stringify(value)} is not a decimal number`);
  }
  return Number(text);
}

const DECIMAL_LINE_FIELDS = [
  'quantity',
  'unitAmount',
  'taxAmount',
  'lineAmount',
  'discountRate',
  'discountAmount',
] as const;

function wireLine(line: XeroLineItemInput, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...line };
  for (const field of DECIMAL_LINE_FIELDS) {
    const v = line[field];
    if (v !== undefined) out[field] = decimal(v, `${where} ${field}`);
  }
  return out;
}

function wireDocument(
  doc: (XeroInvoiceInput | XeroCreditNoteInput) & { lineItems: XeroLineItemInput[] },
  kind: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...doc,
    lineItems: doc.lineItems.map((line, i) => wireLine(line, `${kind} line ${i}`)),
  };
  if (doc.currencyRate !== undefined) out.currencyRate = decimal(doc.currencyRate, `${kind} currencyRate`);
  return out;
}

function paging(query: PagedQuery): { page: number; pageSize: number } {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 100;
  if (!Number.isInteger(page) || page < 1) throw new XeroRequestInvalid(`page must be 1 or more, got ${page}`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new XeroRequestInvalid(`pageSize must be 1-1000, got ${pageSize}`);
  }
  return { page, pageSize };
}

function toPage<T>(items: T[] | undefined, page: number, pageSize: number): XeroPage<T> {
  const list = items ?? [];
  return { items: list, page, pageSize, hasMore: list.length >= pageSize };
}

function messages(list: { message?: string }[] | undefined): string[] {
  return (list ?? []).map((v) => v.message).filter((m): m is string => typeof m === 'string' && m !== '');
}

/** Maps a summarizeErrors=false response to per-element results, by position. */
function toBatch<T extends XeroElementFlags>(
  operation: string,
  items: T[],
  expected: number,
  idOf: (record: T) => string | undefined,
): BatchElementResult<T>[] {
  if (items.length !== expected) {
    throw new XeroApiError({
      status: 502,
      body: `expected ${expected} elements in the response, got ${items.length}`,
      operation,
    });
  }
  return items.map((record, index) => {
    const errors = messages(record.validationErrors);
    const warnings = messages(record.warnings);
    const rawId = idOf(record);
    const id = rawId && rawId !== ZERO_GUID ? rawId : null;
    const failed =
      record.hasErrors === true || errors.length > 0 || record.statusAttributeString === 'ERROR' || id === null;
    const status: XeroElementStatus = failed
      ? 'ERROR'
      : record.statusAttributeString === 'WARNING' || warnings.length
        ? 'WARNING'
        : 'OK';
    return { index, ok: !failed, status, id: failed ? null : id, errors, warnings, record };
  });
}

const timeoutsInstalled = new Set<string>();

/**
 * xero-node sets no timeout on Accounting calls (axios default: none) and its `options` only carry headers.
 * A request interceptor on the axios instance xero-node uses gives calls to our base path a real socket
 * timeout, so a hung request frees its scheduler slot (withTimeout is the backstop).
 */
function installAxiosTimeout(basePath: string, timeoutMs: number): void {
  const key = `${basePath} ${timeoutMs}`;
  if (timeoutsInstalled.has(key)) return;
  timeoutsInstalled.add(key);
  try {
    const axiosPath = require.resolve('axios', { paths: [dirname(require.resolve('xero-node'))] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const axios = require(axiosPath) as {
      interceptors: { request: { use: (fn: (cfg: { url?: string; timeout?: number }) => unknown) => void } };
    };
    axios.interceptors.request.use((cfg) => {
      if (!cfg.timeout && typeof cfg.url === 'string' && cfg.url.startsWith(basePath)) cfg.timeout = timeoutMs;
      return cfg;
    });
  } catch {
    // withTimeout still bounds every call
  }
}
