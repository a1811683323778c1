/** Mirrors InvoiceTriggerHandler.cls: approval outcome on Invoice__c; approved publishes AUTHORISE. */
import type { SalesforceOrg, TriggerHandler } from '../salesforce-org';
import type { ApexMirror } from './apex-mirror';
import { versionOf } from './apex-mirror';
import { applyApprovalOutcome, newlyApproved } from './approval-outcome';
import type { Labels } from './custom-labels';
import { build, publish, requestKey } from './invoice-request-publisher';

export const mirror: ApexMirror = {
  apexClass: 'InvoiceTriggerHandler',
  sites: [
    {
      action: 'AUTHORISE',
      object: 'Invoice__c',
      keyRecord: 'Id',
      version: { literal: '1' },
      ids: { Opportunity_Id__c: 'Opportunity__c', Invoice_Id__c: 'Id' },
      payloadKeys: null,
    },
  ],
};

export function invoiceTriggerHandler(org: SalesforceOrg, labels: Labels): TriggerHandler {
  const site = mirror.sites[0]!;
  return {
    object: 'Invoice__c',
    beforeUpdate(olds, news) {
      applyApprovalOutcome(org, labels, olds, news);
    },
    afterUpdate(olds, news, ctx) {
      const requests = newlyApproved(org, olds, news).map((inv) =>
        build(
          'AUTHORISE',
          (inv[org.n(site.ids.Opportunity_Id__c!)] as string | null) ?? null,
          inv.Id,
          requestKey('AUTHORISE', inv.Id, versionOf(site.version, {})),
          null,
        ),
      );
      publish(org, requests, ctx, labels);
    },
  };
}
