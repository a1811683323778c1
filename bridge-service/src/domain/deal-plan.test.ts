import {
  lineItemsOf,
  loadScenarioExpected,
  loadScenarioInput,
  type ScenarioInput,
} from '../../test/fixtures/revenue/scenario';
import { asRaised } from './contract-history';
import { rollForwardProblems } from './balances';
import { planDeal, signatureInstalment, type DealPlanInput, type RaisedRecord } from './deal-plan';
import type { Instalment } from './billing-plan';
import type { LineItemRecord } from './deal-records';

const input = loadScenarioInput();
const expected = loadScenarioExpected() as {
  instalments: { issueDate: string; amount: string; kind: string }[];
  months: Record<string, unknown>[];
  plans: { version: string; planned: string[] }[];
};
const cents = (value: { toFixed(dp: number): string }) => value.toFixed(2);

const withItems = (event: ScenarioInput['events'][number]) => ({
  opportunity: event.opportunity,
  lineItems: lineItemsOf(input, event),
});

function records(known: number, raised: RaisedRecord[], today: string): DealPlanInput {
  const [signed, ...amendments] = input.events;
  return {
    root: withItems(signed!),
    amendments: amendments.slice(0, known - 1).map(withItems),
    entity: input.entity,
    corporateCurrency: input.corporateCurrency,
    raised,
    today,
  };
}

const raisedFrom = (instalment: Instalment, state: RaisedRecord['state'] = 'posted'): RaisedRecord => ({
  ...asRaised(instalment),
  kind: instalment.kind,
  documentId: `doc-${instalment.issueDate}`,
  state,
  documentDate: instalment.issueDate,
});

describe('a deal planned from its records, as the bridge keeps it', () => {
  /** The bridge's life over the three years: each day an event or an instalment falls, it re-plans and raises. */
  function live() {
    const raised: RaisedRecord[] = [];
    const days = [
      ...input.events.map((e, i) => ({ day: e.on, known: i + 1 })),
      ...expected.instalments.map((i) => ({ day: i.issueDate, known: 0 })),
    ].sort((a, b) => a.day.localeCompare(b.day));
    let known = 1;
    const versions: string[] = [];
    for (const { day, known: event } of days) {
      if (event) known = event;
      const plan = planDeal(records(known, raised, day));
      if (event) versions.push(plan.plan.version);
      for (const due of plan.plan.instalments.filter((i) => i.issueDate <= day)) raised.push(raisedFrom(due));
    }
    return { raised, versions, final: planDeal(records(3, raised, '2028-01-31')) };
  }

  it('raises the five documents of the worked case, on their dates, with the plan versions of the domain run', () => {
    const { raised, versions } = live();
    expect(raised.map((r) => `${r.issueDate} ${r.kind}`)).toEqual(
      expected.instalments.map((i) => `${i.issueDate} ${i.kind}`),
    );
    expect(raised.map((r) => cents(r.lines.reduce((t, l) => t + Number(l.amount) * 100, 0) / 100))).toEqual(
      expected.instalments.map((i) => i.amount),
    );
    expect(versions).toEqual(expected.plans.map((p) => p.version));
  });

  it('writes the expected revenue months, closes the term at nothing deferred or unbilled, and completes', () => {
    const { final } = live();
    const rows = final.months.filter((m) => m.month <= '2027-12');
    expect(
      rows.map((r) => ({
        month: r.month,
        contractKey: r.contractKey,
        openingDeferred: cents(r.opening.deferred),
        openingUnbilled: cents(r.opening.unbilled),
        billed: cents(r.billed),
        credited: cents(r.credited),
        recognised: cents(r.recognised),
        releasedFromDeferred: cents(r.releasedFromDeferred),
        closingDeferred: cents(r.closing.deferred),
        closingUnbilled: cents(r.closing.unbilled),
        recognisedByLine: Object.fromEntries(r.lines.map((l) => [l.lineKey, cents(l.recognised)])),
      })),
    ).toEqual(expected.months.filter((m) => String(m.month) <= '2027-12'));
    expect(rollForwardProblems(final.months)).toEqual([]);
    expect(final.months.every((m) => m.status === 'Actual')).toBe(true);
    expect(final.summary).toMatchObject({ status: 'Completed' });
    expect(cents(final.summary.invoiced)).toBe('110679.29');
    expect([cents(final.summary.remaining), cents(final.summary.deferred), cents(final.summary.unbilled)]).toEqual([
      '0.00',
      '0.00',
      '0.00',
    ]);
    expect(final.plan.instalments).toEqual([]);
  });

  it('shows the plan before the first invoice exists, with forecast months and what is next', () => {
    const plan = planDeal(records(1, [], '2024-12-20'));
    expect(plan.signature).toBe(false);
    expect(plan.plan.instalments.map((i) => `${i.issueDate} ${cents(i.amount)}`)).toEqual(expected.plans[0]!.planned);
    expect(plan.summary).toMatchObject({ status: 'Planned', next: { date: '2025-01-01', kind: 'invoice' } });
    expect(cents(plan.summary.next!.amount)).toBe('40500.00');
    expect([cents(plan.summary.invoiced), cents(plan.summary.recognised)]).toEqual(['0.00', '0.00']);
    // From the current month on, the months forecast the plan: January 2025 bills its planned instalment.
    const january = plan.months.find((m) => m.month === '2025-01')!;
    expect([january.status, cents(january.billed), cents(january.recognised)]).toEqual([
      'Forecast',
      '40500.00',
      '3057.53',
    ]);
    expect(plan.months.some((m) => m.month === '2024-12')).toBe(false);
  });

  it('counts only posted documents as billed: a draft awaiting approval is forecast, not actual', () => {
    const [first] = planDeal(records(1, [], '2025-01-01')).plan.instalments;
    const draft = planDeal(records(1, [raisedFrom(first!, 'unposted')], '2025-02-10'));
    // February: the January draft is not billed yet, so January's service sits as unbilled revenue.
    // 36,000.00 × 41/365 of the seats earned by 10 Feb; the implementation is delivered on 15 Feb.
    expect([cents(draft.summary.recognised), cents(draft.summary.unbilled)]).toEqual(['4043.84', '4043.84']);
    expect(cents(draft.summary.deferred)).toBe('0.00');
    expect(draft.months.find((m) => m.month === '2025-01')).toMatchObject({ status: 'Actual' });
    expect(cents(draft.months.find((m) => m.month === '2025-01')!.billed)).toBe('0.00');
    const posted = planDeal(records(1, [raisedFrom(first!)], '2025-02-10'));
    expect(cents(posted.months.find((m) => m.month === '2025-01')!.billed)).toBe('40500.00');
    expect(cents(posted.summary.unbilled)).toBe('0.00');
  });

  it('never changes a closed month: a change signed after the close takes effect for revenue on the first open day', () => {
    const { raised } = live();
    // The cancellation signed late, on 15 Aug 2026, backdated to 1 Jul, after July was closed.
    const late = (extra: Partial<DealPlanInput>) => {
      const base = records(3, raised, '2026-08-20');
      const [upsell, cancellation] = base.amendments!;
      return planDeal({
        ...base,
        amendments: [
          upsell!,
          { ...cancellation!, opportunity: { ...cancellation!.opportunity, CloseDate: '2026-08-15' } },
        ],
        ...extra,
      });
    };
    const before = planDeal(records(2, raised, '2026-08-20'));
    // July's close was posted on 3 Aug, before the cancellation was signed.
    const julyPosted = { month: '2026-07', postedOn: '2026-08-03' };
    const closed = late({ closedThrough: '2026-07', closes: [julyPosted] });
    for (const month of ['2026-06', '2026-07']) {
      expect(closed.months.find((m) => m.month === month)).toMatchObject({ status: 'Closed' });
      expect(cents(closed.months.find((m) => m.month === month)!.recognised)).toBe(
        cents(before.months.find((m) => m.month === month)!.recognised),
      );
    }
    expect(closed.months.find((m) => m.month === '2026-08')).toMatchObject({ status: 'Forecast' });
    const open = late({});
    const total = (rows: typeof open.months) =>
      cents(rows.reduce((t, m) => t.plus(m.recognised), open.summary.recognised.times(0)));
    expect(total(closed.months)).toBe(total(open.months));
    expect(cents(open.months.find((m) => m.month === '2026-07')!.recognised)).not.toBe(
      cents(closed.months.find((m) => m.month === '2026-07')!.recognised),
    );
    // A change signed before the month closed was in its figures: it is not moved.
    const known = planDeal({ ...records(3, raised, '2026-08-20'), closedThrough: '2026-07', closes: [julyPosted] });
    expect(cents(known.months.find((m) => m.month === '2026-07')!.recognised)).toBe(
      cents(planDeal(records(3, raised, '2026-08-20')).months.find((m) => m.month === '2026-07')!.recognised),
    );
    // Stable: once August closes too (posted 2 Sep), the change still starts on 1 Aug, the first open day when it
    // was signed, so August's figures are the ones the plan had before August closed.
    const later = late({
      closedThrough: '2026-08',
      closes: [julyPosted, { month: '2026-08', postedOn: '2026-09-02' }],
      today: '2026-09-10',
    });
    for (const month of ['2026-08', '2026-09', '2026-12'])
      expect(cents(later.months.find((m) => m.month === month)!.recognised)).toBe(
        cents(closed.months.find((m) => m.month === month)!.recognised),
      );
    // Closed rows whose close is not yet written Posted (posting under way) count as closed today: a change signed
    // before today is not moved, as it will not be once the close's posting date is known.
    const posting = late({ closedThrough: '2026-07' });
    expect(cents(posting.months.find((m) => m.month === '2026-07')!.recognised)).toBe(
      cents(open.months.find((m) => m.month === '2026-07')!.recognised),
    );
  });

  it('a voided instalment is not billed and is named for finance; it is not raised again', () => {
    const [first] = planDeal(records(1, [], '2025-01-01')).plan.instalments;
    const plan = planDeal(records(1, [raisedFrom(first!, 'void')], '2025-03-01'));
    expect(plan.plan.instalments.map((i) => i.issueDate)).toEqual(['2026-01-01', '2027-01-01']);
    expect(plan.notes).toEqual([expect.stringMatching(/raised but its document is void/)]);
    expect(cents(plan.summary.invoiced)).toBe('0.00');
  });
});

