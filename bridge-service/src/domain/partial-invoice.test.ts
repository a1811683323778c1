import { money } from './money';
import {
  BILLED_ON_SIGNATURE,
  PARTIAL_REFUSALS,
  partialAmount,
  partialInvoiceRefusal,
  planPartialInvoice,
  remainingToInvoice,
  type DealLine,
  type PartialInvoiceDeal,
  type PartialRequest,
} from './partial-invoice';
import CASES from './partial-invoice.cases.json';
import type { EntityBillingRow, OpportunityBillingRow, ProductBillingRow } from './revenue-records';

type RefusalCase = (typeof CASES.refusals.cases)[number] & {
  opportunity?: OpportunityBillingRow;
  product?: ProductBillingRow;
  entity?: EntityBillingRow;
  plans?: string[];
  amends?: boolean;
  hasSchedule?: boolean;
  lines?: number;
};

/** A shared refusal case as the bridge reads it: the deal's terms, products, schedules, entity and plans. */
function dealOf(c: RefusalCase): PartialInvoiceDeal {
  return {
    amends: c.amends ? '006000000000001AAA' : null,
    opportunity: c.opportunity ?? {},
    lines: Array.from({ length: c.lines ?? 3 }, (_, i) => ({
      product: i === 0 ? (c.product ?? null) : null,
      hasSchedule: i === 0 && c.hasSchedule === true,
    })),
    entity: c.entity ?? {},
    plans: c.plans ?? [],
  };
}

const lines: DealLine[] = [
  {
    lineItemId: 'L1',
    description: 'Platform seats (100 × 100.00)',
    lineAmount: '10000.00',
    accountCode: '200',
    taxType: 'OUTPUT2',
  },
  {
    lineItemId: 'L2',
    description: 'Implementation',
    lineAmount: 2500,
    accountCode: '260',
    taxType: 'OUTPUT2',
    itemCode: 'IMPL',
  },
  { lineItemId: 'L3', description: 'Launch discount', lineAmount: '-500.00', accountCode: '200', taxType: 'OUTPUT2' },
];

describe('partial invoices', () => {
  it.each(CASES.cases.map((c) => [c.name, c] as const))('%s (shared with the LWC)', (_name, c) => {
    const remaining = { dealValue: money(c.dealValue), remaining: money(c.remaining) };
    const run = () => partialAmount(c.request as PartialRequest, remaining).toFixed(2);
    if ('error' in c) expect(run).toThrow(c.error);
    else expect(run()).toBe(c.amount);
  });

  it.each(CASES.refusals.cases.map((c) => [c.name, c as RefusalCase] as const))(
    'which deals take a partial invoice: %s (shared with the Apex mirror)',
    (_name, c) => {
      const refusal = c.refusal as keyof typeof PARTIAL_REFUSALS | null;
      expect(partialInvoiceRefusal(dealOf(c))).toBe(refusal === null ? undefined : PARTIAL_REFUSALS[refusal]);
    },
  );

  it('says why in words a rep can act on, the same words as the card (the Apex labels)', () => {
    expect(PARTIAL_REFUSALS.billingPlan).toMatch(/billed by its billing plan.*would bill it twice.*credit note/);
    expect(PARTIAL_REFUSALS.amendment).toMatch(/amends or renews another.*would bill it twice/);
    expect(PARTIAL_REFUSALS.noProducts).toMatch(/has no products/);
    expect(BILLED_ON_SIGNATURE).toBe('billed on signature');
  });

  it('30 % on signature: spread over the lines by what each has left, to the cent', () => {
    const plan = planPartialInvoice(
      lines,
      [],
      { kind: 'percent', percent: '30', of: 'deal' },
      'Milestone 1: signature',
    );
    expect([plan.amount, plan.remainingBefore, plan.remainingAfter].map((m) => m.toFixed(2))).toEqual([
      '3600.00',
      '12000.00',
      '8400.00',
    ]);
    expect(plan.lines.map((l) => [l.unitPrice, l.quantity, l.accountCode, l.itemCode])).toEqual([
      ['3000.00', '1', '200', undefined],
      ['750.00', '1', '260', 'IMPL'],
      ['-150.00', '1', '200', undefined],
    ]);
    expect(plan.lines[0]!.description).toBe(
      'Platform seats (100 × 100.00)\nMilestone 1: signature: 3,000.00 of 10,000.00 remaining',
    );
  });

  it('an odd amount ties to the cent by cumulative rounding; the last milestone bills exactly what is left per line', () => {
    const first = planPartialInvoice(lines, [], { kind: 'amount', amount: '1000.00' });
    expect(first.lines.map((l) => l.unitPrice)).toEqual(['833.33', '208.34', '-41.67']);
    const invoiced = first.lines.map((l, i) => ({ lineItemId: lines[i]!.lineItemId, lineAmount: String(l.unitPrice) }));
    expect(remainingToInvoice(lines, invoiced).byLine.map((l) => l.remaining.toFixed(2))).toEqual([
      '9166.67',
      '2291.66',
      '-458.33',
    ]);
    const last = planPartialInvoice(lines, invoiced, { kind: 'percent', percent: '100', of: 'remaining' });
    expect(last.lines.map((l) => l.unitPrice)).toEqual(['9166.67', '2291.66', '-458.33']);
    expect(last.remainingAfter.toFixed(2)).toBe('0.00');
  });

  it('counts history it cannot place on a line against the total, and spreads by what each line has left', () => {
    const plan = planPartialInvoice([lines[0]!, lines[1]!], [{ lineItemId: null, lineAmount: 2500 }], {
      kind: 'amount',
      amount: '100.00',
    });
    expect(plan.remainingBefore.toFixed(2)).toBe('10000.00');
    expect(plan.lines.map((l) => l.unitPrice)).toEqual(['80.00', '20.00']);
  });

  it('never bills more than remains', () => {
    expect(() =>
      planPartialInvoice(lines, [{ lineItemId: 'L1', lineAmount: '11000.00' }], { kind: 'amount', amount: '1000.01' }),
    ).toThrow('1,000.01 is more than the 1,000.00 that remains to invoice on this opportunity');
  });
});
