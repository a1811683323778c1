import {
  creditDisplayStatus,
  creditDrift,
  invoiceDrift,
  settleFindings,
  tenantDrift,
  type DriftFinding,
  type MirrorCredit,
  type MirrorInvoice,
} from './drift';
import type { CreditState, InvoiceState } from './ledger-documents';

const T0 = '/Date(1800000000000+0000)/';
const LATER = '/Date(1800000600000+0000)/';

const xeroInvoice = (extra: Partial<InvoiceState> = {}): InvoiceState => ({
  kind: 'invoice',
  invoiceId: 'x-inv-1',
  invoiceNumber: 'INV-0001',
  contactId: 'c-acme',
  status: 'AUTHORISED',
  currencyCode: 'GBP',
  date: '2027-01-15',
  dueDate: '2027-02-14',
  subTotal: '1000.00',
  totalTax: '200.00',
  total: '1200.00',
  amountPaid: '0.00',
  amountCredited: '0.00',
  amountDue: '1200.00',
  updatedAt: T0,
  payments: [],
  ...extra,
});
const mirrorOf = (xero: InvoiceState, extra: Partial<MirrorInvoice> = {}): MirrorInvoice => ({
  salesforceId: 'a01000000000001AAA',
  invoiceId: xero.invoiceId,
  displayStatus: 'Authorised',
  approved: true,
  currencyCode: xero.currencyCode,
  subTotal: xero.subTotal,
  totalTax: xero.totalTax,
  total: xero.total,
  amountPaid: xero.amountPaid,
  amountCredited: xero.amountCredited,
  amountDue: xero.amountDue,
  contactId: xero.contactId,
  xeroUpdated: xero.updatedAt,
  payments: xero.payments,
  ...extra,
});
const brief = (findings: DriftFinding[]) =>
  findings.map((f) => `${f.field}: ${f.salesforceValue ?? ''} → ${f.xeroValue ?? ''} ${f.cause} ${f.fix}`);
const paid = (amount: string, status: 'AUTHORISED' | 'DELETED' = 'AUTHORISED') => ({
  paymentId: 'p-1',
  amount,
  date: '2027-02-01',
  status,
});

