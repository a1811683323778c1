/** Steps of an invoice's life in the sandbox, as a rep and finance take them, for the end-to-end tests. */
import type { Connection } from 'jsforce';
import type { Sandbox } from '../sandbox/sandbox-bridge';
import { waitFor } from './wait-for';

export const SALES = 'sam.seller@ledgerline.example';
export const FINANCE = 'fran.finance@ledgerline.example';

type Row = Record<string, unknown>;

/**
 * Closes the named deal (as the rep), has finance approve its draft once it is Synced, and waits for the authorised
 * mirror, read with `invoiceOf` (the caller's columns).
 */
export async function authorisedInvoice(
  sandbox: Sandbox,
  conns: { sales: Connection; admin: Connection },
  name: string,
  invoiceOf: (opportunityId: string) => Promise<Row | undefined>,
): Promise<Row> {
  const { records } = await conns.admin.query<Row>(`SELECT Id FROM Opportunity WHERE Name = '${name}'`);
  const opportunityId = records[0]!.Id as string;
  await conns.sales.sobject('Opportunity').update({ Id: opportunityId, StageName: 'Closed Won' });
  const draft = await waitFor(`the draft of ${name}`, async () => {
    const row = await invoiceOf(opportunityId);
    return row?.Sync_Status__c === 'Synced' && row.Xero_Invoice_Id__c ? row : undefined;
  });
  sandbox.sf.control.approvals.submit(draft.Id as string, { user: SALES });
  sandbox.sf.control.approvals.approve(draft.Id as string, { user: FINANCE, comment: 'ok' });
  const authorised = await waitFor(`${name} authorised`, async () => {
    const row = await invoiceOf(opportunityId);
    return row?.Status__c === 'Authorised' ? row : undefined;
  });
  return { ...authorised, Opportunity__c: opportunityId };
}
