import Big from 'big.js';

import {
  allocateTransactionPrice,
  ledgerLinesOf,
  openContract,
  planLinesOf,
  standaloneValue,
  withinTolerance,
  type DealLine,
} from './allocation';

const year = { start: '2026-01-01', end: '2026-12-31' };
const gbp = (amount: string) => ({ amount, currency: 'GBP' });
const subscription: DealLine = {
  lineKey: 'SUB',
  productKey: 'PLATFORM',
  description: 'Platform',
  quantity: '1',
  amount: '12000.00',
  service: year,
  method: 'daily',
  ssp: gbp('12000'),
};
const setup: DealLine = {
  lineKey: 'SETUP',
  productKey: 'SETUP',
  description: 'Setup',
  quantity: '1',
  amount: '2000.00',
  service: year,
  method: 'point-in-time',
  deliveryDate: '2026-02-15',
  ssp: gbp('2000'),
};

describe('transaction price allocation', () => {
  it('values a line at SSP × units over its service (12-month SSP, by day) or per unit for point in time', () => {
    const threeYears = { start: '2025-01-01', end: '2027-12-31' };
    expect(standaloneValue({ method: 'daily', quantity: '100', ssp: gbp('360') }, 'GBP', threeYears)?.toFixed(2)).toBe(
      '108000.00',
    );
    expect(
      standaloneValue({ method: 'point-in-time', quantity: '2', ssp: gbp('4500') }, 'GBP', threeYears)?.toFixed(2),
    ).toBe('9000.00');
    expect(standaloneValue({ method: 'daily', quantity: '1', ssp: gbp('1') }, 'USD', year)).toBeUndefined();
    expect(standaloneValue({ method: 'daily', quantity: '1' }, 'GBP', year)).toBeUndefined();
  });

  it('counts a price within 15 % either side of the standalone value as SSP', () => {
    expect(withinTolerance(new Big('306'), new Big('360'))).toBe(true);
    expect(withinTolerance(new Big('305.99'), new Big('360'))).toBe(false);
    expect(withinTolerance(new Big('414'), new Big('360'))).toBe(true);
    expect(withinTolerance(new Big('330'), new Big('360'), { tolerancePercent: '5' })).toBe(false);
  });

  it('keeps prices at SSP as they are', () => {
    const { contract, basis, flags } = openContract({
      contractKey: '006A',
      currency: 'GBP',
      lines: [subscription, setup],
    });
    expect([basis, flags]).toEqual(['as-priced', []]);
    expect(contract.lines.map((l) => l.revenue)).toEqual([
      [{ method: 'daily', ...year, amount: '12000.00' }],
      [{ method: 'point-in-time', start: '2026-02-15', end: '2026-02-15', amount: '2000.00' }],
    ]);
    // Billing follows the price; a point-in-time line is billed as a one-off on its delivery date's period.
    expect(planLinesOf(contract).map((l) => [l.lineKey, l.contractKey, l.segments])).toEqual([
      ['SUB', '006A', [{ amount: '12000.00', ...year }]],
      ['SETUP', '006A', [{ amount: '2000.00', start: '2026-02-15', end: '2026-02-15', oneOff: true }]],
    ]);
    expect(ledgerLinesOf(contract, 'UK_Ltd')[0]).toMatchObject({
      lineKey: 'SUB',
      contractKey: '006A',
      entity: 'UK_Ltd',
    });
  });

  it('reallocates by relative SSP when a line is priced outside its range: a free setup earns part of the fee', () => {
    // Standalone 12,000 + 2,000 = 14,000; the 12,000 price is split 12/14 and 2/14: 10,285.71 and 1,714.29.
    const { contract, basis, flags } = openContract({
      contractKey: '006B',
      currency: 'GBP',
      lines: [subscription, { ...setup, amount: '0.00' }],
    });
    expect(basis).toBe('relative-ssp');
    expect(flags).toEqual([
      { code: 'RELATIVE_SSP', message: 'Allocated by relative SSP: Setup priced outside the SSP range' },
    ]);
    expect(contract.lines.map((l) => l.revenue[0]?.amount)).toEqual(['10285.71', '1714.29']);
    expect(contract.lines.map((l) => l.billing[0]?.amount)).toEqual(['12000.00', '0.00']);
  });

  it('allocates as priced and flags the line when an SSP is missing or in another currency', () => {
    const { amounts, basis, flags } = allocateTransactionPrice(
      [
        { line: { ...subscription, ssp: gbp('1') }, priced: new Big('12000'), period: year },
        { line: { ...setup, ssp: { amount: '2000', currency: 'EUR' } }, priced: new Big('0'), period: year },
        {
          line: { ...setup, lineKey: 'X', description: 'Training', ssp: undefined },
          priced: new Big('500'),
          period: year,
        },
      ],
      'GBP',
    );
    expect([amounts.map((a) => a.toFixed(2)), basis]).toEqual([['12000.00', '0.00', '500.00'], 'as-priced']);
    expect(flags).toEqual([
      {
        code: 'SSP_MISSING',
        lineKey: 'SETUP',
        message: 'Setup: its SSP is in EUR, the contract in GBP; allocated as priced',
      },
      {
        code: 'SSP_MISSING',
        lineKey: 'X',
        message: 'Training: its product has no standalone selling price; allocated as priced',
      },
    ]);
  });
});
