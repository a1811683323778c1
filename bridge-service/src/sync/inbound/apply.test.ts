import { salesforceNames } from '../../salesforce/schema';
import { invoiceForInbound } from '../../salesforce/selections';
import { isNewer, latestOf, planInvoice, xeroVersion } from './apply';
import { T1, xeroInvoice } from './__fixtures__/invoices';

const T2 = '2026-03-01T10:00:05.000Z';

const invoice = xeroInvoice;

/** An Invoice__c mirror as a namespaced org returns it to the inbound query (invoiceForInbound). */
const MIRROR = {
  attributes: { type: 'ldgr__Invoice__c', url: '/services/data/v62.0/sobjects/ldgr__Invoice__c/a00000000000001AAA' },
  Id: 'a00000000000001AAA',
  ldgr__Opportunity__c: '006000000000001AAA',
  ldgr__Account__c: '001000000000001AAA',
  ldgr__Request_Key__c: 'REQ-1',
  ldgr__Xero_Invoice_Id__c: 'a1b2c3d4-0000-4000-8000-000000000001',
  ldgr__Xero_Tenant_Id__c: 'tenant-uk',
  ldgr__Billing_Entity__c: 'UK_Ltd',
  ldgr__Invoice_Number__c: 'INV-0042',
  ldgr__Status__c: 'Authorised',
  ldgr__Currency_Code__c: 'GBP',
  ldgr__Total__c: 1200,
  ldgr__Amount_Paid__c: 0,
  ldgr__Amount_Credited__c: 0,
  ldgr__Amount_Due__c: 1200,
  ldgr__Due_Date__c: '2026-03-31',
  ldgr__Reference__c: null,
  ldgr__Approval_Status__c: 'Approved',
  ldgr__Xero_Updated__c: '2026-03-01T10:00:00.000+0000',
  ldgr__Invoice_Lines__r: {
    totalSize: 1,
    done: true,
    records: [
      {
        attributes: { type: 'ldgr__Invoice_Line__c', url: '/services/data/v62.0/sobjects/ldgr__Invoice_Line__c/a01' },
        Id: 'a01000000000001AAA',
        ldgr__Xero_Line_Item_Id__c: 'line-1',
      },
    ],
  },
  ldgr__Payments__r: null,
};

function mirror(overrides: Record<string, unknown> = {}) {
  return invoiceForInbound.parse(salesforceNames('ldgr__'), { ...MIRROR, ...overrides });
}

const ctx = { tenantId: 'tenant-uk', now: Date.parse('2026-03-02T00:00:00Z') };

