/** Mirrors CreditNoteTriggerHandler.cls: approval outcome on Credit_Note__c; approved publishes AUTHORISE. */
import type { SalesforceOrg, TriggerHandler } from '../salesforce-org';
import type { ApexMirror } from './apex-mirror';
import { versionOf } from './apex-mirror';
import { applyApprovalOutcome, newlyApproved } from './approval-outcome';
import type { Labels } from './custom-labels';
import { build, publish, requestKey } from './invoice-request-publisher';

export const mirror: ApexMirror = {
  apexClass: 'CreditNoteTriggerHandler',
  sites: [
    {
      action: 'AUTHORISE',
      object: 'Credit_Note__c',
      keyRecord: 'Id',
      version: { literal: '1' },
      ids: { Invoice_Id__c: 'Invoice__c' },
      payloadKeys: ['creditNoteId'],
    },
  ],
};

export function creditNoteTriggerHandler(org: SalesforceOrg, labels: Labels): TriggerHandler {
  const site = mirror.sites[0]!;
  return {
    object: 'Credit_Note__c',
    beforeUpdate(olds, news) {
      applyApprovalOutcome(org, labels, olds, news);
    },
    afterUpdate(olds, news, ctx) {
      const requests = newlyApproved(org, olds, news).map((note) =>
        build(
          'AUTHORISE',
          null,
          (note[org.n(site.ids.Invoice_Id__c!)] as string | null) ?? null,
          requestKey('AUTHORISE', note.Id, versionOf(site.version, {})),
          JSON.stringify({ creditNoteId: note.Id }),
        ),
      );
      publish(org, requests, ctx, labels);
    },
  };
}
