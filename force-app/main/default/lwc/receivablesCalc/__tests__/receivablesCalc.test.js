import {
  addDays,
  ageReceivables,
  ageingBucket,
  corporateTotal,
  creditHeld,
  daysBetween,
  daysPastDue,
  fromCents,
  simpleDso,
  syncProblem,
  toCents,
  todayIn,
  totalsByCurrency,
} from 'c/receivablesCalc';

// The worked cases the domain's reference implementation is tested against too (one file, both tests).
const CASES = require('../../../../../../bridge-service/src/domain/receivables.cases.json');
// The conversions the KPIs make (fx-rates.ts): the corporate total must give the same cents.
const FX = require('../../../../../../bridge-service/src/domain/fx.cases.json');
const asDecimal = (cents) => (cents / 100).toFixed(2);

describe('c/receivablesCalc', () => {
  describe('money in cents', () => {
    it.each([
      [0.1, 10],
      [0.29, 29],
      [1200.1, 120010],
      ['450.20', 45020],
      [-12.34, -1234],
      [null, 0],
      [undefined, 0],
      ['', 0],
      ['not a number', 0],
    ])('reads %p as %p cents', (value, cents) => {
      expect(toCents(value)).toBe(cents);
    });

    it('adds 0.1 and 0.2 to exactly 0.3', () => {
      expect(fromCents(toCents(0.1) + toCents(0.2))).toBe(0.3);
    });
  });

  describe('dates', () => {
    it('counts whole days between calendar dates, across a DST change', () => {
      expect(daysBetween('2026-10-15', '2026-11-27')).toBe(43);
      expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
      expect(daysBetween('2026-11-27', '2026-11-20')).toBe(-7);
    });

    it('adds days', () => {
      expect(addDays('2026-11-27', -89)).toBe('2026-08-30');
      expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    });

    it('reads today in the user’s time zone, not UTC', () => {
      const now = new Date('2026-11-27T23:30:00Z');
      expect(todayIn('Pacific/Auckland', now)).toBe('2026-11-28');
      expect(todayIn('America/Los_Angeles', now)).toBe('2026-11-27');
      expect(todayIn(undefined, now)).toBe('2026-11-27');
      expect(todayIn('Not/AZone', now)).toBe('2026-11-27');
    });

    it('treats a missing due date as not past due', () => {
      expect(daysPastDue(null, '2026-11-27')).toBe(0);
    });
  });

  describe('ageing buckets', () => {
    it.each([
      [-5, 'current'],
      [0, 'current'],
      [1, 'days1to30'],
      [30, 'days1to30'],
      [31, 'days31to60'],
      [60, 'days31to60'],
      [61, 'days61to90'],
      [90, 'days61to90'],
      [91, 'days90plus'],
      [400, 'days90plus'],
    ])('puts day %p in %p', (days, bucket) => {
      expect(ageingBucket(days)).toBe(bucket);
    });

    it('ages groups per currency, in cents', () => {
      const aged = ageReceivables(
        [
          { currencyCode: 'GBP', dueDate: '2026-10-28', amountDue: 0.1, invoiceCount: 2 },
          { currencyCode: 'GBP', dueDate: '2026-10-29', amountDue: 0.2 },
          { currencyCode: 'EUR', dueDate: '2026-12-01', amountDue: 10 },
        ],
        '2026-11-27',
      );
      expect(aged.map((entry) => entry.currencyCode)).toEqual(['EUR', 'GBP']);
      const gbp = aged[1];
      expect(gbp.outstandingCents).toBe(30);
      expect(gbp.overdueCents).toBe(30);
      expect(gbp.buckets.days1to30).toBe(30);
      expect(gbp.openCount).toBe(3);
      expect(aged[0].overdueCents).toBe(0);
      expect(aged[0].buckets.current).toBe(1000);
    });

    it.each(CASES.ageingBucket)('puts day $daysPastDue in $bucket, as the domain does', (worked) => {
      expect(ageingBucket(worked.daysPastDue)).toBe(worked.bucket);
    });

    it.each(CASES.ageReceivables)('$name, as the domain does', ({ asOf, invoices, expected }) => {
      const aged = ageReceivables(invoices, asOf);
      expect(
        aged.map(({ currencyCode, outstandingCents, overdueCents, openCount, buckets }) => ({
          currencyCode,
          outstanding: asDecimal(outstandingCents),
          overdue: asDecimal(overdueCents),
          openCount,
          buckets: Object.fromEntries(Object.entries(buckets).map(([bucket, cents]) => [bucket, asDecimal(cents)])),
        })),
      ).toEqual(expected);
    });

    it.each(CASES.unallocatedCredit)('$name, as the domain does', ({ asOf, invoices, credits, expected }) => {
      const outstanding = new Map(ageReceivables(invoices, asOf).map((e) => [e.currencyCode, e.outstandingCents]));
      const held = new Map(creditHeld(credits).map((e) => [e.currencyCode, e.heldCents]));
      const codes = [...new Set([...outstanding.keys(), ...held.keys()])].sort();
      expect(
        codes.map((currencyCode) => ({
          currencyCode,
          outstanding: asDecimal(outstanding.get(currencyCode) ?? 0),
          unallocatedCredit: asDecimal(held.get(currencyCode) ?? 0),
        })),
      ).toEqual(expected);
    });

    it('holds credit per kind, and nothing for credit fully used', () => {
      const [gbp] = creditHeld([
        { kind: 'overpayment', currencyCode: 'gbp', remainingCredit: 100 },
        { kind: 'credit-note', currencyCode: 'GBP', remainingCredit: '0.00' },
        { kind: 'credit-note', currencyCode: 'GBP', remainingCredit: 240.5 },
      ]);
      expect(gbp).toEqual({
        currencyCode: 'GBP',
        heldCents: 34050,
        byKind: { 'credit-note': 24050, overpayment: 10000, prepayment: 0 },
      });
      expect(creditHeld(undefined)).toEqual([]);
    });

    it('ages nothing to nothing', () => {
      expect(ageReceivables(undefined, '2026-11-27')).toEqual([]);
    });

    it('keeps a row without a currency code apart', () => {
      expect(ageReceivables([{ dueDate: '2026-11-27', amountDue: 1 }], '2026-11-27')[0].currencyCode).toBe('');
    });
  });

  describe('simple DSO', () => {
    it('is receivables ÷ credit sales × days, to one decimal', () => {
      expect(simpleDso(15000000, 180000000, 365)).toBe(30.4); // finance.md §4 example
      expect(simpleDso(395000, 900000, 90)).toBe(39.5);
    });

    it.each(CASES.simpleDso)('$name, as the domain does', ({ receivables, creditSales, periodDays, dso }) => {
      expect(simpleDso(toCents(receivables), toCents(creditSales), periodDays)).toBe(dso === null ? null : Number(dso));
    });

    it('is undefined without credit sales', () => {
      expect(simpleDso(100, 0, 90)).toBeNull();
      expect(simpleDso(100, undefined, 90)).toBeNull();
    });
  });

  describe('corporate total', () => {
    const rates = { USD: 1, GBP: 0.79, EUR: 0.92 };

    it('converts each currency once (amount ÷ rate) and adds cents', () => {
      const total = corporateTotal(
        [
          { currencyCode: 'GBP', cents: 395000 },
          { currencyCode: 'EUR', cents: 500030 },
          { currencyCode: 'USD', cents: 250000 },
        ],
        rates,
        'USD',
      );
      expect(total).toEqual({ currencyCode: 'USD', cents: 1293511 });
    });

    it('rounds an exact half cent away from zero, which floating-point division misses', () => {
      // 1,377.51 EUR at 1.36 EUR per USD is exactly 1,012.875 USD; 137751 / 1.36 is 101287.49999999999 in floats
      expect(corporateTotal([{ currencyCode: 'EUR', cents: 137751 }], { EUR: 1.36 }, 'USD')).toEqual({
        currencyCode: 'USD',
        cents: 101288,
      });
      // a credit balance: -1,012.875 is -1,012.88 (Math.round would give -1,012.87 even on an exact -101287.5)
      expect(corporateTotal([{ currencyCode: 'EUR', cents: -137751 }], { EUR: 1.36 }, 'USD')).toEqual({
        currencyCode: 'USD',
        cents: -101288,
      });
      expect(corporateTotal([{ currencyCode: 'JPY', cents: -25 }], { JPY: 10 }, 'USD')).toEqual({
        currencyCode: 'USD',
        cents: -3,
      });
    });

    it('divides exactly by a rate with many decimals, a string rate, or one JSON writes with an exponent', () => {
      // 78.13 CHF at 1.000064 is exactly 78.125 USD (7813 × 10^6 / 1000064 = 7812.5); floats give 7812.4999…
      expect(corporateTotal([{ currencyCode: 'CHF', cents: 7813 }], { CHF: 1.000064 }, 'USD').cents).toBe(7813);
      // and on a large balance: 78,129,921.87 CHF is exactly 78,124,921.875 USD
      expect(corporateTotal([{ currencyCode: 'CHF', cents: 7812992187 }], { CHF: 1.000064 }, 'USD').cents).toBe(
        7812492188,
      );
      expect(corporateTotal([{ currencyCode: 'EUR', cents: 137751 }], { EUR: '1.360000' }, 'USD').cents).toBe(101288);
      // 0.0000005 (5e-7) units per USD: 1 cent is 20,000 USD
      expect(corporateTotal([{ currencyCode: 'XYZ', cents: 1 }], { XYZ: 5e-7 }, 'USD').cents).toBe(2000000);
    });

    it.each(FX.toCorporate)('$name: the same cents as the KPIs (fx.cases.json)', ({ currency, amount, converted }) => {
      // ReceivablesController sends every active currency's ConversionRate, the corporate one's (1) included
      const withCorporate = { ...FX.rates, [FX.corporateCurrency]: 1 };
      expect(
        corporateTotal([{ currencyCode: currency, cents: toCents(amount) }], withCorporate, FX.corporateCurrency),
      ).toEqual({ currencyCode: FX.corporateCurrency, cents: toCents(converted) });
    });

    it('names the currencies without a rate instead of a partial total', () => {
      const total = corporateTotal(
        [
          { currencyCode: 'GBP', cents: 100 },
          { currencyCode: 'NZD', cents: 100 },
          { currencyCode: 'JPY', cents: 0 },
        ],
        rates,
        'USD',
      );
      expect(total).toEqual({ missing: ['NZD'] });
    });

    it('gives no total without a corporate currency or rates', () => {
      expect(corporateTotal([{ currencyCode: 'USD', cents: 1 }], undefined, 'USD')).toEqual({ missing: ['USD'] });
      expect(corporateTotal([{ currencyCode: 'USD', cents: 1 }], rates, undefined)).toEqual({ missing: [] });
    });
  });

  describe('totals of an opportunity’s invoices', () => {
    it('leaves voided invoices out, keeps drafts apart and sums overdue in cents', () => {
      const totals = totalsByCurrency(
        [
          { status: 'Authorised', currencyCode: 'NZD', total: 0.1, amountDue: 0.1, dueDate: '2026-11-01' },
          { status: 'Partially Paid', currencyCode: 'NZD', total: 0.2, amountPaid: 0.1, amountDue: 0.1 },
          { status: 'Paid', currencyCode: 'NZD', total: 5, amountPaid: 4, amountCredited: 1, amountDue: 0 },
          { status: 'Voided', currencyCode: 'NZD', total: 99, amountDue: 99 },
          { status: 'Draft', currencyCode: 'NZD', total: 7.25 },
          { status: 'Authorised', currencyCode: 'AUD', total: 3, amountDue: 3, dueDate: '2026-11-27' },
          { status: 'Authorised', total: 1, amountDue: 1 },
        ],
        '2026-11-27',
      );
      expect(totals.map((t) => t.currencyCode)).toEqual(['', 'AUD', 'NZD']);
      const nzd = totals[2];
      expect(nzd).toEqual({
        currencyCode: 'NZD',
        invoicedCents: 530,
        paidCents: 410,
        creditedCents: 100,
        dueCents: 20,
        overdueCents: 10,
        draftCents: 725,
      });
      expect(totals[1].overdueCents).toBe(0); // due today is not overdue
    });

    it('totals nothing to nothing', () => {
      expect(totalsByCurrency(undefined, '2026-11-27')).toEqual([]);
    });
  });

  describe('sync problems in plain words', () => {
    it.each([
      ['Xero API 401: token expired', 'connection'],
      ['invalid_grant: refresh token revoked', 'connection'],
      ['HTTP 429 Too Many Requests, Retry-After 30', 'busy'],
      ['connect ETIMEDOUT 52.1.2.3:443', 'unreachable'],
      ['Xero API 503 Service Unavailable', 'unreachable'],
      ["Xero API 400: ValidationException: Account code '4000' is not a valid code", 'rejected'],
      ['Something odd happened', 'unknown'],
      [null, 'unknown'],
    ])('reads %p as %p', (message, kind) => {
      expect(syncProblem(message)).toBe(kind);
    });
  });
});
