import { credits, invoices } from './__fixtures__/kpi-documents';
import { money } from './money';
import {
  expectedRevenue,
  forecast,
  renewalsDue,
  rpoByEntity,
  type ForecastInput,
  type RenewalCandidate,
} from './kpi-forecast';

const contract = (startDate: string, endDate: string) => ({
  startDate,
  endDate,
  lines: [{ productKey: 'SEAT', description: 'Seats', quantity: '10', unitPrice: '1200.00' }],
});

const renewals: RenewalCandidate[] = [
  {
    contractKey: 'R1',
    opportunityId: '006R1',
    customerId: 'A',
    entity: 'UK_Ltd',
    currency: 'GBP',
    contract: contract('2025-04-01', '2026-03-31'),
    uplift: { percent: '5' },
    renewed: false,
  },
  {
    contractKey: 'R2',
    opportunityId: '006R2',
    customerId: 'A',
    entity: 'UK_Ltd',
    currency: 'GBP',
    contract: contract('2025-05-01', '2026-04-30'),
    renewed: true,
  },
  {
    contractKey: 'R3',
    opportunityId: '006R3',
    customerId: 'A',
    entity: 'UK_Ltd',
    currency: 'GBP',
    contract: contract('2026-07-01', '2027-06-30'),
    renewed: false,
  },
];

const input: ForecastInput = {
  asOf: '2026-03-15',
  plans: [
    {
      dealId: '006P1',
      customerId: 'A',
      entity: 'UK_Ltd',
      currency: 'GBP',
      paymentTermsDays: 30,
      taxRatePercent: '20',
      instalments: [
        { issueDate: '2026-03-01', amount: money('1000.00') }, // fell due, not raised yet
        { issueDate: '2026-04-01', amount: money('1000.00') },
        { issueDate: '2026-05-01', amount: money('-200.00') }, // a credit note
        { issueDate: '2026-07-01', amount: money('1000.00') },
        { issueDate: '2027-04-01', amount: money('1000.00') }, // beyond the horizon
      ],
    },
  ],
  opportunities: [
    {
      opportunityId: '006O1',
      customerId: 'C',
      entity: 'US_Inc',
      currency: 'USD',
      amount: '12000.00',
      probability: '25',
      closeDate: '2026-05-20',
      terms: { frequency: 'quarterly', timing: 'advance', alignment: 'anniversary' },
    },
    {
      opportunityId: '006O2',
      customerId: 'A',
      entity: 'UK_Ltd',
      currency: 'GBP',
      amount: '5000.00',
      probability: '10',
      closeDate: '2026-02-28',
    },
    {
      opportunityId: '006O3',
      customerId: 'A',
      entity: 'UK_Ltd',
      currency: 'GBP',
      amount: '5000.00',
      probability: '0',
      closeDate: '2026-04-30',
    },
  ],
  renewals,
  invoices,
  credits,
  daysLate: new Map([['A', 11]]),
};

type Figure = 'futureBillings' | 'weightedPipeline' | 'renewals' | 'cashFromReceivables' | 'cashFromBillings';
const column = (figure: Figure) =>
  Object.fromEntries(
    forecast(input)
      .rows.filter((r) => !r[figure].eq(0))
      .map((r) => [`${r.month} ${r.entity} ${r.currency}`, r[figure].toFixed(2)]),
  );

