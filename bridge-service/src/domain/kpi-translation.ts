/**
 * Figures in the reporting currency (finance.md §5): each figure is a sum of amounts per currency, each converted at
 * one rate and rounded to the cent, and it keeps those rates. IAS 21.39–40 for a presentation currency:
 * - balances (AR and its ageing, deferred and unbilled revenue, RPO, MRR and ARR, open foreign receivables) at the
 *   month's closing rate;
 * - flows (billings, recognised revenue, cash collected, realised FX) at the month's average rate;
 * - forecasts at the closing rate of the as-of month (no rate is forecast).
 * Constant currency = the same native amounts at the previous month's rates of the same kind; the FX effect of a
 * figure = reported − constant currency.
 */
import Big from 'big.js';

import { endOfMonth, minDate, type IsoDate } from './dates';
import { averageRate, closingRate, convertAt, type FxRate, type RateBook, type RateKind } from './fx-rates';
import { sum, type Money } from './money';
import { firstDayOf, lastDayOf, type MonthKey } from './revenue';

/** Native amounts per currency code. */
export type ByCurrency = ReadonlyMap<string, Money>;

export interface Translated {
  /** In the reporting currency: Σ round(native × rate, 2). */
  amount: Money;
  currency: string;
  kind: RateKind;
  native: { currency: string; amount: Money }[];
  rates: FxRate[];
}

/** Adds an amount to a per-currency map (in place) and returns the map. */
export function addTo(map: Map<string, Money>, currency: string, amount: Money): Map<string, Money> {
  const iso = currency.toUpperCase();
  map.set(iso, (map.get(iso) ?? new Big(0)).plus(amount));
  return map;
}

/** The previous calendar month. */
export const previousMonth = (month: MonthKey): MonthKey => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};

/**
 * The rates of one reporting month, looked up once per currency, with every currency that had none remembered. While
 * the month is open (as-of inside it) its closing rate is the as-of day's and its average runs to the as-of day.
 */
export class MonthRates {
  readonly missing = new Set<string>();
  private readonly cache = new Map<string, FxRate | undefined>();
  readonly closingDay: IsoDate;

  constructor(
    private readonly book: RateBook,
    readonly reporting: string,
    readonly month: MonthKey,
    asOf: IsoDate,
  ) {
    this.closingDay = minDate(lastDayOf(month), asOf);
  }

  rate(currency: string, kind: RateKind): FxRate | undefined {
    const iso = currency.toUpperCase();
    const key = `${kind}:${iso}`;
    if (!this.cache.has(key)) {
      const found =
        kind === 'closing'
          ? closingRate(this.book, iso, this.reporting, this.closingDay)
          : averageRate(this.book, iso, this.reporting, firstDayOf(this.month), this.closingDay);
      this.cache.set(key, found);
      if (!found) this.missing.add(iso);
    }
    return this.cache.get(key);
  }

  /** Every currency looked up so far, with the rates found. */
  used(): { currency: string; closing?: FxRate; average?: FxRate }[] {
    const byCurrency = new Map<string, { currency: string; closing?: FxRate; average?: FxRate }>();
    for (const [key, rate] of this.cache) {
      const [kind, currency] = key.split(':') as [RateKind, string];
      const entry = byCurrency.get(currency) ?? { currency };
      if (rate) entry[kind] = rate;
      byCurrency.set(currency, entry);
    }
    return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
  }

  /** `amount` converted at this month's rate of `kind`, or undefined (and the currency remembered) without one. */
  convert(amount: Money, currency: string, kind: RateKind): Money | undefined {
    const rate = this.rate(currency, kind);
    return rate ? convertAt(amount, rate) : undefined;
  }

  /** Per-currency amounts as one reporting-currency figure, or undefined when a currency has no rate. */
  translate(natives: ByCurrency, kind: RateKind): Translated | undefined {
    const native = [...natives.entries()]
      .map(([currency, amount]) => ({ currency: currency.toUpperCase(), amount }))
      .sort((a, b) => a.currency.localeCompare(b.currency));
    const rates = native.map((n) => this.rate(n.currency, kind));
    if (rates.some((r) => r === undefined)) return undefined;
    const converted = native.map((n, k) => convertAt(n.amount, rates[k] as FxRate));
    return { amount: sum(converted), currency: this.reporting, kind, native, rates: rates as FxRate[] };
  }
}

/** The reporting months a book of rates serves: `month`'s and the one before, for constant currency. */
export function monthAndPrevious(
  book: RateBook,
  reporting: string,
  month: MonthKey,
  asOf: IsoDate,
): { current: MonthRates; previous: MonthRates } {
  const before = previousMonth(month);
  return {
    current: new MonthRates(book, reporting, month, asOf),
    previous: new MonthRates(book, reporting, before, endOfMonth(`${before}-01`)),
  };
}

/** Reported and at the previous month's rates, with the FX effect between them; undefined where a rate is missing. */
export interface WithFx {
  reported: Translated | undefined;
  constantCurrency: Money | undefined;
  fxEffect: Money | undefined;
}

export function withFx(natives: ByCurrency, kind: RateKind, rates: { current: MonthRates; previous: MonthRates }) {
  const reported = rates.current.translate(natives, kind);
  const constant = rates.previous.translate(natives, kind);
  const result: WithFx = {
    reported,
    constantCurrency: constant?.amount,
    fxEffect: reported && constant ? reported.amount.minus(constant.amount) : undefined,
  };
  return result;
}
