import { openContract, planLinesOf, type DealLine, type RevenueContract } from './allocation';
import { amendmentDifference } from './amendment';
import { buildBillingPlan } from './billing-plan';
import { applyModification, classifyModification, lineChangesFromAmendment, type Modification } from './modification';
import { monthlySchedule, monthsBetween, recognisedThrough, revenueTotal } from './revenue';

const year = { start: '2026-01-01', end: '2026-12-31' };
const gbp = (amount: string) => ({ amount, currency: 'GBP' });
const seats: DealLine = {
  lineKey: 'L1',
  productKey: 'SEAT',
  description: 'Platform seats',
  quantity: '100',
  amount: '36000.00',
  service: year,
  method: 'daily',
  ssp: gbp('360'),
};
const contract = (lines: DealLine[] = [seats]): RevenueContract =>
  openContract({ contractKey: 'OPP1', currency: 'GBP', lines }).contract;

// 10 more seats from 1 Jul 2026 (184 days of 365): at SSP 10 × 360 × 184/365 = 1,814.79.
const addSeats = (amountDelta: string, extra: Partial<Modification['changes'][number]> = {}): Modification => ({
  key: 'OPP2',
  effectiveDate: '2026-07-01',
  changes: [
    {
      lineKey: 'L9',
      quantityDelta: '10',
      amountDelta,
      productKey: 'SEAT',
      description: 'Platform seats (added)',
      method: 'daily',
      ssp: gbp('360'),
      ...extra,
    },
  ],
});
const amountsOf = (c: RevenueContract) => c.lines.map((l) => [l.lineKey, revenueTotal(l.revenue).toFixed(2)]);