describe('forecasts', () => {
  it("future billings: the plans' instalments on their issue dates; one that fell due counts in the as-of month", () => {
    expect(column('futureBillings')).toEqual({
      '2026-03 UK_Ltd GBP': '1000.00',
      '2026-04 UK_Ltd GBP': '1000.00',
      '2026-05 UK_Ltd GBP': '-200.00',
      '2026-07 UK_Ltd GBP': '1000.00',
    });
  });

  it('weighted pipeline: ExpectedRevenue billed by the plan the deal would carry', () => {
    expect(expectedRevenue('12000.00', '25').toFixed(2)).toBe('3000.00');
    expect(expectedRevenue('999.99', '33').toFixed(2)).toBe('330.00'); // 329.9967
    expect(column('weightedPipeline')).toEqual({
      '2026-03 UK_Ltd GBP': '500.00', // closing date passed: the as-of day, upfront
      '2026-05 US_Inc USD': '750.00', // quarterly in advance from 20 May
      '2026-08 US_Inc USD': '750.00',
      '2026-11 US_Inc USD': '750.00',
      '2027-02 US_Inc USD': '750.00',
    });
  });

  it("renewals: not yet renewed, ending in the horizon, at the next term's value with its uplift", () => {
    const due = renewalsDue(renewals, '2026-03-15', '2027-02-28');
    expect(
      due.map((r) => [r.contractKey, r.renewalDate, r.renewalValue.toFixed(2), r.upliftPercent.toString()]),
    ).toEqual([['R1', '2026-04-01', '12600.00', '5']]);
    expect(due[0]).toMatchObject({ upliftExplanation: '5%' });
    expect([due[0]?.currentArr.toFixed(2), due[0]?.renewalArr.toFixed(2)]).toEqual(['12000.00', '12600.00']);
    expect(column('renewals')).toEqual({ '2026-04 UK_Ltd GBP': '12600.00' });
    const half = forecast({ ...input, renewalRatePercent: '50' }).rows.find((r) => r.renewals.gt(0));
    expect(half?.renewals.toFixed(2)).toBe('6300.00');
  });

  it('cash: open invoices by due date plus days late; billings with tax by issue date, terms and days late', () => {
    // INV-2 2,300.00: due 3 Mar + 11 days = 14 Mar, before the as-of day: March. INV-3: C has no history: 7 Mar.
    expect(column('cashFromReceivables')).toEqual({ '2026-03 UK_Ltd GBP': '2300.00', '2026-03 US_Inc USD': '900.00' });
    // 1 Mar (raised from the as-of day 15 Mar) + 30 + 11 = 25 Apr; 1 Apr → 12 May; the credit 1 May → 11 Jun; 1 Jul → 11 Aug.
    expect(column('cashFromBillings')).toEqual({
      '2026-04 UK_Ltd GBP': '1200.00',
      '2026-05 UK_Ltd GBP': '1200.00',
      '2026-06 UK_Ltd GBP': '-240.00',
      '2026-08 UK_Ltd GBP': '1200.00',
    });
  });

  it('covers the horizon from the as-of month and nothing beyond', () => {
    const months = forecast(input).rows.map((r) => r.month);
    expect(months.every((m) => m >= '2026-03' && m <= '2027-02')).toBe(true);
    expect(forecast({ ...input, horizonMonths: 2 }).rows.map((r) => r.month)).toEqual([
      '2026-03',
      '2026-03',
      '2026-04',
    ]);
  });

  it('RPO per entity and currency: not yet recognised, in total and within 12 months (balances.ts)', () => {
    const rows = rpoByEntity(
      [
        {
          lineKey: 'L1',
          contractKey: 'K1',
          entity: 'UK_Ltd',
          currency: 'GBP',
          revenue: [{ method: 'monthly', start: '2026-01-01', end: '2027-12-31', amount: '24000.00' }],
        },
        {
          lineKey: 'L2',
          contractKey: 'K2',
          entity: 'US_Inc',
          currency: 'usd',
          revenue: [{ method: 'monthly', start: '2026-01-01', end: '2026-12-31', amount: '1200.00' }],
        },
      ],
      '2026-03-31',
    );
    expect(rows.map((r) => [r.entity, r.currency, r.total.toFixed(2), r.current.toFixed(2)])).toEqual([
      ['UK_Ltd', 'GBP', '21000.00', '12000.00'],
      ['US_Inc', 'USD', '900.00', '900.00'],
    ]);
  });
});
