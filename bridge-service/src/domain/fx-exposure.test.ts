import { fxExposure, invoiceExposure, type ForeignInvoice } from './fx-exposure';
import type { RateBook } from './fx-rates';

/** A UK_Ltd (GBP) invoice in USD at Xero CurrencyRate 1.25 USD per GBP, paid in three parts at three rates. */
const usdInvoice: ForeignInvoice = {
  invoiceId: 'INV-9',
  entity: 'UK_Ltd',
  baseCurrency: 'GBP',
  currencyCode: 'USD',
  currencyRate: '1.250000',
  date: '2026-01-10',
  total: '1000.00',
  settlements: [
    { kind: 'payment', id: 'P1', date: '2026-02-10', amount: '333.33', currencyRate: '1.300000' },
    { kind: 'payment', id: 'P2', date: '2026-03-10', amount: '333.33', currencyRate: '1.200000' },
    { kind: 'payment', id: 'P3', date: '2026-04-10', amount: '333.34', currencyRate: '1.250000' },
  ],
};

const book: RateBook = {
  corporateCurrency: 'GBP',
  advancedCurrencyManagement: true,
  dated: [{ currency: 'USD', rate: '1.30', startDate: '2026-02-01' }],
  static: [],
  staticReadOn: '2026-04-30',
  table: [],
};

describe('currency exposure', () => {
  it("relieves each payment at the invoice's rate, the last one the residue, and realises the difference", () => {
    const { baseTotal, settlements } = invoiceExposure(usdInvoice, '2026-04-30');
    expect(baseTotal.toFixed(2)).toBe('800.00'); // 1,000.00 ÷ 1.25
    expect(
      settlements.map((s) => [s.id, s.receivedBase.toFixed(2), s.relievedBase.toFixed(2), s.realised.toFixed(2)]),
    ).toEqual([
      ['P1', '256.41', '266.66', '-10.25'], // 333.33 ÷ 1.30 against 333.33 ÷ 1.25
      ['P2', '277.78', '266.66', '11.12'],
      ['P3', '266.67', '266.68', '-0.01'], // relieves 800.00 − 533.32, the penny residue (§6.12)
    ]);
    // Received 800.86 for a receivable of 800.00: 0.86 realised in all.
  });

  it('reproduces the published JD Edwards case: USD 500 at 0.6072 then 0.6081 GBP per USD is a gain of 0.45', () => {
    const invoice: ForeignInvoice = {
      ...usdInvoice,
      total: '500.00',
      currencyRate: '1.646904', // 1 ÷ 0.6072, as Xero holds it (USD per GBP, 6 dp)
      settlements: [{ kind: 'payment', date: '2026-02-01', amount: '500.00', currencyRate: '1.644466' }],
    };
    const [payment] = invoiceExposure(invoice, '2026-02-01').settlements;
    expect([payment?.relievedBase.toFixed(2), payment?.receivedBase.toFixed(2), payment?.realised.toFixed(2)]).toEqual([
      '303.60',
      '304.05',
      '0.45',
    ]);
  });

  it("open at the invoice rate is its base balance in Xero; at today's rate is what a revaluation would post", () => {
    const [row] = fxExposure([usdInvoice], book, '2026-02-28', { start: '2026-02-01', end: '2026-02-28' });
    expect(row).toMatchObject({ entity: 'UK_Ltd', baseCurrency: 'GBP', currencyCode: 'USD', openInvoices: 1 });
    expect(row?.openForeign.toFixed(2)).toBe('666.67');
    expect(row?.openAtInvoiceRate.toFixed(2)).toBe('533.34'); // 800.00 − 266.66
    expect(row?.todayRate?.rate.toFixed(6)).toBe('0.769231'); // 1 ÷ 1.30 GBP per USD
    expect(row?.openAtTodayRate?.toFixed(2)).toBe('512.82'); // 666.67 × 0.769231
    expect(row?.unrealised?.toFixed(2)).toBe('-20.52');
    expect(row?.realised.toFixed(2)).toBe('-10.25'); // February's payment only
  });

  it('a settled invoice leaves nothing open; base-currency invoices carry no exposure; a missing rate is left out', () => {
    const gbp: ForeignInvoice = { ...usdInvoice, invoiceId: 'INV-G', currencyCode: 'GBP', currencyRate: '1' };
    const [row] = fxExposure([usdInvoice, gbp], book, '2026-04-30', { start: '2026-01-01', end: '2026-04-30' });
    expect([row?.openInvoices, row?.openForeign.toFixed(2), row?.openAtInvoiceRate.toFixed(2)]).toEqual([
      0,
      '0.00',
      '0.00',
    ]);
    expect(row?.realised.toFixed(2)).toBe('0.86');
    const [noRate] = fxExposure([usdInvoice], { ...book, dated: [] }, '2026-02-28', {
      start: '2026-02-01',
      end: '2026-02-28',
    });
    expect([noRate?.openAtTodayRate, noRate?.unrealised]).toEqual([undefined, undefined]);
    expect(noRate?.openAtInvoiceRate.toFixed(2)).toBe('533.34');
  });
});
