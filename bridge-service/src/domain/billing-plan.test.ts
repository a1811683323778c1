import {
  buildBillingPlan,
  instalmentSourceLines,
  planVersion,
  type BillingPlan,
  type BillingPlanInput,
  type PlanLine,
  type RaisedInstalment,
} from './billing-plan';
import type { BillingTerms } from './billing-periods';

const terms = (
  frequency: BillingTerms['frequency'],
  timing: BillingTerms['timing'] = 'advance',
  alignment: BillingTerms['alignment'] = 'anniversary',
): BillingTerms => ({ frequency, timing, alignment });

const line = (
  lineKey: string,
  amount: string,
  start: string,
  end: string,
  extra: Partial<PlanLine> = {},
): PlanLine => ({
  lineKey,
  description: lineKey,
  segments: [{ amount, start, end }],
  ...extra,
});

/** `date kind amount [line@period=amount …]` per instalment. */
const summary = (plan: BillingPlan) =>
  plan.instalments.map(
    (i) =>
      `${i.issueDate} ${i.kind} ${i.amount.toFixed(2)} [${i.lines
        .map((l) => `${l.lineKey}@${l.servicePeriod.start}..${l.servicePeriod.end}=${l.amount.toFixed(2)}`)
        .join(' ')}]`,
  );

const raise = (plan: BillingPlan, through: string): RaisedInstalment[] =>
  plan.instalments
    .filter((i) => i.issueDate <= through)
    .map((i) => ({
      key: i.key,
      issueDate: i.issueDate,
      lines: i.lines.map((l) => ({ lineKey: l.lineKey, periodKey: l.periodKey, amount: l.amount.toFixed(2) })),
    }));

