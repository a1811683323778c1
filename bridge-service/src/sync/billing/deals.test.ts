/**
 * A deal's documents as its plan counts them (loadDeals → planDeal): partial invoices (CREATE_PARTIAL) on a deal billed
 * on signature are raised documents, so the plan, its revenue months and the month-end close all see them. A renewal
 * of an amended deal renews the subscription as the amendments left it, as the KPIs forecast it.
 */
import Big from 'big.js';

import { ledgerAtMonth } from '../../domain/close-ledger';
import { billedAtClose, contractEnding, planDeal } from '../../domain/deal-plan';
import { renewalsDue } from '../../domain/kpi-forecast';
import { subscriptionMrr } from '../../domain/kpi-mrr';
import { salesforceNames } from '../../salesforce/schema';
import { planCreditNote, planInvoice, type PlanCreditNote, type PlanInvoice } from '../../salesforce/selections';
import { closeInputs } from '../close/close-inputs';
import { fakeComposite } from '../create-draft/__fixtures__/drafts';
import { dealFigures, withRenewals } from '../insights/kpi-inputs';
import { DEAL, instalmentRecord, quarterlyDeal, UK } from './__fixtures__/deals';
import { createDealPlans, type DealPlansDeps } from './deal-plans';
import type { InstalmentToRaise } from './triggers';
import { loadDeals, type DealLoaderDeps } from './deals';
import { linesJson } from './plan-writer';

const LINE = '00k000000000501AAA';
const LINE_2 = '00k000000000502AAA';
const cents = (value: { toFixed(dp: number): string }) => value.toFixed(2);

function deps(rows: {
  opportunities: ReturnType<typeof quarterlyDeal>[];
  invoices: PlanInvoice[];
  creditNotes?: PlanCreditNote[];
  plans?: Parameters<typeof loaderPlans>[0];
  /** The Opportunity the plan is keyed by (the deal's by default). */
  planKey?: string;
}): DealLoaderDeps {
  return {
    writeback: { composite: () => ({ run: () => Promise.resolve() }) as never },
    revenueQueries: {
      dealsOf: () => Promise.resolve(rows.opportunities.map((o) => ({ ...o }))) as never,
      opportunitiesOfDeals: () => Promise.resolve(rows.opportunities) as never,
      schedules: () => Promise.resolve([]) as never,
      plans: () => Promise.resolve(loaderPlans(rows.plans, rows.planKey)) as never,
      invoices: () => Promise.resolve(rows.invoices) as never,
      creditNotes: () => Promise.resolve(rows.creditNotes ?? []) as never,
      postedCloses: () => Promise.resolve([]) as never,
    },
    reference: { billingEntities: () => Promise.resolve([UK]) },
    corporateCurrency: 'GBP',
    prorationMethod: 'daily',
  };
}

function loaderPlans(instalments: ReturnType<typeof instalmentRecord>[] | undefined, planKey = DEAL) {
  if (!instalments) return [];
  return [
    {
      Id: 'a0P000000000501AAA',
      Plan_Key__c: planKey,
      Version__c: null,
      Status__c: 'Active',
      Instalments__r: { records: instalments },
      Revenue_Months__r: { records: [] },
    },
  ];
}

/** An invoice as the plan's query returns it, with its mirrored lines. */
function invoice(fields: {
  id: string;
  key: string;
  status: string;
  date: string;
  subTotal: number;
  lines: { item: string | null; amount: number }[];
  opportunity?: string;
}): PlanInvoice {
  return planInvoice.parse(salesforceNames(''), {
    Id: fields.id,
    Request_Key__c: fields.key,
    Status__c: fields.status,
    Issue_Date__c: fields.date,
    Sub_Total__c: fields.subTotal,
    Opportunity__c: fields.opportunity ?? DEAL,
    Xero_Invoice_Id__c: `xero-${fields.id}`,
    Invoice_Lines__r: {
      records: fields.lines.map((l) => ({ Opportunity_Line_Item_Id__c: l.item, Line_Amount__c: l.amount })),
    },
  });
}

/** 12,000.00 for 2026, billed on signature (no terms set: the package default, Upfront In Advance), won 20 Dec 2025. */
const signatureDeal = () => quarterlyDeal({ Billing_Frequency__c: null });

const deposit = (overrides: Partial<Parameters<typeof invoice>[0]> = {}) =>
  invoice({
    id: 'a0I000000000601AAA',
    key: `CREATE_PARTIAL:${DEAL}:0-450000`,
    status: 'Authorised',
    date: '2026-01-15',
    subTotal: 4500,
    lines: [{ item: LINE, amount: 4500 }],
    ...overrides,
  });

async function planOf(d: DealLoaderDeps, today = '2026-02-10') {
  const loaded = await loadDeals(d, [DEAL]);
  expect([...loaded.problems.values()]).toEqual([]);
  const deal = loaded.deals.get(DEAL)!;
  return { deal, plan: planDeal({ ...deal.input, today }) };
}

/**
 * A deal's closing invoice, voided after it was recorded Raised on the signature instalment: the invoice and that
 * instalment record, as the plan reads them.
 */
async function voidedClosing(opportunity: ReturnType<typeof quarterlyDeal>, lines: { item: string; amount: number }[]) {
  const total = lines.reduce((sum, l) => sum + l.amount, 0);
  const closing = invoice({
    id: 'a0I000000000600AAA',
    key: `CREATE_DRAFT:${DEAL}:1`,
    status: 'Voided',
    date: '2025-12-20',
    subTotal: total,
    lines,
  });
  const first = await planOf(deps({ opportunities: [opportunity], invoices: [closing] }));
  const [signed] = first.plan.newlyRaised;
  const record = instalmentRecord({
    Id: 'a0Q000000000600AAA',
    Instalment_Key__c: signed!.instalment.key,
    Issue_Date__c: '2025-12-20',
    Amount__c: total,
    Document_Type__c: 'Invoice',
    Status__c: 'Raised',
    Invoice__c: closing.Id,
    Lines__c: JSON.stringify(
      signed!.instalment.lines.map((l) => ({
        lineKey: l.lineKey,
        periodKey: l.periodKey,
        amount: l.amount.toFixed(2),
      })),
    ),
  });
  return { closing, record };
}

