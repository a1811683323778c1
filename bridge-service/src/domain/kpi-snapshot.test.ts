import { GROUP } from './kpi-mrr';
import { kpiSnapshot } from './kpi-snapshot';
import { CASES, forecastResult, records } from './__fixtures__/kpi-records';

const two = (value: { toFixed(dp: number): string } | undefined) => value?.toFixed(2);

describe('KPI snapshot', () => {
  it('February for the group, in GBP: balances at the closing rate, flows at the average, with their rates', () => {
    const s = kpiSnapshot(records, '2026-02', GROUP);
    expect(s.missingRates).toEqual([]);
    expect(two(s.mrr?.closing)).toBe('5300.00'); // kpi.cases.json
    expect(two(s.mrr?.arr)).toBe('63600.00');
    // Billings: 2,750.00 GBP + 900.00 USD × 0.784615 (February's average) = 2,750.00 + 706.15.
    expect(two(s.billings.reported?.amount)).toBe('3456.15');
    expect(two(s.billings.constantCurrency)).toBe('3470.00'); // at January's average, 0.800000
    expect(two(s.billings.fxEffect)).toBe('-13.85');
    expect(two(s.cashCollected.reported?.amount)).toBe('650.00');
    // Receivables on 28 Feb: 3,900.00 GBP + 900.00 USD × 0.769231 (the closing rate) = 692.31.
    expect(two(s.receivables.reported?.amount)).toBe('4592.31');
    expect([two(s.ageing.current), two(s.ageing.days1to30), two(s.overdue), s.openInvoices]).toEqual([
      '3992.31',
      '600.00',
      '600.00',
      3,
    ]);
    // Countback: 4,592.31 − February's 4,306.15 (28 days), then 286.16 ÷ 1,200.00 × 31 = 7.39 → 35.4 days.
    expect(s.dsoDays?.toFixed(1)).toBe('35.4');
    // Revenue: 1,000.00 GBP + 100.00 USD at the average; deferred 10,000.00; unbilled 200.00 USD at the closing rate.
    expect(two(s.recognisedRevenue.reported?.amount)).toBe('1078.46');
    expect(two(s.deferredRevenue.reported?.amount)).toBe('10000.00');
    expect(two(s.unbilledRevenue.reported?.amount)).toBe('153.85');
    expect([two(s.rpoTotal?.amount), two(s.rpoNext12Months?.amount)]).toEqual(['10769.23', '10769.23']);
    expect(two(s.retention?.nrrPercent)).toBe('106.31');
    const usd = s.rates.find((r) => r.currency === 'USD');
    expect([usd?.closing?.rate.toFixed(6), usd?.closing?.rateDate, usd?.closing?.sources]).toEqual([
      '0.769231',
      '2026-02-15',
      ['corporate', 'dated'],
    ]);
    expect([usd?.average?.rate.toFixed(6), usd?.average?.period]).toEqual([
      '0.784615',
      { start: '2026-02-01', end: '2026-02-28' },
    ]);
  });

  it('an entity sees only its own records; its exposure is in its base currency', () => {
    const s = kpiSnapshot(records, '2026-02', 'UK_Ltd');
    expect(two(s.receivables.reported?.amount)).toBe('3900.00');
    expect(two(s.billings.reported?.amount)).toBe('2750.00');
    expect(two(s.billings.fxEffect)).toBe('0.00');
    expect(two(s.mrr?.closing)).toBe('4300.00');
    const [exposure] = s.exposure;
    expect([exposure?.currencyCode, two(exposure?.openAtInvoiceRate), two(exposure?.unrealised)]).toEqual([
      'USD',
      '533.34',
      '-20.52',
    ]);
    expect([two(exposure?.realisedReporting), two(exposure?.unrealisedReporting)]).toEqual(['-10.25', '-20.52']);
    expect(kpiSnapshot(records, '2026-02', 'US_Inc').exposure).toEqual([]);
  });

  it('a currency without a rate leaves what needs it undefined and is named; the rest is still shown', () => {
    const s = kpiSnapshot({ ...records, book: { ...CASES.book, dated: [] } }, '2026-02', GROUP);
    expect(s.missingRates).toEqual(['USD']);
    expect([s.mrr, s.receivables.reported, s.billings.reported, s.dsoDays]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(two(s.cashCollected.reported?.amount)).toBe('650.00'); // GBP only
  });

  it('the open month carries the forecast at its closing rate and the renewals due', () => {
    const result = forecastResult;
    const s = kpiSnapshot({ ...records, forecast: result }, '2026-03', GROUP);
    const march = s.forecast.find((f) => f.month === '2026-03');
    // 2,300.00 GBP + 900.00 USD × 0.769231 (15 Mar) = 692.31.
    expect(two(march?.cashFromReceivables)).toBe('2992.31');
    const may = s.forecast.find((f) => f.month === '2026-05');
    expect([two(may?.renewals), two(may?.cashFromBillings)]).toEqual(['792.31', '1200.00']); // 1,030.00 USD
    expect(s.renewals.map((r) => [r.contractKey, two(r.renewalValue), two(r.renewalValueReporting)])).toEqual([
      ['K-US', '1030.00', '792.31'],
    ]);
    expect(kpiSnapshot({ ...records, forecast: result }, '2026-03', 'UK_Ltd').renewals).toEqual([]);
  });
});
