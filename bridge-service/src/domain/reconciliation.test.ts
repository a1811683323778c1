import type { CreditState, InvoiceState } from './ledger-documents';
import {
  compareReconciliations,
  reconcile,
  type Attribution,
  type ReconciliationLine,
  type WonDeal,
} from './reconciliation';

const ACME = '001000000000001AAA';
const GLOBEX = '001000000000002AAA';
const O1 = '006000000000001AAA';
const O2 = '006000000000002AAA';

const invoice = (id: string, where: Attribution, extra: Partial<InvoiceState>): InvoiceState & Attribution => ({
  kind: 'invoice',
  invoiceId: id,
  contactId: 'c',
  status: 'AUTHORISED',
  currencyCode: 'GBP',
  date: '2027-01-15',
  subTotal: '0',
  totalTax: '0',
  total: '0',
  amountPaid: '0',
  amountCredited: '0',
  amountDue: '0',
  payments: [],
  ...where,
  ...extra,
});
const credit = (id: string, where: Attribution, extra: Partial<CreditState>): CreditState & Attribution => ({
  kind: 'credit-note',
  creditId: id,
  contactId: 'c',
  status: 'AUTHORISED',
  currencyCode: 'GBP',
  date: '2027-02-01',
  total: '0',
  remainingCredit: '0',
  allocations: [],
  refunds: [],
  ...where,
  ...extra,
});
const pay = (paymentId: string, amount: string) => ({
  paymentId,
  amount,
  date: '2027-02-10',
  status: 'AUTHORISED' as const,
});

const deals: WonDeal[] = [
  { opportunityId: O1, accountId: ACME, entity: 'UK_Ltd', currencyCode: 'GBP', amount: '10000.00' },
  { opportunityId: O2, accountId: ACME, entity: 'UK_Ltd', currencyCode: 'usd', amount: 2000 },
];
const acmeO1 = { entity: 'UK_Ltd', accountId: ACME, opportunityId: O1 };
const invoices = [
  // 6,000.00 + 20 % VAT; 3,000.00 paid, a 1,200.00 credit note and 500.00 of an overpayment applied: 2,500.00 due.
  invoice('I1', acmeO1, {
    subTotal: '6000.00',
    totalTax: '1200.00',
    total: '7200.00',
    amountPaid: '3000.00',
    amountCredited: '1700.00',
    amountDue: '2500.00',
    payments: [pay('P1', '3000.00'), { ...pay('P0', '50.00'), status: 'DELETED' }],
  }),
  invoice('I2', acmeO1, { status: 'DRAFT', subTotal: '4000.00', total: '4800.00', amountDue: '4800.00' }),
  invoice(
    'I3',
    { entity: 'UK_Ltd', accountId: ACME, opportunityId: O2 },
    {
      currencyCode: 'USD',
      status: 'PAID',
      subTotal: '2000.00',
      total: '2000.00',
      amountPaid: '2000.00',
      payments: [pay('P3', '2000.00')],
    },
  ),
  // Imported history of another customer: no deal.
  invoice(
    'I4',
    { entity: 'UK_Ltd', accountId: GLOBEX },
    { subTotal: '100.00', totalTax: '20.00', total: '120.00', amountDue: '120.00' },
  ),
  invoice('I5', { entity: 'UK_Ltd', accountId: GLOBEX }, { status: 'VOIDED', subTotal: '999.00', total: '999.00' }),
];
const credits = [
  credit(
    'CN1',
    { entity: 'UK_Ltd', accountId: ACME },
    {
      invoiceId: 'I1',
      subTotal: '1000.00',
      totalTax: '200.00',
      total: '1200.00',
      status: 'PAID',
      allocations: [
        { creditKind: 'credit-note', creditId: 'CN1', invoiceId: 'I1', amount: '1200.00', date: '2027-02-01' },
      ],
    },
  ),
  credit(
    'OP1',
    { entity: 'UK_Ltd', accountId: ACME },
    {
      kind: 'overpayment',
      total: '600.00',
      remainingCredit: '100.00',
      allocations: [
        { creditKind: 'overpayment', creditId: 'OP1', invoiceId: 'I1', amount: '500.00', date: '2027-02-11' },
      ],
    },
  ),
  credit(
    'PP1',
    { entity: 'UK_Ltd', accountId: GLOBEX },
    { kind: 'prepayment', subTotal: '200.00', total: '240.00', remainingCredit: '240.00' },
  ),
];

