/**
 * Sync_Update__e: the bridge telling open record pages that records changed, so they refresh.
 *
 * Salesforce counts every event delivered to every subscribed client against the org's daily delivery allocation
 * (Enterprise 25,000 in 24 hours; the bridge's own Invoice_Request__e subscription shares it), and a page subscribed
 * to the channel receives every event in the org. One event per changed record would spend that allocation on a
 * single drain or a day's re-plan. So every write publishes one event per kind of change, naming all the records it
 * changed in Record_Ids__c (the pages look for their own id there), split only where the field is full.
 */
import { SyncUpdateEvent } from '../../salesforce/objects';
import type { SObjectWrite } from '../../salesforce/sobject';
import type { WriteOutcome } from '../../salesforce/writeback';

/** Record_Ids__c is a long text area of 131,072 characters. */
export const RECORD_IDS_MAX_CHARS = 131_072;

export interface SyncChange {
  /** Change__c: what happened (STATUS, PAYMENT, PLAN, ERROR…). */
  change: string;
  invoiceId?: string | null;
  opportunityId?: string | null;
  accountId?: string | null;
  /** Other records the change touched (a credit note, a customer credit). */
  otherIds?: readonly (string | null | undefined)[];
}

type SyncUpdate = SObjectWrite<typeof SyncUpdateEvent>;

const idsOf = (c: SyncChange) =>
  [...(c.otherIds ?? []), c.invoiceId, c.opportunityId, c.accountId].filter((id): id is string => !!id);

/**
 * The fewest events that name every changed record: one per Change__c, more only past Record_Ids__c's length. An
 * event about a single change also carries its Invoice_Id__c, Opportunity_Id__c and Account_Id__c.
 */
export function syncUpdates(changes: readonly SyncChange[], maxChars = RECORD_IDS_MAX_CHARS): SyncUpdate[] {
  const events: SyncUpdate[] = [];
  for (const [change, group] of Map.groupBy(changes, (c) => c.change)) {
    let named = new Set<string>();
    let members: SyncChange[] = [];
    // characters of the ids joined with commas so far
    let length = -1;
    const flush = () => {
      if (named.size > 0) {
        const only = members.length === 1 ? members[0]! : undefined;
        events.push({
          Record_Ids__c: [...named].join(','),
          Change__c: change,
          ...(only?.invoiceId ? { Invoice_Id__c: only.invoiceId } : {}),
          ...(only?.opportunityId ? { Opportunity_Id__c: only.opportunityId } : {}),
          ...(only?.accountId ? { Account_Id__c: only.accountId } : {}),
        });
      }
      named = new Set();
      members = [];
      length = -1;
    };
    const unnamed = (c: SyncChange) => [...new Set(idsOf(c))].filter((id) => !named.has(id));
    for (const c of group) {
      let fresh = unnamed(c);
      if (named.size > 0 && length + fresh.reduce((sum, id) => sum + id.length + 1, 0) > maxChars) {
        flush();
        fresh = unnamed(c);
      }
      for (const id of fresh) {
        named.add(id);
        length += id.length + 1;
      }
      members.push(c);
    }
    flush();
  }
  return events;
}

/** Where events are published: a direct write (Writeback) or a Composite batch, which sends them with its other writes. */
export interface SyncUpdatePublisher {
  create(object: typeof SyncUpdateEvent, records: readonly SyncUpdate[]): Promise<WriteOutcome[]>;
}

/** Publishes the events for these changes (none when they name no record). */
export function publishSyncUpdates(via: SyncUpdatePublisher, changes: readonly SyncChange[]): Promise<WriteOutcome[]> {
  const events = syncUpdates(changes);
  return events.length > 0 ? via.create(SyncUpdateEvent, events) : Promise.resolve([]);
}
