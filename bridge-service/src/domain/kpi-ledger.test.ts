import { credits, invoices } from './__fixtures__/kpi-documents';
import {
  ageingOn,
  billingsIn,
  cashCollectedBetween,
  countbackDsoOf,
  creditHeldOn,
  creditSalesByMonth,
  observedDaysLate,
  receivablesOn,
} from './kpi-ledger';
import { money, type Money } from './money';

const plain = (map: ReadonlyMap<string, Money>) => Object.fromEntries([...map].map(([k, v]) => [k, v.toFixed(2)]));

describe('ledger KPIs', () => {
  it('billings are posted invoices less posted credit notes, net of tax, on their dates', () => {
    const february = billingsIn(invoices, credits, '2026-02');
    // GBP: INV-2 3,000.00 − CN-1 250.00 (the draft and the voided invoice are not billed); USD: INV-3.
    expect(plain(february.net)).toEqual({ GBP: '2750.00', USD: '900.00' });
    expect(plain(february.gross)).toEqual({ GBP: '3300.00', USD: '900.00' });
    expect(plain(billingsIn(invoices, credits, '2026-01').net)).toEqual({ GBP: '1000.00' });
    expect(plain(billingsIn(invoices, credits, '2026-02', 'US_Inc').net)).toEqual({ USD: '900.00' });
  });

  it('cash collected is payments, overpayments and prepayments received, less refunds', () => {
    expect(plain(cashCollectedBetween(invoices, credits, '2026-02-01', '2026-02-28'))).toEqual({ GBP: '650.00' });
    // 600.00 + 1,000.00 − 20.00 refunded; the deleted payment never counted.
    expect(plain(cashCollectedBetween(invoices, credits, '2026-03-01', '2026-03-31'))).toEqual({ GBP: '1580.00' });
  });

  it('what was due on a past day: total less what was paid and allocated by then', () => {
    const due = (day: string) => receivablesOn(invoices, credits, day).map((r) => [r.invoiceId, r.amountDue]);
    expect(due('2026-02-28')).toEqual([
      ['INV-1', '600.00'],
      ['INV-2', '3300.00'],
      ['INV-3', '900.00'],
    ]);
    // On the as-of day it is Xero's AmountDue.
    expect(due('2026-03-31')).toEqual([
      ['INV-2', '2300.00'],
      ['INV-3', '900.00'],
    ]);
    expect(due('2026-01-09')).toEqual([]);
  });

  it('ages them with receivables.ts, credit held beside the buckets', () => {
    const [gbp, usd] = ageingOn(invoices, credits, '2026-02-28');
    expect(gbp).toMatchObject({ currencyCode: 'GBP', openCount: 2 });
    expect(gbp?.buckets.current.toFixed(2)).toBe('3300.00');
    expect(gbp?.buckets.days1to30.toFixed(2)).toBe('600.00'); // INV-1, 19 days past due
    expect(gbp?.unallocatedCredit.toFixed(2)).toBe('50.00'); // OP-1
    expect(usd?.buckets.current.toFixed(2)).toBe('900.00');
    const [march] = ageingOn(invoices, credits, '2026-03-31', 'UK_Ltd');
    expect(march?.buckets.days1to30.toFixed(2)).toBe('2300.00'); // INV-2, 28 days past due
    expect(march?.unallocatedCredit.toFixed(2)).toBe('30.00');
    expect(plain(creditHeldOn(credits, '2026-02-19'))).toEqual({ GBP: '300.00' }); // CN-1 not yet allocated
  });

  it("a customer's observed days late is the amount-weighted mean over the last 365 days", () => {
    // (600 × 10 + 600 × 30 + 1,000 × 0) ÷ 2,200 = 10.9 → 11; C has paid nothing.
    expect(Object.fromEntries(observedDaysLate(invoices, '2026-03-31'))).toEqual({ A: 11 });
    // Before the second payment: (600 × 10 + 1,000 × 0) ÷ 1,600 = 3.75 → 4.
    expect(Object.fromEntries(observedDaysLate(invoices, '2026-03-10'))).toEqual({ A: 4 });
    expect(Object.fromEntries(observedDaysLate(invoices, '2027-03-12'))).toEqual({});
  });

  it('counts DSO back over monthly credit sales (tax included), most recent month first', () => {
    const sales = creditSalesByMonth(invoices, ['2026-02', '2026-01'], 'UK_Ltd');
    expect(plain(sales.get('2026-02')!)).toEqual({ GBP: '3600.00' });
    expect(plain(sales.get('2026-01')!)).toEqual({ GBP: '1200.00' });
    // AR 3,900.00 on 28 Feb: February's 3,600.00 is 28 days, then 300 ÷ 1,200 × 31 = 7.75 → 35.8 days.
    const months = [
      { sales: money('3600.00'), days: 28 },
      { sales: money('1200.00'), days: 31 },
    ];
    expect(countbackDsoOf(money('3900.00'), months)?.toFixed(1)).toBe('35.8');
    // finance.md §4's published case: 212,000 against 100k / 80k / 70k in 30-day months = 73.7 days.
    expect(
      countbackDsoOf(
        money('212000'),
        ['100000', '80000', '70000'].map((s) => ({ sales: money(s), days: 30 })),
      )?.toFixed(1),
    ).toBe('73.7');
    expect(countbackDsoOf(money('0'), [])?.toFixed(1)).toBe('0.0');
    expect(countbackDsoOf(money('5000.00'), months)).toBeUndefined(); // the history does not cover it
  });
});
