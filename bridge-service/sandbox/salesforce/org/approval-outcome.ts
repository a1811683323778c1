/**
 * Mirrors ApprovalOutcome.cls, the before-update step InvoiceTriggerHandler.cls, CreditNoteTriggerHandler.cls and
 * MonthEndCloseTriggerHandler.cls share: a submitted record shows Awaiting Approval with no comment, a rejected one
 * goes back to Draft with the approver's comment, an approved one shows Approved with the comment, and an Approved that
 * no approval process step gave is refused (the Apex addError on Approval_Status__c). A close names its statuses
 * (Proposed, Pending Approval, Approved), as the Apex's second constructor takes them.
 */
import { SalesforceError } from '../errors';
import type { SalesforceOrg } from '../salesforce-org';
import type { SRecord } from '../store';
import { latestDecisions } from './approval-history';
import type { Labels } from './custom-labels';

export const APPROVAL_REQUIRED_LABEL = 'Ledgerline_Error_Approval_Required';

/** The Status__c values the outcome moves between (ApprovalOutcome's constructor arguments). */
export interface ApprovalStatuses {
  draft: string;
  awaiting: string;
  approved: string;
}
export const INVOICE_STATUSES: ApprovalStatuses = {
  draft: 'Draft',
  awaiting: 'Awaiting Approval',
  approved: 'Approved',
};

export function applyApprovalOutcome(
  org: SalesforceOrg,
  labels: Labels,
  olds: SRecord[],
  news: SRecord[],
  statuses: ApprovalStatuses = INVOICE_STATUSES,
): void {
  const status = org.n('Status__c');
  const approval = org.n('Approval_Status__c');
  const comment = org.n('Approval_Comment__c');
  const decided = new Set<string>();
  news.forEach((rec, i) => {
    const before = olds[i]?.[approval];
    if (rec[approval] === before) return;
    if (rec[approval] === 'Pending') {
      rec[comment] = null;
      if (rec[status] === statuses.draft) rec[status] = statuses.awaiting;
    } else if (rec[approval] === 'Rejected') {
      rec[status] = statuses.draft;
      decided.add(rec.Id);
    } else if (rec[approval] === 'Approved') {
      if (rec[status] === statuses.draft || rec[status] === statuses.awaiting) rec[status] = statuses.approved;
      decided.add(rec.Id);
    }
  });
  if (!decided.size) return;
  const decisions = latestDecisions(org, decided);
  for (const rec of news) {
    if (!decided.has(rec.Id)) continue;
    const decision = decisions.get(rec.Id);
    if (rec[approval] === 'Approved' && decision?.status !== 'Approved') {
      throw new SalesforceError(400, 'FIELD_CUSTOM_VALIDATION_EXCEPTION', labels(APPROVAL_REQUIRED_LABEL), [approval]);
    }
    rec[comment] = decision?.comment ?? null;
  }
}

export function newlyApproved(org: SalesforceOrg, olds: SRecord[], news: SRecord[]): SRecord[] {
  const approval = org.n('Approval_Status__c');
  return news.filter((rec, i) => rec[approval] === 'Approved' && olds[i]?.[approval] !== 'Approved');
}
