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

/** Action__c of an event that carries several requests in Requests__c (InvoiceRequestPublisher.MANY). */
export const MANY = 'MANY';
/** The field a packed event carries its requests in, and its length (InvoiceRequestPublisher.REQUESTS_LENGTH). */
export const REQUESTS_FIELD = 'Requests__c';
export const REQUESTS_LENGTH = 131_072;

/** One request as its event's fields (names without the namespace). */
type RequestFields = Record<string, string | null>;

function fieldsOf(r: InvoiceRequest, userId: string): RequestFields {
  const fields: RequestFields = {};
  for (const [param, fieldName] of Object.entries(BUILD_FIELDS)) fields[fieldName] = r[param as keyof InvoiceRequest];
  fields[REQUESTED_BY_FIELD] = userId;
  return fields;
}

/**
 * InvoiceRequestPublisher.packed(): one request goes as it is; several go in as few MANY events as Requests__c
 * holds (a JSON array of the requests with the event's own field names), and one too long to share an event goes
 * alone, as it is. Every event delivered counts against the org's daily delivery allocation.
 */
export function packed(requests: readonly RequestFields[], userId: string): RequestFields[] {
  if (requests.length === 1) return [...requests];
  const events: RequestFields[] = [];
  let batch: { fields: RequestFields; json: string }[] = [];
  let length = 2; // the array's brackets
  const flush = () => {
    if (batch.length === 1) events.push(batch[0]!.fields);
    else if (batch.length > 1)
      events.push({
        Action__c: MANY,
        Request_Key__c: `${MANY}:${batch[0]!.fields.Request_Key__c}`,
        [REQUESTED_BY_FIELD]: userId,
        [REQUESTS_FIELD]: `[${batch.map((b) => b.json).join(',')}]`,
      });
    batch = [];
    length = 2;
  };
  for (const fields of requests) {
    const json = JSON.stringify(fields);
    if (json.length + 2 > REQUESTS_LENGTH) {
      events.push(fields);
      continue;
    }
    if (batch.length > 0 && length + 1 + json.length > REQUESTS_LENGTH) flush();
    length += (batch.length > 0 ? 1 : 0) + json.length;
    batch.push({ fields, json });
  }
  flush();
  return events;
}

/**
 * Publishes inside the caller's transaction, so the events go out only if it commits (PublishAfterCommit). Like
 * EventBus.publish in Apex (system mode), it needs no permission on the event; read-only mode stops nothing here (the
 * bridge holds the requests).
 */
export function publish(org: SalesforceOrg, requests: InvoiceRequest[], ctx: DmlContext, labels: Labels): void {
  if (!requests.length) return;
  // A trigger runs once over a DML's records: the requests of a bulk save are published together (dmlChunk).
  org.gatherInChunk('InvoiceRequestPublisher.publish', requests, (gathered) =>
    publishNow(org, gathered.flat(), ctx, labels),
  );
}

function publishNow(org: SalesforceOrg, requests: InvoiceRequest[], ctx: DmlContext, labels: Labels): void {
  const eventName = org.n('Invoice_Request__e');
  for (const event of packed(
    requests.map((r) => fieldsOf(r, ctx.userId)),
    ctx.userId,
  )) {
    const fields = Object.fromEntries(Object.entries(event).map(([name, value]) => [org.n(name), value]));
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