describe('invoiceDrift', () => {
  it('a mirror that matches Xero has no findings', () => {
    expect(invoiceDrift(mirrorOf(xeroInvoice()), xeroInvoice())).toEqual([]);
  });

  it('an approval on its way to Xero is not drift (Approved in Salesforce, still DRAFT in Xero)', () => {
    const draft = xeroInvoice({ status: 'DRAFT' });
    expect(invoiceDrift(mirrorOf(draft, { displayStatus: 'Approved' }), draft)).toEqual([]);
  });

  it('a draft submitted for approval in Salesforce is not drift (Awaiting Approval, still DRAFT in Xero)', () => {
    const draft = xeroInvoice({ status: 'DRAFT' });
    const mirror = mirrorOf(draft, { displayStatus: 'Awaiting Approval', approved: false, awaitingApproval: true });
    expect(invoiceDrift(mirror, draft)).toEqual([]);
  });

  it('edited in Xero after approval: every changed total, for finance to review', () => {
    const edited = xeroInvoice({
      subTotal: '900.00',
      totalTax: '180.00',
      total: '1080.00',
      amountDue: '1080.00',
      updatedAt: LATER,
    });
    const findings = invoiceDrift(mirrorOf(xeroInvoice()), edited);
    expect(brief(findings)).toEqual([
      'Sub Total: 1000.00 → 900.00 EDITED_AFTER_APPROVAL REVIEW',
      'Total Tax: 200.00 → 180.00 EDITED_AFTER_APPROVAL REVIEW',
      'Total: 1200.00 → 1080.00 EDITED_AFTER_APPROVAL REVIEW',
      'Amount Due: 1200.00 → 1080.00 EDITED_AFTER_APPROVAL REVIEW',
    ]);
    expect(findings[2]).toMatchObject({
      key: 'x-inv-1:total',
      salesforceId: 'a01000000000001AAA',
      currencyCode: 'GBP',
      amountDifference: '-120.00',
      causeText: 'edited in Xero after approval',
    });
  });

  it('a draft edited in Xero follows Xero (RESYNC)', () => {
    const draft = xeroInvoice({ status: 'DRAFT' });
    const edited = { ...draft, total: '1300.00', amountDue: '1300.00', updatedAt: LATER };
    expect(brief(invoiceDrift(mirrorOf(draft, { displayStatus: 'Draft', approved: false }), edited))).toEqual([
      'Total: 1200.00 → 1300.00 EDITED_IN_XERO RESYNC',
      'Amount Due: 1200.00 → 1300.00 EDITED_IN_XERO RESYNC',
    ]);
  });

  it('payment deleted in Xero: the invoice is awaiting payment again', () => {
    const wasPaid = xeroInvoice({
      status: 'PAID',
      amountPaid: '1200.00',
      amountDue: '0.00',
      payments: [paid('1200.00')],
    });
    const now = xeroInvoice({ updatedAt: LATER, payments: [paid('1200.00', 'DELETED')] });
    expect(brief(invoiceDrift(mirrorOf(wasPaid, { displayStatus: 'Paid' }), now))).toEqual([
      'Status: Paid → Authorised PAYMENT_DELETED_IN_XERO RESYNC',
      'Amount Paid: 1200.00 → 0.00 PAYMENT_DELETED_IN_XERO RESYNC',
      'Amount Due: 0.00 → 1200.00 PAYMENT_DELETED_IN_XERO RESYNC',
      'Payment: 1200.00 → DELETED PAYMENT_DELETED_IN_XERO RESYNC',
    ]);
  });

  it('a payment recorded in Xero that never reached Salesforce (webhook or poll lost)', () => {
    const now = xeroInvoice({
      amountPaid: '200.00',
      amountDue: '1000.00',
      updatedAt: LATER,
      payments: [paid('200.00')],
    });
    const findings = invoiceDrift(mirrorOf(xeroInvoice()), now);
    expect(brief(findings)).toEqual([
      'Status: Authorised → Partially Paid PAYMENT_RECORDED_IN_XERO RESYNC',
      'Amount Paid: 0.00 → 200.00 PAYMENT_RECORDED_IN_XERO RESYNC',
      'Amount Due: 1200.00 → 1000.00 PAYMENT_RECORDED_IN_XERO RESYNC',
      'Payment:  → 200.00 PAYMENT_RECORDED_IN_XERO RESYNC',
    ]);
    expect(findings[3]!.key).toBe('x-inv-1:payment:p-1');
  });

  it('voided and deleted in Xero', () => {
    expect(
      brief(
        invoiceDrift(mirrorOf(xeroInvoice()), xeroInvoice({ status: 'VOIDED', amountDue: '0.00', updatedAt: LATER })),
      ),
    ).toEqual(['Status: Authorised → Voided VOIDED_IN_XERO RESYNC']);
    const draft = xeroInvoice({ status: 'DRAFT' });
    expect(
      brief(
        invoiceDrift(mirrorOf(draft, { displayStatus: 'Draft', approved: false }), { ...draft, status: 'DELETED' }),
      ),
    ).toEqual(['Status: Draft → Deleted DELETED_IN_XERO RESYNC']);
  });

  it('authorised in Xero without the Salesforce approval', () => {
    const draft = xeroInvoice({ status: 'DRAFT' });
    const findings = invoiceDrift(
      mirrorOf(draft, { displayStatus: 'Awaiting Approval', approved: false }),
      xeroInvoice({ updatedAt: LATER }),
    );
    expect(brief(findings)).toEqual(['Status: Awaiting Approval → Authorised AUTHORISED_IN_XERO REVIEW']);
  });

  it('the contact changed in Xero: relink, or review when another Account holds the new contact', () => {
    const moved = xeroInvoice({ contactId: 'c-acme-group', updatedAt: LATER });
    expect(brief(invoiceDrift(mirrorOf(xeroInvoice()), moved))).toEqual([
      'Contact: c-acme → c-acme-group CONTACT_RELINKED RELINK',
    ]);
    const holders = new Map([['c-acme-group', '001000000000009AAA']]);
    expect(invoiceDrift(mirrorOf(xeroInvoice()), moved, holders)[0]).toMatchObject({ fix: 'REVIEW' });
  });

  it('a mirror Xero never had changed is stale (a lost or hand-edited write-back)', () => {
    expect(brief(invoiceDrift(mirrorOf(xeroInvoice(), { total: '1250.00' }), xeroInvoice()))).toEqual([
      'Total: 1250.00 → 1200.00 MIRROR_STALE RESYNC',
    ]);
  });

  it('versions compare as Salesforce stores them (to the second): a hand edit is not "edited in Xero"', () => {
    // Xero's version 10:00:00.790; Xero_Updated__c reads it back as 10:00:00.000 (a DateTime keeps whole seconds).
    const xero = xeroInvoice({ updatedAt: Date.parse('2027-01-20T10:00:00.790Z') });
    const mirror = mirrorOf(xero, { total: '1200.01', xeroUpdated: '2027-01-20T10:00:00.000Z' });
    expect(brief(invoiceDrift(mirror, xero))).toEqual(['Total: 1200.01 → 1200.00 MIRROR_STALE RESYNC']);
    // A change in a later second is still Xero's.
    const later = { ...xero, updatedAt: Date.parse('2027-01-20T10:00:01.000Z') };
    expect(brief(invoiceDrift(mirror, later))).toEqual(['Total: 1200.01 → 1200.00 EDITED_AFTER_APPROVAL REVIEW']);
  });

  it('one side missing: mirror missing (RESYNC imports it), or not in Xero (VOID_LOCALLY)', () => {
    expect(brief(invoiceDrift(undefined, xeroInvoice()))).toEqual(['Document: none → document MIRROR_MISSING RESYNC']);
    expect(invoiceDrift(mirrorOf(xeroInvoice()), undefined)).toEqual([
      expect.objectContaining({
        key: 'x-inv-1:document',
        cause: 'NOT_IN_XERO',
        fix: 'VOID_LOCALLY',
        salesforceId: 'a01000000000001AAA',
      }),
    ]);
    expect(() => invoiceDrift(undefined, undefined)).toThrow('The drift check needs the mirror or the Xero invoice');
  });
});

