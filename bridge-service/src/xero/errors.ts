import { LedgerlineError } from '../lib/errors';
import { parseRetryAfter } from '../lib/retry';

/** A Xero validation message attached to one element of a request. */
export interface XeroValidationMessage {
  message: string;
}

/**
 * A non-2xx answer (or no answer: status 0) from the Xero Accounting API, parsed from xero-node's rejected
 * JSON string. `problem` is X-Rate-Limit-Problem on a 429 (minute, day, concurrent, appminute).
 */
export class XeroApiError extends LedgerlineError {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  /** Retry-After, in seconds, when Xero sent one. */
  readonly retryAfter: number | undefined;
  readonly problem: string | undefined;
  readonly operation: string;
  readonly tenantId: string | undefined;

  constructor(init: {
    status: number;
    body: unknown;
    headers?: Record<string, string>;
    operation: string;
    tenantId?: string;
    cause?: unknown;
  }) {
    const headers = init.headers ?? {};
    super(
      `XERO_${init.status === 0 ? 'NETWORK' : init.status}`,
      describeXeroFailure(init.operation, init.status, init.body, headers),
      {
        cause: init.cause,
      },
    );
    this.status = init.status;
    this.body = init.body;
    this.headers = headers;
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    this.retryAfter = retryAfterMs === undefined ? undefined : retryAfterMs / 1000;
    this.problem = headers['x-rate-limit-problem'];
    this.operation = init.operation;
    this.tenantId = init.tenantId;
  }

  /**
   * Xero refused the call because the connection's consent does not cover it (401 with `WWW-Authenticate: Bearer
   * error="insufficient_scope"`): a fresh token has the same scopes, so only a new consent helps.
   */
  get insufficientScope(): boolean {
    return this.status === 401 && /insufficient_scope/i.test(this.headers['www-authenticate'] ?? '');
  }

  /** For the retry helper: the server-requested wait in ms. */
  get retryAfterMs(): number | undefined {
    return this.retryAfter === undefined ? undefined : this.retryAfter * 1000;
  }

  /**
   * Every validation message in the body (ValidationException Elements[].ValidationErrors[].Message), a lock-date
   * refusal in the bridge's words (explainValidationMessage).
   */
  get validationMessages(): string[] {
    return collectValidationMessages(this.body).map((m) => explainValidationMessage(this.operation, m));
  }

  /** Xero refused the write for a lock date: no retry helps until the date or the lock date moves. */
  get lockDateRefusal(): boolean {
    return collectValidationMessages(this.body).some(isLockRefusal);
  }
}

/** The Xero connection needs a person to reconnect it (refresh token reused, revoked or expired). */
export class XeroReauthorisationRequired extends LedgerlineError {
  readonly connectionId: string;

  constructor(connectionId: string, detail: string) {
    super(
      'XERO_REAUTHORISATION_REQUIRED',
      `Xero connection ${connectionId} must be reconnected by an administrator (${detail}). ` +
        'Open /connect/xero to authorise it again.',
    );
    this.connectionId = connectionId;
  }
}

/** Refreshing or exchanging a token failed for another reason (network, 5xx, bad client credentials). */
export class XeroTokenError extends LedgerlineError {
  /** HTTP status from the token endpoint (0 = no answer). Drives retry: 5xx/0 transient, 4xx not. */
  readonly status: number;
  readonly connectionId: string | undefined;

  constructor(message: string, status: number, connectionId?: string, options?: { cause?: unknown }) {
    super('XERO_TOKEN_ERROR', message, options);
    this.status = status;
    this.connectionId = connectionId;
  }
}

/** No token set for the connection, or the tenant is not linked to any connection. */
export class XeroNotConnectedError extends LedgerlineError {
  constructor(message: string) {
    super('XERO_NOT_CONNECTED', message);
  }
}

/**
 * The granular scope a Xero call needs (shared/reference/month-end.md §1), from the client's operation name, so a
 * refusal can name it. A `get…` call is also covered by the scope's `.read` variant.
 */
export function scopeForOperation(operation: string): string | undefined {
  const report = /^getReport(\w+)$/.exec(operation);
  if (report) return `accounting.reports.${report[1]!.toLowerCase()}.read`;
  const families: [RegExp, string][] = [
    [/ManualJournal/, 'accounting.manualjournals'],
    [/Payment/, 'accounting.payments'],
    [/BankTransaction|BankTransfer/, 'accounting.banktransactions'],
    [/Invoice|CreditNote|Item|Quote|PurchaseOrder|LinkedTransaction/, 'accounting.invoices'],
    [/Contact/, 'accounting.contacts'],
    [/Organisation|TaxRate|Account|Currenc|TrackingCategor|BrandingTheme/, 'accounting.settings'],
  ];
  const scope = families.find(([pattern]) => pattern.test(operation))?.[1];
  if (!scope) return undefined;
  return operation.startsWith('get') ? `${scope} (or ${scope}.read)` : scope;
}

function describeXeroFailure(
  operation: string,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): string {
  if (status === 0) return `Xero ${operation}: no response (${typeof body === 'string' ? body : 'network error'})`;
  if (status === 401 && /insufficient_scope/i.test(headers['www-authenticate'] ?? '')) {
    const scope = scopeForOperation(operation);
    return (
      `Xero ${operation} refused (401 insufficient_scope): the Xero connection was not granted ` +
      `${scope ?? 'the scope this call needs'}. Add it to XERO_SCOPES if it is missing, then reconnect the ` +
      'organisation at /connect/xero so Xero asks for consent again'
    );
  }
  const messages = collectValidationMessages(body).map((m) => explainValidationMessage(operation, m));
  if (messages.length > 0) return `Xero ${operation} rejected (${status}): ${messages.join('; ')}`;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const detail = b.Detail ?? b.Message ?? b.Title ?? b.error;
    if (typeof detail === 'string') return `Xero ${operation} failed (${status}): ${detail}`;
  }
  if (typeof body === 'string' && body.trim() !== '')
    return `Xero ${operation} failed (${status}): ${body.slice(0, 300)}`;
  return `Xero ${operation} failed (${status})`;
}

