import { buildBillingPlan } from '../../domain/billing-plan';
import { salesforceNames } from '../../salesforce/schema';
import { opportunityBillingTerms } from '../../salesforce/selections';
import type { ClosingBill } from '../billing/deal-plans';
import { draft, opportunity, sfId } from './__fixtures__/drafts';
import { billingStep, type BillingStepDeps } from './billing';

const terms = (
  n: number,
  fields: Record<string, unknown> = {},
  lines: Record<string, unknown>[] = [],
  invoices: Record<string, unknown>[] = [],
) =>
  opportunityBillingTerms.parse(salesforceNames(''), {
    Id: sfId('006', n),
    ...Object.fromEntries(
      [
        'Billing_Frequency__c',
        'Billing_Timing__c',
        'Billing_Alignment__c',
        'First_Invoice_Date__c',
        'Renewal_Index_Name__c',
        'Renewal_Index_Percent__c',
        'Renewal_Index_Date__c',
        'Renewal_Index_Margin_Percent__c',
      ].map((f) => [f, null]),
    ),
    ...fields,
    OpportunityLineItems: { records: lines },
    Invoices__r: { records: invoices },
  });
const line = (product: Record<string, unknown> = {}, hasSchedule = false) => ({
  Id: sfId('00k', 1),
  HasSchedule: hasSchedule,
  Product2: { Billing_Frequency__c: null, Billing_Timing__c: null, ...product },
});

function deps(bills: Map<string, ClosingBill> = new Map()) {
  const planNow = jest.fn(async () => undefined);
  const billedAtClose = jest.fn(async () => bills);
  const d: BillingStepDeps = { dealPlans: { billedAtClose }, billingTriggers: { planNow } };
  return { d, planNow, billedAtClose };
}

