import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { RateBook } from './fx-rates';
import {
  customerMrr,
  GROUP,
  mrrBridge,
  retention,
  subscriptionMrr,
  subscriptionOf,
  subscriptionProblems,
  type Subscription,
} from './kpi-mrr';
import { monthAndPrevious, MonthRates } from './kpi-translation';

/** Worked cases shared with the cockpit (lwc/financeCockpit): one file, both tests. */
interface Cases {
  book: RateBook;
  subscriptions: Subscription[];
  mrrBridges: ({ name: string; month: string; scope: string; customers: object } & Record<string, string>)[];
  retention: ({ name: string; month: string; scope: string; cohortCustomers: number } & Record<string, string>)[];
}
const CASES = JSON.parse(readFileSync(path.join(__dirname, 'kpi.cases.json'), 'utf8')) as Cases;
const { book, subscriptions } = CASES;
const FIGURES = ['opening', 'fx', 'new', 'expansion', 'reactivation', 'contraction', 'churn', 'closing'] as const;

const bridgeOf = (month: string, scope: string, subs = subscriptions, asOf = '2026-03-15', rates = book) =>
  mrrBridge(subs, month, monthAndPrevious(rates, 'GBP', month, asOf), scope);

describe('MRR', () => {
  it('is the net price × quantity ÷ the months the price is for; 0 outside the service period', () => {
    const [a, , c] = subscriptions as [Subscription, Subscription, Subscription];
    expect(subscriptionMrr(a, '2026-01-31').toFixed(2)).toBe('3000.00'); // 100 × 1,080.00 ÷ 36
    expect(subscriptionMrr(a, '2026-02-10').toFixed(2)).toBe('3600.00'); // the amendment, from its day
    expect(subscriptionMrr(c, '2026-02-28').toFixed(2)).toBe('900.00'); // 5 × 2,400.00 less 10 % ÷ 12
    expect(subscriptionMrr(c, '2026-01-31').toFixed(2)).toBe('0.00');
    expect(subscriptionMrr(c, '2027-02-01').toFixed(2)).toBe('0.00');
  });

  it("sums a customer's MRR per currency and rounds once: 3 × 100.00 a year is 25.00, never 3 × 8.33", () => {
    const sub = (contractKey: string): Subscription => ({
      contractKey,
      customerId: 'X',
      entity: 'UK_Ltd',
      currency: 'GBP',
      start: '2026-01-01',
      end: '2026-12-31',
      termMonths: 12,
      versions: [{ effectiveDate: '2026-01-01', lines: [{ productKey: 'P', quantity: '1', unitPrice: '100.00' }] }],
    });
    const mrr = customerMrr([sub('1'), sub('2'), sub('3')], '2026-01-31');
    expect(mrr.get('X')?.get('GBP')?.toFixed(2)).toBe('25.00');
  });

  it.each(CASES.mrrBridges.map((c) => [c.name, c] as const))('%s', (_name, expected) => {
    const { bridge, missing } = bridgeOf(expected.month, expected.scope);
    expect(missing).toEqual([]);
    expect(Object.fromEntries(FIGURES.map((f) => [f, bridge?.[f].toFixed(2)]))).toEqual(
      Object.fromEntries(FIGURES.map((f) => [f, expected[f]])),
    );
    expect(bridge?.customers).toEqual(expected.customers);
    // Opening + FX + new + expansion + reactivation − contraction − churn = closing, to the cent.
    const b = bridge!;
    expect(
      b.opening
        .plus(b.fx)
        .plus(b.new)
        .plus(b.expansion)
        .plus(b.reactivation)
        .minus(b.contraction)
        .minus(b.churn)
        .eq(b.closing),
    ).toBe(true);
    expect(b.arr.toFixed(2)).toBe(b.closing.times(12).toFixed(2));
  });

  it("January's closing is February's opening, and the group's FX is the sum of the entities'", () => {
    const january = bridgeOf('2026-01', GROUP).bridge!;
    const february = bridgeOf('2026-02', GROUP).bridge!;
    expect(february.opening.eq(january.closing)).toBe(true);
    const entities = ['UK_Ltd', 'US_Inc'].map((e) => bridgeOf('2026-02', e).bridge!);
    expect(entities.reduce((t, b) => t.plus(b.fx), february.fx.times(0)).eq(february.fx)).toBe(true);
    expect(entities.reduce((t, b) => t.plus(b.closing), february.fx.times(0)).eq(february.closing)).toBe(true);
  });

  it('names each movement by customer, and keeps the closing MRR per currency', () => {
    const { bridge } = bridgeOf('2026-02', GROUP);
    expect(bridge?.movements.map((m) => [m.customerId, m.kind, m.amount.toFixed(2)])).toEqual([
      ['A', 'expansion', '600.00'],
      ['B', 'churn', '769.23'],
      ['C', 'new', '692.31'],
      ['D', 'reactivation', '100.00'],
      ['E', 'expansion', '67.69'],
    ]);
    expect(bridge?.native.map((n) => [n.currency, n.amount.toFixed(2)])).toEqual([
      ['GBP', '4300.00'],
      ['USD', '1300.00'],
    ]);
  });

  it('comes back as a reactivation when it was above 0 at any month end before, not only its first', () => {
    const sub = (contractKey: string, start: string, end: string): Subscription => ({
      contractKey,
      customerId: 'R',
      entity: 'UK_Ltd',
      currency: 'GBP',
      start,
      end,
      termMonths: 1,
      versions: [{ effectiveDate: start, lines: [{ productKey: 'P', quantity: '1', unitPrice: '100.00' }] }],
    });
    // Nothing at the end of January (the first month), 100.00 at the end of February, nothing in March, back in April.
    const subs = [
      sub('R1', '2025-01-10', '2025-01-20'),
      sub('R2', '2025-02-01', '2025-02-28'),
      sub('R3', '2025-04-01', '2025-04-30'),
    ];
    const back = bridgeOf('2025-04', GROUP, subs, '2025-05-15');
    expect(back.bridge?.movements.map((m) => [m.customerId, m.kind, m.amount.toFixed(2)])).toEqual([
      ['R', 'reactivation', '100.00'],
    ]);
    const first = bridgeOf('2025-02', GROUP, subs, '2025-05-15');
    expect(first.bridge?.movements.map((m) => [m.customerId, m.kind])).toEqual([['R', 'new']]);
  });

  it("an open month's closing is the as-of day's MRR", () => {
    // On 15 Feb, D has not come back yet and A's amendment (10 Feb) has taken effect.
    const { bridge } = bridgeOf('2026-02', 'UK_Ltd', subscriptions, '2026-02-15');
    expect(bridge?.closing.toFixed(2)).toBe('4200.00');
    expect(bridge?.reactivation.toFixed(2)).toBe('0.00');
  });

  it('without a rate for a currency in scope there is no bridge, and the currency is named', () => {
    const noUsd = { ...book, dated: [] };
    expect(bridgeOf('2026-02', GROUP, subscriptions, '2026-03-15', noUsd)).toEqual({ missing: ['USD'] });
    // The UK entity needs no USD rate.
    expect(bridgeOf('2026-02', 'UK_Ltd', subscriptions, '2026-03-15', noUsd).bridge?.closing.toFixed(2)).toBe(
      '4300.00',
    );
  });

  it.each(CASES.retention.map((c) => [c.name, c] as const))('retention: %s', (_name, expected) => {
    const result = retention(
      subscriptions,
      expected.month,
      new MonthRates(book, 'GBP', expected.month, '2026-03-15'),
      expected.scope,
    );
    expect({
      cohortCustomers: result?.cohortCustomers,
      startingMrr: result?.startingMrr.toFixed(2),
      endingMrr: result?.endingMrr.toFixed(2),
      retainedMrr: result?.retainedMrr.toFixed(2),
      nrrPercent: result?.nrrPercent.toFixed(2),
      grrPercent: result?.grrPercent.toFixed(2),
    }).toEqual({
      cohortCustomers: expected.cohortCustomers,
      startingMrr: expected.startingMrr,
      endingMrr: expected.endingMrr,
      retainedMrr: expected.retainedMrr,
      nrrPercent: expected.nrrPercent,
      grrPercent: expected.grrPercent,
    });
  });

  it('has no retention without a cohort twelve months back', () => {
    expect(retention(subscriptions, '2025-06', new MonthRates(book, 'GBP', '2025-06', '2026-03-15'))).toBeUndefined();
  });

  it('builds a subscription from a contract and its amendments (amendment.ts lines)', () => {
    const sub = subscriptionOf({
      contractKey: '006A',
      customerId: '001A',
      entity: 'UK_Ltd',
      currency: 'gbp',
      contract: {
        startDate: '2026-01-01',
        endDate: '2026-12-31',
        lines: [
          { productKey: 'SEAT', description: 'Seats', quantity: '10', unitPrice: '600.00', discountPercent: '5' },
        ],
      },
      amendments: [
        {
          effectiveDate: '2026-07-01',
          lines: [
            { productKey: 'SEAT', description: 'Seats', quantity: '12', unitPrice: '600.00', discountPercent: '5' },
          ],
        },
      ],
    });
    expect(sub.currency).toBe('GBP');
    expect(subscriptionMrr(sub, '2026-06-30').toFixed(2)).toBe('475.00');
    expect(subscriptionMrr(sub, '2026-07-01').toFixed(2)).toBe('570.00');
  });

  it('lists every bad subscription at once and refuses to compute from them', () => {
    const bad: Subscription = { ...subscriptions[0]!, end: '2024-12-31', termMonths: 0, versions: [] };
    expect(subscriptionProblems([bad])).toEqual([
      'subscription A-2025 ends before it starts',
      'subscription A-2025: term months must be whole',
      'subscription A-2025 has no lines',
    ]);
    expect(() => bridgeOf('2026-02', GROUP, [bad])).toThrow('Cannot compute MRR');
  });
});