describe('newer UpdatedDateUTC wins', () => {
  it('reads Xero versions in every shape the API and Salesforce give them', () => {
    const ms = Date.parse(T1);
    expect(xeroVersion(new Date(T1))).toBe(ms);
    expect(xeroVersion(`/Date(${ms}+0000)/`)).toBe(ms);
    expect(xeroVersion('2026-03-01T10:00:00')).toBe(ms);
    expect(xeroVersion('2026-03-01T10:00:00.000+0000')).toBe(ms);
    expect(xeroVersion(undefined)).toBeUndefined();
  });

  it('overwrites with a newer or the same version, never with an older one', () => {
    expect(isNewer(new Date(T2), '2026-03-01T10:00:00.000+0000')).toBe(true);
    expect(isNewer(new Date(T1), '2026-03-01T10:00:00.000+0000')).toBe(true);
    expect(isNewer(new Date(T1), '2026-03-01T10:00:05.000+0000')).toBe(false);
    expect(isNewer(new Date(T1), null)).toBe(true);
    // A document without a version only fills a mirror that has none.
    expect(isNewer(undefined, null)).toBe(true);
    expect(isNewer(undefined, '2026-03-01T10:00:00.000+0000')).toBe(false);
  });

  it('an older Xero version plans nothing (a late or reordered event cannot regress the mirror)', () => {
    const stale = invoice({ updatedDateUTC: new Date(T1), amountPaid: 0, amountDue: 1200 });
    expect(
      planInvoice(
        mirror({ ldgr__Xero_Updated__c: '2026-03-01T10:00:05.000+0000', ldgr__Amount_Paid__c: 1200 }),
        stale,
        ctx,
      ),
    ).toBeUndefined();
  });

  it('a newer version updates status and amounts, adds the new payment and keeps the parent off updated rows', () => {
    const paid = invoice({
      updatedDateUTC: new Date(T2),
      amountPaid: 200,
      amountDue: 1000,
      payments: [{ paymentID: 'pay-1', date: '2026-03-01', amount: 200, reference: 'part' }],
    });
    const plan = planInvoice(mirror(), paid, ctx)!;
    expect(plan.update).toMatchObject({
      Id: 'a00000000000001AAA',
      Status__c: 'Partially Paid',
      Amount_Paid__c: 200,
      Amount_Due__c: 1000,
      Request_Key__c: 'REQ-1',
      Opportunity__c: '006000000000001AAA',
      Xero_Updated__c: T2,
    });
    expect(plan.update).not.toHaveProperty('Sync_Status__c');
    expect(plan.lineUpdates).toEqual([
      expect.objectContaining({ Id: 'a01000000000001AAA', Xero_Line_Item_Id__c: 'line-1' }),
    ]);
    expect(plan.lineUpdates[0]).not.toHaveProperty('Invoice__c');
    expect(plan.lineInserts).toEqual([]);
    expect(plan.paymentInserts).toEqual([
      expect.objectContaining({
        Xero_Payment_Id__c: 'pay-1',
        Invoice__c: 'a00000000000001AAA',
        Amount__c: 200,
        Status__c: 'Authorised',
      }),
    ]);
    expect(plan.change).toBe('PAYMENT');
  });

  it('a payment the newer invoice no longer lists is marked Deleted; known ones are left alone', () => {
    const reversed = invoice({ updatedDateUTC: new Date(T2), amountPaid: 0, amountDue: 1200, payments: [] });
    const plan = planInvoice(
      mirror({
        ldgr__Amount_Paid__c: 200,
        ldgr__Payments__r: {
          totalSize: 2,
          done: true,
          records: [
            {
              Id: 'a02000000000001AAA',
              ldgr__Xero_Payment_Id__c: 'pay-1',
              ldgr__Status__c: 'Authorised',
              ldgr__Xero_Updated__c: null,
            },
            {
              Id: 'a02000000000002AAA',
              ldgr__Xero_Payment_Id__c: 'pay-0',
              ldgr__Status__c: 'Deleted',
              ldgr__Xero_Updated__c: null,
            },
          ],
        },
      }),
      reversed,
      ctx,
    )!;
    expect(plan.paymentUpdates).toEqual([{ Id: 'a02000000000001AAA', Status__c: 'Deleted', Xero_Updated__c: T2 }]);
    expect(plan.paymentInserts).toEqual([]);
    expect(plan.update.Status__c).toBe('Authorised');
  });

  it('new lines are inserted with their parent', () => {
    const edited = invoice({
      updatedDateUTC: new Date(T2),
      lineItems: [
        ...invoice().lineItems!,
        { lineItemID: 'line-2', description: 'Onboarding', quantity: 1, unitAmount: 50 },
      ],
    });
    const plan = planInvoice(mirror(), edited, ctx)!;
    expect(plan.lineInserts).toEqual([
      expect.objectContaining({ Xero_Line_Item_Id__c: 'line-2', Invoice__c: 'a00000000000001AAA' }),
    ]);
  });

  it('keeps the newest of several versions of one document in a batch', () => {
    const older = invoice({ updatedDateUTC: new Date(T1), amountPaid: 0 });
    const newer = invoice({ updatedDateUTC: new Date(T2), amountPaid: 200 });
    expect(latestOf([newer, older], (i) => i.invoiceID!)).toEqual([newer]);
    expect(latestOf([older, newer], (i) => i.invoiceID!)).toEqual([newer]);
  });
});

describe('a mirror that already holds the invoice', () => {
  it('the same version with the same fields, lines and payments is unchanged: nothing to write', () => {
    const plan = planInvoice(mirror(), invoice(), ctx)!;
    expect(plan.unchanged).toBe(true);
  });

  it('a summary of the same version (no lines, no payments listed) is unchanged too', () => {
    const summary = invoice({ lineItems: undefined, payments: undefined });
    expect(planInvoice(mirror(), summary, ctx)!.unchanged).toBe(true);
  });

  it('is written when the version is newer, a field differs at the same version, or a line or payment is missing', () => {
    expect(planInvoice(mirror(), invoice({ updatedDateUTC: new Date(T2) }), ctx)!.unchanged).toBe(false);
    // Xero does not bump UpdatedDateUTC for every change (a part-paid invoice's due date)
    expect(planInvoice(mirror(), invoice({ dueDate: '2026-04-30' }), ctx)!.unchanged).toBe(false);
    expect(planInvoice(mirror({ ldgr__Invoice_Lines__r: null }), invoice(), ctx)!.unchanged).toBe(false);
    const paid = invoice({
      amountPaid: 200,
      amountDue: 1000,
      payments: [{ paymentID: 'pay-1', date: '2026-03-01', amount: 200 }],
    });
    expect(planInvoice(mirror({ ldgr__Amount_Paid__c: 200, ldgr__Amount_Due__c: 1000 }), paid, ctx)!.unchanged).toBe(
      false,
    );
  });
});
