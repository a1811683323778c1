/**
 * A credit note of a plan billed by its periods is held only when what it takes back was billed by a voided invoice
 * no partial replaced (raised-documents.ts heldCredits): a quarterly deal of 12,000.00 cut from 100 seats to 70 from
 * 5 April credits 864.46 of Q2, which a posted invoice billed, whatever became of Q1's invoice.
 */
import { planDeal, planLineItemSchema, planOpportunitySchema, type RaisedRecord } from '../../domain/deal-plan';
import { DEAL, loadedDeal, quarterlyDeal } from './__fixtures__/deals';
import type { PlannedDeal } from './plan-writer';

const TODAY = '2026-04-10';

/** Q1 and Q2 raised in the given states, then the amendment to 70 seats from 5 April. */
function downgraded(states: [RaisedRecord['state'], RaisedRecord['state']]): PlannedDeal {
  const base = loadedDeal({}, TODAY);
  const raised: RaisedRecord[] = base.plan.plan.instalments.slice(0, 2).map((i, k) => ({
    key: i.key,
    issueDate: i.issueDate,
    lines: i.lines.map((l) => ({ ...l, amount: l.amount.toFixed(2) })),
    kind: 'invoice',
    documentId: `a0I00000000070${k}AAA`,
    state: states[k]!,
    documentDate: i.issueDate,
  }));
  const fewer = quarterlyDeal({
    Id: '006000000000521AAA',
    Name: 'Globex 70 seats',
    CloseDate: '2026-04-05',
    Service_Start_Date__c: '2026-04-05',
    Service_End_Date__c: null,
    Amended_Opportunity__c: DEAL,
    Invoice_Type__c: 'Amendment',
    Amount: 8400,
    OpportunityLineItems: {
      records: quarterlyDeal().OpportunityLineItems!.records.map((l) => ({ ...l, Quantity: 70, TotalPrice: 8400 })),
    },
  });
  const amendment = {
    opportunity: planOpportunitySchema.parse(fewer),
    lineItems: fewer.OpportunityLineItems!.records.map((item) => planLineItemSchema.parse(item)),
  };
  const input = { ...base.loaded.input, amendments: [amendment], raised };
  return { ...base, loaded: { ...base.loaded, input }, plan: planDeal({ ...input, today: TODAY }) };
}

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