describe('a credit note the plan did not raise (a concession)', () => {
  it('reduces what its invoice billed and the revenue of its lines from its date, and the term still ends at 0', () => {
    const [first] = planDeal(records(1, [], '2025-01-01')).plan.instalments;
    const raised = [raisedFrom(first!)];
    const base = records(1, raised, '2025-12-31');
    const credited = planDeal({
      ...base,
      // 3,600.00 off the first year's seats on 1 Jul 2025 (of 40,500.00: seats 36,000.00, implementation 4,500.00).
      concessions: [
        { documentId: 'cn-1', invoiceId: 'doc-2025-01-01', date: '2025-07-01', amount: '4050.00', state: 'posted' },
      ],
    });
    const july = credited.months.find((m) => m.month === '2025-07')!;
    expect(cents(july.credited)).toBe('4050.00');
    // Split 36,000 : 4,500 → 3,600.00 on the seats, 450.00 on the implementation (delivered: taken on 1 Jul).
    expect(rollForwardProblems(credited.months)).toEqual([]);
    const plain = planDeal(base);
    const recognisedIn = (p: typeof plain, month: string) => p.months.find((m) => m.month === month)!.recognised;
    expect(cents(recognisedIn(plain, '2025-06'))).toBe(cents(recognisedIn(credited, '2025-06')));
    // 450.00 (delivered) on its date; the seats' 3,600.00: 181/365 already delivered, 1,785.21, caught up on 1 Jul,
    // and 1,814.79 over the 184 days left, 305.75 of it in July.
    expect(cents(recognisedIn(plain, '2025-07').minus(recognisedIn(credited, '2025-07')))).toBe('2540.96');
    const total = (p: typeof plain) =>
      cents(p.months.reduce((t, m) => t.plus(m.recognised), plain.summary.invoiced.times(0)));
    expect(total(credited)).toBe('108450.00'); // the term: 108,000.00 + 4,500.00 − 4,050.00
    expect(cents(credited.months.find((m) => m.month === '2025-12')!.closing.deferred)).toBe('0.00');
  });

  it('waits for approval: a draft credit note changes nothing', () => {
    const [first] = planDeal(records(1, [], '2025-01-01')).plan.instalments;
    const base = records(1, [raisedFrom(first!)], '2025-12-31');
    const pending = planDeal({
      ...base,
      concessions: [
        { documentId: 'cn-1', invoiceId: 'doc-2025-01-01', date: '2025-07-01', amount: '4050.00', state: 'unposted' },
      ],
    });
    expect(cents(pending.months.find((m) => m.month === '2025-07')!.credited)).toBe('0.00');
  });
});

