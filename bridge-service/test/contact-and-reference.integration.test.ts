/**
 * Issue 13 item 11, end to end: what the customer's Account and the deal hold reaches Xero. The Xero contact gets
 * the Account's billing address and billing email, and the invoice's Reference the deal's PO number, read back
 * from Xero with the real xero-node client. Run against the emulators with the package namespaced (ldgr__), as a
 * managed-package org returns every custom name.
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { XeroClient } from 'xero-node';
import { startSandbox, type Sandbox } from '../sandbox/sandbox-bridge';
import { connect, SALES } from '../sandbox/salesforce/test-helpers';
import { UK, US } from '../sandbox/xero/test-helpers';
import { waitFor } from './wait-for';

type Row = Record<string, unknown>;

let sandbox: Sandbox;
let sales: Connection;
let admin: Connection;

beforeAll(async () => {
  sandbox = await startSandbox({
    namespace: 'ldgr',
    bridge: { workerIdleMs: 50, referenceTtlMs: 0 },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
  sales = connect(sandbox.sf, SALES);
  admin = connect(sandbox.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
});

afterAll(async () => {
  await sandbox.close();
});

function xero(): XeroClient {
  const client = new XeroClient();
  const tokens = sandbox.xero.control.issueTokens();
  client.setTokenSet({ ...tokens, expires_at: Math.floor(sandbox.xero.control.now() / 1000) + tokens.expires_in });
  client.accountingApi.basePath = sandbox.xero.apiUrl;
  return client;
}

async function closeWonWith(accountName: string, opportunityFields: Row): Promise<Row> {
  const { records } = await admin.query<Row>(
    `SELECT Id, Name FROM Opportunity WHERE Account.Name = '${accountName}' AND IsWon = false ORDER BY Name LIMIT 1`,
  );
  const opp = records[0];
  if (!opp) throw new Error(`no open opportunity of ${accountName} in the seed`);
  await sales.sobject('Opportunity').update({ Id: opp.Id as string, ...opportunityFields, StageName: 'Closed Won' });
  return waitFor(`the invoice of ${String(opp.Name)}`, async () => {
    const { records: invoices } = await admin.query<Row>(
      `SELECT Id, ldgr__Sync_Status__c, ldgr__Sync_Message__c, ldgr__Xero_Invoice_Id__c FROM ldgr__Invoice__c ` +
        `WHERE ldgr__Opportunity__c = '${String(opp.Id)}'`,
    );
    const invoice = invoices[0];
    return invoice?.ldgr__Sync_Status__c === 'Synced' || invoice?.ldgr__Sync_Status__c === 'Error'
      ? { ...invoice, Name: opp.Name }
      : undefined;
  });
}

it("sends the Account's billing address and email to the Xero contact, and the deal's PO number as the Reference", async () => {
  const invoice = await closeWonWith('Acme Widgets Ltd', { ldgr__PO_Number__c: 'PO-4711' });
  expect(invoice.ldgr__Sync_Message__c).toBeNull();

  const { body } = await xero().accountingApi.getInvoice(UK, String(invoice.ldgr__Xero_Invoice_Id__c));
  const inXero = body.invoices![0]!;
  expect(inXero.reference).toBe(`PO PO-4711 · ${String(invoice.Name)}`);

  const contact = (await xero().accountingApi.getContact(UK, inXero.contact!.contactID!)).body.contacts![0]!;
  expect(contact.emailAddress).toBe('accounts@acme.example.co.uk');
  expect(contact.addresses).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        addressLine1: '1 Fleet Street',
        city: 'London',
        postalCode: 'EC4Y 1AA',
        country: 'GB',
      }),
    ]),
  );
});

it("prefers the Account's own billing email to its first contact's", async () => {
  const { records } = await admin.query<Row>(`SELECT Id FROM Account WHERE Name = 'Globex Corporation'`);
  await admin
    .sobject('Account')
    .update({ Id: records[0]!.Id as string, ldgr__Billing_Email__c: 'invoices@globex.example.com' });
  const invoice = await closeWonWith('Globex Corporation', {});
  expect(invoice.ldgr__Sync_Message__c).toBeNull();

  const { body } = await xero().accountingApi.getInvoice(US, String(invoice.ldgr__Xero_Invoice_Id__c));
  const inXero = body.invoices![0]!;
  expect(inXero.reference).toBe(String(invoice.Name));
  const contact = (await xero().accountingApi.getContact(US, inXero.contact!.contactID!)).body.contacts![0]!;
  expect(contact.emailAddress).toBe('invoices@globex.example.com');
  expect(contact.addresses).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        addressLine1: '500 Market Street',
        city: 'San Francisco',
        region: 'CA',
        postalCode: '94105',
        country: 'US',
      }),
    ]),
  );
});
