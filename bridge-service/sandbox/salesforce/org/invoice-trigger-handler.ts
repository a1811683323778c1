/**
 * Mirrors InvoiceTriggerHandler.cls: approval outcome on Invoice__c; an approved invoice the bridge sends back to Draft
 * is Not Submitted again; approved publishes AUTHORISE with what finance approved (the total, the Xero version).
 */
import Big from 'big.js';
import { parseDateTime } from '../field-values';
import type { SalesforceOrg, TriggerHandler } from '../salesforce-org';
import type { ApexMirror } from './apex-mirror';
import { versionOf } from './apex-mirror';
import { applyApprovalOutcome, newlyApproved } from './approval-outcome';
import type { Labels } from './custom-labels';
import { build, publish, requestKey } from './invoice-request-publisher';
import type { SRecord } from '../store';

export const mirror: ApexMirror = {
  apexClass: 'InvoiceTriggerHandler',
  sites: [
    {
      action: 'AUTHORISE',
      object: 'Invoice__c',
      keyRecord: 'Id',
      version: { literal: '1' },
      ids: { Opportunity_Id__c: 'Opportunity__c', Invoice_Id__c: 'Id' },
      payloadKeys: ['approvedTotal', 'xeroUpdated'],
    },
  ],
};

/**
 * The AUTHORISE payload as the Apex writes it: JSON.serialize of the total (setScale(2).toPlainString(), null when
 * blank) and of the Xero_Updated__c DateTime (ISO with milliseconds and Z, null when blank).
 */
export function approvedPayload(org: SalesforceOrg, invoice: SRecord): string {
  const total = invoice[org.n('Total__c')];
  const updated = invoice[org.n('Xero_Updated__c')];
  const ms = typeof updated === 'string' ? parseDateTime(updated) : undefined;
  return JSON.stringify({
    approvedTotal: total === null || total === undefined ? null : new Big(total as number).toFixed(2),
    xeroUpdated: ms === undefined ? null : new Date(ms).toISOString(),
  });
}

/**
 * The Apex's `sentBack`: an approved invoice the bridge sends back to Draft, which it writes with Sync Status Error
 * (invoice-mirror.ts sendBack). A Draft written Synced is a stale write-back, and the approval it would cancel is
 * still authorised in Xero.
 */
export function sentBack(org: SalesforceOrg, old: SRecord | undefined, rec: SRecord): boolean {
  const approval = org.n('Approval_Status__c');
  const status = org.n('Status__c');
  return (
    rec[approval] === 'Approved' &&
    old?.[approval] === 'Approved' &&
    old?.[status] === 'Approved' &&
    rec[status] === 'Draft' &&
    rec[org.n('Sync_Status__c')] === 'Error'
  );
}

export function invoiceTriggerHandler(org: SalesforceOrg, labels: Labels): TriggerHandler {
  const site = mirror.sites[0]!;
  return {
    object: 'Invoice__c',
    beforeUpdate(olds, news) {
      applyApprovalOutcome(org, labels, olds, news);
      news.forEach((rec, i) => {
        if (sentBack(org, olds[i], rec)) rec[org.n('Approval_Status__c')] = 'Not Submitted';
      });
    },
    afterUpdate(olds, news, ctx) {
      const requests = newlyApproved(org, olds, news).map((inv) =>
        build(
          'AUTHORISE',
          (inv[org.n(site.ids.Opportunity_Id__c!)] as string | null) ?? null,
          inv.Id,
          requestKey('AUTHORISE', inv.Id, versionOf(site.version, {})),
          approvedPayload(org, inv),
        ),
      );
      publish(org, requests, ctx, labels);
    },
  };
}
