import { z } from 'zod';
import { postClosePayloadSchema } from '../domain/close-records';
import type { SalesforceNames } from './schema';

export const ACTIONS = [
  'CREATE_DRAFT',
  'AUTHORISE',
  'VOID',
  'CREDIT',
  'RESYNC',
  // go-live (issue 18): finance's decision on a contact match review, a partial or milestone invoice, a rejected
  // draft corrected and sent again
  'CONTACT_MATCH',
  'CREATE_PARTIAL',
  'UPDATE_DRAFT',
  // month-end close (issue 16): finance approved a close; Payload__c names it and the version approved
  'POST_CLOSE',
  // issue 20: a rep asked for the customer's online-invoice link, read from Xero on request only
  'ONLINE_LINK',
] as const;
/** Requests about an Opportunity (the rest are about an Invoice__c, but CONTACT_MATCH, about a review, and POST_CLOSE,
 * about a close). */
const ON_OPPORTUNITY: readonly Action[] = ['CREATE_DRAFT', 'CREATE_PARTIAL'];
const ON_OTHER_RECORDS: readonly Action[] = ['CONTACT_MATCH', 'POST_CLOSE'];
export type Action = (typeof ACTIONS)[number];

const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** A record id as its first 15 characters: the same record whether a request or row carries its 15- or 18-character id. */
export const recordKey15 = (id: string): string => id.slice(0, 15);

/** The 3-character suffix that makes a 15-character id 18: one letter per 5 characters, flagging upper case. */
export function idChecksum(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let flags = 0;
    for (let i = 0; i < 5; i += 1) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') flags |= 1 << i;
    }
    out += CHECKSUM_ALPHABET.charAt(flags);
  }
  return out;
}

/**
 * A Salesforce record id: 15 or 18 letters and digits; an 18-character id's suffix must match its first 15
 * (a mistyped or case-mangled id fails here); with `kind`, the id must be of that object.
 */
const salesforceId = (kind?: { prefix: string; object: string; article: 'a' | 'an' }) => {
  const id = z
    .string({ message: 'not a Salesforce id (expected text)' })
    .refine((value) => ID_SHAPE.test(value), { message: 'not a Salesforce id', abort: true })
    .refine((value) => value.length === 15 || value.slice(15).toUpperCase() === idChecksum(value.slice(0, 15)), {
      message: 'not a Salesforce id (its 18-character checksum does not match)',
      abort: true,
    });
  if (!kind) return id;
  return id.refine((value) => value.startsWith(kind.prefix), {
    message: `not ${kind.article} ${kind.object} id (${kind.object} ids start with ${kind.prefix})`,
  });
};
const emptyAsUndefined = (value: unknown) => (value === null || value === '' ? undefined : value);

/**
 * Request_Key__c becomes the Idempotency-Key of Xero writes (an HTTP header of at most 128 characters), with
 * suffixes such as `:ALLOCATE` for follow-up calls: so at most 100 visible ASCII characters, no spaces.
 * Apex's keys look like `CREATE_DRAFT:006000000000001AAA:1`.
 */
export const MAX_REQUEST_KEY_LENGTH = 100;
const requestKey = z
  .string({ message: 'Request_Key__c is required' })
  .refine((key) => key.trim() !== '', { message: 'Request_Key__c is blank', abort: true })
  .refine((key) => key.length <= MAX_REQUEST_KEY_LENGTH, {
    message: `Request_Key__c is too long: at most ${MAX_REQUEST_KEY_LENGTH} characters (it becomes Xero's Idempotency-Key)`,
    abort: true,
  })
  .refine((key) => /^[\x21-\x7E]+$/.test(key), {
    message: 'Request_Key__c must be printable ASCII without spaces or line breaks (it becomes an HTTP header)',
  });

/**
 * The key of a request Salesforce makes once per record (version 1 of `ACTION:recordId:version`, the rule of
 * InvoiceRequestPublisher.requestKey): an invoice's or credit note's approval, a void, a customer-link ask.
 */
export const onceKey = (action: Action, recordId: string): string => `${action}:${recordId}:1`;

/** Invoice_Request__e as the bridge accepts it (namespace already stripped). */
export const invoiceRequestSchema = z
  .object({
    Action__c: z.enum(ACTIONS, { message: `Action__c must be one of ${ACTIONS.join(', ')}` }),
    Request_Key__c: requestKey,
    Opportunity_Id__c: z.preprocess(
      emptyAsUndefined,
      salesforceId({ prefix: '006', object: 'Opportunity', article: 'an' }).optional(),
    ),
    // Invoice__c is a custom object: its key prefix differs from org to org.
    Invoice_Id__c: z.preprocess(emptyAsUndefined, salesforceId().optional()),
    Requested_By__c: z.preprocess(
      emptyAsUndefined,
      salesforceId({ prefix: '005', object: 'User', article: 'a' }).optional(),
    ),
    Payload__c: z.preprocess(
      emptyAsUndefined,
      z.string({ message: 'Payload__c must be text (JSON)' }).max(131072).optional(),
    ),
  })
  .superRefine((event, ctx) => {
    if (ON_OPPORTUNITY.includes(event.Action__c) && !event.Opportunity_Id__c) {
      ctx.addIssue({
        code: 'custom',
        path: ['Opportunity_Id__c'],
        message: `${event.Action__c} needs Opportunity_Id__c`,
      });
    }
    if (event.Action__c === 'CONTACT_MATCH' && event.Payload__c === undefined) {
      ctx.addIssue({ code: 'custom', path: ['Payload__c'], message: 'CONTACT_MATCH needs Payload__c (the decision)' });
    }
    if (
      !ON_OPPORTUNITY.includes(event.Action__c) &&
      !ON_OTHER_RECORDS.includes(event.Action__c) &&
      !event.Invoice_Id__c
    ) {
      ctx.addIssue({ code: 'custom', path: ['Invoice_Id__c'], message: `${event.Action__c} needs Invoice_Id__c` });
    }
    if (event.Action__c === 'POST_CLOSE') checkPostClose(event.Payload__c, ctx);
    if (event.Payload__c !== undefined) {
      try {
        JSON.parse(event.Payload__c);
      } catch {
        ctx.addIssue({ code: 'custom', path: ['Payload__c'], message: 'Payload__c is not valid JSON' });
      }
    }
  });

