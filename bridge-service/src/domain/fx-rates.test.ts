import Big from 'big.js';

import {
  averageRate,
  closingRate,
  convertAt,
  rateBookProblems,
  rateOn,
  rateText,
  reportingCurrency,
  weakestSource,
  type RateBook,
} from './fx-rates';
import CASES from './fx.cases.json';
import { MonthRates } from './kpi-translation';

/** GBP corporate; USD dated (1.25 from 1 Dec 2025, 1.30 from 15 Feb 2026); EUR only in CurrencyType; CHF only in the table. */
const book: RateBook = {
  corporateCurrency: 'GBP',
  advancedCurrencyManagement: true,
  dated: [
    { currency: 'USD', rate: '1.25', startDate: '2025-12-01' },
    { currency: 'USD', rate: '1.30', startDate: '2026-02-15' },
  ],
  static: [
    { currency: 'USD', rate: '1.27' },
    { currency: 'EUR', rate: '1.15' },
  ],
  staticReadOn: '2026-03-15',
  table: [
    { currency: 'CHF', rate: '1.10', startDate: '2026-01-01' },
    { currency: 'CHF', rate: '1.12', startDate: '2026-03-01' },
  ],
};

describe('exchange rates', () => {
  it('takes the corporate currency at 1, then dated rates, then CurrencyType, then the package table', () => {
    expect(rateOn(book, 'gbp', '2026-02-28')).toMatchObject({ source: 'corporate', rateDate: '2026-02-28' });
    expect(rateOn(book, 'USD', '2026-02-14')).toMatchObject({ source: 'dated', rateDate: '2025-12-01' });
    expect(rateOn(book, 'USD', '2026-02-15')?.rate.toString()).toBe('1.3');
    expect(rateOn(book, 'EUR', '2026-02-28')).toMatchObject({ source: 'static', rateDate: '2026-03-15' });
    expect(rateOn(book, 'CHF', '2026-02-28')).toMatchObject({ source: 'package', rateDate: '2026-01-01' });
    expect(rateOn(book, 'CHF', '2026-03-31')?.rate.toString()).toBe('1.12');
    expect(rateOn(book, 'CHF', '2025-12-31')).toBeUndefined();
    expect(rateOn(book, 'JPY', '2026-02-28')).toBeUndefined();
  });

  it('ignores dated rates without advanced currency management (they apply to nothing then)', () => {
    const off = { ...book, advancedCurrencyManagement: false };
    expect(rateOn(off, 'USD', '2026-02-28')).toMatchObject({ source: 'static', rateDate: '2026-03-15' });
    expect(rateOn(off, 'USD', '2026-02-28')?.rate.toString()).toBe('1.27');
  });

  it('a closing cross rate is rate(to) ÷ rate(from), shown to 6 dp, with the older leg date and every source', () => {
    const gbpPerUsd = closingRate(book, 'USD', 'GBP', '2026-02-28');
    expect(gbpPerUsd?.rate.toFixed(6)).toBe('0.769231'); // 1 ÷ 1.30
    expect(gbpPerUsd).toMatchObject({ kind: 'closing', rateDate: '2026-02-15', sources: ['corporate', 'dated'] });
    const usdPerEur = closingRate(book, 'EUR', 'USD', '2026-01-31');
    expect(usdPerEur?.rate.toFixed(6)).toBe('1.086957'); // 1.25 ÷ 1.15
    expect(usdPerEur).toMatchObject({ rateDate: '2025-12-01', sources: ['dated', 'static'] });
    expect(closingRate(book, 'USD', 'USD', '2026-01-31')?.rate.toFixed(6)).toBe('1.000000');
    expect(closingRate(book, 'JPY', 'GBP', '2026-01-31')).toBeUndefined();
  });

  it("a month's average is the mean of each day's cross rate (not the inverse of the mean rate)", () => {
    // Feb 2026: 14 days at 1.25 and 14 at 1.30 USD per GBP.
    expect(averageRate(book, 'GBP', 'USD', '2026-02-01', '2026-02-28')?.rate.toFixed(6)).toBe('1.275000');
    // GBP per USD: (14 × 0.8 + 14 × 0.769230769…) ÷ 28 = 0.784615, not 1 ÷ 1.275 = 0.784314.
    const average = averageRate(book, 'USD', 'GBP', '2026-02-01', '2026-02-28');
    expect(average?.rate.toFixed(6)).toBe('0.784615');
    expect(average).toMatchObject({
      kind: 'average',
      rateDate: '2026-02-28',
      period: { start: '2026-02-01', end: '2026-02-28' },
      sources: ['corporate', 'dated'],
    });
    // A day without a rate leaves the month without an average.
    expect(averageRate(book, 'CHF', 'GBP', '2025-12-15', '2026-01-15')).toBeUndefined();
  });

  it('converts at the exact mean, rounded once half up: 1,000.00 USD × 0.78461538… = 784.62 GBP', () => {
    const average = averageRate(book, 'USD', 'GBP', '2026-02-01', '2026-02-28')!;
    expect(convertAt('1000.00', average).toFixed(2)).toBe('784.62');
    expect(convertAt('-1000.00', average).toFixed(2)).toBe('-784.62');
  });

  describe('converts in one step from the stored rates, round(amount × rate_B ÷ rate_A, 2) (fx.cases.json)', () => {
    const cases: RateBook = {
      corporateCurrency: CASES.corporateCurrency,
      advancedCurrencyManagement: false,
      dated: [],
      static: Object.entries(CASES.rates).map(([currency, rate]) => ({ currency, rate })),
      staticReadOn: CASES.day,
      table: [],
    };

    it.each(CASES.toCorporate)('$name', ({ currency, amount, converted, shownRate, previousRuleGave }) => {
      const rate = closingRate(cases, currency, CASES.corporateCurrency, CASES.day)!;
      expect(convertAt(amount, rate).toFixed(2)).toBe(converted);
      expect(rateText(rate)).toBe(shownRate);
      // the old rule: the cross rate rounded to 6 dp first, then multiplied
      const rounded = rate.exact.numerator.div(rate.exact.denominator).round(6, Big.roundHalfUp);
      expect(new Big(amount).times(rounded).round(2, Big.roundHalfUp).toFixed(2)).toBe(previousRuleGave);
    });

    it.each(CASES.cross)('$name', ({ from, to, amount, converted, shownRate }) => {
      const rate = closingRate(cases, from, to, CASES.day)!;
      expect(convertAt(amount, rate).toFixed(2)).toBe(converted);
      expect(rateText(rate)).toBe(shownRate);
    });

    it.each(CASES.average)('$name', ({ dated, from, to, start, end, amount, converted, shownRate }) => {
      const book = { ...cases, advancedCurrencyManagement: true, dated };
      const rate = averageRate(book, from, to, start, end)!;
      expect(convertAt(amount, rate).toFixed(2)).toBe(converted);
      expect(rateText(rate)).toBe(shownRate);
    });

    it('a weak currency keeps its figure through the reporting month (MonthRates)', () => {
      const rates = new MonthRates(cases, 'GBP', '2026-03', CASES.day);
      const idr = CASES.toCorporate[0]!;
      expect(rates.translate(new Map([['IDR', new Big(idr.amount)]]), 'closing')?.amount.toFixed(2)).toBe(
        idr.converted,
      );
    });
  });

  it('names the weakest source of a figure', () => {
    expect(weakestSource(['dated', 'corporate'])).toBe('dated');
    expect(weakestSource(['dated', 'package', 'static'])).toBe('package');
    expect(weakestSource([])).toBeUndefined();
  });

  it('lists every bad rate at once', () => {
    expect(
      rateBookProblems({
        ...book,
        dated: [{ currency: 'USD', rate: '0', startDate: '2026-01-01' }],
        table: [{ currency: 'GBP', rate: '2', startDate: '2026-01-01' }],
      }),
    ).toEqual([
      'dated rate USD from 2026-01-01: the rate must be above zero',
      "rate table GBP from 2026-01-01: the corporate currency's rate is always 1",
    ]);
    expect(rateBookProblems(book)).toEqual([]);
  });

  it('reports in the configured currency, else the corporate one', () => {
    expect(reportingCurrency(null, 'GBP')).toBe('GBP');
    expect(reportingCurrency('  ', 'gbp')).toBe('GBP');
    expect(reportingCurrency('usd', 'GBP')).toBe('USD');
    expect(() => reportingCurrency('US', 'GBP')).toThrow('Reporting currency "US" is not an ISO currency code');
  });
});
