/**
 * Records pending finance approval are locked (recordEditability AdminOnly). The bridge must still write to them:
 * a payment that arrives in Xero, a status RESYNC reads, an error it records. Its user holds Modify All on the invoice
 * objects (Ledgerline Integration), which Salesforce lets edit a locked record; nobody else in finance or sales does.
 * Written through the bridge's own Salesforce write-back (sObject Collections over jsforce), as it writes in production.
 */
import pino from 'pino';
import type { Connection } from 'jsforce';
import { connectSalesforce } from '../../../src/salesforce/connection';
import { salesforceNames } from '../../../src/salesforce/schema';
import { createWriteback, type Writeback } from '../../../src/salesforce/writeback';
import type { SalesforceEmulator } from '../server';
import { ADMIN, FINANCE, SALES, bridgeSalesforceConfig, connect, startTestEmulator } from '../test-helpers';

const LOCKED = {
  errorCode: 'ENTITY_IS_LOCKED',
  message: 'This record is locked. If you need to edit it, contact your admin.',
};

for (const namespace of ['', 'ldgr'] as const) {
  describe(`a record pending approval (namespace ${namespace || 'none'})`, () => {
    const names = salesforceNames(namespace ? `${namespace}__` : '');
    let em: SalesforceEmulator;
    let bridge: Writeback;
    let admin: Connection;
    let invoiceId: string;
    let noteId: string;

    beforeEach(async () => {
      em = await startTestEmulator({ namespace });
      const log = pino({ level: 'silent' });
      const conn = await connectSalesforce(bridgeSalesforceConfig(em, names.prefix), log);
      bridge = createWriteback({ conn, names, log });
      admin = connect(em, ADMIN);
      const account = (await admin.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1')).records[0]!;
      [invoiceId] = bridge.requireAll(
        'Invoice__c',
        ['draft'],
        await bridge.create('Invoice__c', [
          {
            Account__c: account.Id,
            Currency_Code__c: 'GBP',
            Status__c: 'Draft',
            Xero_Invoice_Id__c: 'xero-lock-1',
            Total__c: 120,
          },
        ]),
      ) as [string];
      [noteId] = bridge.requireAll(
        'Credit_Note__c',
        ['note'],
        await bridge.create('Credit_Note__c', [
          { Invoice__c: invoiceId, Account__c: account.Id, Currency_Code__c: 'GBP', Status__c: 'Draft', Total__c: 10 },
        ]),
      ) as [string];
      em.control.approvals.submit(invoiceId, { user: SALES });
      em.control.approvals.submit(noteId, { user: FINANCE });
      expect(em.org.isLocked(invoiceId) && em.org.isLocked(noteId)).toBe(true);
    });

    afterEach(() => em.close());

    it("takes the bridge's status, payment, line, error and credit-allocation writes", async () => {
      const outcomes = [
        ...(await bridge.update('Invoice__c', [
          { Id: invoiceId, Status__c: 'Awaiting Approval', Amount_Due__c: 120, Sync_Status__c: 'Synced' },
        ])),
        ...(await bridge.upsert('Payment__c', 'Xero_Payment_Id__c', [
          { Xero_Payment_Id__c: 'xero-pay-1', Invoice__c: invoiceId, Amount__c: 20, Currency_Code__c: 'GBP' },
        ])),
        ...(await bridge.upsert('Invoice_Line__c', 'Xero_Line_Item_Id__c', [
          { Xero_Line_Item_Id__c: 'xero-line-1', Invoice__c: invoiceId, Description__c: 'Seats', Quantity__c: 1 },
        ])),
        // what the bridge records when a job fails for good (InvoiceSync.markError)
        ...(await bridge.update('Invoice__c', [
          { Id: invoiceId, Sync_Status__c: 'Error', Sync_Message__c: 'Xero refused the invoice' },
        ])),
        ...(await bridge.update('Credit_Note__c', [{ Id: noteId, Sync_Status__c: 'Synced' }])),
        ...(await bridge.upsert('Credit_Allocation__c', 'Xero_Allocation_Id__c', [
          { Xero_Allocation_Id__c: 'xero-alloc-1', Credit_Note__c: noteId, Invoice__c: invoiceId, Amount__c: 10 },
        ])),
      ];
      expect(outcomes).toEqual(outcomes.map(() => expect.objectContaining({ ok: true })));
      expect(await admin.sobject(names.api('Invoice__c')).retrieve(invoiceId)).toMatchObject({
        [names.api('Sync_Status__c')]: 'Error',
        [names.api('Approval_Status__c')]: 'Pending',
      });
      expect(em.org.isLocked(invoiceId)).toBe(true);
    });

    it("stays locked to finance and sales, with Salesforce's error, and open to the admin", async () => {
      for (const user of [FINANCE, SALES]) {
        const conn = connect(em, user);
        await expect(
          conn.sobject(names.api('Invoice__c')).update({ Id: invoiceId, [names.api('Reference__c')]: 'PO-9' }),
        ).rejects.toMatchObject(LOCKED);
        await expect(
          conn.sobject(names.api('Credit_Note__c')).update({ Id: noteId, [names.api('Reason__c')]: 'changed' }),
        ).rejects.toMatchObject(LOCKED);
      }
      const [refused] = await createWriteback({
        conn: connect(em, FINANCE),
        names,
        log: pino({ level: 'silent' }),
      }).update('Invoice__c', [{ Id: invoiceId, Reference__c: 'PO-9' }]);
      expect(refused).toEqual({
        ok: false,
        errors: [{ statusCode: 'ENTITY_IS_LOCKED', message: LOCKED.message, fields: [] }],
      });
      await admin.sobject(names.api('Invoice__c')).update({ Id: invoiceId, [names.api('Reference__c')]: 'PO-admin' });
    });
  });
}