/** How the bridge's words for a lock-date refusal begin; words that begin so are not explained again. */
const BOOKS_LOCKED = "Xero's books are locked";
const LOCK_WORDS = /\block date\b|\blocked period\b|\bperiod lock\b|\bend[- ]of[- ]year lock\b/i;
const DAY = String.raw`\d{1,2} [A-Z][a-z]{2,8} \d{4}|\d{4}-\d{2}-\d{2}`;

/** Whether a Xero validation message (or the bridge's words for one) refuses a write for a lock date. */
export function isLockRefusal(message: string): boolean {
  return message.startsWith(BOOKS_LOCKED) || LOCK_WORDS.test(message);
}

/** A Xero refusal because a date is on or before one of the organisation's lock dates (month-end.md §3). */
export interface LockRefusal {
  /** Which lock, when Xero's words name it. */
  lock?: 'period' | 'end of year';
  /** The lock date as Xero wrote it ("28 Feb 2026"), when it did. */
  lockDate?: string;
  /** The refused document's or payment's date as Xero wrote it, when it did. */
  day?: string;
}

/**
 * Whether a Xero validation message refuses a write for a lock date, and what it says. The reference gives no wording
 * for it (the emulator's is modelled: "The date 15 Feb 2026 is on or before the period lock date (28 Feb 2026). …"),
 * so any message speaking of a lock date or a locked period counts, and the dates are read only when worded so.
 */
export function lockRefusalOf(message: string): LockRefusal | undefined {
  if (message.startsWith(BOOKS_LOCKED) || !LOCK_WORDS.test(message)) return undefined;
  const lock = /end[- ]of[- ]year lock/i.test(message)
    ? 'end of year'
    : /period lock/i.test(message)
      ? 'period'
      : undefined;
  const lockDate = new RegExp(String.raw`lock date\s*(?:\(|of |is )?(${DAY})`, 'i').exec(message)?.[1];
  const day = new RegExp(String.raw`date (${DAY}) is on or before`, 'i').exec(message)?.[1];
  return { ...(lock ? { lock } : {}), ...(lockDate ? { lockDate } : {}), ...(day ? { day } : {}) };
}

/** What a person does about a lock-date refusal, by the Xero operation refused. */
function lockAdvice(operation: string, refusal: LockRefusal): string {
  const after = refusal.lockDate ? `a day after ${refusal.lockDate}` : 'a day after the lock date';
  const adviser = 'ask your Xero adviser to move the lock date back';
  switch (operation) {
    case 'updateInvoiceStatuses':
      // The approval is refused and the invoice sent back to Draft (invoice-actions/authorise.ts): a new date is a
      // change finance approves again, whatever Retry would find.
      return (
        `change the invoice's date in Xero to ${after} (or have your Xero adviser move the lock date back), ` +
        'then submit it for approval again'
      );
    case 'updateInvoiceStatus':
      return `it cannot be voided in a locked period. Raise a credit note for it instead (dated today), or ${adviser} and press Retry on the invoice`;
    case 'createCreditNotes':
    case 'allocateCreditNote':
      return `${adviser}, then press Retry on the invoice`;
    default:
      return `${adviser}, or date it ${after}`;
  }
}

/**
 * A lock-date refusal in words a finance user acts on ("Xero's books are locked up to 28 Feb 2026 (the period lock
 * date), and this is dated 15 Feb 2026: change the invoice's date in Xero to a day after 28 Feb 2026 (or have your Xero
 * adviser move the lock date back), then submit it for approval again"); any other message as Xero wrote it. Nothing is re-dated by the bridge: the date is finance's.
 */
export function explainValidationMessage(operation: string, message: string): string {
  const refusal = lockRefusalOf(message);
  if (!refusal) return message;
  const which = refusal.lock ? ` (the ${refusal.lock} lock date)` : '';
  const locked = refusal.lockDate
    ? `${BOOKS_LOCKED} up to ${refusal.lockDate}${which}`
    : `${BOOKS_LOCKED} for that date (Xero: ${message.trim()})`;
  const dated = refusal.day ? `, and this is dated ${refusal.day}` : '';
  return `${locked}${dated}: ${lockAdvice(operation, refusal)}`;
}

/** Pulls ValidationErrors[].Message out of a Xero error body (summarised or per element). */
export function collectValidationMessages(body: unknown): string[] {
  const out: string[] = [];
  const visit = (node: unknown, depth: number) => {
    if (depth > 4 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    const record = node as Record<string, unknown>;
    for (const key of ['ValidationErrors', 'validationErrors']) {
      const list = record[key];
      if (Array.isArray(list)) {
        for (const v of list) {
          const message =
            (v as Record<string, unknown> | null)?.Message ?? (v as Record<string, unknown> | null)?.message;
          if (typeof message === 'string' && !out.includes(message)) out.push(message);
        }
      }
    }
    for (const key of ['Elements', 'elements']) visit(record[key], depth + 1);
  };
  visit(body, 0);
  return out;
}