describe('partial invoices on a deal billed on signature', () => {
  it('are raised documents: invoiced, remaining, the January month and the close all see them', async () => {
    const { deal, plan } = await planOf(deps({ opportunities: [signatureDeal()], invoices: [deposit()] }));
    expect(plan.signature).toBe(true);
    expect(plan.summary.invoiced.toFixed(2)).toBe('4500.00');
    expect(plan.summary.remaining.toFixed(2)).toBe('7500.00');
    // The plan ties: raised + planned = contract value; what is left stays the closing request's (no dated job).
    expect(plan.plan.raisedAmount.toFixed(2)).toBe('4500.00');
    expect(plan.plan.instalments.map((i) => [i.issueDate, i.amount.toFixed(2)])).toEqual([['2025-12-20', '7500.00']]);
    expect(plan.requestOwned.get('2025-12-20')).toBe(DEAL);
    expect(plan.newlyRaised).toEqual([]);
    // Billed__c of January holds the partial; what is not yet earned of it is deferred.
    const january = plan.months.find((m) => m.month === '2026-01')!;
    expect(january.billed.toFixed(2)).toBe('4500.00');
    expect(january.closing.unbilled.toFixed(2)).toBe('0.00');
    expect(january.closing.deferred.toFixed(2)).toBe(new Big(4500).minus(january.recognised).toFixed(2));
    expect(plan.posted).toEqual([
      { lineKey: LINE, date: '2026-01-15', amount: '4500.00', kind: 'invoice', documentId: 'a0I000000000601AAA' },
    ]);

    // The close: the partial posted to deferred revenue is released as it is earned, nothing is accrued.
    const inputs = closeInputs({
      deals: [{ loaded: deal, plan }],
      invoices: [
        {
          Id: 'a0I000000000601AAA',
          Invoice_Number__c: 'INV-0601',
          Currency_Code__c: 'GBP',
          Currency_Rate__c: null,
          Issue_Date__c: '2026-01-15',
          Status__c: 'Authorised',
          Invoice_Lines__r: {
            records: [
              { Opportunity_Line_Item_Id__c: LINE, Account_Code__c: '2100', Line_Amount__c: 4500, Sort_Order__c: 1 },
            ],
          },
        } as never,
      ],
      creditNotes: [],
      accounts: { revenue: '200', deferred: '2100', accrued: '1200' },
      baseCurrency: 'GBP',
      monthEnd: '2026-01-31',
    });
    expect(inputs.billing.map((b) => [b.lineKey, b.amount, b.accountCode])).toEqual([[LINE, '4500.00', '2100']]);
    const ledger = ledgerAtMonth(inputs.lines, inputs.billing, '2026-01', 'GBP', () => undefined);
    const [contract] = ledger.contracts;
    expect(contract!.unbilled.toFixed(2)).toBe('0.00');
    expect(contract!.lines[0]!.accrual.toFixed(2)).toBe('0.00');
    expect(contract!.lines[0]!.released.toFixed(2)).toBe(january.recognised.toFixed(2));
    expect(contract!.deferred.toFixed(2)).toBe(january.closing.deferred.toFixed(2));
  });

  it('a draft partial is invoiced (not billed) and a voided or deleted one counts for nothing', async () => {
    const draft = deposit({ status: 'Draft' });
    const voided = deposit({ id: 'a0I000000000602AAA', key: `CREATE_PARTIAL:${DEAL}:1-100000`, status: 'Voided' });
    const deleted = deposit({ id: 'a0I000000000603AAA', key: `CREATE_PARTIAL:${DEAL}:1-200000`, status: 'Deleted' });
    const { plan } = await planOf(deps({ opportunities: [signatureDeal()], invoices: [draft, voided, deleted] }));
    expect(plan.summary.invoiced.toFixed(2)).toBe('4500.00');
    expect(plan.summary.remaining.toFixed(2)).toBe('7500.00');
    expect(plan.posted).toEqual([]);
    expect(plan.plan.instalments.map((i) => i.amount.toFixed(2))).toEqual(['7500.00']);
  });

  it('replace a voided closing invoice: the plan plans nothing again and its remainder is what the partials left', async () => {
    const { closing, record } = await voidedClosing(signatureDeal(), [{ item: LINE, amount: 12000 }]);
    const { plan } = await planOf(
      deps({ opportunities: [signatureDeal()], invoices: [closing, deposit()], plans: [record] }),
    );
    expect(plan.summary.invoiced.toFixed(2)).toBe('4500.00');
    expect(plan.summary.remaining.toFixed(2)).toBe('7500.00');
    // Nothing planned again (no credit note for the partial, no second instalment on the voided one's key).
    expect(plan.plan.instalments).toEqual([]);
    expect(plan.months.find((m) => m.month === '2026-01')!.billed.toFixed(2)).toBe('4500.00');
  });

  describe('with a discount line (a partial carries its negative share)', () => {
    /** 12,000.00 of seats less a 1,200.00 launch discount: 10,800.00, billed on signature. */
    function discountedDeal() {
      const deal = quarterlyDeal({ Billing_Frequency__c: null, Amount: 10800 });
      const [seats] = deal.OpportunityLineItems!.records;
      deal.OpportunityLineItems!.records.push({
        ...seats!,
        Id: LINE_2,
        Quantity: 1,
        UnitPrice: -1200,
        TotalPrice: -1200,
        Product2: { ...seats!.Product2!, Name: 'Launch discount', ProductCode: 'DISC' },
      });
      return deal;
    }
    const partial = (seats: number, discount: number) =>
      deposit({
        subTotal: seats + discount,
        lines: [
          { item: LINE, amount: seats },
          { item: LINE_2, amount: discount },
        ],
      });
    const shown = (plan: Awaited<ReturnType<typeof planOf>>['plan']) =>
      plan.plan.instalments.map(
        (i) => `${i.issueDate} ${i.kind} ${i.amount.toFixed(2)} [${i.lines.map((l) => l.amount.toFixed(2)).join(' ')}]`,
      );

    it("pays the discount line's open amount down too: one signature instalment of what is left", async () => {
      const { plan } = await planOf(deps({ opportunities: [discountedDeal()], invoices: [partial(5000, -500)] }));
      expect(shown(plan)).toEqual(['2025-12-20 invoice 6300.00 [7000.00 -700.00]']);
      expect(plan.summary.remaining.toFixed(2)).toBe('6300.00');
    });

    it("replacing a voided closing invoice, the discount line's share replaces its negative amount too", async () => {
      const { closing, record } = await voidedClosing(discountedDeal(), [
        { item: LINE, amount: 12000 },
        { item: LINE_2, amount: -1200 },
      ]);
      const { plan } = await planOf(
        deps({ opportunities: [discountedDeal()], invoices: [closing, partial(5000, -500)], plans: [record] }),
      );
      expect(plan.summary.invoiced.toFixed(2)).toBe('4500.00');
      expect(plan.summary.remaining.toFixed(2)).toBe('6300.00');
      // Nothing planned again: no invoice of the discount (+500.00) for a dated job, no credit note for the deposit.
      expect(shown(plan)).toEqual([]);
    });

    it('a partial of the whole deal leaves nothing planned (no stray invoice of the discount for a dated job)', async () => {
      const { plan } = await planOf(deps({ opportunities: [discountedDeal()], invoices: [partial(12000, -1200)] }));
      expect(shown(plan)).toEqual([]);
      expect(plan.summary.remaining.toFixed(2)).toBe('0.00');
    });
  });

  it('a deal billed by partials whose terms are later set to quarterly is planned for what the partials left', async () => {
    const { plan } = await planOf(deps({ opportunities: [quarterlyDeal()], invoices: [deposit()] }));
    expect(plan.signature).toBe(false);
    // 4,500.00 on account of the earliest periods: Q1 (3,000.00) and half of Q2.
    expect(plan.plan.instalments.map((i) => [i.issueDate, i.amount.toFixed(2)])).toEqual([
      ['2026-04-01', '1500.00'],
      ['2026-07-01', '3000.00'],
      ['2026-10-01', '3000.00'],
    ]);
    expect(plan.summary.remaining.toFixed(2)).toBe('7500.00');
    expect(plan.plan.raisedAmount.plus(plan.summary.remaining).toFixed(2)).toBe('12000.00');
  });

  it('a deal invoiced in full at close whose terms are later set to quarterly stays billed on signature once recorded', async () => {
    // Its closing request billed 12,000.00 on signature; the plan recorded it; then the rep sets the terms.
    const closing = invoice({
      id: 'a0I000000000600AAA',
      key: `CREATE_DRAFT:${DEAL}:1`,
      status: 'Authorised',
      date: '2025-12-20',
      subTotal: 12000,
      lines: [{ item: LINE, amount: 12000 }],
    });
    const first = await planOf(deps({ opportunities: [signatureDeal()], invoices: [closing] }));
    const [signed] = first.plan.newlyRaised;
    const record = instalmentRecord({
      Id: 'a0Q000000000600AAA',
      Instalment_Key__c: signed!.instalment.key,
      Issue_Date__c: '2025-12-20',
      Amount__c: 12000,
      Document_Type__c: 'Invoice',
      Status__c: 'Raised',
      Invoice__c: closing.Id,
      Lines__c: linesJson(signed!.instalment),
    });
    const { plan } = await planOf(deps({ opportunities: [quarterlyDeal()], invoices: [closing], plans: [record] }));
    expect(plan.signature).toBe(true);
    expect(plan.plan.instalments).toEqual([]);
    expect([cents(plan.summary.invoiced), cents(plan.summary.remaining)]).toEqual(['12000.00', '0.00']);
    expect(plan.notes.join('\n')).toMatch(/invoiced in full when it closed/);
  });

  it('spreads over the lines what a partial bills on lines its deal does not have', async () => {
    const twoLines = signatureDeal();
    const [seats] = twoLines.OpportunityLineItems!.records;
    twoLines.OpportunityLineItems!.records.push({
      ...seats!,
      Id: LINE_2,
      TotalPrice: 4000,
      Quantity: 1,
      UnitPrice: 4000,
    });
    const odd = deposit({
      subTotal: 4000,
      lines: [
        { item: LINE, amount: 3000 },
        { item: null, amount: 1000 },
      ],
    });
    const { plan } = await planOf(deps({ opportunities: [twoLines], invoices: [odd] }));
    expect(plan.summary.invoiced.toFixed(2)).toBe('4000.00');
    expect(plan.summary.remaining.toFixed(2)).toBe('12000.00');
    // 1,000.00 shared 12,000 : 4,000 over the two lines.
    expect(plan.posted.map((e) => [e.lineKey, e.amount])).toEqual([
      [LINE, '3750.00'],
      [LINE_2, '250.00'],
    ]);
    expect(plan.notes.join('\n')).toMatch(/not one of the deal's lines/);
  });
});

describe('a closing invoice voided in Xero (12,000.00 for 2026, billed on signature)', () => {
  const kinds = (plan: Awaited<ReturnType<typeof planOf>>['plan']) =>
    plan.plan.instalments.map((i) => [i.issueDate, i.kind, cents(i.amount)]);
  /** Raised (the plan's eyes) + planned = contract value, and what is owed is still all of it. */
  const ties = (plan: Awaited<ReturnType<typeof planOf>>['plan']) => {
    const planned = plan.plan.instalments.reduce((total, i) => total.plus(i.amount), new Big(0));
    expect(cents(plan.plan.raisedAmount.plus(planned))).toBe(cents(plan.plan.contractValue));
    expect([cents(plan.summary.invoiced), cents(plan.summary.remaining)]).toEqual(['0.00', '12000.00']);
  };

  it('then the terms set to quarterly: stays on signature, plans no credit note against the voided invoice', async () => {
    const { closing, record } = await voidedClosing(signatureDeal(), [{ item: LINE, amount: 12000 }]);
    const { plan } = await planOf(deps({ opportunities: [quarterlyDeal()], invoices: [closing], plans: [record] }));
    // Was a 9,000.00 credit note on 1 Jan (crediting no live invoice) and three 3,000.00 invoices: nothing billed.
    expect(kinds(plan).filter(([, kind]) => kind === 'credit-note')).toEqual([]);
    expect(plan.signature).toBe(true);
    expect(kinds(plan)).toEqual([]);
    ties(plan);
    expect(plan.notes.join('\n')).toMatch(/raised but its document is void: the plan does not raise it again/);
  });

  it('voided before the plan recorded it, then the terms set to quarterly: recorded raised, nothing planned again', async () => {
    const { closing } = await voidedClosing(signatureDeal(), [{ item: LINE, amount: 12000 }]);
    const { plan } = await planOf(deps({ opportunities: [quarterlyDeal()], invoices: [closing] }));
    expect(plan.signature).toBe(true);
    expect(plan.newlyRaised.map((r) => [r.document.documentId, cents(r.instalment.amount)])).toEqual([
      [closing.Id, '12000.00'],
    ]);
    expect(kinds(plan)).toEqual([]);
    ties(plan);
  });

  it('terms unchanged: not raised again, flagged for a replacement by hand', async () => {
    const { closing, record } = await voidedClosing(signatureDeal(), [{ item: LINE, amount: 12000 }]);
    const { plan } = await planOf(deps({ opportunities: [signatureDeal()], invoices: [closing], plans: [record] }));
    expect(plan.signature).toBe(true);
    expect(kinds(plan)).toEqual([]);
    ties(plan);
    expect(plan.notes.join('\n')).toMatch(/raised but its document is void/);
    expect(plan.notes.join('\n')).not.toMatch(/invoiced in full when it closed/);
  });

  it('not voided, terms unchanged: invoiced in full, nothing planned', async () => {
    const { closing, record } = await voidedClosing(signatureDeal(), [{ item: LINE, amount: 12000 }]);
    const live = { ...closing, Status__c: 'Authorised' };
    const { plan } = await planOf(deps({ opportunities: [signatureDeal()], invoices: [live], plans: [record] }));
    expect(plan.signature).toBe(true);
    expect(kinds(plan)).toEqual([]);
    expect([cents(plan.summary.invoiced), cents(plan.summary.remaining)]).toEqual(['12000.00', '0.00']);
    expect(plan.notes).toEqual([]);
  });
});

describe('a downgrade of a deal billed on signature (12,000.00 for 2026): 100 seats to 70 from 1 Jul', () => {
  const FEWER = '006000000000521AAA';
  /** The amendment, won 20 Jun: 70 seats at 120.00 from 1 Jul, co-termed to 31 Dec. */
  const fewer = () =>
    quarterlyDeal({
      Id: FEWER,
      Name: 'Globex 70 seats',
      CloseDate: '2026-06-20',
      Service_Start_Date__c: '2026-07-01',
      Service_End_Date__c: null,
      Amended_Opportunity__c: DEAL,
      Invoice_Type__c: 'Amendment',
      Billing_Frequency__c: null,
      Amount: 8400,
      OpportunityLineItems: {
        records: quarterlyDeal().OpportunityLineItems!.records.map((line) => ({
          ...line,
          Id: '00k000000000521AAA',
          Quantity: 70,
          TotalPrice: 8400,
        })),
      },
    });
  const credits = (plan: Awaited<ReturnType<typeof planOf>>['plan']) =>
    plan.plan.instalments.filter((i) => i.kind === 'credit-note').map((i) => [i.issueDate, cents(i.amount)]);

  const downgraded = (invoices: PlanInvoice[], more: { creditNotes?: PlanCreditNote[]; record?: unknown } = {}) =>
    deps({
      opportunities: [signatureDeal(), fewer()],
      invoices,
      ...(more.creditNotes ? { creditNotes: more.creditNotes } : {}),
      ...(more.record ? { plans: [more.record as ReturnType<typeof instalmentRecord>] } : {}),
    });
  const dealPlans = (d: DealLoaderDeps, more: Partial<DealPlansDeps> = {}) =>
    createDealPlans({
      ...d,
      clock: { now: () => Date.UTC(2026, 5, 21, 9) },
      triggers: { raise: () => Promise.resolve(0) },
      log: { info: () => undefined, warn: () => undefined },
      ...more,
    });
  /** What the amendment's closing request (CREATE_DRAFT) is told to bill, as the draft path asks for it. */
  const closingBill = async (d: DealLoaderDeps) => (await dealPlans(d).billedAtClose([FEWER])).get(FEWER);
  /** Raised (in the plan's eyes) + planned = contract value: 12,000.00 − 1,814.79 = 10,185.21. */
  const ties = (plan: Awaited<ReturnType<typeof planOf>>['plan']) => {
    const planned = plan.plan.instalments.reduce((total, i) => total.plus(i.amount), new Big(0));
    expect([cents(plan.plan.raisedAmount), cents(planned), cents(plan.plan.contractValue)]).toEqual([
      '12000.00',
      '-1814.79',
      '10185.21',
    ]);
  };
  const heldWhy = (plan: Awaited<ReturnType<typeof planOf>>['plan']) =>
    plan.plan.instalments.filter((i) => i.kind === 'credit-note').map((i) => plan.held.get(i.key));

  it('its closing invoice voided: the credit note is held with why, not sent by the closing request; the plan ties', async () => {
    const { closing, record } = await voidedClosing(signatureDeal(), [{ item: LINE, amount: 12000 }]);
    const d = downgraded([closing], { record });
    const { plan } = await planOf(d, '2026-06-21');
    // Still planned (30 seats × 120.00 × 184/365), so the plan ties; held, so nothing raises it.
    expect(credits(plan)).toEqual([['2026-06-20', '-1814.79']]);
    ties(plan);
    const why =
      'Held, not sent to Xero: nothing of this deal is invoiced in Xero to credit (12000.00 GBP void, not replaced). ' +
      'The 1814.79 GBP reduction belongs in the replacement finance raises by hand: 10185.21 GBP for what was voided';
    expect(heldWhy(plan)).toEqual([why]);
    expect(plan.notes).toContainEqual(expect.stringContaining(why));
    // Was the credit note itself: an unallocated customer credit in Xero for a customer never billed.
    expect(await closingBill(d)).toEqual({ kind: 'error', message: `${why}. Retry this request then.` });

    // Written Planned with why (its record and the plan's flags), and no dated job asked for it.
    const { writeback, runs } = fakeComposite();
    const asked: InstalmentToRaise[] = [];
    const raise = (list: readonly InstalmentToRaise[]) => Promise.resolve(asked.push(...list));
    await dealPlans({ ...d, writeback }, { writeback, triggers: { raise } }).replan([DEAL]);
    const written = runs
      .flat()
      .filter((c) => c.object === 'Billing_Instalment__c')
      .flatMap((c) => c.records);
    expect(written.filter((r) => r.Document_Type__c === 'Credit Note')).toEqual([
      expect.objectContaining({ Amount__c: -1814.79, Status__c: 'Planned', Status_Message__c: why }),
    ]);
    const flags = runs.flat().find((c) => c.object === 'Billing_Plan__c')!.records[0]!.Flags__c;
    expect(String(flags)).toContain(why);
    expect(asked).toEqual([]);
  });

  it('its closing invoice live: the closing request sends the credit note (against that invoice)', async () => {
    const { closing, record } = await voidedClosing(signatureDeal(), [{ item: LINE, amount: 12000 }]);
    const d = downgraded([{ ...closing, Status__c: 'Authorised' }], { record });
    const { plan } = await planOf(d, '2026-06-21');
    expect(credits(plan)).toEqual([['2026-06-20', '-1814.79']]);
    expect(plan.held.size).toBe(0);
    const bill = await closingBill(d);
    expect(bill?.kind === 'signature' && [bill.instalment?.kind, cents(bill.instalment!.amount)]).toEqual([
      'credit-note',
      '-1814.79',
    ]);
  });

  it('its closing invoice credited in full already (a 12,000.00 concession): held, nothing left to credit', async () => {
    const { closing, record } = await voidedClosing(signatureDeal(), [{ item: LINE, amount: 12000 }]);
    const concession = planCreditNote.parse(salesforceNames(''), {
      Id: 'a0C000000000601AAA',
      Request_Key__c: `CREDIT:${closing.Id}:1`,
      Status__c: 'Paid',
      Issue_Date__c: '2026-02-01',
      Sub_Total__c: 12000,
      Invoice__c: closing.Id,
      Xero_Credit_Note_Id__c: 'xero-cn-601',
    });
    const d = downgraded([{ ...closing, Status__c: 'Paid' }], { record, creditNotes: [concession] });
    const { plan } = await planOf(d, '2026-06-21');
    ties(plan);
    expect(heldWhy(plan)).toEqual([
      'Held, not sent to Xero: the deal has 0.00 GBP posted in Xero and not credited, less than the 1814.79 GBP it takes back. Raise a credit by hand if one is owed',
    ]);
    expect(await closingBill(d)).toMatchObject({ kind: 'error' });
  });

  it('its closing invoice awaiting approval: held until it is approved (Xero allocates only to an authorised invoice)', async () => {
    const { closing, record } = await voidedClosing(signatureDeal(), [{ item: LINE, amount: 12000 }]);
    const { plan } = await planOf(
      downgraded([{ ...closing, Status__c: 'Awaiting Approval' }], { record }),
      '2026-06-21',
    );
    expect(heldWhy(plan)).toEqual([
      expect.stringMatching(
        /It is raised once its invoice awaiting approval is approved: by its dated job, or by Retry on the amendment whose closing request raises it$/,
      ),
    ]);
    const approved = await planOf(downgraded([{ ...closing, Status__c: 'Authorised' }], { record }), '2026-06-21');
    expect(approved.plan.held.size).toBe(0);
  });

  describe('the voided invoice replaced by hand (a partial invoice)', () => {
    const replacement = (amount: number) =>
      deposit({ date: '2026-06-25', subTotal: amount, lines: [{ item: LINE, amount }] });

    it('for all 12,000.00 voided: the credit note is sent', async () => {
      const { closing, record } = await voidedClosing(signatureDeal(), [{ item: LINE, amount: 12000 }]);
      const d = downgraded([closing, replacement(12000)], { record });
      const { plan } = await planOf(d, '2026-06-26');
      // What the partial billed beyond what the deal now owes, credited on its date by a dated job.
      expect(credits(plan)).toEqual([['2026-06-25', '-1814.79']]);
      expect(plan.held.size).toBe(0);
      expect(plan.requestOwned.size).toBe(0);
    });

    it('for the 10,185.21 the downgrade left: still held, never a second reduction (nothing more to bill)', async () => {
      const { closing, record } = await voidedClosing(signatureDeal(), [{ item: LINE, amount: 12000 }]);
      const { plan } = await planOf(downgraded([closing, replacement(10185.21)], { record }), '2026-06-26');
      // Sent, it would take 1,814.79 off the 10,185.21 that is all the customer owes.
      expect(heldWhy(plan)).toEqual([
        'Held, not sent to Xero: it takes back what a void invoice billed (1814.79 GBP void, not replaced). ' +
          'The 1814.79 GBP reduction belongs in the replacement finance raises by hand: 0.00 GBP for what was voided',
      ]);
      ties(plan);
    });
  });
});

describe('a deal priced by its Total Price (300 seats for 10,000.00: Sales Price 33.33), amended, then renewed', () => {
  const AMENDMENT = '006000000000511AAA';
  const SECOND = '006000000000512AAA';
  const RENEWAL = '006000000000513AAA';
  /** The fixture's seat line as SOQL returns it, re-priced: Salesforce keeps the Sales Price 33.33 when seats change. */
  const seats = (id: string, quantity: number, total: number) => ({
    records: quarterlyDeal().OpportunityLineItems!.records.map((line) => ({
      ...line,
      Id: id,
      Quantity: quantity,
      UnitPrice: 33.33,
      TotalPrice: total,
    })),
  });
  // 2026 on signature, 3 % uplift at renewal; the amendments take effect on 1 Jul, co-termed to 31 Dec.
  const original = () =>
    quarterlyDeal({
      Billing_Frequency__c: null,
      Amount: 10000,
      Renewal_Uplift_Percent__c: 3,
      OpportunityLineItems: seats(LINE, 300, 10000),
    });
  const amending = (id: string, quantity: number, total: number, close: string) =>
    quarterlyDeal({
      Id: id,
      Name: `Globex ${quantity} seats`,
      CloseDate: close,
      Service_Start_Date__c: '2026-07-01',
      Service_End_Date__c: null,
      Amended_Opportunity__c: DEAL,
      Invoice_Type__c: 'Amendment',
      Billing_Frequency__c: null,
      Amount: total,
      OpportunityLineItems: seats(`${id.slice(0, 15)}LIN`, quantity, total),
    });
  // The rep lowers the quantity: 200 × 33.33 = 6,666.00 on the amending line.
  const fewer = () => amending(AMENDMENT, 200, 6666, '2026-06-20');
  const renewal = () =>
    quarterlyDeal({
      Id: RENEWAL,
      Name: 'Globex 2027',
      CloseDate: '2026-12-15',
      Service_Start_Date__c: null,
      Service_End_Date__c: null,
      Amended_Opportunity__c: DEAL,
      Invoice_Type__c: 'Renewal',
      Renewal_Uplift_Percent__c: 3,
      Billing_Frequency__c: null,
      Amount: null,
      OpportunityLineItems: { records: [] },
    });

  async function loaded(opportunities: ReturnType<typeof quarterlyDeal>[], ids: string[]) {
    const deals = await loadDeals(deps({ opportunities, invoices: [] }), ids);
    expect([...deals.problems.values()]).toEqual([]);
    return deals.deals;
  }

  it('renews the 6,666.67 the downgrade left at 3 %: 6,866.67, not the amending line’s 6,666.00 (200 × 34.33 = 6,866.00)', async () => {
    const deals = await loaded([original(), fewer(), renewal()], [RENEWAL]);
    const renewed = deals.get(RENEWAL)!;
    const plan = planDeal({ ...renewed.input, today: '2026-12-15' });
    expect(plan.deal.service).toEqual({ start: '2027-01-01', end: '2027-12-31' });
    // 6,666.67 × 1.03 = 6,866.6701 → 6,866.67, billed as 1 × it; the plan ties to it.
    expect(plan.deal.lines.map((l) => [l.quantity, l.amount])).toEqual([['200', '6866.67']]);
    expect(plan.plan.contractValue.toFixed(2)).toBe('6866.67');
    expect(plan.plan.instalments.map((i) => `${i.issueDate} ${i.amount.toFixed(2)}`)).toEqual(['2026-12-15 6866.67']);
    // Keyed by the amending line it renews, as before.
    expect(plan.deal.lines.map((l) => l.lineKey)).toEqual([`${RENEWAL}:${AMENDMENT.slice(0, 15)}LIN`]);

    // The KPIs agree: the amended deal's renewal forecast is the value the renewal's plan bills, and its MRR is a
    // twelfth of it.
    const amended = deals.get(DEAL)!;
    const amendedPlan = planDeal({ ...amended.input, today: '2026-12-01' });
    expect(amendedPlan.plan.contractValue.toFixed(2)).toBe('8319.63');
    const figures = dealFigures(amended, amendedPlan, '20');
    if ('problem' in figures.recurring) throw new Error(figures.recurring.problem);
    expect(
      renewalsDue([figures.recurring.renewal], '2026-12-01', '2027-01-31').map((d) => d.renewalValue.toFixed(2)),
    ).toEqual(['6866.67']);
    const renewedFigures = dealFigures(renewed, plan, '20');
    if ('problem' in renewedFigures.recurring) throw new Error(renewedFigures.recurring.problem);
    expect(subscriptionMrr(renewedFigures.recurring.subscription, '2027-01-31').toFixed(2)).toBe('572.22');

    // A renewal quote that copied the amending line (200 × 33.33 = 6,666.00) and names the rule: the rule renews the
    // subscription (6,866.67), and its MRR is that, not a twelfth of the copied line (555.50).
    const quoted = quarterlyDeal({ ...renewal(), OpportunityLineItems: seats('00k000000000513AAA', 200, 6666) });
    const withLines = (await loaded([original(), fewer(), quoted], [RENEWAL])).get(RENEWAL)!;
    const quotedPlan = planDeal({ ...withLines.input, today: '2026-12-15' });
    expect(quotedPlan.plan.contractValue.toFixed(2)).toBe('6866.67');
    const quotedFigures = dealFigures(withLines, quotedPlan, '20');
    if ('problem' in quotedFigures.recurring) throw new Error(quotedFigures.recurring.problem);
    expect(subscriptionMrr(quotedFigures.recurring.subscription, '2027-01-31').toFixed(2)).toBe('572.22');
  });

  it('prices a second amendment against what the first left: 200 → 250 seats bills +50, not −50 against the 300', async () => {
    // Both from 1 Jul (184 of 365 days): 100 off is −10,000.00 × 100/300 × 184/365 = −1,680.37; then 50 back on at
    // the 6,666.67 left for 200 seats, 6,666.67 × 50/200 × 184/365 = +840.18 (against the 300 it would be −840.18).
    const more = amending(SECOND, 250, 8332.5, '2026-06-25');
    const deals = await loaded([original(), fewer(), more], [DEAL]);
    const input = { ...deals.get(DEAL)!.input, today: '2026-06-25' };
    const second = billedAtClose(input, SECOND);
    if (!second.signature || !second.instalment) throw new Error('the second amendment bills nothing on signature');
    expect([second.instalment.kind, second.instalment.amount.toFixed(2)]).toEqual(['invoice', '840.18']);
    const first = billedAtClose(input, AMENDMENT);
    if (!first.signature || !first.instalment) throw new Error('the first amendment bills nothing on signature');
    expect([first.instalment.kind, first.instalment.amount.toFixed(2)]).toEqual(['credit-note', '-1680.37']);
    // The plan ties: 10,000.00 − 1,680.37 + 840.18.
    expect(planDeal(input).plan.contractValue.toFixed(2)).toBe('9159.81');
  });

  describe('its closing request billed 6,866.00 before the pricing fix (200 × 34.33), and its plan recorded it', () => {
    // Authorised, as finance approved it; the plan writer then recorded it Raised on the signature instalment.
    const closing = invoice({
      id: 'a0I000000000613AAA',
      key: `CREATE_DRAFT:${RENEWAL}:1`,
      status: 'Authorised',
      date: '2026-12-15',
      subTotal: 6866,
      lines: [{ item: null, amount: 6866 }],
      opportunity: RENEWAL,
    });
    const renewalDeps = (invoices: PlanInvoice[], plans?: ReturnType<typeof instalmentRecord>[]) =>
      deps({ opportunities: [original(), fewer(), renewal()], invoices, plans, planKey: RENEWAL });

    async function recorded() {
      const first = await loadDeals(renewalDeps([closing]), [RENEWAL]);
      const [signed] = planDeal({ ...first.deals.get(RENEWAL)!.input, today: '2026-12-16' }).newlyRaised;
      // As the plan priced it then: 6,866.00, under that plan's version (its amounts set the version).
      const billed = { lines: signed!.instalment.lines.map((l) => ({ ...l, amount: new Big('6866.00') })) };
      return instalmentRecord({
        Id: 'a0Q000000000613AAA',
        Instalment_Key__c: `${RENEWAL}:beforethefix:2026-12-15`,
        Issue_Date__c: '2026-12-15',
        Amount__c: 6866,
        Document_Type__c: 'Invoice',
        Status__c: 'Raised',
        Invoice__c: closing.Id,
        Lines__c: linesJson(billed),
      });
    }

    it('the 0.67 left is raised once, by a dated job (a draft awaiting approval); a retried closing request bills nothing', async () => {
      const record = await recorded();
      const loaded = (await loadDeals(renewalDeps([closing], [record]), [RENEWAL])).deals.get(RENEWAL)!;
      const input = { ...loaded.input, today: '2027-03-10' };
      const plan = planDeal(input);
      expect(plan.signature).toBe(true);
      expect(plan.plan.instalments.map((i) => [i.issueDate, i.kind, cents(i.amount)])).toEqual([
        ['2026-12-15', 'invoice', '0.67'],
      ]);
      // Not the closing request's (done, never to run again): RAISE_INSTALMENT drafts it (raise-handler.ts).
      expect(plan.requestOwned.size).toBe(0);
      expect([cents(plan.summary.invoiced), cents(plan.summary.remaining)]).toEqual(['6866.00', '0.67']);
      // The closing request run again (a crash, a Retry) bills nothing more: the 0.67 is the dated job's.
      expect(billedAtClose(input, RENEWAL)).toEqual({ signature: true });

      // The dated job drafted it (Draft until finance approves) and the plan recorded it: nothing is left to raise.
      const [catchUp] = plan.plan.instalments;
      const draft = invoice({
        id: 'a0I000000000614AAA',
        key: catchUp!.key,
        status: 'Draft',
        date: '2026-12-15',
        subTotal: 0.67,
        lines: [{ item: null, amount: 0.67 }],
        opportunity: RENEWAL,
      });
      const raisedCatchUp = instalmentRecord({
        Id: 'a0Q000000000614AAA',
        Instalment_Key__c: catchUp!.key,
        Issue_Date__c: '2026-12-15',
        Amount__c: 0.67,
        Document_Type__c: 'Invoice',
        Status__c: 'Raised',
        Invoice__c: draft.Id,
        Lines__c: linesJson(catchUp!),
      });
      const after = (await loadDeals(renewalDeps([closing, draft], [record, raisedCatchUp]), [RENEWAL])).deals.get(
        RENEWAL,
      )!;
      const afterInput = { ...after.input, today: '2027-03-11' };
      const done = planDeal(afterInput);
      expect(done.plan.instalments).toEqual([]);
      expect([cents(done.summary.invoiced), cents(done.summary.remaining)]).toEqual(['6866.67', '0.00']);
      expect(billedAtClose(afterInput, RENEWAL)).toEqual({ signature: true });
    });
  });

  it('prices an amendment of the renewal against the 300 seats it renews (10,300.00), not against its empty lines', async () => {
    // 50 seats off the renewed term from its first day, at the renewed Sales Price (10,300.00/300 → 34.33).
    const RENEWAL_CHANGE = '006000000000514AAA';
    const renewalChange = quarterlyDeal({
      ...amending(RENEWAL_CHANGE, 250, 8582.5, '2026-12-20'),
      Service_Start_Date__c: '2027-01-01',
      Amended_Opportunity__c: RENEWAL,
      OpportunityLineItems: {
        records: seats('00k000000000514AAA', 250, 8582.5).records.map((l) => ({ ...l, UnitPrice: 34.33 })),
      },
    });
    const deals = await loaded([original(), renewal(), renewalChange], [RENEWAL]);
    const renewed = deals.get(RENEWAL)!;
    const input = { ...renewed.input, today: '2026-12-20' };
    // −50 × 10,300.00/300 = −1,716.67 (against nothing it billed all 250 again: +8,582.50).
    const change = billedAtClose(input, RENEWAL_CHANGE);
    if (!change.signature || !change.instalment) throw new Error('the change bills nothing on signature');
    expect([change.instalment.kind, change.instalment.amount.toFixed(2)]).toEqual(['credit-note', '-1716.67']);
    const plan = planDeal(input);
    expect(plan.plan.contractValue.toFixed(2)).toBe('8583.33');
    // The KPIs read the same steps: 8,583.33 a year is 715.28 a month, and that is what renews.
    const figures = dealFigures(renewed, plan, '20');
    if ('problem' in figures.recurring) throw new Error(figures.recurring.problem);
    expect(subscriptionMrr(figures.recurring.subscription, '2027-01-31').toFixed(2)).toBe('715.28');
    expect(figures.recurring.renewal.contract.lines.map((l) => [String(l.quantity), String(l.totalPrice)])).toEqual([
      ['250', '8583.33'],
    ]);
  });
});

describe('a renewal of a renewal, neither with line items (10 seats at 1,200.00 for 2026, renewed twice at 5 %)', () => {
  const YEAR_2 = '006000000000521AAA';
  const YEAR_3 = '006000000000522AAA';
  const YEAR_2_CHANGE = '006000000000523AAA';
  const seats = (id: string, quantity: number, unitPrice: number) => ({
    records: quarterlyDeal().OpportunityLineItems!.records.map((line) => ({
      ...line,
      Id: id,
      Quantity: quantity,
      UnitPrice: unitPrice,
      TotalPrice: quantity * unitPrice,
    })),
  });
  // 2026 on signature (no terms set), 10 seats at 1,200.00.
  const year1 = () =>
    quarterlyDeal({ Billing_Frequency__c: null, Amount: 12000, OpportunityLineItems: seats(LINE, 10, 1200) });
  const renewing = (id: string, renews: string, closeDate: string, year: number) =>
    quarterlyDeal({
      Id: id,
      Name: `Globex ${year}`,
      CloseDate: closeDate,
      Service_Start_Date__c: null,
      Service_End_Date__c: null,
      Amended_Opportunity__c: renews,
      Invoice_Type__c: 'Renewal',
      Renewal_Uplift_Percent__c: 5,
      Billing_Frequency__c: null,
      Amount: null,
      OpportunityLineItems: { records: [] },
    });
  const year2 = () => renewing(YEAR_2, DEAL, '2026-12-15', 2027);
  const year3 = () => renewing(YEAR_3, YEAR_2, '2027-12-15', 2028);

  /** The loader's reads as Salesforce answers them (opportunitiesOfDeals: these and what amends or renews them). */
  function salesforce(opportunities: ReturnType<typeof quarterlyDeal>[]) {
    let composites = 0;
    const asked = (ids: readonly string[]) => opportunities.filter((o) => ids.includes(o.Id));
    const ofDeals = (ids: readonly string[]) =>
      opportunities.filter((o) => ids.includes(o.Id) || ids.includes(o.Amended_Opportunity__c ?? ''));
    const d: DealLoaderDeps = {
      ...deps({ opportunities, invoices: [] }),
      writeback: {
        composite: () => {
          composites++;
          return { run: () => Promise.resolve() } as never;
        },
      },
    };
    d.revenueQueries = {
      ...d.revenueQueries,
      dealsOf: ((ids: readonly string[]) => Promise.resolve(asked(ids))) as never,
      opportunitiesOfDeals: ((ids: readonly string[]) => Promise.resolve(ofDeals(ids))) as never,
    };
    return { deps: d, composites: () => composites };
  }

  async function loadOne(opportunities: ReturnType<typeof quarterlyDeal>[], id: string) {
    const sf = salesforce(opportunities);
    const loaded = await loadDeals(sf.deps, [id]);
    return { loaded, deal: loaded.deals.get(id), composites: sf.composites() };
  }

  it('year 3 bills what year 2 bills × its uplift: 12,600.00 at 5 % is 13,230.00, from the day after year 2 ends', async () => {
    const records = [year1(), year2(), year3()];
    const { loaded, deal, composites } = await loadOne(records, YEAR_3);
    expect([...loaded.problems.values()]).toEqual([]);
    const plan = planDeal({ ...deal!.input, today: '2027-12-15' });
    expect(plan.deal.service).toEqual({ start: '2028-01-01', end: '2028-12-31' });
    // 10 × 1,260.00 × 1.05 = 10 × 1,323.00 (it renewed nothing: the loader read year 2 as a deal without lines).
    expect(plan.deal.lines.map((l) => [l.quantity, l.amount, l.method])).toEqual([['10', '13230.00', 'daily']]);
    expect(cents(plan.plan.contractValue)).toBe('13230.00');
    expect(plan.plan.instalments.map((i) => `${i.issueDate} ${cents(i.amount)}`)).toEqual(['2027-12-15 13230.00']);
    // The plan ties: its revenue months recognise the contract value.
    expect(cents(plan.months.reduce((t, m) => t.plus(m.recognised), new Big(0)))).toBe('13230.00');

    // One more Composite call per renewal followed back; an ordinary deal and a plain renewal read as before.
    expect(composites).toBe(4);
    expect((await loadOne(records, DEAL)).composites).toBe(2);
    expect((await loadOne(records, YEAR_2)).composites).toBe(3);

    // The KPIs agree: year 2's renewal forecast is what year 3 bills, and year 3's MRR is a twelfth of it.
    const second = (await loadOne(records, YEAR_2)).deal!;
    const secondPlan = planDeal({ ...second.input, today: '2027-12-01' });
    expect(cents(secondPlan.plan.contractValue)).toBe('12600.00');
    const forecast = dealFigures(second, secondPlan, '20');
    if ('problem' in forecast.recurring) throw new Error(forecast.recurring.problem);
    expect(
      renewalsDue([forecast.recurring.renewal], '2027-12-01', '2028-01-31').map((r) => cents(r.renewalValue)),
    ).toEqual(['13230.00']);
    const figures = dealFigures(deal!, plan, '20');
    if ('problem' in figures.recurring) throw new Error(figures.recurring.problem);
    expect(cents(subscriptionMrr(figures.recurring.subscription, '2028-01-31'))).toBe('1102.50');
  });

  it('renews year 2 as its own amendments left it: 12 seats from its first day, 15,120.00 at 5 % is 15,876.00', async () => {
    // Two seats more for the whole of 2027, at the renewed Sales Price (1,260.00): year 2 bills 15,120.00.
    const more = quarterlyDeal({
      Id: YEAR_2_CHANGE,
      Name: 'Globex 2027, 12 seats',
      CloseDate: '2026-12-20',
      Service_Start_Date__c: '2027-01-01',
      Service_End_Date__c: null,
      Amended_Opportunity__c: YEAR_2,
      Invoice_Type__c: 'Amendment',
      Billing_Frequency__c: null,
      Amount: 15120,
      OpportunityLineItems: seats('00k000000000523AAA', 12, 1260),
    });
    const records = [year1(), year2(), more, year3()];
    const second = (await loadOne(records, YEAR_2)).deal!;
    expect(cents(planDeal({ ...second.input, today: '2027-06-01' }).plan.contractValue)).toBe('15120.00');
    const { loaded, deal } = await loadOne(records, YEAR_3);
    expect([...loaded.problems.values()]).toEqual([]);
    const plan = planDeal({ ...deal!.input, today: '2027-12-15' });
    expect(plan.deal.lines.map((l) => [l.quantity, l.amount])).toEqual([['12', '15876.00']]);
    expect(cents(plan.plan.contractValue)).toBe('15876.00');
    const figures = dealFigures(deal!, plan, '20');
    if ('problem' in figures.recurring) throw new Error(figures.recurring.problem);
    expect(cents(subscriptionMrr(figures.recurring.subscription, '2028-01-31'))).toBe('1323.00');
  });

  describe('a chain of renewals', () => {
    // Year k (2..12) renews year k − 1; year 1 is the deal with the lines.
    const idOf = (year: number) => (year === 1 ? DEAL : `0060000000006${String(year).padStart(2, '0')}AAA`);
    const chain = (years: number) => [
      year1(),
      ...Array.from({ length: years - 1 }, (_, k) =>
        renewing(idOf(k + 2), idOf(k + 1), `${2025 + k + 1}-12-15`, 2026 + k + 1),
      ),
    ];

    it('is followed 10 renewals back: year 11 renews year 10 at 5 %, 10 more Composite calls than a deal', async () => {
      const { loaded, deal, composites } = await loadOne(chain(11), idOf(11));
      expect([...loaded.problems.values()]).toEqual([]);
      expect(composites).toBe(12);
      const plan = planDeal({ ...deal!.input, today: '2035-12-15' });
      expect(plan.deal.service).toEqual({ start: '2036-01-01', end: '2036-12-31' });
      // 1,200.00 a seat renewed ten times at 5 %, each Sales Price rounded to the cent: 1,954.69.
      expect(plan.deal.lines.map((l) => [l.quantity, l.amount])).toEqual([['10', '19546.90']]);
    });

    it('is refused in words past 10 renewals, and when it leads back to itself', async () => {
      const { loaded, composites } = await loadOne(chain(12), idOf(12));
      expect(loaded.deals.size).toBe(0);
      expect(loaded.problems.get(idOf(12))?.message).toMatch(
        /^Globex 2037 renews a renewal of a renewal more than 10 deep.*give one of them line items of its own/,
      );
      expect(composites).toBe(12);
      const looped = [year1(), renewing(YEAR_2, YEAR_3, '2026-12-15', 2027), year3()];
      const again = await loadOne(looped, YEAR_3);
      expect(again.loaded.problems.get(YEAR_3)?.message).toMatch(
        /^Globex 2028 renews Globex 2027, which renews Globex 2028 again: one of them names the wrong Opportunity$/,
      );
    });
  });
});

describe("the org's proration method (PRORATION_METHOD)", () => {
  const ANALYTICS = '006000000000531AAA';
  // 12,000.00 for 2026 billed quarterly; Analytics added at 12,345.67 a year from 19 Jul, co-termed to 31 Dec.
  const seatLine = quarterlyDeal().OpportunityLineItems!.records[0]!;
  const analytics = () =>
    quarterlyDeal({
      Id: ANALYTICS,
      Name: 'Globex analytics',
      CloseDate: '2026-07-10',
      Service_Start_Date__c: '2026-07-19',
      Service_End_Date__c: null,
      Amended_Opportunity__c: DEAL,
      Invoice_Type__c: 'Amendment',
      Amount: 24345.67,
      OpportunityLineItems: {
        records: [
          { ...seatLine, Id: '00k000000000531AAA' },
          {
            ...seatLine,
            Id: '00k000000000532AAA',
            Quantity: 1,
            UnitPrice: 12345.67,
            TotalPrice: 12345.67,
            Product2: { ...seatLine.Product2!, Name: 'Analytics', ProductCode: 'ANALYTICS' },
          },
        ],
      },
    });

  async function planned(prorationMethod: DealLoaderDeps['prorationMethod']) {
    const loaded = await loadDeals(
      { ...deps({ opportunities: [quarterlyDeal(), analytics()], invoices: [] }), prorationMethod },
      [DEAL],
    );
    expect([...loaded.problems.values()]).toEqual([]);
    const deal = loaded.deals.get(DEAL)!;
    const plan = planDeal({ ...deal.input, today: '2026-07-10' });
    return { plan, figures: dealFigures(deal, plan, '20') };
  }

  it('prices a mid-term change as the org says: Day 12,345.67 × 166/365 = 5,614.74, Monthly + Daily 5,583.74', async () => {
    const daily = await planned('daily');
    const monthly = await planned('monthly-daily');
    // 5 months (19 Jul to 19 Dec) and 13 days: 12,345.67 × (5 + 13 × 12/365)/12 = 12,345.67 × 1,981/4,380.
    expect([cents(daily.plan.plan.contractValue), cents(monthly.plan.plan.contractValue)]).toEqual([
      '17614.74',
      '17583.74',
    ]);
    // The KPIs read the plan's figures: billings still to come and revenue tie to the same contract value.
    for (const { plan, figures } of [daily, monthly]) {
      const toBill = figures.planned.instalments.reduce((t, i) => t.plus(i.amount), new Big(0));
      expect(cents(toBill)).toBe(cents(plan.plan.contractValue));
      const recognised = figures.months.reduce((t, m) => t.plus(m.recognised), new Big(0));
      expect(cents(recognised)).toBe(cents(plan.plan.contractValue));
    }
  });

  it('on a plan billed on signature, moving Day to Monthly + Daily credits the amendment 31.00 by a dated credit note', async () => {
    // 2026 on signature: the deal's closing request billed 12,000.00, the amendment's 5,614.74 (by Day), and the
    // plan recorded both; then the org moves to Monthly + Daily (5,583.74).
    const onSignature = [quarterlyDeal({ Billing_Frequency__c: null }), analytics()];
    const closings = [
      invoice({
        id: 'a0I000000000631AAA',
        key: `CREATE_DRAFT:${DEAL}:1`,
        status: 'Authorised',
        date: '2025-12-20',
        subTotal: 12000,
        lines: [{ item: LINE, amount: 12000 }],
      }),
      invoice({
        id: 'a0I000000000632AAA',
        key: `CREATE_DRAFT:${ANALYTICS}:1`,
        status: 'Authorised',
        date: '2026-07-10',
        subTotal: 5614.74,
        lines: [{ item: '00k000000000532AAA', amount: 5614.74 }],
        opportunity: ANALYTICS,
      }),
    ];
    const byDay = await planOf(deps({ opportunities: onSignature, invoices: closings }), '2026-07-11');
    expect(byDay.plan.newlyRaised.map((r) => cents(r.instalment.amount))).toEqual(['12000.00', '5614.74']);
    const records = byDay.plan.newlyRaised.map(({ instalment, document }, k) =>
      instalmentRecord({
        Id: `a0Q00000000063${k}AAA`,
        Instalment_Key__c: instalment.key,
        Issue_Date__c: instalment.issueDate,
        Amount__c: Number(instalment.amount.toFixed(2)),
        Document_Type__c: 'Invoice',
        Status__c: 'Raised',
        Invoice__c: document.documentId,
        Lines__c: linesJson(instalment),
      }),
    );
    const loaded = await loadDeals(
      {
        ...deps({ opportunities: onSignature, invoices: closings, plans: records }),
        prorationMethod: 'monthly-daily',
      },
      [DEAL],
    );
    const input = { ...loaded.deals.get(DEAL)!.input, today: '2026-08-03' };
    const plan = planDeal(input);
    expect(plan.signature).toBe(true);
    expect(plan.plan.instalments.map((i) => [i.issueDate, i.kind, cents(i.amount)])).toEqual([
      ['2026-07-10', 'credit-note', '-31.00'],
    ]);
    // Raised by its dated job (a credit note awaiting approval), not left to the amendment's done closing request.
    expect(plan.requestOwned.size).toBe(0);
    expect(billedAtClose(input, ANALYTICS)).toEqual({ signature: true });
  });
});

describe('a contract an amendment ended early, then renewed: the renewal and the KPIs read one end', () => {
  const CANCEL = '006000000000541AAA';
  const RENEWAL = '006000000000542AAA';
  const seatLine = quarterlyDeal().OpportunityLineItems!.records[0]!;
  // 12,000.00 for 2026, billed quarterly; signed 5 Feb, an amendment ends it on 31 Mar instead of 31 Dec.
  const cancel = () =>
    quarterlyDeal({
      Id: CANCEL,
      Name: 'Globex ends in March',
      CloseDate: '2026-02-05',
      Service_Start_Date__c: '2026-04-01',
      Service_End_Date__c: '2026-03-31',
      Amended_Opportunity__c: DEAL,
      Invoice_Type__c: 'Amendment',
      OpportunityLineItems: { records: [{ ...seatLine, Id: '00k000000000541AAA' }] },
    });
  // Won on 20 Mar, renewing the subscription at 5 %.
  const renewal = () =>
    quarterlyDeal({
      Id: RENEWAL,
      Name: 'Globex renewal',
      CloseDate: '2026-03-20',
      Service_Start_Date__c: null,
      Service_End_Date__c: null,
      Amended_Opportunity__c: DEAL,
      Invoice_Type__c: 'Renewal',
      Renewal_Uplift_Percent__c: 5,
      Amount: null,
      OpportunityLineItems: { records: [] },
    });

  it('renews from the day after the early end, which the KPIs read as where the contract ends', async () => {
    const loaded = await loadDeals(deps({ opportunities: [quarterlyDeal(), cancel(), renewal()], invoices: [] }), [
      DEAL,
      RENEWAL,
    ]);
    expect([...loaded.problems.values()]).toEqual([]);
    const contract = loaded.deals.get(DEAL)!;
    const contractPlan = planDeal({ ...contract.input, today: '2026-03-20' });
    const renewed = loaded.deals.get(RENEWAL)!;
    const renewalPlan = planDeal({ ...renewed.input, today: '2026-03-20' });

    // One rule (deal-plan.ts contractEnding): the contract ends on 31 Mar, ended early.
    expect(contractEnding(contractPlan.deal, contractPlan.replayed.contracts, contract.input.amendments ?? [])).toEqual(
      { end: '2026-03-31', endedEarly: true },
    );
    // The renewal starts the day after it (an early renewal): 12,000.00 at 5 % for April 2026 to March 2027.
    expect(renewalPlan.deal.service).toEqual({ start: '2026-04-01', end: '2027-03-31' });
    expect(cents(renewalPlan.plan.contractValue)).toBe('12600.00');

    // The KPIs: the contract ends on 31 Mar, cancelled, so no renewal is forecast while none is won…
    const figures = dealFigures(contract, contractPlan, '20');
    const renewalFigures = dealFigures(renewed, renewalPlan, '20');
    if ('problem' in figures.recurring) throw new Error(figures.recurring.problem);
    if ('problem' in renewalFigures.recurring) throw new Error(renewalFigures.recurring.problem);
    const candidate = figures.recurring.renewal;
    expect([candidate.contract.endDate, candidate.cancelled]).toEqual(['2026-03-31', true]);
    expect(renewalsDue([candidate], '2026-03-20', '2027-03-31')).toEqual([]);
    // …and once the renewal's plan counts, it is renewed, and the customer's MRR runs on: 1,000.00 to 31 Mar, then
    // the renewal's 1,050.00 from 1 Apr (an expansion of 50.00, no churn and no month at nothing).
    const won = [{ Id: RENEWAL, Amended_Opportunity__c: DEAL }];
    expect(withRenewals([candidate], won, new Set([DEAL, RENEWAL]))).toMatchObject([{ renewed: true }]);
    const mrr = (day: string) =>
      [figures.recurring, renewalFigures.recurring].map((r) =>
        'problem' in r ? r.problem : cents(subscriptionMrr(r.subscription, day)),
      );
    expect(mrr('2026-03-31')).toEqual(['1000.00', '0.00']);
    expect(mrr('2026-04-30')).toEqual(['0.00', '1050.00']);
  });
});
