import { asRaised, billingEntriesOf, dealLedgerLines, dealPlanInput, replayDeal, type Deal } from './contract-history';
import { buildBillingPlan } from './billing-plan';
import type { Modification } from './modification';

const deal: Deal = {
  dealId: 'OPP1',
  currency: 'GBP',
  entity: 'UK_Ltd',
  service: { start: '2026-01-01', end: '2026-12-31' },
  terms: { frequency: 'upfront', timing: 'advance', alignment: 'anniversary' },
  lines: [
    {
      lineKey: 'L1',
      productKey: 'SEAT',
      description: 'Seats',
      quantity: '100',
      amount: '36000.00',
      service: { start: '2026-01-01', end: '2026-12-31' },
      method: 'daily',
      ssp: { amount: '360', currency: 'GBP' },
    },
  ],
};
// 10 seats at SSP from 1 Jul: 10 × 360 × 184/365 = 1,814.79 → a separate contract.
const atSsp: Modification = {
  key: 'OPP2',
  effectiveDate: '2026-07-01',
  changes: [{ lineKey: 'L1', quantityDelta: '10', amountDelta: '1814.79' }],
};

describe('contract history', () => {
  it('replays modifications in date order onto the contract that holds their lines', () => {
    const downgrade: Modification = {
      key: 'OPP3',
      effectiveDate: '2026-10-01',
      changes: [{ lineKey: 'OPP2:L1', quantityDelta: '-10', amountDelta: '-907.40' }],
    };
    const replayed = replayDeal({ deal, modifications: [downgrade, atSsp] });
    expect(replayed.steps.map((s) => [s.key, s.treatment])).toEqual([
      ['OPP2', 'separate-contract'],
      ['OPP3', 'prospective'],
    ]);
    expect(replayed.contracts.map((c) => [c.contractKey, c.lines.map((l) => l.lineKey)])).toEqual([
      ['OPP1', ['L1']],
      ['OPP2', ['OPP2:L1']],
    ]);
    expect(dealLedgerLines(deal, replayed.contracts).map((l) => `${l.contractKey}/${l.lineKey}`)).toEqual([
      'OPP1/L1',
      'OPP2/OPP2:L1',
    ]);
    expect(() =>
      replayDeal({
        deal,
        modifications: [
          atSsp,
          {
            key: 'OPP4',
            effectiveDate: '2026-11-01',
            changes: [
              { lineKey: 'L1', quantityDelta: '-1', amountDelta: '-59.18' },
              { lineKey: 'OPP2:L1', quantityDelta: '-1', amountDelta: '-59.18' },
            ],
          },
        ],
      }),
    ).toThrow('Modification OPP4 changes lines of 2 contracts; amend one contract at a time');
  });

  it('bills every contract of the deal on its one plan, and turns raised instalments into balance entries', () => {
    const replayed = replayDeal({ deal, modifications: [atSsp] });
    const plan = buildBillingPlan(dealPlanInput(deal, replayed.contracts));
    expect(plan.instalments.map((i) => `${i.issueDate} ${i.amount.toFixed(2)}`)).toEqual([
      '2026-01-01 36000.00',
      '2026-07-01 1814.79',
    ]);
    const raised = plan.instalments.map(asRaised);
    expect(buildBillingPlan(dealPlanInput(deal, replayed.contracts, raised)).instalments).toEqual([]);
    const credit = {
      ...plan.instalments[1]!,
      kind: 'credit-note' as const,
      lines: plan.instalments[1]!.lines.map((l) => ({ ...l, amount: l.amount.times(-1) })),
    };
    expect(billingEntriesOf([credit])).toEqual([
      { lineKey: 'OPP2:L1', date: '2026-07-01', amount: '1814.79', kind: 'credit-note' },
    ]);
  });
});