/** An upfront deal as wave 1 bills it: Amendment and renewal Opportunities in the shape SOQL returns them. */
describe('a plan billed on signature (Upfront, In Advance: the package default)', () => {
  const seats = (id: string, quantity: number): LineItemRecord => ({
    Id: id,
    Quantity: quantity,
    UnitPrice: 42.5,
    TotalPrice: quantity * 42.5,
    Product2: { Name: 'Platform seats', ProductCode: 'SEAT' },
  });
  const entity = { developerName: 'UK_Ltd', Revenue_Convention__c: null };
  const root = {
    opportunity: { Id: '006000000000101AAA', Name: 'Acme - Platform 2026', CloseDate: '2026-02-27' },
    lineItems: [seats('00k000000000101AAA', 120)],
  };
  const amendment = (id: string, close: string, quantity: number) => ({
    opportunity: {
      Id: id,
      Name: `Acme ${quantity} seats`,
      CloseDate: close,
      Service_Start_Date__c: close,
      Amended_Opportunity__c: root.opportunity.Id,
      Invoice_Type__c: 'Amendment',
    },
    lineItems: [seats(`${id.slice(0, 15)}LIN`, quantity)],
  });
  const base = (extra: Partial<DealPlanInput> = {}): DealPlanInput => ({
    root,
    entity,
    corporateCurrency: 'GBP',
    today: '2026-12-06',
    ...extra,
  });

  it('bills the deal once, on its close date, by its closing request', () => {
    const first = signatureInstalment(base(), root.opportunity.Id)!;
    expect([first.issueDate, cents(first.amount), first.kind]).toEqual(['2026-02-27', '5100.00', 'invoice']);
    const plan = planDeal(base());
    expect(plan.signature).toBe(true);
    expect(plan.requestOwned.get('2026-02-27')).toBe(root.opportunity.Id);
  });

  it('records what the closing request raised, and bills an upsell and a downgrade on their own close dates', () => {
    const upsell = amendment('006000000000102AAA', '2026-08-29', 130);
    const signed = [
      { opportunityId: root.opportunity.Id, kind: 'invoice' as const, documentId: 'inv-1', state: 'posted' as const },
    ];
    const change = signatureInstalment(base({ amendments: [upsell], signed }), upsell.opportunity.Id)!;
    // 10 × 42.50 × 182/365 = 211.92 (the wave-1 worked case).
    expect([change.issueDate, cents(change.amount), change.kind]).toEqual(['2026-08-29', '211.92', 'invoice']);
    const downgrade = amendment('006000000000103AAA', '2026-08-29', 110);
    const credit = signatureInstalment(base({ amendments: [downgrade], signed }), downgrade.opportunity.Id)!;
    expect([credit.issueDate, cents(credit.amount), credit.kind]).toEqual(['2026-08-29', '-211.92', 'credit-note']);

    const both = planDeal(
      base({
        amendments: [upsell],
        signed: [
          ...signed,
          { opportunityId: upsell.opportunity.Id, kind: 'invoice', documentId: 'inv-2', state: 'unposted' },
        ],
      }),
    );
    expect(both.newlyRaised.map((r) => [r.document.documentId, cents(r.instalment.amount)])).toEqual([
      ['inv-1', '5100.00'],
      ['inv-2', '211.92'],
    ]);
    expect(both.plan.instalments).toEqual([]);
    expect(cents(both.summary.invoiced)).toBe('5311.92');
  });

  it('two changes signed on one day are each billed by their own request', () => {
    const upsell = amendment('006000000000104AAA', '2026-02-27', 130);
    const signed = [
      { opportunityId: root.opportunity.Id, kind: 'invoice' as const, documentId: 'inv-1', state: 'posted' as const },
    ];
    const change = signatureInstalment(base({ amendments: [upsell], signed }), upsell.opportunity.Id)!;
    // 10 more seats for the whole term: 425.00, not the deal again.
    expect([change.issueDate, cents(change.amount)]).toEqual(['2026-02-27', '425.00']);
  });

  it('never bills twice a deal its closing request invoiced in full before its terms said Annual', () => {
    const annual = { ...root, opportunity: { ...root.opportunity, Billing_Frequency__c: 'Annual' as const } };
    const signed = [
      { opportunityId: root.opportunity.Id, kind: 'invoice' as const, documentId: 'inv-1', state: 'posted' as const },
    ];
    const plan = planDeal(base({ root: annual, signed }));
    expect(plan.signature).toBe(true);
    expect(plan.plan.instalments).toEqual([]);
    expect(cents(plan.summary.invoiced)).toBe('5100.00');
    expect(plan.notes).toEqual([expect.stringMatching(/invoiced in full when it closed/)]);
    expect(planDeal(base({ root: annual })).signature).toBe(false);
  });

  it('keeps on signature a deal whose closing invoice was voided before its terms said Annual: nothing planned again', () => {
    const annual = { ...root, opportunity: { ...root.opportunity, Billing_Frequency__c: 'Annual' as const } };
    const signed = [
      { opportunityId: root.opportunity.Id, kind: 'invoice' as const, documentId: 'inv-1', state: 'void' as const },
    ];
    const plan = planDeal(base({ root: annual, signed }));
    expect(plan.signature).toBe(true);
    // Recorded raised with its void document, flagged for a replacement by hand: no invoice, no credit note planned.
    expect(plan.newlyRaised.map((r) => [r.document.documentId, cents(r.instalment.amount)])).toEqual([
      ['inv-1', '5100.00'],
    ]);
    expect(plan.plan.instalments).toEqual([]);
    expect([cents(plan.summary.invoiced), cents(plan.summary.remaining)]).toEqual(['0.00', '5100.00']);
    expect(plan.notes.join('\n')).toMatch(/raised but its document is void/);
  });

  describe('a deal priced by its Total Price (300 seats for 10,000.00: Sales Price 33.33, 300 × 33.33 = 9,999.00)', () => {
    const priced = (id: string, quantity: number, total: number): LineItemRecord => ({
      Id: id,
      Quantity: quantity,
      UnitPrice: 33.33,
      TotalPrice: total,
      Product2: { Name: 'Platform seats', ProductCode: 'SEAT' },
    });
    const totalRoot = { ...root, lineItems: [priced('00k000000000101AAA', 300, 10000)] };
    const change = (id: string, close: string, lineItems: LineItemRecord[]) => ({
      ...amendment(id, close, 0),
      lineItems,
    });
    const signed = [
      { opportunityId: root.opportunity.Id, kind: 'invoice' as const, documentId: 'inv-1', state: 'posted' as const },
    ];
    /** raised + planned = contract value (buildBillingPlan also refuses a plan that does not tie). */
    const ties = (plan: ReturnType<typeof planDeal>) =>
      plan.plan.raisedAmount.plus(
        plan.plan.instalments.reduce((t, i) => t.plus(i.amount), plan.plan.raisedAmount.times(0)),
      );

    it('on signature: 100 of 300 seats off for the whole term credits 3,333.33, all of them 10,000.00; the plan ties', () => {
      // The rep lowers the quantity: Salesforce keeps the Sales Price, 200 × 33.33 = 6,666.00.
      const fewer = change('006000000000105AAA', '2026-02-27', [priced('00k000000000105AAA', 200, 6666)]);
      const credit = signatureInstalment(base({ root: totalRoot, amendments: [fewer], signed }), fewer.opportunity.Id)!;
      expect([credit.issueDate, cents(credit.amount), credit.kind]).toEqual(['2026-02-27', '-3333.33', 'credit-note']);
      const both = planDeal(
        base({
          root: totalRoot,
          amendments: [fewer],
          signed: [
            ...signed,
            { opportunityId: fewer.opportunity.Id, kind: 'credit-note', documentId: 'cn-1', state: 'unposted' },
          ],
        }),
      );
      expect(both.newlyRaised.map((r) => [r.document.documentId, cents(r.instalment.amount)])).toEqual([
        ['inv-1', '10000.00'],
        ['cn-1', '-3333.33'],
      ]);
      expect([cents(both.plan.contractValue), cents(ties(both)), cents(both.summary.invoiced)]).toEqual([
        '6666.67',
        '6666.67',
        '6666.67',
      ]);
      const none = change('006000000000106AAA', '2026-02-27', []);
      const all = signatureInstalment(base({ root: totalRoot, amendments: [none], signed }), none.opportunity.Id)!;
      expect(cents(all.amount)).toBe('-10000.00');
      // Then the other 200 off: the 6,666.67 left (not the amending line's 6,666.00), and the deal ends at 0.00.
      const creditedFirst = [
        ...signed,
        {
          opportunityId: fewer.opportunity.Id,
          kind: 'credit-note' as const,
          documentId: 'cn-1',
          state: 'posted' as const,
        },
      ];
      const rest = signatureInstalment(
        base({ root: totalRoot, amendments: [fewer, none], signed: creditedFirst }),
        none.opportunity.Id,
      )!;
      expect(cents(rest.amount)).toBe('-6666.67');
      const gone = planDeal(base({ root: totalRoot, amendments: [fewer, none], signed: creditedFirst }));
      expect([cents(gone.plan.contractValue), cents(ties(gone))]).toEqual(['0.00', '0.00']);
    });

    it('two amendments in a row (300 → 200 → 250): the second bills +50 seats against the 200 left, +1,666.67', () => {
      const fewer = change('006000000000108AAA', '2026-02-27', [priced('00k000000000108AAA', 200, 6666)]);
      const more = change('006000000000109AAA', '2026-02-27', [priced('00k000000000109AAA', 250, 8332.5)]);
      const creditedFirst = [
        ...signed,
        {
          opportunityId: fewer.opportunity.Id,
          kind: 'credit-note' as const,
          documentId: 'cn-1',
          state: 'posted' as const,
        },
      ];
      // Listed in any order: the first to take effect is priced first (same day: CloseDate, then Id).
      const input = base({ root: totalRoot, amendments: [more, fewer], signed: creditedFirst });
      // 50 × 6,666.67/200 = 1,666.6675 → 1,666.67 (vs the original 300 it would credit 50: −1,666.67).
      const second = signatureInstalment(input, more.opportunity.Id)!;
      expect([second.kind, cents(second.amount)]).toEqual(['invoice', '1666.67']);
      // The plan ties: 10,000.00 − 3,333.33 + 1,666.67.
      const plan = planDeal(input);
      expect([cents(plan.plan.contractValue), cents(ties(plan))]).toEqual(['8333.34', '8333.34']);
    });

    it('a renewal renews what the amendments left: 6,666.67 at 3 % is 6,866.67 (not 200 × 34.33 = 6,866.00)', () => {
      const fewer = change('006000000000110AAA', '2026-02-27', [priced('00k000000000110AAA', 200, 6666)]);
      const renewal = {
        opportunity: {
          Id: '006000000000111AAA',
          Name: 'Acme - Platform 2027',
          CloseDate: '2027-02-20',
          Amended_Opportunity__c: root.opportunity.Id,
          Invoice_Type__c: 'Renewal',
          Renewal_Uplift_Percent__c: 3,
        },
        lineItems: [] as LineItemRecord[],
      };
      const plan = planDeal(base({ root: renewal, renewalOf: { ...totalRoot, amendments: [fewer] } }));
      expect(plan.deal.service).toEqual({ start: '2027-02-27', end: '2028-02-26' });
      expect(plan.deal.lines.map((l) => [l.lineKey, l.quantity, l.amount])).toEqual([
        ['006000000000111AAA:00k000000000110AAA', '200', '6866.67'],
      ]);
      expect([cents(plan.plan.contractValue), cents(ties(plan))]).toEqual(['6866.67', '6866.67']);
      // Not amended: the 10,000.00 renews (10,300.00).
      const whole = planDeal(base({ root: renewal, renewalOf: totalRoot }));
      expect(cents(whole.plan.contractValue)).toBe('10300.00');

      // Its closing request billed 6,866.00 before that pricing fix (200 × 34.33): re-planned now, the plan owes the
      // 0.67 left and raises it by a dated job (a draft awaiting approval), since that request is done: not the whole
      // renewal again, and not left for a request that will not come back. `signed` holds the request's invoice
      // although a raised record holds it too, as the loader gives it (deals.ts; the loader-level case: deals.test.ts).
      const [line] = plan.deal.lines;
      const billedBefore: RaisedRecord = {
        key: `${renewal.opportunity.Id}:oldversion:2027-02-20`,
        issueDate: '2027-02-20',
        lines: [{ lineKey: line!.lineKey, periodKey: '2027-02-27', amount: '6866.00', servicePeriod: line!.service }],
        kind: 'invoice',
        documentId: 'inv-r',
        state: 'posted',
        documentDate: '2027-02-20',
      };
      const repricedInput = base({
        root: renewal,
        renewalOf: { ...totalRoot, amendments: [fewer] },
        raised: [billedBefore],
        signed: [{ opportunityId: renewal.opportunity.Id, kind: 'invoice', documentId: 'inv-r', state: 'posted' }],
        today: '2027-03-10',
      });
      const repriced = planDeal(repricedInput);
      expect(repriced.plan.instalments.map((i) => [i.issueDate, i.kind, cents(i.amount)])).toEqual([
        ['2027-02-20', 'invoice', '0.67'],
      ]);
      expect(repriced.requestOwned.size).toBe(0);
      expect([cents(repriced.summary.invoiced), cents(ties(repriced))]).toEqual(['6866.00', '6866.67']);
      // Run again (a crash, a Retry), the request bills nothing: the 0.67 is the dated job's alone.
      expect(signatureInstalment(repricedInput, renewal.opportunity.Id)).toBeUndefined();
      // Until its closing request has billed, the renewal's instalment stays that request's.
      const unsigned = planDeal(base({ root: renewal, renewalOf: { ...totalRoot, amendments: [fewer] } }));
      expect(unsigned.requestOwned.get('2027-02-20')).toBe(renewal.opportunity.Id);
    });

    it('billed by its periods: a co-termed downgrade is priced at 10,000.00/300 a seat and the plan ties', () => {
      const quarterly = {
        ...totalRoot,
        opportunity: { ...totalRoot.opportunity, Billing_Frequency__c: 'Quarterly' as const },
      };
      const first = planDeal(base({ root: quarterly, today: '2026-02-27' })).plan.instalments[0]!;
      expect([first.issueDate, cents(first.amount)]).toEqual(['2026-02-27', '2500.00']);
      const raised = [raisedFrom(first)];
      // From 27 May 2026 to 26 Feb 2027, 276 days: −100 × 10,000.00 × 276 ÷ (300 × 365) = −2,520.547… → −2,520.55.
      const fewer = change('006000000000107AAA', '2026-05-27', [priced('00k000000000107AAA', 200, 6666)]);
      const plan = planDeal(base({ root: quarterly, amendments: [fewer], raised, today: '2026-05-27' }));
      expect(cents(plan.plan.contractValue)).toBe('7479.45');
      expect(cents(ties(plan))).toBe('7479.45');
      expect(cents(plan.plan.raisedAmount)).toBe('2500.00');
    });
  });

  it('renews the subscription at its uplift when the renewal names one (wave 1), as a new plan', () => {
    const northwind = {
      opportunity: { Id: '006000000000201AAA', Name: 'Northwind - Support', CloseDate: '2026-03-15' },
      lineItems: [
        {
          Id: '00k000000000201AAA',
          Quantity: 12,
          UnitPrice: 199.99,
          TotalPrice: 2399.88,
          Product2: { Name: 'Support', ProductCode: 'SUP' },
        },
      ],
    };
    const renewal = {
      opportunity: {
        Id: '006000000000202AAA',
        Name: 'Northwind - Support 2027',
        CloseDate: '2027-03-01',
        Amended_Opportunity__c: northwind.opportunity.Id,
        Invoice_Type__c: 'Renewal',
        Renewal_Uplift_Percent__c: 5,
      },
      lineItems: [{ ...northwind.lineItems[0]!, Id: '00k000000000202AAA' }],
    };
    const plan = planDeal({ ...base(), root: renewal, renewalOf: northwind });
    expect(plan.deal.service).toEqual({ start: '2027-03-15', end: '2028-03-14' });
    // 199.99 × 1.05 = 209.9895 → 209.99; 12 × 209.99 = 2,519.88, invoiced on signature.
    expect(plan.plan.instalments.map((i) => `${i.issueDate} ${cents(i.amount)}`)).toEqual(['2027-03-01 2519.88']);
    // Without a rule its own lines are the price.
    const own = planDeal({
      ...base(),
      root: { ...renewal, opportunity: { ...renewal.opportunity, Renewal_Uplift_Percent__c: null } },
      renewalOf: northwind,
    });
    expect(cents(own.plan.contractValue)).toBe('2399.88');
  });

  it('refuses a renewal in another currency that renews the contract’s lines, and names what to do', () => {
    const northwind = {
      opportunity: {
        Id: '006000000000211AAA',
        Name: 'Northwind - Support',
        CloseDate: '2026-03-15',
        CurrencyIsoCode: 'GBP',
      },
      lineItems: [
        {
          Id: '00k000000000211AAA',
          Quantity: 12,
          UnitPrice: 199.99,
          TotalPrice: 2399.88,
          Product2: { Name: 'Support', ProductCode: 'SUP' },
        },
      ],
    };
    const renewal = {
      opportunity: {
        Id: '006000000000212AAA',
        Name: 'Northwind - Support 2027',
        CloseDate: '2027-03-01',
        CurrencyIsoCode: 'EUR',
        Amended_Opportunity__c: northwind.opportunity.Id,
        Invoice_Type__c: 'Renewal',
        Renewal_Uplift_Percent__c: 5,
      },
      lineItems: [] as LineItemRecord[],
    };
    // Priced from the GBP lines (2,519.88 GBP) and sent in EUR as 2,519.88 EUR: refused instead.
    const refusal =
      'Northwind - Support 2027 is in EUR, the contract it renews is in GBP: renew in GBP, or renew with its own line items in EUR (and no uplift rule)';
    expect(() => planDeal({ ...base(), root: renewal, renewalOf: northwind })).toThrow(refusal);
    const withRule = { ...renewal, lineItems: [{ ...northwind.lineItems[0]!, Id: '00k000000000212AAA' }] };
    expect(() => planDeal({ ...base(), root: withRule, renewalOf: northwind })).toThrow(refusal);
    // Its own lines in its own currency, without a rule, price it: a plan in EUR.
    const own = planDeal({
      ...base(),
      root: { ...withRule, opportunity: { ...withRule.opportunity, Renewal_Uplift_Percent__c: null } },
      renewalOf: northwind,
    });
    expect([own.deal.currency, own.plan.currency, cents(own.plan.contractValue)]).toEqual(['EUR', 'EUR', '2399.88']);
    // The same currency as the contract renews as before.
    const same = planDeal({
      ...base(),
      root: { ...renewal, opportunity: { ...renewal.opportunity, CurrencyIsoCode: 'gbp' } },
      renewalOf: northwind,
    });
    expect([same.deal.currency, cents(same.plan.contractValue)]).toEqual(['GBP', '2519.88']);
  });

  it('refuses an amendment in another currency than the contract’s, on signature and by its periods', () => {
    const inEuros = (close: string, quantity: number) => {
      const change = amendment('006000000000105AAA', close, quantity);
      return { ...change, opportunity: { ...change.opportunity, CurrencyIsoCode: 'EUR' } };
    };
    const refusal =
      'Acme 130 seats is in EUR, the contract it amends is in GBP: amend it in GBP (the plan and its invoices are in GBP)';
    // Re-quoted in EUR, the change would be added to the GBP plan as 211.92 GBP: refused, on the closing request too.
    expect(() => planDeal(base({ amendments: [inEuros('2026-08-29', 130)] }))).toThrow(refusal);
    expect(() => signatureInstalment(base({ amendments: [inEuros('2026-08-29', 130)] }), '006000000000105AAA')).toThrow(
      refusal,
    );
    const quarterly = { ...root, opportunity: { ...root.opportunity, Billing_Frequency__c: 'Quarterly' as const } };
    expect(() => planDeal(base({ root: quarterly, amendments: [inEuros('2026-08-29', 130)] }))).toThrow(refusal);
    // A single-currency org has no CurrencyIsoCode: the corporate currency on both sides.
    expect(planDeal(base({ amendments: [amendment('006000000000105AAA', '2026-08-29', 130)] })).deal.currency).toBe(
      'GBP',
    );
  });
});