describe('contract modifications', () => {
  it('treats distinct seats added at SSP as a separate contract, billed on the same plan', () => {
    const result = applyModification(contract(), addSeats('1814.79'));
    expect(result.treatment).toBe('separate-contract');
    expect(result.reasons).toEqual(['distinct additions priced at their SSP (ASC 606-10-25-12)']);
    expect(result.contract).toEqual(contract());
    expect(result.separate?.contractKey).toBe('OPP2');
    expect(result.separate?.lines[0]).toMatchObject({
      lineKey: 'L9',
      service: { start: '2026-07-01', end: '2026-12-31' },
      revenue: [{ method: 'daily', start: '2026-07-01', end: '2026-12-31', amount: '1814.79' }],
      billing: [{ amount: '1814.79', start: '2026-07-01', end: '2026-12-31', billFrom: '2026-07-01' }],
    });
    // Seats added to the existing line as a separate contract get a line of their own.
    const onLine = applyModification(contract(), {
      ...addSeats('1814.79'),
      changes: [{ lineKey: 'L1', quantityDelta: '10', amountDelta: '1814.79' }],
    });
    expect(onLine.separate?.lines[0]).toMatchObject({
      lineKey: 'OPP2:L1',
      description: 'Platform seats',
      quantity: '10',
    });
    const plan = buildBillingPlan({
      dealId: 'OPP1',
      currency: 'GBP',
      service: year,
      terms: { frequency: 'upfront', timing: 'advance', alignment: 'anniversary' },
      lines: [...planLinesOf(result.contract), ...planLinesOf(result.separate!)],
    });
    expect(plan.instalments.map((i) => [i.issueDate, i.amount.toFixed(2), i.lines.map((l) => l.contractKey)])).toEqual([
      ['2026-01-01', '36000.00', ['OPP1']],
      ['2026-07-01', '1814.79', ['OPP2']],
    ]);
  });

  it('accounts prospectively for seats added below SSP: what is unearned plus the new price, by relative SSP', () => {
    // 1,500.00 is 17 % below the standalone 1,814.79. L1 has earned 36,000 × 181/365 = 17,852.05 by 30 Jun;
    // remaining 18,147.95 + 1,500.00 = 19,647.95 over 1 Jul – 31 Dec, split by standalone value 100 : 10 seats:
    // L1 19,647.95 × 10/11 = 17,861.77, L9 1,786.18.
    const result = applyModification(contract(), addSeats('1500.00'));
    expect(result.treatment).toBe('prospective');
    expect(result.reasons).toEqual([
      'Platform seats (added) is priced at 1500.00 against a standalone value of 1814.79',
    ]);
    expect(result.flags.map((f) => f.code)).toEqual(['RELATIVE_SSP']);
    const [l1, l9] = result.contract.lines;
    expect(l1?.revenue).toEqual([
      { method: 'daily', ...year, amount: '36000.00', stoppedAfter: '2026-06-30' },
      { method: 'daily', start: '2026-07-01', end: '2026-12-31', amount: '17861.77' },
    ]);
    expect(l9?.revenue).toEqual([{ method: 'daily', start: '2026-07-01', end: '2026-12-31', amount: '1786.18' }]);
    // Months before the modification are untouched; from July the contract earns the blended amount.
    const before = monthlySchedule(contract().lines[0]!.revenue, monthsBetween('2026-01', '2026-06'));
    expect(monthlySchedule(l1!.revenue, monthsBetween('2026-01', '2026-06'))).toEqual(before);
    expect(recognisedThrough([...l1!.revenue, ...l9!.revenue], '2026-12-31').toFixed(2)).toBe('37500.00');
  });

  it('defaults to prospective and flags it when the added product has no SSP', () => {
    const result = applyModification(contract(), addSeats('1500.00', { ssp: undefined }));
    expect(result.treatment).toBe('prospective');
    expect(result.flags).toEqual([
      {
        code: 'SSP_MISSING',
        lineKey: 'L9',
        message: 'Platform seats (added): its product has no standalone selling price; allocated as priced',
      },
    ]);
    expect(amountsOf(result.contract)).toEqual([
      ['L1', '36000.00'],
      ['L9', '1500.00'],
    ]);
  });

  it('downgrades prospectively and bills the refund through the plan', () => {
    // −30 seats from 1 Jul: 30 × 360 × 184/365 = 5,444.38 refunded.
    const mod: Modification = {
      key: 'OPP3',
      effectiveDate: '2026-07-01',
      changes: [{ lineKey: 'L1', quantityDelta: '-30', amountDelta: '-5444.38' }],
    };
    expect(classifyModification(contract(), mod).reasons).toEqual(['Platform seats is reduced or repriced, not added']);
    const result = applyModification(contract(), mod);
    expect(result.contract.lines[0]).toMatchObject({
      quantity: '70',
      billing: [
        { amount: '36000.00', ...year },
        { amount: '-5444.38', start: '2026-07-01', end: '2026-12-31', billFrom: '2026-07-01' },
      ],
    });
    // 18,147.95 unearned − 5,444.38 = 12,703.57 over the rest of the year.
    expect(result.contract.lines[0]?.revenue[1]).toEqual({
      method: 'daily',
      start: '2026-07-01',
      end: '2026-12-31',
      amount: '12703.57',
    });
  });

  it('recognises what is left at once when the service ends early without a refund, and nothing when refunded', () => {
    const noRefund = applyModification(contract(), {
      key: 'OPP4',
      effectiveDate: '2026-07-01',
      newEndDate: '2026-06-30',
      changes: [],
    });
    expect(noRefund.treatment).toBe('prospective');
    expect(noRefund.contract.lines[0]?.revenue.slice(1)).toEqual([
      { method: 'point-in-time', start: '2026-07-01', end: '2026-07-01', amount: '18147.95' },
    ]);
    const refunded = applyModification(contract(), {
      key: 'OPP4',
      effectiveDate: '2026-07-01',
      newEndDate: '2026-06-30',
      changes: [{ lineKey: 'L1', quantityDelta: '-100', amountDelta: '-18147.95' }],
    });
    expect(revenueTotal(refunded.contract.lines[0]!.revenue).toFixed(2)).toBe('17852.05');
    expect(refunded.contract.lines[0]?.billing[1]).toEqual({
      amount: '-18147.95',
      start: '2026-07-01',
      end: '2026-12-31',
      billFrom: '2026-07-01',
    });
  });

  it('reproduces ASC 606 Example 7: a price cut and a 3-year extension earn 70,000 a year prospectively', () => {
    // 3 years of services at 100,000 a year (SSP 100,000). At the start of year 3 the year-3 fee drops to 80,000
    // and the customer extends by 3 years for 200,000. Unearned 100,000 − 20,000 + 200,000 = 280,000 over 4 years.
    const services = openContract({
      contractKey: 'EX7',
      currency: 'USD',
      lines: [
        {
          lineKey: 'SVC',
          productKey: 'CLEANING',
          description: 'Weekly cleaning',
          quantity: '1',
          amount: '300000.00',
          service: { start: '2025-01-01', end: '2027-12-31' },
          method: 'monthly',
          ssp: { amount: '100000', currency: 'USD' },
        },
      ],
    }).contract;
    const result = applyModification(services, {
      key: 'EX7-MOD',
      effectiveDate: '2027-01-01',
      newEndDate: '2030-12-31',
      changes: [
        {
          lineKey: 'SVC',
          quantityDelta: '0',
          amountDelta: '180000.00',
          billing: [
            { amount: '-20000.00', start: '2027-01-01', end: '2027-12-31' },
            { amount: '200000.00', start: '2028-01-01', end: '2030-12-31' },
          ],
        },
      ],
    });
    expect(result.treatment).toBe('prospective');
    expect(result.reasons).toEqual([
      'the term changes to end on 2030-12-31',
      'Weekly cleaning is reduced or repriced, not added',
    ]);
    const revenue = result.contract.lines[0]!.revenue;
    const byYear = ['2027', '2028', '2029', '2030'].map((y) =>
      recognisedThrough(revenue, `${y}-12-31`)
        .minus(recognisedThrough(revenue, `${Number(y) - 1}-12-31`))
        .toFixed(2),
    );
    expect(byYear).toEqual(['70000.00', '70000.00', '70000.00', '70000.00']);
    expect(monthlySchedule(revenue, ['2027-01', '2027-02']).map((m) => m.amount.toFixed(2))).toEqual([
      '5833.33',
      '5833.34',
    ]);
    // Billed annually in advance: 2027 at 80,000, then the extension's 200,000 over three years.
    const plan = buildBillingPlan({
      dealId: 'EX7',
      currency: 'USD',
      service: { start: '2025-01-01', end: '2027-12-31' },
      terms: { frequency: 'annual', timing: 'advance', alignment: 'anniversary' },
      lines: planLinesOf(result.contract),
    });
    expect(plan.instalments.map((i) => `${i.issueDate} ${i.amount.toFixed(2)}`)).toEqual([
      '2025-01-01 100000.00',
      '2026-01-01 100000.00',
      '2027-01-01 80000.00',
      '2028-01-01 66666.67',
      '2029-01-01 66666.66',
      '2030-01-01 66666.67',
    ]);
  });

  it('classifies ASC 606 Example 5: 30 more products at SSP 95 are a separate contract, at 80 they are not', () => {
    const products = openContract({
      contractKey: 'EX5',
      currency: 'USD',
      lines: [
        {
          lineKey: 'P',
          productKey: 'PRODUCT',
          description: 'Products',
          quantity: '120',
          amount: '12000.00',
          service: { start: '2026-01-01', end: '2026-12-31' },
          method: 'point-in-time',
          deliveryDate: '2026-03-31',
          ssp: { amount: '100', currency: 'USD' },
        },
      ],
    }).contract;
    const more = (price: string): Modification => ({
      key: 'EX5-MOD',
      effectiveDate: '2026-06-01',
      changes: [
        {
          lineKey: 'P2',
          quantityDelta: '30',
          amountDelta: price,
          description: 'Products (additional)',
          method: 'point-in-time',
          deliveryDate: '2026-09-30',
          ssp: { amount: '95', currency: 'USD' },
        },
      ],
    });
    expect(classifyModification(products, more('2850.00')).treatment).toBe('separate-contract'); // 30 × 95
    expect(classifyModification(products, more('2400.00'))).toMatchObject({
      treatment: 'prospective',
      reasons: ['Products (additional) is priced at 2400.00 against a standalone value of 2850.00'],
    });
  });

  it('never changes a closed month: a backdated modification takes effect on the first open day', () => {
    const result = applyModification(contract(), {
      ...addSeats('1500.00'),
      effectiveDate: '2026-05-01',
      firstOpenDate: '2026-07-01',
    });
    const l1 = result.contract.lines[0]!;
    expect(l1.revenue[0]?.stoppedAfter).toBe('2026-06-30');
    expect(monthlySchedule(l1.revenue, monthsBetween('2026-01', '2026-06'))).toEqual(
      monthlySchedule(contract().lines[0]!.revenue, monthsBetween('2026-01', '2026-06')),
    );
    // Billing still starts from the effective date: the customer owes the seats from May.
    expect(result.contract.lines[1]?.billing[0]).toMatchObject({ start: '2026-05-01', billFrom: '2026-05-01' });
  });

  it('turns amendment.ts price changes into line changes: per product, onto the line that has it', () => {
    const amendment = amendmentDifference({
      contract: {
        startDate: '2026-01-01',
        endDate: '2026-12-31',
        lines: [{ productKey: 'SEAT', description: 'Platform seats', quantity: '100', unitPrice: '360' }],
      },
      amendmentStartDate: '2026-07-01',
      lines: [
        { productKey: 'SEAT', description: 'Platform seats', quantity: '100', unitPrice: '400' },
        { productKey: 'ANALYTICS', description: 'Analytics', quantity: '5', unitPrice: '120' },
      ],
    });
    const changes = lineChangesFromAmendment(amendment.changes, contract(), (productKey) => ({
      lineKey: `00k-${productKey}`,
      description: 'Analytics',
      method: 'daily',
    }));
    // SEAT: −100 × 360 × 184/365 = −18,147.95, +100 × 400 × 184/365 = 20,164.38 → +2,016.43 on L1, quantity unchanged.
    expect(changes).toEqual([
      { lineKey: 'L1', quantityDelta: '0', amountDelta: '2016.43' },
      {
        lineKey: '00k-ANALYTICS',
        description: 'Analytics',
        method: 'daily',
        quantityDelta: '5',
        amountDelta: '302.47',
      },
    ]);
    const twoSeatLines = contract([seats, { ...seats, lineKey: 'L2' }]);
    expect(() => lineChangesFromAmendment(amendment.changes, twoSeatLines, () => ({ lineKey: 'x' }))).toThrow(
      'SEAT is on 2 lines of contract OPP1: change one line at a time',
    );
  });

  it('refuses a modification it cannot apply, with every problem at once', () => {
    expect(() =>
      applyModification(contract(), {
        key: 'BAD',
        effectiveDate: '2025-12-01',
        changes: [
          { lineKey: 'NEW', quantityDelta: '0', amountDelta: '10.00' },
          {
            lineKey: 'L1',
            quantityDelta: '1',
            amountDelta: '10.00',
            billing: [{ amount: '9.00', start: '2026-01-01', end: '2026-12-31' }],
          },
        ],
      }),
    ).toThrow(
      'Cannot apply the contract modification: it takes effect before the contract starts (2026-01-01); ' +
        'new line NEW needs a description and a recognition method; new line NEW adds no quantity; L1 bills 9.00 for a change of 10.00',
    );
  });
});