/** POST_CLOSE carries {"closeId","version"} (MonthEndCloseTriggerHandler): checked here, so a bad one is never stored. */
function checkPostClose(payload: string | undefined, ctx: z.RefinementCtx): void {
  let value: unknown;
  try {
    value = payload === undefined ? undefined : JSON.parse(payload);
  } catch {
    return; // reported as invalid JSON below
  }
  const parsed = postClosePayloadSchema.safeParse(value);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'} ${i.message}`).join('; ');
    ctx.addIssue({ code: 'custom', path: ['Payload__c'], message: `POST_CLOSE needs {"closeId","version"}: ${why}` });
  }
}

/**
 * What finance approved, carried in an invoice's AUTHORISE Payload__c (InvoiceTriggerHandler.cls): the record's total
 * (2 dp, as text) and the Xero version it held (Xero_Updated__c, JSON.serialize's ISO text, null when it had none).
 * The bridge authorises only that invoice (sync/invoice-actions/authorise.ts). A request queued before these were sent
 * has no payload: it is authorised as before, with a warning.
 */
export const approvedInvoiceSchema = z.object({
  approvedTotal: z
    .string({ message: 'approvedTotal must be the approved total as text' })
    .regex(/^-?\d+(\.\d+)?$/, { message: 'approvedTotal must be a decimal number' })
    .nullable(),
  xeroUpdated: z.string({ message: 'xeroUpdated must be a timestamp as text' }).nullish(),
});
export type ApprovedInvoice = z.output<typeof approvedInvoiceSchema>;

/** A validated request, in the bridge's own terms. */
export interface InvoiceRequest {
  action: Action;
  requestKey: string;
  opportunityId?: string;
  invoiceId?: string;
  requestedBy?: string;
  payload?: unknown;
}

export type ParseResult = { ok: true; request: InvoiceRequest } | { ok: false; reason: string };

/** Validates a platform event payload; a bad one gets a reason a person can read, never an exception. */
export function parseInvoiceRequest(rawPayload: unknown, names: SalesforceNames): ParseResult {
  const parsed = invoiceRequestSchema.safeParse(names.strip(rawPayload));
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ');
    return { ok: false, reason: `Invalid Invoice_Request__e: ${reason}` };
  }
  const event = parsed.data;
  return {
    ok: true,
    request: {
      action: event.Action__c,
      requestKey: event.Request_Key__c,
      opportunityId: event.Opportunity_Id__c,
      invoiceId: event.Invoice_Id__c,
      requestedBy: event.Requested_By__c,
      payload: event.Payload__c === undefined ? undefined : JSON.parse(event.Payload__c),
    },
  };
}

/** Action__c of an event that carries several requests in Requests__c (InvoiceRequestPublisher.MANY: a bulk save). */
export const MANY = 'MANY';

/**
 * Validates a platform event: one request, or each of the requests a MANY event carries in Requests__c (a JSON array
 * of requests with the event's field names; Requested_By__c, when a request has none, is the event's). One result
 * per request, in order: a bad request is refused on its own, with its place and key in the reason, and the others
 * stand.
 */
export function parseInvoiceRequests(rawPayload: unknown, names: SalesforceNames): ParseResult[] {
  const event = names.strip(rawPayload);
  if (!isRecord(event) || event.Action__c !== MANY) return [parseInvoiceRequest(rawPayload, names)];
  const refused = (reason: string): ParseResult[] => [{ ok: false, reason: `Invalid Invoice_Request__e: ${reason}` }];
  if (typeof event.Requests__c !== 'string')
    return refused('a MANY event needs Requests__c (a JSON array of requests)');
  let list: unknown;
  try {
    list = JSON.parse(event.Requests__c);
  } catch {
    return refused('Requests__c is not valid JSON');
  }
  if (!Array.isArray(list) || list.length === 0)
    return refused('Requests__c must be a non-empty JSON array of requests');
  return list.map((inner: unknown, index) => {
    const fields = isRecord(inner) ? inner : {};
    const parsed = parseInvoiceRequest(
      isRecord(inner) ? { Requested_By__c: event.Requested_By__c, ...(names.strip(inner) as object) } : inner,
      names,
    );
    if (parsed.ok) return parsed;
    const key = typeof fields.Request_Key__c === 'string' ? fields.Request_Key__c.slice(0, 100) : 'no key';
    return { ok: false, reason: `request ${index + 1} of ${list.length} (${key}): ${parsed.reason}` };
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