describe('CREATE_DRAFT: how each deal is billed', () => {
  it('drafts a deal on the package default at close (wave 1), and asks for the plan of one billed by its periods', async () => {
    const { d, planNow } = deps();
    const rows = new Map([
      [sfId('006', 1), terms(1, {}, [line()])],
      [sfId('006', 2), terms(2, { Billing_Frequency__c: 'Annual' }, [line()])],
      [sfId('006', 3), terms(3, {}, [line({ Billing_Frequency__c: 'Monthly' })])],
      [sfId('006', 4), terms(4, {}, [line({}, true)])],
      [sfId('006', 5), terms(5, { First_Invoice_Date__c: '2026-04-01' }, [line()])],
    ]);
    const result = await billingStep(
      d,
      [1, 2, 3, 4, 5].map((n) => draft(n)),
      rows,
    );
    expect(result.drafts.map((x) => x.opportunity.Id)).toEqual([sfId('006', 1)]);
    expect(result.drafts[0]!.billing).toBeUndefined();
    expect(result.outcomes.map((o) => (o.kind === 'settled' ? o.outcome : o.kind))).toEqual(
      [2, 3, 4, 5].map((n) => ({ kind: 'done', result: { billedByPlan: sfId('006', n) } })),
    );
    expect(planNow).toHaveBeenCalledWith(
      [2, 3, 4, 5].map((n) => sfId('006', n)),
      'closed',
      [2, 3, 4, 5].map((n) => `CREATE_DRAFT:${sfId('006', n)}:1`).join(','),
    );
  });

  it('refuses, in words, a deal whose terms hold a value the package does not know', async () => {
    const { d } = deps();
    const rows = new Map([[sfId('006', 1), terms(1, { Billing_Frequency__c: 'Fortnightly' }, [line()])]]);
    const result = await billingStep(d, [draft(1)], rows);
    expect(result.outcomes).toEqual([
      { kind: 'refused', job: draft(1).job, message: expect.stringMatching(/Billing_Frequency__c/) },
    ]);
  });

  it('drafts an amendment of a deal billed on signature as its plan’s instalment, and nothing when it bills nothing', async () => {
    const instalment = buildBillingPlan({
      dealId: sfId('006', 9),
      currency: 'GBP',
      service: { start: '2026-01-01', end: '2026-12-31' },
      terms: { frequency: 'upfront', timing: 'advance', alignment: 'anniversary' },
      lines: [
        {
          lineKey: 'L',
          description: 'Seats',
          segments: [{ amount: '211.92', start: '2026-07-01', end: '2026-12-31' }],
        },
      ],
    }).instalments[0]!;
    const original = { opportunity: opportunity(9), lineItems: [] };
    const amending = (n: number) =>
      draft(n, {
        opportunity: opportunity(n, { Amended_Opportunity__c: sfId('006', 9), Invoice_Type__c: 'Amendment' }),
        original,
      });
    const { d, billedAtClose, planNow } = deps(
      new Map<string, ClosingBill>([
        [sfId('006', 1), { kind: 'signature', instalment }],
        [sfId('006', 2), { kind: 'signature' }],
        [sfId('006', 3), { kind: 'periodic' }],
        [
          sfId('006', 4),
          {
            kind: 'error',
            message: 'Cannot apply the contract modification: it takes effect before the contract starts',
          },
        ],
      ]),
    );
    const result = await billingStep(d, [1, 2, 3, 4].map(amending), new Map());
    expect(billedAtClose).toHaveBeenCalledWith([1, 2, 3, 4].map((n) => sfId('006', n)));
    expect(
      result.drafts.map((x) => [x.opportunity.Id, x.billing?.invoiceType, x.billing?.instalment.amount.toFixed(2)]),
    ).toEqual([[sfId('006', 1), 'Amendment', '211.92']]);
    expect(result.outcomes).toEqual([
      { kind: 'settled', job: amending(2).job, outcome: { kind: 'done', result: { nothingToBill: true } } },
      { kind: 'refused', job: amending(4).job, message: expect.stringMatching(/before the contract starts/) },
      { kind: 'settled', job: amending(3).job, outcome: { kind: 'done', result: { billedByPlan: sfId('006', 3) } } },
    ]);
    expect(planNow).toHaveBeenCalledWith([sfId('006', 3)], 'closed', `CREATE_DRAFT:${sfId('006', 3)}:1`);
  });

  it('drafts a deal that took partial invoices for what they left, as its plan’s signature instalment', async () => {
    // 12,000.00 billed on signature, a 4,500.00 deposit raised: its plan's signature instalment is the 7,500.00 left.
    const remainder = buildBillingPlan({
      dealId: sfId('006', 1),
      currency: 'GBP',
      service: { start: '2026-01-01', end: '2026-12-31' },
      terms: { frequency: 'upfront', timing: 'advance', alignment: 'anniversary' },
      lines: [
        {
          lineKey: 'L',
          description: 'Seats',
          segments: [{ amount: '7500.00', start: '2026-01-01', end: '2026-12-31' }],
        },
      ],
    }).instalments[0]!;
    const partial = (n: number, status: string) => ({
      Request_Key__c: `CREATE_PARTIAL:${sfId('006', n)}:0-450000`,
      Status__c: status,
    });
    const closing = { Request_Key__c: `CREATE_DRAFT:${sfId('006', 4)}:1`, Status__c: 'Draft' };
    const rows = new Map([
      [sfId('006', 1), terms(1, {}, [line()], [partial(1, 'Authorised')])],
      [sfId('006', 2), terms(2, {}, [line()], [partial(2, 'Draft')])],
      // a voided partial bills nothing, nor does a closing invoice of an earlier attempt: drafted as wave 1 did
      [sfId('006', 3), terms(3, {}, [line()], [partial(3, 'Voided')])],
      [sfId('006', 4), terms(4, {}, [line()], [closing])],
    ]);
    const { d, billedAtClose } = deps(
      new Map<string, ClosingBill>([
        [sfId('006', 1), { kind: 'signature', instalment: remainder }],
        [sfId('006', 2), { kind: 'signature' }],
      ]),
    );
    const result = await billingStep(
      d,
      [1, 2, 3, 4].map((n) => draft(n)),
      rows,
    );
    expect(billedAtClose).toHaveBeenCalledTimes(1);
    expect(billedAtClose).toHaveBeenCalledWith([sfId('006', 1), sfId('006', 2)]);
    expect(
      result.drafts.map((x) => [x.opportunity.Id, x.billing?.invoiceType, x.billing?.instalment.amount.toFixed(2)]),
    ).toEqual([
      [sfId('006', 3), undefined, undefined],
      [sfId('006', 4), undefined, undefined],
      [sfId('006', 1), 'New', '7500.00'],
    ]);
    // The partials billed it all: nothing is drafted.
    expect(result.outcomes).toEqual([
      { kind: 'settled', job: draft(2).job, outcome: { kind: 'done', result: { nothingToBill: true } } },
    ]);
  });

  it('asks nothing more of a batch of deals without partial invoices', async () => {
    const { d, billedAtClose } = deps();
    const rows = new Map([1, 2, 3].map((n) => [sfId('006', n), terms(n, {}, [line()])]));
    const result = await billingStep(
      d,
      [1, 2, 3].map((n) => draft(n)),
      rows,
    );
    expect(result.drafts).toHaveLength(3);
    expect(billedAtClose).not.toHaveBeenCalled();
  });
});