describe('billing plans', () => {
  it('bills a calendar-aligned monthly plan with a prorated first month, and the last month tying the total', () => {
    // 1,200.00 for 15 Jan 2026 – 14 Jan 2027, monthly in advance on calendar months.
    // Weights: Jan 15–31 is 17/31, Feb–Dec 11 full months, 1–14 Jan 2027 14/31: 12 in all (100.00 a month).
    // Jan: 1,200 × (17/31) ÷ 12 = 54.838… → 54.84. To Feb: 154.838… → 154.84, so 100.00. To Dec: 1,154.84.
    // Jan 2027: 1,200.00 − 1,154.84 = 45.16 (= 1,200 × 14/31 ÷ 12 = 45.16, no plug needed).
    const plan = buildBillingPlan({
      dealId: '006A',
      currency: 'GBP',
      service: { start: '2026-01-15', end: '2027-01-14' },
      terms: terms('monthly', 'advance', 'calendar'),
      lines: [line('SUB', '1200.00', '2026-01-15', '2027-01-14')],
    });
    expect(plan.instalments).toHaveLength(13);
    expect(summary(plan)[0]).toBe('2026-01-15 invoice 54.84 [SUB@2026-01-15..2026-01-31=54.84]');
    expect(summary(plan)[1]).toBe('2026-02-01 invoice 100.00 [SUB@2026-02-01..2026-02-28=100.00]');
    expect(plan.instalments.slice(1, 12).every((i) => i.amount.toFixed(2) === '100.00')).toBe(true);
    expect(summary(plan)[12]).toBe('2027-01-01 invoice 45.16 [SUB@2027-01-01..2027-01-14=45.16]');
    expect(plan.contractValue.toFixed(2)).toBe('1200.00');
    expect(plan.instalments.map((i) => i.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(plan.instalments[0]?.key).toBe(`006A:${plan.version}:2026-01-15`);
    expect(plan.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it('bills in arrears on the day after each period, one-off items with the period they are delivered in', () => {
    // 12,000.00 for 1 Feb 2026 – 31 Jan 2027, quarterly in arrears: 3,000.00 after each quarter.
    // Implementation 4,500.00 delivered 15 Mar 2026 falls in the first quarter (1 Feb – 30 Apr).
    const plan = buildBillingPlan({
      dealId: '006B',
      currency: 'USD',
      service: { start: '2026-02-01', end: '2027-01-31' },
      terms: terms('quarterly', 'arrears'),
      lines: [
        line('SUB', '12000.00', '2026-02-01', '2027-01-31'),
        {
          lineKey: 'IMPL',
          description: 'Implementation',
          segments: [{ amount: '4500.00', start: '2026-03-15', end: '2026-03-15', oneOff: true }],
        },
      ],
    });
    expect(summary(plan)).toEqual([
      '2026-05-01 invoice 7500.00 [SUB@2026-02-01..2026-04-30=3000.00 IMPL@2026-03-15..2026-03-15=4500.00]',
      '2026-08-01 invoice 3000.00 [SUB@2026-05-01..2026-07-31=3000.00]',
      '2026-11-01 invoice 3000.00 [SUB@2026-08-01..2026-10-31=3000.00]',
      '2027-02-01 invoice 3000.00 [SUB@2026-11-01..2027-01-31=3000.00]',
    ]);
  });

  it('bills one-off items on the first instalment in advance, and a line with its own terms on its own dates', () => {
    const plan = buildBillingPlan({
      dealId: '006C',
      currency: 'GBP',
      service: { start: '2026-01-01', end: '2026-12-31' },
      terms: terms('quarterly'),
      lines: [
        line('SUB', '4000.00', '2026-01-01', '2026-12-31'),
        line('SUPPORT', '1200.00', '2026-01-01', '2026-12-31', { terms: terms('upfront') }),
        {
          lineKey: 'SETUP',
          description: 'Setup',
          segments: [{ amount: '500.00', start: '2026-02-10', end: '2026-02-10', oneOff: true }],
        },
      ],
    });
    expect(summary(plan)).toEqual([
      '2026-01-01 invoice 2700.00 [SUB@2026-01-01..2026-03-31=1000.00 SUPPORT@2026-01-01..2026-12-31=1200.00 SETUP@2026-02-10..2026-02-10=500.00]',
      '2026-04-01 invoice 1000.00 [SUB@2026-04-01..2026-06-30=1000.00]',
      '2026-07-01 invoice 1000.00 [SUB@2026-07-01..2026-09-30=1000.00]',
      '2026-10-01 invoice 1000.00 [SUB@2026-10-01..2026-12-31=1000.00]',
    ]);
  });

  describe('the first invoice date', () => {
    const input: BillingPlanInput = {
      dealId: '006D',
      currency: 'GBP',
      service: { start: '2026-01-01', end: '2026-06-30' },
      terms: terms('monthly'),
      lines: [line('SUB', '600.00', '2026-01-01', '2026-06-30')],
    };

    it('moves the first instalment onto it when it is before the service starts (invoice on signature)', () => {
      const plan = buildBillingPlan({ ...input, firstInvoiceDate: '2025-12-15' });
      expect(plan.instalments.map((i) => i.issueDate)).toEqual([
        '2025-12-15',
        '2026-02-01',
        '2026-03-01',
        '2026-04-01',
        '2026-05-01',
        '2026-06-01',
      ]);
    });

    it('issues nothing before it: periods already due are caught up on it, one line per period', () => {
      const plan = buildBillingPlan({ ...input, firstInvoiceDate: '2026-03-01' });
      expect(summary(plan)[0]).toBe(
        '2026-03-01 invoice 300.00 [SUB@2026-01-01..2026-01-31=100.00 SUB@2026-02-01..2026-02-28=100.00 SUB@2026-03-01..2026-03-31=100.00]',
      );
      expect(plan.instalments.map((i) => i.issueDate)).toEqual([
        '2026-03-01',
        '2026-04-01',
        '2026-05-01',
        '2026-06-01',
      ]);
    });

    it('only delays billing in arrears', () => {
      const plan = buildBillingPlan({ ...input, terms: terms('monthly', 'arrears'), firstInvoiceDate: '2025-12-15' });
      expect(plan.instalments[0]?.issueDate).toBe('2026-02-01');
    });
  });

  describe('Salesforce product schedules (OpportunityLineItemSchedule)', () => {
    const input = (schedule: PlanLine['productSchedule'], amount = '4000.00'): BillingPlanInput => ({
      dealId: '006E',
      currency: 'GBP',
      service: { start: '2026-01-01', end: '2026-12-31' },
      terms: terms('annual'),
      lines: [line('SCHED', amount, '2026-01-01', '2026-12-31', { productSchedule: schedule })],
    });

    it('bills each revenue installment on its date, covering the days to the next one', () => {
      const plan = buildBillingPlan(
        input([
          { date: '2026-07-01', type: 'Revenue', revenue: '2000' },
          { date: '2026-01-01', type: 'Revenue', revenue: '1000' },
          { date: '2026-04-01', type: 'Both', revenue: '1000', quantity: '1' },
        ]),
      );
      expect(summary(plan)).toEqual([
        '2026-01-01 invoice 1000.00 [SCHED@2026-01-01..2026-03-31=1000.00]',
        '2026-04-01 invoice 1000.00 [SCHED@2026-04-01..2026-06-30=1000.00]',
        '2026-07-01 invoice 2000.00 [SCHED@2026-07-01..2026-12-31=2000.00]',
      ]);
    });

    it('spreads the line by quantity installments with cumulative rounding', () => {
      const plan = buildBillingPlan(
        input(
          ['2026-01-01', '2026-05-01', '2026-09-01'].map((date) => ({
            date,
            type: 'Quantity' as const,
            quantity: 10 as unknown as string,
          })),
          '1000.00',
        ),
      );
      expect(plan.instalments.map((i) => i.amount.toFixed(2))).toEqual(['333.33', '333.34', '333.33']);
    });

    it('refuses revenue installments that do not add up to the line', () => {
      expect(() => buildBillingPlan(input([{ date: '2026-01-01', type: 'Revenue', revenue: '3999.99' }]))).toThrow(
        'The product schedule of SCHED adds up to 3999.99, but the line is 4000.00',
      );
    });
  });

  describe('re-planning', () => {
    const input: BillingPlanInput = {
      dealId: '006F',
      currency: 'GBP',
      service: { start: '2026-01-01', end: '2026-12-31' },
      terms: terms('quarterly'),
      lines: [line('SUB', '4000.00', '2026-01-01', '2026-12-31')],
    };

    it('gives the same keys for the same inputs, whether or not earlier instalments were raised', () => {
      const fresh = buildBillingPlan(input);
      const later = buildBillingPlan({ ...input, raised: raise(fresh, '2026-04-01') });
      expect(later.instalments.map((i) => [i.key, i.sequence])).toEqual(
        fresh.instalments.slice(2).map((i) => [i.key, i.sequence]),
      );
      expect(later.raisedAmount.toFixed(2)).toBe('2000.00');
      expect(planVersion({ ...input, firstInvoiceDate: '2026-01-01' })).not.toBe(fresh.version);
    });

    it('never changes what was raised: an upsell is caught up on its date and carried by later periods', () => {
      // +800.00 for 1 May – 31 Dec 2026 (245 days), billed from 1 May: the Q2 piece (1 May – 30 Jun, 61 of
      // 91 days) is already due, so it is caught up on 1 May; Q3 and Q4 carry theirs on their dates.
      // Weights 61/91, 1, 1 → 800 × (61/91)/(2 + 61/91) = 200.82 (200.823…); Q3 to 500.41, so 299.59; Q4 299.59.
      const fresh = buildBillingPlan(input);
      const raised = raise(fresh, '2026-04-01');
      const upsell: PlanLine = {
        lineKey: 'ADD',
        description: 'Add-on',
        segments: [{ amount: '800.00', start: '2026-05-01', end: '2026-12-31', billFrom: '2026-05-01' }],
      };
      const plan = buildBillingPlan({ ...input, lines: [...input.lines, upsell], raised });
      expect(summary(plan)).toEqual([
        '2026-05-01 invoice 200.82 [ADD@2026-05-01..2026-06-30=200.82]',
        '2026-07-01 invoice 1299.59 [SUB@2026-07-01..2026-09-30=1000.00 ADD@2026-07-01..2026-09-30=299.59]',
        '2026-10-01 invoice 1299.59 [SUB@2026-10-01..2026-12-31=1000.00 ADD@2026-10-01..2026-12-31=299.59]',
      ]);
      expect(plan.instalments.map((i) => i.sequence)).toEqual([3, 4, 5]);
    });

    it('credits a downgrade of an already billed period on its date, and bills less after it', () => {
      // −1,000.00 for 15 Feb – 30 Jun, billed from 15 Feb. 15 Feb – 31 Mar is 45 of Q1's 90 days (weight 1/2), Q2 is
      // whole (weight 1): −333.33 and −666.67. Q1 was billed in full on 1 Jan, so its part is a credit note on
      // 15 Feb; Q2 is billed at 1,000.00 − 666.67 = 333.33 on its usual date.
      const fresh = buildBillingPlan(input);
      const down = input.lines.map((l) => ({
        ...l,
        segments: [
          ...l.segments,
          { amount: '-1000.00', start: '2026-02-15', end: '2026-06-30', billFrom: '2026-02-15' },
        ],
      }));
      const plan = buildBillingPlan({ ...input, lines: down, raised: raise(fresh, '2026-01-01') });
      expect(summary(plan).slice(0, 2)).toEqual([
        '2026-02-15 credit-note -333.33 [SUB@2026-02-15..2026-03-31=-333.33]',
        '2026-04-01 invoice 333.33 [SUB@2026-04-01..2026-06-30=333.33]',
      ]);
      const lines = instalmentSourceLines(plan.instalments[0]!);
      expect(lines).toEqual([
        {
          description: 'SUB',
          quantity: '1',
          unitPrice: '333.33',
          servicePeriod: { start: '2026-02-15', end: '2026-03-31' },
        },
      ]);
    });

    it('puts a difference between what was raised and what is due on its own instalment when nothing else comes', () => {
      const fresh = buildBillingPlan({ ...input, terms: terms('upfront') });
      const raised = raise(fresh, '2026-01-01');
      raised[0] = { ...raised[0]!, lines: [{ ...raised[0]!.lines[0]!, amount: '4100.00' }] };
      const plan = buildBillingPlan({ ...input, terms: terms('upfront'), raised });
      expect(summary(plan)).toEqual(['2026-01-01 credit-note -100.00 [SUB@2026-01-01..2026-12-31=-100.00]']);
    });
  });

  it('refuses bad input with every problem at once', () => {
    expect(() =>
      buildBillingPlan({
        dealId: '006G',
        currency: 'GBP',
        service: { start: '2026-01-01', end: '2026-12-31' },
        terms: terms('annual'),
        lines: [line('A', '10.001', '2026-01-01', '2026-12-31'), line('A', '10.00', '2026-02-01', '2026-01-01')],
      }),
    ).toThrow(
      'Cannot plan the billing: line A: 10.001 is not 2 dp; line A appears twice; line A: a segment ends before it starts',
    );
    expect(() =>
      buildBillingPlan({
        dealId: '006G',
        currency: 'GBP',
        service: { start: '2026-01-01', end: '2026-12-31' },
        terms: terms('annual'),
        lines: [line('A', '10.00', '2026-01-01', '2026-12-31')],
        raised: [
          { key: 'k', issueDate: '2026-01-01', lines: [{ lineKey: 'B', periodKey: '2026-01-01', amount: '1' }] },
        ],
      }),
    ).toThrow('Raised instalment k bills line B, which the plan does not have');
  });

  it('refuses a deal worth less than nothing as signed, before planning a credit note it could never raise', () => {
    const signed = (lines: PlanLine[]): BillingPlanInput => ({
      dealId: '006N',
      currency: 'GBP',
      service: { start: '2026-01-01', end: '2026-12-31' },
      terms: terms('quarterly'),
      lines,
    });
    expect(() =>
      buildBillingPlan(
        signed([
          line('Seats', '1000.00', '2026-01-01', '2026-12-31'),
          line('Discount', '-1200.00', '2026-01-01', '2026-12-31'),
        ]),
      ),
    ).toThrow(
      'Cannot plan the billing: the deal as signed is worth -200.00 GBP: a deal is billed for more than nothing (correct its products; to give money back, raise a credit note)',
    );
    // A negative line in a deal worth more than nothing, and a downgrade (a modification's negative segment), plan.
    expect(
      buildBillingPlan(
        signed([
          line('Seats', '1200.00', '2026-01-01', '2026-12-31'),
          line('Discount', '-200.00', '2026-01-01', '2026-12-31'),
        ]),
      ).instalments.map((i) => i.amount.toFixed(2)),
    ).toEqual(['250.00', '250.00', '250.00', '250.00']);
    const downgraded = line('Seats', '1200.00', '2026-01-01', '2026-12-31', {
      segments: [
        { amount: '1200.00', start: '2026-01-01', end: '2026-12-31' },
        { amount: '-1200.00', start: '2026-01-01', end: '2026-12-31', billFrom: '2026-01-01' },
      ],
    });
    // Cancelled before anything was raised: nothing to bill, and nothing refused.
    expect(buildBillingPlan(signed([downgraded])).instalments).toEqual([]);
    // A deal worth nothing plans nothing (deal-plan.ts completes it).
    expect(buildBillingPlan(signed([line('Pilot', '0.00', '2026-01-01', '2026-12-31')])).instalments).toEqual([]);
  });
});

describe('raised on account (partial invoices)', () => {
  // 12,000.00 for 2026 billed on signature (20 Dec 2025); an upsell of 1,200.00 signed on 1 Mar, billed that day.
  const signature = (raised: RaisedInstalment[]): BillingPlanInput => ({
    dealId: '006P',
    currency: 'GBP',
    service: { start: '2026-01-01', end: '2026-12-31' },
    terms: terms('upfront'),
    firstInvoiceDate: '2025-12-20',
    lines: [
      {
        lineKey: 'SUB',
        description: 'SUB',
        segments: [
          { amount: '12000.00', start: '2026-01-01', end: '2026-12-31' },
          { amount: '1200.00', start: '2026-03-01', end: '2026-12-31', billFrom: '2026-03-01', billOn: '2026-03-01' },
        ],
      },
    ],
    raised,
  });
  const partial = (amount: string, issueDate = '2026-01-15'): RaisedInstalment => ({
    key: `partial:${amount}`,
    issueDate,
    onAccount: true,
    lines: [{ lineKey: 'SUB', periodKey: '2026-01-01', amount }],
  });

  it('pays the earliest amount the line owes and leaves a later change as it is', () => {
    // Without onAccount the 7,500.00 the deposit left would land on the upsell's instalment (its next entry).
    const plan = buildBillingPlan(signature([partial('4500.00')]));
    expect(summary(plan)).toEqual([
      '2025-12-20 invoice 7500.00 [SUB@2026-01-01..2026-12-31=7500.00]',
      '2026-03-01 invoice 1200.00 [SUB@2026-03-01..2026-12-31=1200.00]',
    ]);
    expect(plan.raisedAmount.plus(7500).plus(1200).eq(plan.contractValue)).toBe(true);
  });

  it('carries what one amount does not cover to the next, and plans back as a credit what was billed twice', () => {
    const paid = buildBillingPlan(signature([partial('12000.00'), partial('600.00', '2026-04-02')]));
    expect(summary(paid)).toEqual(['2026-03-01 invoice 600.00 [SUB@2026-03-01..2026-12-31=600.00]']);
    const twice = buildBillingPlan(signature([partial('12000.00'), partial('2000.00', '2026-04-02')]));
    expect(summary(twice)).toEqual(['2026-04-02 credit-note -800.00 [SUB@2026-03-01..2026-12-31=-800.00]']);
  });
});
