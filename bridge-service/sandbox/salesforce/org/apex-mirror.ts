/**
 * What an org module declares about the Apex class it mirrors, so a test can read the Apex source and fail when the
 * two publish different Invoice_Request__e events (fields or request-key rule).
 */

/** How the third part of `ACTION:recordId:version` is made. */
export type VersionRule =
  | { literal: string }
  | { rule: 'creditNoteCount+1' }
  | { rule: 'epochMillis' }
  /** the record's own number field (blank counts as 1), e.g. a close's Version__c */
  | { rule: 'field'; field: string };

export interface RequestSite {
  action: 'CREATE_DRAFT' | 'AUTHORISE' | 'VOID' | 'CREDIT' | 'RESYNC' | 'UPDATE_DRAFT' | 'POST_CLOSE' | 'ONLINE_LINK';
  /** the object whose change (or action) publishes the event */
  object: string;
  /** the field of that record whose id is the key's record id */
  keyRecord: string;
  version: VersionRule;
  /** event field -> the field of the record it is copied from (only the ids; Action, key and user always go) */
  ids: Partial<Record<'Opportunity_Id__c' | 'Invoice_Id__c', string>>;
  /** top-level JSON keys of Payload__c, or null when no payload is sent */
  payloadKeys: string[] | null;
  /** for a payload with lines, the keys of each line */
  lineKeys?: string[];
}

export interface ApexMirror {
  apexClass: string;
  sites: RequestSite[];
}

export function versionOf(
  rule: VersionRule,
  facts: { creditNoteCount?: number; now?: number; record?: Record<string, unknown> },
): string {
  if ('literal' in rule) return rule.literal;
  if (rule.rule === 'creditNoteCount+1') return String((facts.creditNoteCount ?? 0) + 1);
  if (rule.rule === 'field') {
    const value = facts.record?.[rule.field];
    return String(typeof value === 'number' ? Math.trunc(value) : 1);
  }
  return String(facts.now ?? Date.now());
}