describe('deals worth nothing, or less', () => {
  const deal = (unitPrice: number) => ({
    opportunity: {
      Id: '006000000000401AAA',
      Name: 'Initech pilot',
      CloseDate: '2025-12-15',
      Service_Start_Date__c: '2026-01-01',
      Service_End_Date__c: '2026-12-31',
      Billing_Frequency__c: 'Quarterly' as const,
    },
    lineItems: [
      {
        Id: '00k000000000401AAA',
        Quantity: 10,
        UnitPrice: unitPrice,
        Product2: { Name: 'Seats', ProductCode: 'SEAT' },
      },
    ],
  });
  const plan = (unitPrice: number) =>
    planDeal({
      root: deal(unitPrice),
      entity: { developerName: 'UK_Ltd' },
      corporateCurrency: 'GBP',
      today: '2026-02-10',
    });

  it('refuses a deal worth less than nothing, with the reason (the plan shows Error)', () => {
    expect(() => plan(-120)).toThrow(
      'Cannot plan the billing: the deal as signed is worth -1200.00 GBP: a deal is billed for more than nothing (correct its products; to give money back, raise a credit note)',
    );
  });

  it('completes a deal worth nothing at once: nothing to raise, nothing to re-plan each day', () => {
    const free = plan(0);
    expect(free.plan.instalments).toEqual([]);
    expect(free.summary).toMatchObject({ status: 'Completed' });
    expect(cents(free.summary.contractValue)).toBe('0.00');
    expect(free.notes).toEqual(['Nothing to bill: the deal is worth 0.00 GBP']);
    expect(plan(120).summary.status).toBe('Planned');
  });
});

