import {
  checkAllocation,
  creditHeld,
  creditHistory,
  creditPosition,
  splitReceipt,
  unallocatedCredits,
} from './customer-credit';
import type { CreditState } from './ledger-documents';
import { accountSummary } from './receivables';

const overpayment = (extra: Partial<CreditState> = {}): CreditState => ({
  kind: 'overpayment',
  creditId: 'op-1',
  contactId: 'c1',
  status: 'AUTHORISED',
  currencyCode: 'GBP',
  date: '2027-01-10',
  total: '500.00',
  remainingCredit: '500.00',
  allocations: [],
  refunds: [],
  ...extra,
});

describe('customer credit', () => {
  it('a customer pays 1,700.00 against 1,200.00 due: 1,200.00 settles the invoice, 500.00 is an overpayment', () => {
    const { payment, overpayment: excess } = splitReceipt('1200.00', '1700.00');
    expect([payment.toFixed(2), excess.toFixed(2)]).toEqual(['1200.00', '500.00']);
    const partial = splitReceipt('1200.00', '200');
    expect([partial.payment.toFixed(2), partial.overpayment.toFixed(2)]).toEqual(['200.00', '0.00']);
    expect(() => splitReceipt('100', '0')).toThrow('A receipt must be above zero, not 0.00');
  });

  it('the overpayment is allocated 300.00 to the next invoice and 150.00 refunded: 50.00 remains', () => {
    const used = overpayment({
      remainingCredit: '50.00',
      allocations: [
        { creditKind: 'overpayment', creditId: 'op-1', invoiceId: 'inv-2', amount: '300.00', date: '2027-02-01' },
        {
          creditKind: 'overpayment',
          creditId: 'op-1',
          invoiceId: 'inv-3',
          amount: '80.00',
          date: '2027-02-02',
          status: 'DELETED',
        },
      ],
      refunds: [
        { paymentId: 'p-9', amount: '150.00', date: '2027-03-01', status: 'AUTHORISED' },
        { paymentId: 'p-8', amount: '20.00', date: '2027-02-20', status: 'DELETED' },
      ],
    });
    const position = creditPosition(used);
    expect([position.allocated, position.refunded, position.remaining].map((m) => m.toFixed(2))).toEqual([
      '300.00',
      '150.00',
      '50.00',
    ]);
    expect(position).toMatchObject({ expectedStatus: 'AUTHORISED', mismatches: [] });
    expect(creditHistory(used).map((e) => `${e.date} ${e.type} ${e.amount.toFixed(2)}`)).toEqual([
      '2027-01-10 received 500.00',
      '2027-02-01 allocated 300.00',
      '2027-03-01 refunded 150.00',
    ]);
  });

  it('fully used credit is PAID; a difference from Xero’s RemainingCredit or status is reported, not hidden', () => {
    const used = overpayment({
      number: 'OP-7',
      remainingCredit: '20.00',
      allocations: [
        { creditKind: 'overpayment', creditId: 'op-1', invoiceId: 'inv-2', amount: '500.00', date: '2027-02-01' },
      ],
    });
    expect(creditPosition(used)).toMatchObject({
      expectedStatus: 'PAID',
      mismatches: [
        'overpayment OP-7: Xero says 20.00 GBP remains, its allocations and refunds leave 0.00',
        'overpayment OP-7: Xero says AUTHORISED, its amounts say PAID',
      ],
    });
    const over = creditPosition(
      overpayment({
        remainingCredit: '0',
        status: 'PAID',
        allocations: [
          { creditKind: 'overpayment', creditId: 'op-1', invoiceId: 'inv-2', amount: '600.00', date: '2027-02-01' },
        ],
      }),
    );
    expect(over.remaining.toFixed(2)).toBe('0.00');
    expect(over.mismatches).toEqual(['overpayment op-1: 600.00 allocated and refunded is more than its total 500.00']);
  });

  it('a voided prepayment holds nothing', () => {
    const voided = creditPosition(overpayment({ kind: 'prepayment', status: 'VOIDED', remainingCredit: '0' }));
    expect(voided).toMatchObject({ expectedStatus: 'VOIDED', mismatches: [] });
    expect(voided.remaining.toFixed(2)).toBe('0.00');
  });

  it('an Account holding credit per currency: overpayment + prepayment + credit note in GBP, a USD credit note', () => {
    const credits: CreditState[] = [
      overpayment({ date: '2027-03-01' }),
      overpayment({
        kind: 'prepayment',
        creditId: 'pp-1',
        date: '2027-01-05',
        total: '1200.00',
        remainingCredit: '1200.00',
      }),
      overpayment({
        kind: 'credit-note',
        creditId: 'cn-1',
        number: 'CN-1',
        date: '2027-02-01',
        total: '99.99',
        remainingCredit: '99.99',
      }),
      overpayment({ kind: 'credit-note', creditId: 'cn-2', currencyCode: 'usd', total: '10', remainingCredit: '10' }),
      overpayment({
        creditId: 'op-2',
        status: 'PAID',
        remainingCredit: '0',
        total: '5',
        allocations: [{ creditKind: 'overpayment', creditId: 'op-2', invoiceId: 'i', amount: '5', date: '2027-01-01' }],
      }),
    ];
    const held = creditHeld(credits);
    expect(held.map((h) => [h.currencyCode, h.held.toFixed(2), h.credits.map((c) => c.creditId)])).toEqual([
      ['GBP', '1799.99', ['pp-1', 'cn-1', 'op-1']],
      ['USD', '10.00', ['cn-2']],
    ]);
    expect(Object.fromEntries(Object.entries(held[0]!.byKind).map(([k, v]) => [k, v.toFixed(2)]))).toEqual({
      'credit-note': '99.99',
      overpayment: '500.00',
      prepayment: '1200.00',
    });
    // The account card's summary shows the same credit beside what is due, per currency.
    const summary = accountSummary(
      [
        {
          status: 'AUTHORISED',
          currencyCode: 'GBP',
          total: '1200',
          amountPaid: '0',
          amountCredited: '0',
          amountDue: '1200',
          date: '2027-03-01',
          dueDate: '2027-03-31',
        },
      ],
      '2027-03-15',
      unallocatedCredits(credits),
    );
    expect(summary.map((s) => [s.currencyCode, s.outstanding.toFixed(2), s.unallocatedCredit.toFixed(2)])).toEqual([
      ['GBP', '1200.00', '1799.99'],
      ['USD', '0.00', '10.00'],
    ]);
  });

  it('refuses an allocation Xero would refuse, listing every reason', () => {
    const credit = {
      kind: 'overpayment' as const,
      creditId: 'op-1',
      number: 'OP-1',
      currencyCode: 'GBP',
      status: 'AUTHORISED' as const,
      remaining: '50',
    };
    const invoice = { invoiceId: 'i-1', invoiceNumber: 'INV-9', currencyCode: 'USD', status: 'PAID', amountDue: '0' };
    expect(() => checkAllocation(credit, invoice, '60')).toThrow(
      'Cannot allocate overpayment OP-1 to invoice INV-9: overpayment OP-1 is in GBP, invoice INV-9 in USD; invoice INV-9 is PAID, not awaiting payment; 60.00 is more than the 50.00 overpayment OP-1 holds; 60.00 is more than the 0.00 due on invoice INV-9',
    );
    expect(() =>
      checkAllocation(credit, { ...invoice, currencyCode: 'GBP', status: 'AUTHORISED', amountDue: '100' }, '50'),
    ).not.toThrow();
  });
});
