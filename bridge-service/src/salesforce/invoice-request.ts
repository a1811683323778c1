import { z } from 'zod';
import type { SalesforceNames } from './schema';

export const ACTIONS = ['CREATE_DRAFT', 'AUTHORISE', 'VOID', 'CREDIT', 'RESYNC'] as const;
export type Action = (typeof ACTIONS)[number];

const salesforceId = z.string().regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'not a Salesforce id');
const emptyAsUndefined = (value: unknown) => (value === null || value === '' ? undefined : value);

/** Invoice_Request__e as the bridge accepts it (namespace already stripped). */
export const invoiceRequestSchema = z
  .object({
    Action__c: z.enum(ACTIONS, { message: `Action__c must be one of ${ACTIONS.join(', ')}` }),
    Request_Key__c: z.string().min(1).max(255),
    Opportunity_Id__c: z.preprocess(emptyAsUndefined, salesforceId.optional()),
    Invoice_Id__c: z.preprocess(emptyAsUndefined, salesforceId.optional()),
    Requested_By__c: z.preprocess(emptyAsUndefined, salesforceId.optional()),
    Payload__c: z.preprocess(emptyAsUndefined, z.string().max(131072).optional()),
  })
  .superRefine((event, ctx) => {
    if (event.Action__c === 'CREATE_DRAFT' && !event.Opportunity_Id__c) {
      ctx.addIssue({ code: 'custom', path: ['Opportunity_Id__c'], message: 'CREATE_DRAFT needs Opportunity_Id__c' });
    }
    if (event.Action__c !== 'CREATE_DRAFT' && !event.Invoice_Id__c) {
      ctx.addIssue({ code: 'custom', path: ['Invoice_Id__c'], message: `${event.Action__c} needs Invoice_Id__c` });
    }
    if (event.Payload__c !== undefined) {
      try {
        JSON.parse(event.Payload__c);
      } catch {
        ctx.addIssue({ code: 'custom', path: ['Payload__c'], message: 'Payload__c is not valid JSON' });
      }
    }
  });

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