describe('creditDrift', () => {
  const overpayment = (extra: Partial<CreditState> = {}): CreditState => ({
    kind: 'overpayment',
    creditId: 'x-op-1',
    contactId: 'c-acme',
    status: 'AUTHORISED',
    currencyCode: 'GBP',
    date: '2027-02-01',
    total: '500.00',
    remainingCredit: '500.00',
    updatedAt: T0,
    allocations: [],
    refunds: [],
    ...extra,
  });
  const mirror = (credit: CreditState, extra: Partial<MirrorCredit> = {}): MirrorCredit => ({
    salesforceId: 'a05000000000001AAA',
    kind: credit.kind,
    creditId: credit.creditId,
    displayStatus: creditDisplayStatus(credit.status),
    currencyCode: credit.currencyCode,
    total: credit.total,
    remainingCredit: credit.remainingCredit,
    contactId: credit.contactId,
    xeroUpdated: credit.updatedAt,
    allocations: credit.allocations,
    refunds: credit.refunds,
    ...extra,
  });

  it('an overpayment allocated and refunded in Xero, neither mirrored', () => {
    const now = overpayment({
      status: 'PAID',
      remainingCredit: '0.00',
      updatedAt: LATER,
      allocations: [
        {
          allocationId: 'al-1',
          creditKind: 'overpayment',
          creditId: 'x-op-1',
          invoiceId: 'x-inv-2',
          amount: '300.00',
          date: '2027-02-10',
        },
      ],
      refunds: [{ paymentId: 'p-r', amount: '200.00', date: '2027-03-01', status: 'AUTHORISED' }],
    });
    expect(brief(creditDrift(mirror(overpayment()), now))).toEqual([
      'Status: Authorised → Paid ALLOCATION_CHANGED_IN_XERO RESYNC',
      'Remaining Credit: 500.00 → 0.00 ALLOCATION_CHANGED_IN_XERO RESYNC',
      'Allocation: 0.00 → 300.00 ALLOCATION_CHANGED_IN_XERO RESYNC',
      'Refund:  → 200.00 PAYMENT_RECORDED_IN_XERO RESYNC',
    ]);
  });

  it('a credit note in step, and an approved one on its way', () => {
    const note = overpayment({
      kind: 'credit-note',
      creditId: 'x-cn-1',
      subTotal: '100',
      totalTax: '20',
      total: '120',
      remainingCredit: '120',
    });
    expect(creditDrift(mirror(note, { subTotal: '100.00', totalTax: '20.00' }), note)).toEqual([]);
    const draft = { ...note, status: 'DRAFT' as const };
    expect(creditDrift(mirror(draft, { displayStatus: 'Approved', approved: true }), draft)).toEqual([]);
    expect(() => creditDrift(mirror(note, { kind: 'prepayment' }), note)).toThrow(
      'x-cn-1 is a credit note in Xero, not a prepayment',
    );
  });
});

describe('a drift run over a tenant', () => {
  it('pairs by Xero id, sorts findings by key, and settles against the stored results', () => {
    const inSync = xeroInvoice({ invoiceId: 'x-inv-a' });
    const changed = xeroInvoice({ invoiceId: 'x-inv-b', status: 'VOIDED', amountDue: '0.00', updatedAt: LATER });
    const unmirrored = xeroInvoice({ invoiceId: 'x-inv-c' });
    const findings = tenantDrift({
      mirrors: { invoices: [mirrorOf(inSync), mirrorOf(xeroInvoice({ invoiceId: 'x-inv-b' }))], credits: [] },
      xero: { invoices: [inSync, changed, unmirrored], credits: [] },
    });
    expect(findings.map((f) => f.key)).toEqual(['x-inv-b:status', 'x-inv-c:document']);

    const settled = settleFindings(
      [
        { key: 'x-inv-b:status', status: 'Open' },
        { key: 'x-inv-c:document', status: 'Dismissed' },
        { key: 'x-inv-a:total', status: 'Open' },
        { key: 'x-inv-z:total', status: 'Resolved' },
      ],
      findings,
    );
    expect(settled.open.map((f) => f.key)).toEqual(['x-inv-b:status']);
    expect(settled.dismissed.map((f) => f.key)).toEqual(['x-inv-c:document']);
    expect(settled.resolved).toEqual(['x-inv-a:total']);
  });
});
