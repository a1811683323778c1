/**
 * Mirrors MonthEndCloseTriggerHandler.cls: the approval outcome on Month_End_Close__c with the close's statuses
 * (Proposed, Pending Approval, Approved); a close just approved publishes POST_CLOSE keyed by its id and version.
 */
import type { SalesforceOrg, TriggerHandler } from '../salesforce-org';
import type { ApexMirror } from './apex-mirror';
import { versionOf } from './apex-mirror';
import { applyApprovalOutcome, newlyApproved, type ApprovalStatuses } from './approval-outcome';
import type { Labels } from './custom-labels';
import { build, publish, requestKey } from './invoice-request-publisher';

export const CLOSE_STATUSES: ApprovalStatuses = {
  draft: 'Proposed',
  awaiting: 'Pending Approval',
  approved: 'Approved',
};

export const mirror: ApexMirror = {
  apexClass: 'MonthEndCloseTriggerHandler',
  sites: [
    {
      action: 'POST_CLOSE',
      object: 'Month_End_Close__c',
      keyRecord: 'Id',
      version: { rule: 'field', field: 'Version__c' },
      ids: {},
      payloadKeys: ['closeId', 'version'],
    },
  ],
};

export function monthEndCloseTriggerHandler(org: SalesforceOrg, labels: Labels): TriggerHandler {
  const site = mirror.sites[0]!;
  return {
    object: 'Month_End_Close__c',
    beforeUpdate(olds, news) {
      applyApprovalOutcome(org, labels, olds, news, CLOSE_STATUSES);
    },
    afterUpdate(olds, news, ctx) {
      const requests = newlyApproved(org, olds, news).map((close) => {
        const version = versionOf(site.version, { record: { Version__c: close[org.n('Version__c')] } });
        return build(
          'POST_CLOSE',
          null,
          null,
          requestKey('POST_CLOSE', close.Id, version),
          JSON.stringify({ closeId: close.Id, version: Number(version) }),
        );
      });
      publish(org, requests, ctx, labels);
    },
  };
}
