/**
 * Mirrors InvoiceRequestPublisher.cls: the request-key rule, the event fields build() sets, and publish() (a refused
 * publish becomes an error on the records, as the Apex addError does).
 */
import { SalesforceError } from '../errors';
import type { DmlContext, SalesforceOrg } from '../salesforce-org';
import type { Labels } from './custom-labels';

export const ACTIONS = [
  'CREATE_DRAFT',
  'AUTHORISE',
  'VOID',
  'CREDIT',
  'RESYNC',
  'CONTACT_MATCH',
  'CREATE_PARTIAL',
  'UPDATE_DRAFT',
  'POST_CLOSE',
  'ONLINE_LINK',
] as const;
export type Action = (typeof ACTIONS)[number];

/** build()'s parameters and the Invoice_Request__e field each one fills (checked against the Apex by a test). */
export const BUILD_FIELDS = {
  action: 'Action__c',
  opportunityId: 'Opportunity_Id__c',
  invoiceId: 'Invoice_Id__c',
  requestKey: 'Request_Key__c',
  payload: 'Payload__c',
} as const;
/** set from UserInfo.getUserId(), not a parameter */
export const REQUESTED_BY_FIELD = 'Requested_By__c';

export function requestKey(action: Action, recordId: string, version: string): string {
  return `${action}:${recordId}:${version}`;
}

export interface InvoiceRequest {
  action: Action;
  opportunityId: string | null;
  invoiceId: string | null;
  requestKey: string;
  payload: string | null;
}

export function build(
  action: Action,
  opportunityId: string | null,
  invoiceId: string | null,
  key: string,
  payload: string | null,
): InvoiceRequest {
  return { action, opportunityId, invoiceId, requestKey: key, payload };
}

/**
 * Publishes inside the caller's transaction, so the events go out only if it commits (PublishAfterCommit). Like
 * EventBus.publish in Apex (system mode), it needs no permission on the event; read-only mode stops nothing here (the
 * bridge holds the requests).
 */
export function publish(org: SalesforceOrg, requests: InvoiceRequest[], ctx: DmlContext, labels: Labels): void {
  if (!requests.length) return;
  const eventName = org.n('Invoice_Request__e');
  for (const r of requests) {
    const fields: Record<string, unknown> = {};
    for (const [param, fieldName] of Object.entries(BUILD_FIELDS))
      fields[org.n(fieldName)] = r[param as keyof InvoiceRequest];
    fields[org.n(REQUESTED_BY_FIELD)] = ctx.userId;
    try {
      org.insert(eventName, fields, { userId: ctx.userId });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new SalesforceError(
        400,
        'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        labels('Ledgerline_Error_Request_Not_Sent', reason),
      );
    }
  }
}