describe('extensions and early ends, from the amending Opportunity’s Service End Date', () => {
  const line = {
    Id: '00k000000000301AAA',
    Quantity: 10,
    UnitPrice: 1200,
    TotalPrice: 12000,
    Product2: { Name: 'Seats', ProductCode: 'SEAT' },
  };
  const root = {
    opportunity: {
      Id: '006000000000301AAA',
      Name: 'Globex 2026',
      CloseDate: '2025-12-15',
      Service_Start_Date__c: '2026-01-01',
      Service_End_Date__c: '2026-12-31',
      Billing_Frequency__c: 'Monthly' as const,
    },
    lineItems: [line],
  };
  const change = (start: string, end: string) => ({
    opportunity: {
      Id: '006000000000302AAA',
      Name: 'Globex change',
      CloseDate: '2026-06-10',
      Service_Start_Date__c: start,
      Service_End_Date__c: end,
      Amended_Opportunity__c: root.opportunity.Id,
      Invoice_Type__c: 'Amendment',
    },
    lineItems: [{ ...line, Id: '00k000000000302AAA' }],
  });
  const plan = (amendment: ReturnType<typeof change>, today = '2026-06-10') =>
    planDeal({ root, amendments: [amendment], entity: { developerName: 'UK_Ltd' }, corporateCurrency: 'GBP', today });

  it('an extension bills the added months in the added periods, at the subscription’s price', () => {
    const extended = plan(change('2026-07-01', '2027-06-30'));
    // 10 × 1,200.00 a term × 181/365 days = 5,950.68 for January to June 2027.
    expect(cents(extended.plan.contractValue)).toBe('17950.68');
    expect(extended.replayed.steps[0]?.treatment).toBe('prospective');
    const added = extended.plan.instalments.filter((i) => i.issueDate >= '2027-01-01');
    expect(added.map((i) => `${i.issueDate} ${cents(i.amount)}`)).toEqual([
      '2027-01-01 991.78',
      '2027-02-01 991.78',
      '2027-03-01 991.78',
      '2027-04-01 991.78',
      '2027-05-01 991.78',
      '2027-06-01 991.78',
    ]);
    expect(extended.months.at(-1)).toMatchObject({ month: '2027-06' });
    const recognised = extended.months.reduce((t, m) => t.plus(m.recognised), extended.summary.invoiced.times(0));
    expect(cents(recognised)).toBe('17950.68');
    expect(rollForwardProblems(extended.months)).toEqual([]);
  });

  it('an early end takes the rest of the term off, and revenue stops with the service', () => {
    const ended = plan(change('2026-10-01', '2026-09-30'));
    // 10 × 1,200.00 × 92/365 = 3,024.66 comes off.
    expect(cents(ended.plan.contractValue)).toBe('8975.34');
    expect(ended.deal.service.end).toBe('2026-12-31');
    const recognised = ended.months.reduce((t, m) => t.plus(m.recognised), ended.summary.invoiced.times(0));
    expect(cents(recognised)).toBe('8975.34');
    expect(ended.months.filter((m) => m.month > '2026-09').every((m) => m.recognised.eq(0))).toBe(true);
    expect(rollForwardProblems(ended.months)).toEqual([]);
  });

  it('refuses an end before the change takes effect', () => {
    expect(() => plan(change('2026-10-01', '2026-08-31'))).toThrow(/before it takes effect/);
  });

  it('a renewal of an extended contract starts the day after the extension ends (not the original end)', () => {
    const extension = change('2026-07-01', '2027-03-31');
    const renewal = {
      opportunity: {
        Id: '006000000000303AAA',
        Name: 'Globex renewal',
        CloseDate: '2027-03-15',
        Amended_Opportunity__c: root.opportunity.Id,
        Invoice_Type__c: 'Renewal',
        Renewal_Uplift_Percent__c: 5,
      },
      lineItems: [] as LineItemRecord[],
    };
    const renewed = planDeal({
      root: renewal,
      renewalOf: { ...root, amendments: [extension] },
      entity: { developerName: 'UK_Ltd' },
      corporateCurrency: 'GBP',
      today: '2027-03-15',
    });
    // From 2027-01-01 it would bill January to March 2027 twice (the extension bills them). A term as long as the
    // original's: 12 months, 10 × 1,200.00 at 5 % = 12,600.00.
    expect(renewed.deal.service).toEqual({ start: '2027-04-01', end: '2028-03-31' });
    expect(cents(renewed.plan.contractValue)).toBe('12600.00');
    expect(renewed.deal.lines.map((l) => l.service)).toEqual([{ start: '2027-04-01', end: '2028-03-31' }]);
    // Not extended: the day after the original's end.
    const plain = planDeal({
      root: renewal,
      renewalOf: root,
      entity: { developerName: 'UK_Ltd' },
      corporateCurrency: 'GBP',
      today: '2027-03-15',
    });
    expect(plain.deal.service).toEqual({ start: '2027-01-01', end: '2027-12-31' });
  });

  it('prices a mid-term change by the org’s proration method: 12,345.67 a year from 19 Jul, Day 5,614.74, Monthly + Daily 5,583.74', () => {
    // Analytics added at 12,345.67 a year from 19 Jul, co-termed to 31 Dec: 166 days, or 5 months (to 19 Dec) and 13 days.
    const analytics = {
      opportunity: {
        Id: '006000000000309AAA',
        Name: 'Globex analytics',
        CloseDate: '2026-07-10',
        Service_Start_Date__c: '2026-07-19',
        Amended_Opportunity__c: root.opportunity.Id,
        Invoice_Type__c: 'Amendment',
      },
      lineItems: [
        { ...line, Id: '00k000000000309AAA' },
        {
          Id: '00k000000000310AAA',
          Quantity: 1,
          UnitPrice: 12345.67,
          TotalPrice: 12345.67,
          Product2: { Name: 'Analytics', ProductCode: 'ANALYTICS' },
        },
      ],
    };
    const planned = (prorationMethod?: 'daily' | 'monthly-daily') =>
      planDeal({
        root,
        amendments: [analytics],
        entity: { developerName: 'UK_Ltd' },
        corporateCurrency: 'GBP',
        ...(prorationMethod ? { prorationMethod } : {}),
        today: '2025-12-20',
      });
    const added = (plan: ReturnType<typeof planDeal>) =>
      plan.replayed.contracts
        .flatMap((c) => c.lines)
        .filter((l) => l.productKey === 'ANALYTICS')
        .flatMap((l) => l.billing.map((b) => b.amount));
    // Day: 12,345.67 × 166/365 = 5,614.74 (the default, as before).
    const daily = planned();
    expect(added(daily)).toEqual(['5614.74']);
    expect(cents(daily.plan.contractValue)).toBe('17614.74');
    expect(cents(planned('daily').plan.contractValue)).toBe('17614.74');
    // Monthly + Daily: 12,345.67 × (5 + 13 × 12/365)/12 = 12,345.67 × 1,981/4,380 = 5,583.74.
    const monthly = planned('monthly-daily');
    expect(added(monthly)).toEqual(['5583.74']);
    expect(cents(monthly.plan.contractValue)).toBe('17583.74');
    // Either way the plan ties: its instalments bill, and its months recognise, the contract value (revenue by day).
    for (const plan of [daily, monthly]) {
      const billed = plan.plan.instalments.reduce((t, i) => t.plus(i.amount), plan.plan.raisedAmount);
      expect(cents(billed)).toBe(cents(plan.plan.contractValue));
      const recognised = plan.months.reduce((t, m) => t.plus(m.recognised), plan.plan.raisedAmount.times(0));
      expect(cents(recognised)).toBe(cents(plan.plan.contractValue));
    }
    // The price differs, not how it is billed: July (13 of its 31 days, against 5 full months) bills 13/168 of it.
    const july = (plan: ReturnType<typeof planDeal>) =>
      plan.plan.instalments.filter((i) => i.issueDate === '2026-07-19').map((i) => cents(i.amount));
    expect([july(daily), july(monthly)]).toEqual([['434.47'], ['432.08']]);
  });

  it('a renewal of a renewal renews what the renewal bills, with its amendments: 12,600.00 at 5 % is 13,230.00', () => {
    const renewing = (id: string, renews: string, closeDate: string) => ({
      opportunity: {
        Id: id,
        Name: `Globex renewal ${id.slice(-5)}`,
        CloseDate: closeDate,
        Amended_Opportunity__c: renews,
        Invoice_Type__c: 'Renewal',
        Renewal_Uplift_Percent__c: 5,
      },
      lineItems: [] as LineItemRecord[],
    });
    const year2 = renewing('006000000000306AAA', root.opportunity.Id, '2026-12-15');
    const year3 = renewing('006000000000307AAA', year2.opportunity.Id, '2027-12-15');
    const renewal = (renewalOf: NonNullable<DealPlanInput['renewalOf']>) =>
      planDeal({
        root: year3,
        renewalOf,
        entity: { developerName: 'UK_Ltd' },
        corporateCurrency: 'GBP',
        today: '2027-12-15',
      });
    // Year 2 bills 10 × 1,260.00 = 12,600.00 for 2027; year 3 renews that from 2028-01-01: 10 × 1,323.00.
    const third = renewal({ ...year2, renewalOf: root });
    expect(third.deal.service).toEqual({ start: '2028-01-01', end: '2028-12-31' });
    expect(cents(third.plan.contractValue)).toBe('13230.00');
    expect(third.deal.lines.map((l) => [l.lineKey, l.quantity, l.amount])).toEqual([
      ['006000000000307AAA:SEAT', '10', '13230.00'],
    ]);
    // Year 2 amended to 12 seats for its whole term (+2,520.00, 15,120.00): year 3 renews 15,120.00 at 5 %.
    const more = {
      opportunity: {
        Id: '006000000000308AAA',
        Name: 'Globex 2027, 12 seats',
        CloseDate: '2026-12-20',
        Service_Start_Date__c: '2027-01-01',
        Amended_Opportunity__c: year2.opportunity.Id,
        Invoice_Type__c: 'Amendment',
      },
      lineItems: [{ ...line, Id: '00k000000000308AAA', Quantity: 12, UnitPrice: 1260, TotalPrice: 15120 }],
    };
    const amended = renewal({ ...year2, amendments: [more], renewalOf: root });
    expect(amended.deal.lines.map((l) => [l.quantity, l.amount])).toEqual([['12', '15876.00']]);
    // The product's standalone selling price carries through both renewals (year 3 has no line item naming it).
    const withSsp = {
      ...root,
      lineItems: [{ ...line, Product2: { ...line.Product2, Standalone_Selling_Price__c: 1300 } }],
    };
    expect(renewal({ ...year2, renewalOf: withSsp }).deal.lines.map((l) => l.ssp)).toEqual([
      { amount: '1300', currency: 'GBP' },
    ]);
    // Year 2 without the deal it renews has nothing to renew: refused in words, not a plan of nothing.
    expect(() => renewal(year2)).toThrow(/Globex renewal 06AAA has no products to bill/);
  });

  it('each renewal in a chain says only its own uplift: Seats (renewal, 5% uplift), then Seats (renewal, 3% uplift)', () => {
    const renewing = (id: string, renews: string, closeDate: string, uplift: number) => ({
      opportunity: {
        Id: id,
        Name: `Globex renewal ${id.slice(-5)}`,
        CloseDate: closeDate,
        Amended_Opportunity__c: renews,
        Invoice_Type__c: 'Renewal',
        Renewal_Uplift_Percent__c: uplift,
      },
      lineItems: [] as LineItemRecord[],
    });
    const year2 = renewing('006000000000306AAA', root.opportunity.Id, '2026-12-15', 5);
    const year3 = renewing('006000000000307AAA', year2.opportunity.Id, '2027-12-15', 5);
    const planned = (renewal: typeof year2, renewalOf: NonNullable<DealPlanInput['renewalOf']>) =>
      planDeal({
        root: renewal,
        renewalOf,
        entity: { developerName: 'UK_Ltd' },
        corporateCurrency: 'GBP',
        today: '2027-12-15',
      });
    // What each instalment sends to Xero as its line's text (the service period is added when it is mapped).
    const texts = (plan: ReturnType<typeof planDeal>) => [
      ...new Set(plan.plan.instalments.flatMap((i) => i.lines.map((l) => l.description))),
    ];
    expect(texts(planned(year2, root))).toEqual(['Seats (renewal, 5% uplift)']);
    // Year 3 renews what year 2 bills, on the product's text: not 'Seats (renewal, 5% uplift) (renewal, 5% uplift)'.
    const third = planned(year3, { ...year2, renewalOf: root });
    expect(texts(third)).toEqual(['Seats (renewal, 5% uplift)']);
    expect(cents(third.plan.contractValue)).toBe('13230.00');
    // At 3 % in year 3 it says 3 % only (10 × 1,260.00 × 1.03 = 12,978.00), not that it was uplifted twice.
    const year3AtThree = renewing('006000000000307AAA', year2.opportunity.Id, '2027-12-15', 3);
    const atThree = planned(year3AtThree, { ...year2, renewalOf: root });
    expect(texts(atThree)).toEqual(['Seats (renewal, 3% uplift)']);
    expect(cents(atThree.plan.contractValue)).toBe('12978.00');
    // Year 4 at 0 %, renewing that year 3: still one note, its own, and the price as year 3 left it.
    const year4 = renewing('006000000000311AAA', year3.opportunity.Id, '2028-12-15', 0);
    const fourth = planned(year4, { ...year3AtThree, renewalOf: { ...year2, renewalOf: root } });
    expect(texts(fourth)).toEqual(['Seats (renewal)']);
    expect(cents(fourth.plan.contractValue)).toBe('12978.00');
    expect(fourth.deal.lines.map((l) => l.description)).toEqual(['Seats (renewal)']);
  });

  it('an amendment of a renewal without line items is priced against what the renewal renews, not against nothing', () => {
    const renewal = {
      opportunity: {
        Id: '006000000000304AAA',
        Name: 'Globex renewal',
        CloseDate: '2026-12-15',
        Amended_Opportunity__c: root.opportunity.Id,
        Invoice_Type__c: 'Renewal',
        Renewal_Uplift_Percent__c: 5,
      },
      lineItems: [] as LineItemRecord[],
    };
    // Two more seats for the whole renewed term, at the renewed Sales Price (1,200.00 at 5 %: 1,260.00).
    const more = {
      opportunity: {
        Id: '006000000000305AAA',
        Name: 'Globex renewal, 12 seats',
        CloseDate: '2026-12-20',
        Service_Start_Date__c: '2027-01-01',
        Amended_Opportunity__c: renewal.opportunity.Id,
        Invoice_Type__c: 'Amendment',
      },
      lineItems: [{ ...line, Id: '00k000000000305AAA', Quantity: 12, UnitPrice: 1260, TotalPrice: 15120 }],
    };
    const input = {
      root: renewal,
      renewalOf: root,
      entity: { developerName: 'UK_Ltd' },
      corporateCurrency: 'GBP',
      today: '2026-12-20',
    };
    expect(cents(planDeal(input).plan.contractValue)).toBe('12600.00');
    const amended = planDeal({ ...input, amendments: [more] });
    // +2 × 1,260.00 = 2,520.00 (against nothing it added all 12 seats again: 12,600.00 + 15,120.00 = 27,720.00).
    const change = signatureInstalment({ ...input, amendments: [more] }, more.opportunity.Id)!;
    expect([change.kind, cents(change.amount)]).toEqual(['invoice', '2520.00']);
    expect(cents(amended.plan.contractValue)).toBe('15120.00');
    expect(amended.replayed.contracts[0]!.lines.map((l) => [l.lineKey, l.quantity.toString()])).toEqual([
      ['006000000000304AAA:00k000000000301AAA', '12'],
    ]);
  });
});