const figures = (line: ReconciliationLine | undefined) =>
  line &&
  Object.fromEntries(
    Object.entries(line)
      .filter(([, v]) => typeof v === 'object')
      .map(([k, v]) => [k, (v as { toFixed(dp: number): string }).toFixed(2)]),
  );
const find = (lines: ReconciliationLine[], level: string, key: string, currency: string) =>
  lines.find((l) => l.level === level && l.key === key && l.currencyCode === currency);

describe('reconcile: booked, billed, collected', () => {
  const lines = reconcile(deals, invoices, credits);

  it('a deal part-invoiced, part-credited, paid in cash, by credit note and from an overpayment', () => {
    expect(figures(find(lines, 'deal', O1, 'GBP'))).toEqual({
      booked: '10000.00',
      invoicedNet: '6000.00',
      creditedNet: '1000.00',
      billedNet: '5000.00',
      unbilled: '5000.00',
      invoicedGross: '7200.00',
      creditedGross: '1200.00',
      billedGross: '6000.00',
      paid: '3000.00',
      creditNoteAllocated: '1200.00',
      overpaymentAllocated: '500.00',
      prepaymentAllocated: '0.00',
      collected: '3500.00',
      amountDue: '2500.00',
      creditHeld: '0.00',
      unexplained: '0.00',
    });
    expect(find(lines, 'deal', O1, 'GBP')!.ties).toBe(true);
  });

  it('the Account has a line per currency, and holds the overpayment’s remaining 100.00', () => {
    const acme = lines.filter((l) => l.level === 'account' && l.key === ACME);
    expect(
      acme.map((l) => [
        l.currencyCode,
        l.booked.toFixed(2),
        l.billedNet.toFixed(2),
        l.collected.toFixed(2),
        l.creditHeld.toFixed(2),
      ]),
    ).toEqual([
      ['GBP', '10000.00', '5000.00', '3500.00', '100.00'],
      ['USD', '2000.00', '2000.00', '2000.00', '0.00'],
    ]);
  });

  it('the entity adds history without a deal, and never adds currencies together', () => {
    const entity = lines.filter((l) => l.level === 'entity');
    expect(
      entity.map((l) => [
        l.currencyCode,
        l.booked.toFixed(2),
        l.invoicedNet.toFixed(2),
        l.amountDue.toFixed(2),
        l.creditHeld.toFixed(2),
        l.ties,
      ]),
    ).toEqual([
      ['GBP', '10000.00', '6100.00', '2620.00', '340.00', true],
      ['USD', '2000.00', '2000.00', '0.00', '0.00', true],
    ]);
    expect(find(lines, 'deal', 'undefined', 'GBP')).toBeUndefined();
    expect(lines.filter((l) => l.level === 'deal').map((l) => l.key)).toEqual([O1, O2]);
  });

  it('a payment the documents do not show leaves the books untied, by exactly its amount', () => {
    const broken = reconcile(deals, [{ ...invoices[0]!, payments: [] }], credits);
    expect(find(broken, 'deal', O1, 'GBP')).toMatchObject({ ties: false });
    expect(find(broken, 'deal', O1, 'GBP')!.unexplained.toFixed(2)).toBe('3000.00');
  });

  it('compares the mirrors’ reconciliation with Xero’s, figure by figure', () => {
    expect(compareReconciliations(lines, reconcile(deals, invoices, credits))).toEqual([]);
    const mirror = reconcile(
      deals,
      [{ ...invoices[0]!, payments: [pay('P1', '2000.00')], amountDue: '3500.00' }, ...invoices.slice(1)],
      credits,
    );
    const differences = compareReconciliations(mirror, lines).filter((d) => d.level === 'deal');
    expect(differences.map((d) => [d.figure, d.salesforce.toFixed(2), d.xero.toFixed(2)])).toEqual([
      ['paid', '2000.00', '3000.00'],
      ['amountDue', '3500.00', '2500.00'],
      ['collected', '2500.00', '3500.00'],
    ]);
  });
});
