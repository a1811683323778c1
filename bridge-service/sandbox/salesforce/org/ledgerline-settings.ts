/** Mirrors LedgerlineSettings.cls: the hierarchy setting for the running user, package defaults when none exists. */
import type { SalesforceOrg } from '../salesforce-org';

export interface LedgerlineSwitches {
  autoDraftOnClose: boolean;
  readOnly: boolean;
}

export function ledgerlineSettings(org: SalesforceOrg, userId: string): LedgerlineSwitches {
  const def = org.findObject(org.n('Ledgerline_Settings__c'));
  if (!def) return { autoDraftOnClose: true, readOnly: false };
  const rows = org.records(def);
  const row = rows.find((r) => r.SetupOwnerId === userId) ?? rows.find((r) => r.SetupOwnerId === org.orgId);
  // Apex: nothing defined anywhere in the hierarchy -> auto-draft on, read-only off
  if (!row) return { autoDraftOnClose: true, readOnly: false };
  return {
    autoDraftOnClose: row[org.n('Auto_Draft_On_Close__c')] === true,
    readOnly: row[org.n('Read_Only_Mode__c')] === true,
  };
}
