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

  /** Every validation message in the body (ValidationException Elements[].ValidationErrors[].Message). */
  get validationMessages(): string[] {
    return collectValidationMessages(this.body);
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
  const messages = collectValidationMessages(body);
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
