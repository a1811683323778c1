/**
 * Mirrors OpportunityTriggerHandler.cls: an opportunity turning won, or created already won, publishes one
 * CREATE_DRAFT.
 */
import type { SalesforceOrg, TriggerHandler, DmlContext } from '../salesforce-org';
import type { SRecord } from '../store';
import type { ApexMirror } from './apex-mirror';
import { versionOf } from './apex-mirror';
import type { Labels } from './custom-labels';
import { build, publish, requestKey } from './invoice-request-publisher';
import { ledgerlineSettings } from './ledgerline-settings';

export const mirror: ApexMirror = {
  apexClass: 'OpportunityTriggerHandler',
  sites: [
    {
      action: 'CREATE_DRAFT',
      object: 'Opportunity',
      keyRecord: 'Id',
      version: { literal: '1' },
      ids: { Opportunity_Id__c: 'Id' },
      payloadKeys: null,
    },
  ],
};

export function opportunityTriggerHandler(org: SalesforceOrg, labels: Labels): TriggerHandler {
  const site = mirror.sites[0]!;
  const publishDrafts = (won: SRecord[], ctx: DmlContext): void => {
    if (!ledgerlineSettings(org, ctx.userId).autoDraftOnClose) return;
    const requests = won.map((opp) =>
      build('CREATE_DRAFT', opp.Id, null, requestKey('CREATE_DRAFT', opp.Id, versionOf(site.version, {})), null),
    );
    publish(org, requests, ctx, labels);
  };
  return {
    object: 'Opportunity',
    afterInsert(news, ctx) {
      publishDrafts(
        news.filter((opp) => opp.IsWon === true),
        ctx,
      );
    },
    afterUpdate(olds, news, ctx) {
      publishDrafts(
        news.filter((opp, i) => opp.IsWon === true && olds[i]?.IsWon !== true),
        ctx,
      );
    },
  };
}
