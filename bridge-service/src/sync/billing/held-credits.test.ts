/**
 * A credit note of a plan billed by its periods is held only when what it takes back was billed by a voided invoice
 * no partial replaced (raised-documents.ts heldCredits): a quarterly deal of 12,000.00 cut from 100 seats to 70 from
 * 5 April credits 864.46 of Q2, which a posted invoice billed, whatever became of Q1's invoice.
 */
import { downgradedDeal } from './__fixtures__/deals';
import type { PlannedDeal } from './plan-writer';

const downgraded = (states: Parameters<typeof downgradedDeal>[0]) => downgradedDeal(states);

const creditOf = (p: PlannedDeal) => p.plan.plan.instalments.find((i) => i.kind === 'credit-note')!;

describe('a quarterly deal cut from 100 seats to 70 from 5 April: the 864.46 credit of Q2', () => {
  it('is sent when Q1 and Q2 are posted', () => {
    const p = downgraded(['posted', 'posted']);
    expect(creditOf(p).amount.toFixed(2)).toBe('-864.46');
    expect(creditOf(p).lines.map((l) => l.periodKey)).toEqual(['2026-04-01']);
    expect(p.plan.held.size).toBe(0);
  });

  it('is sent when Q1 was voided: it takes back Q2, which a posted invoice billed, not what the void billed', () => {
    const p = downgraded(['void', 'posted']);
    expect(creditOf(p).lines.map((l) => l.periodKey)).toEqual(['2026-04-01']);
    expect(p.plan.held.get(creditOf(p).key)).toBeUndefined();
  });

  it('is held when Q2, the quarter it takes back, was voided: its reduction belongs in Q2 raised again by hand', () => {
    const p = downgraded(['posted', 'void']);
    expect(p.plan.held.get(creditOf(p).key)).toMatch(
      /^Held, not sent to Xero: it takes back what a void invoice billed/,
    );
  });
});
