import Big from 'big.js';

import {
  contractMonths,
  contractPositionsAt,
  entityMonths,
  remainingObligations,
  rollForwardProblems,
  type BillingEntry,
  type LedgerLine,
} from './balances';
import { buildBillingPlan } from './billing-plan';
import { monthsBetween } from './revenue';

const year2026 = { start: '2026-01-01', end: '2026-12-31' };
const ledger = (lineKey: string, contractKey: string, amount: string, extra: Partial<LedgerLine> = {}): LedgerLine => ({
  lineKey,
  contractKey,
  entity: 'UK_Ltd',
  currency: 'GBP',
  revenue: [{ method: 'daily', ...year2026, amount }],
  ...extra,
});
const invoice = (lineKey: string, date: string, amount: string): BillingEntry => ({
  lineKey,
  date,
  amount,
  kind: 'invoice',
});
const fixed = (v: Big) => v.toFixed(2);

describe('revenue balances', () => {
  it('reports deferred revenue when billed ahead, unbilled when recognised ahead (by the end of a day)', () => {
    // 3,650.00 for 2026 by day: 90 days to 31 Mar recognise 900.00.
    const billedUpfront = contractPositionsAt(
      [ledger('L', 'C', '3650')],
      [invoice('L', '2026-01-01', '3650')],
      '2026-03-31',
    );
    expect(billedUpfront.get('C')).toMatchObject({ recognised: new Big('900'), billed: new Big('3650') });
    expect(fixed(billedUpfront.get('C')!.deferred)).toBe('2750.00');
    expect(fixed(billedUpfront.get('C')!.unbilled)).toBe('0.00');
    const notYetBilled = contractPositionsAt([ledger('L', 'C', '3650')], [], '2026-03-31').get('C')!;
    expect([fixed(notYetBilled.deferred), fixed(notYetBilled.unbilled)]).toEqual(['0.00', '900.00']);
  });

  it('builds unbilled revenue from billing in arrears and relieves it when the invoice comes', () => {
    // 1,200.00 for 2026, recognised by day, billed monthly in arrears on calendar months (100.00 on the 1st of
    // the next month). January earns 1,200 × 31/365 = 101.92 and nothing is billed: unbilled 101.92.
    // February: 100.00 billed on 1 Feb, 92.05 earned (to 193.97): position 100.00 − 193.97 → unbilled 93.97.
    // Released from deferred = 92.05 − (93.97 − 101.92) = 100.00: the February invoice, all earned.
    const plan = buildBillingPlan({
      dealId: 'C',
      currency: 'GBP',
      service: year2026,
      terms: { frequency: 'monthly', timing: 'arrears', alignment: 'calendar' },
      lines: [{ lineKey: 'L', description: 'Subscription', segments: [{ amount: '1200.00', ...year2026 }] }],
    });
    const billing = plan.instalments.flatMap((i) =>
      i.lines.map((l) => invoice(l.lineKey, i.issueDate, l.amount.toFixed(2))),
    );
    const rows = contractMonths([ledger('L', 'C', '1200.00')], billing, monthsBetween('2026-01', '2027-01'));
    const view = (month: string) => {
      const r = rows.find((row) => row.month === month)!;
      return [r.billed, r.recognised, r.releasedFromDeferred, r.closing.deferred, r.closing.unbilled].map(fixed);
    };
    expect(view('2026-01')).toEqual(['0.00', '101.92', '0.00', '0.00', '101.92']);
    expect(view('2026-02')).toEqual(['100.00', '92.05', '100.00', '0.00', '93.97']);
    expect(view('2026-12')).toEqual(['100.00', '101.92', '100.00', '0.00', '100.00']);
    expect(view('2027-01')).toEqual(['100.00', '0.00', '100.00', '0.00', '0.00']);
    expect(rollForwardProblems(rows)).toEqual([]);
  });

  it('nets lines within a contract, never contracts within an entity (ASC 606-10-45-1)', () => {
    const lines = [
      ledger('A1', 'A', '3650'), // billed 3,650 on 1 Jan: 2,750 ahead at 31 Mar
      ledger('A2', 'A', '3650'), // nothing billed: 900 behind
      ledger('B1', 'B', '3650'), // nothing billed: 900 behind, on another contract
    ];
    const rows = contractMonths(lines, [invoice('A1', '2026-01-01', '3650')], ['2026-03']);
    const a = rows.find((r) => r.contractKey === 'A')!;
    expect([fixed(a.closing.deferred), fixed(a.closing.unbilled)]).toEqual(['1850.00', '0.00']);
    expect(a.lines.map((l) => [l.lineKey, fixed(l.closing.deferred), fixed(l.closing.unbilled)])).toEqual([
      ['A1', '2750.00', '0.00'],
      ['A2', '0.00', '900.00'],
    ]);
    const [entity] = entityMonths(rows);
    expect(entity).toMatchObject({ entity: 'UK_Ltd', currency: 'GBP', month: '2026-03', contracts: 2 });
    expect([fixed(entity!.closing.deferred), fixed(entity!.closing.unbilled)]).toEqual(['1850.00', '900.00']);
    expect(
      rollForwardProblems(
        entityMonths(contractMonths(lines, [invoice('A1', '2026-01-01', '3650')], monthsBetween('2026-01', '2026-12'))),
      ),
    ).toEqual([]);
  });

  it('counts a credit note against billed on its date', () => {
    const billing: BillingEntry[] = [
      invoice('L', '2026-01-01', '3650'),
      { lineKey: 'L', date: '2026-07-01', amount: '500', kind: 'credit-note' },
    ];
    const rows = contractMonths([ledger('L', 'C', '3650')], billing, ['2026-06', '2026-07']);
    expect(rows.map((r) => [r.month, fixed(r.credited), fixed(r.closing.deferred)])).toEqual([
      ['2026-06', '0.00', '1840.00'], // 3,650 − 181 days
      ['2026-07', '500.00', '1030.00'], // − 500 − 310 (31 days)
    ]);
  });

  it("catches a roll-forward that does not tie, and an opening that is not last month's closing", () => {
    const rows = contractMonths(
      [ledger('L', 'C', '3650')],
      [invoice('L', '2026-01-01', '3650')],
      ['2026-01', '2026-02'],
    );
    const broken = rows.map((r) => ({ ...r }));
    broken[1] = {
      ...broken[1]!,
      recognised: broken[1]!.recognised.plus('0.01'),
      opening: { deferred: new Big(1), unbilled: new Big(0) },
    };
    expect(rollForwardProblems(broken)).toEqual([
      'C 2026-02: closing ≠ opening + billed − recognised',
      'C 2026-02: deferred does not roll forward',
      "C 2026-02: opening ≠ last month's closing",
    ]);
  });

  it('reports remaining performance obligations, in total and within 12 months', () => {
    const lines = [
      ledger('L', 'C', '3650'),
      {
        ...ledger('M', 'C', '0'),
        revenue: [{ method: 'daily' as const, start: '2026-01-01', end: '2028-12-31', amount: '10960.00' }],
      },
    ];
    // L: 2,750 left at 31 Mar 2026, all within a year. M: 10,960 over 1,096 days (10.00 a day): 90 days done, 1,006 left,
    // 365 of them (1 Apr 2026 – 31 Mar 2027) within the year.
    const rpo = remainingObligations(lines, '2026-03-31');
    expect([fixed(rpo.total), fixed(rpo.current)]).toEqual(['12810.00', '6400.00']);
  });

  it('counts the 12 months from a month end to a month end, 29 February included', () => {
    // 1.00 a day from 1 Mar 2027 to 31 Mar 2028 (397 days): at 28 Feb 2027, 1 Mar 2027 – 29 Feb 2028 is within 12 months.
    const lines = [
      {
        ...ledger('L', 'C', '0'),
        revenue: [{ method: 'daily' as const, start: '2027-03-01', end: '2028-03-31', amount: '397.00' }],
      },
    ];
    const rpo = remainingObligations(lines, '2027-02-28');
    expect([fixed(rpo.total), fixed(rpo.current)]).toEqual(['397.00', '366.00']);
    // from a day inside a month, to the same day a year on
    expect(fixed(remainingObligations(lines, '2027-02-27').current)).toBe('364.00');
  });

  it('refuses billing for a line without a schedule and a contract that mixes currencies', () => {
    expect(() => contractMonths([ledger('L', 'C', '1')], [invoice('X', '2026-01-01', '1')], ['2026-01'])).toThrow(
      'Cannot compute revenue balances: an invoice on 2026-01-01 bills line X, which has no schedule',
    );
    expect(() =>
      contractMonths([ledger('L', 'C', '1'), ledger('M', 'C', '1', { currency: 'USD' })], [], ['2026-01']),
    ).toThrow('Contract C mixes entities or currencies (line M)');
  });
});
