import Big from 'big.js';

import { remainingObligations } from '../../domain/balances';
import { asRaised } from '../../domain/contract-history';
import { planDeal, type RaisedRecord } from '../../domain/deal-plan';
import { forecast, renewalsDue } from '../../domain/kpi-forecast';
import { cashCollectedBetween, creditHeldOn } from '../../domain/kpi-ledger';
import { subscriptionMrr } from '../../domain/kpi-mrr';
import { rateOn } from '../../domain/fx-rates';
import type {
  CustomerCreditRow,
  CustomerCreditUseRow,
  LedgerCreditNoteRow,
  LedgerInvoiceRow,
  OpenOpportunityRow,
} from '../../salesforce/kpi-queries';
import { DEAL, UK, loadedDeal } from '../billing/__fixtures__/deals';
import {
  customerCreditsOf,
  dealFigures,
  foreignInvoicesOf,
  ledgerCreditsOf,
  ledgerInvoicesOf,
  openOpportunitiesOf,
  rateBookOf,
  withRenewals,
} from './kpi-inputs';

const invoiceRow = (overrides: Partial<LedgerInvoiceRow> = {}) =>
  ({
    Id: 'a0a000000000001AAA',
    Invoice_Number__c: 'INV-0001',
    Account__c: '001000000000501AAA',
    Opportunity__c: DEAL,
    Billing_Entity__c: 'UK_Ltd',
    Currency_Code__c: 'USD',
    Currency_Rate__c: 1.25,
    Sub_Total__c: 1000,
    Total_Tax__c: 0,
    Total__c: 1000,
    Amount_Paid__c: 400,
    Amount_Credited__c: 100,
    Amount_Due__c: 500,
    Issue_Date__c: '2026-01-05',
    Due_Date__c: '2026-02-04',
    Status__c: 'Partially Paid',
    Payments__r: {
      records: [
        {
          Xero_Payment_Id__c: 'p1',
          Amount__c: 400,
          Currency_Rate__c: 1.3,
          Payment_Date__c: '2026-01-20',
          Status__c: 'Authorised',
        },
      ],
    },
    ...overrides,
  }) as LedgerInvoiceRow;

const creditRow = {
  Id: 'a0C000000000001AAA',
  Credit_Note_Number__c: 'CN-0001',
  Account__c: '001000000000501AAA',
  Invoice__c: 'a0a000000000001AAA',
  Currency_Code__c: 'USD',
  Sub_Total__c: 100,
  Total_Tax__c: 0,
  Total__c: 100,
  Remaining_Credit__c: 0,
  Issue_Date__c: '2026-01-10',
  Status__c: 'Paid',
  Invoice__r: { Billing_Entity__c: 'UK_Ltd', Opportunity__c: DEAL },
  Allocations__r: {
    records: [
      {
        Xero_Allocation_Id__c: 'al1',
        Invoice__c: 'a0a000000000001AAA',
        Amount__c: 100,
        Allocation_Date__c: '2026-01-10',
        Status__c: 'Active',
      },
    ],
  },
} as LedgerCreditNoteRow;

describe('the records the KPIs are computed from', () => {
  it("takes dated rates only when the org has any, and dates CurrencyType's rate the day it was read", () => {
    const rows = {
      currencies: [
        { IsoCode: 'GBP', IsActive: true, ConversionRate: 1 },
        { IsoCode: 'USD', IsActive: true, ConversionRate: 1.27 },
        { IsoCode: 'JPY', IsActive: false, ConversionRate: 190 },
      ],
      dated: [],
      table: [{ Currency_Code__c: 'CHF', Rate__c: 1.1, Start_Date__c: '2026-01-01' }],
    };
    const plain = rateBookOf(rows, 'GBP', '2026-02-10');
    expect(plain).toMatchObject({ advancedCurrencyManagement: false, staticReadOn: '2026-02-10' });
    expect(plain.static.map((r) => r.currency)).toEqual(['GBP', 'USD']);
    expect(rateOn(plain, 'USD', '2026-01-15')).toMatchObject({ source: 'static', rateDate: '2026-02-10' });
    expect(rateOn(plain, 'CHF', '2026-01-15')).toMatchObject({ source: 'package', rateDate: '2026-01-01' });
    const dated = rateBookOf(
      { ...rows, dated: [{ IsoCode: 'USD', ConversionRate: 1.265, StartDate: '2026-01-01' }] },
      'GBP',
      '2026-02-10',
    );
    expect(dated.advancedCurrencyManagement).toBe(true);
    expect(rateOn(dated, 'USD', '2026-01-15')).toMatchObject({ source: 'dated', rateDate: '2026-01-01' });
  });

  it('reads the invoice and credit-note mirrors as Xero holds them; drafts and documents without an entity are in no ledger', () => {
    const [invoice] = ledgerInvoicesOf([
      invoiceRow(),
      invoiceRow({ Id: 'a0a000000000002AAA', Status__c: 'Draft' }),
      invoiceRow({ Id: 'a0a000000000003AAA', Billing_Entity__c: null }),
    ]);
    expect(invoice).toMatchObject({
      status: 'AUTHORISED',
      currencyCode: 'USD',
      total: '1000',
      amountDue: '500',
      entity: 'UK_Ltd',
      payments: [{ amount: '400', date: '2026-01-20', status: 'AUTHORISED' }],
    });
    const [credit] = ledgerCreditsOf([creditRow]);
    expect(credit).toMatchObject({
      kind: 'credit-note',
      status: 'PAID',
      entity: 'UK_Ltd',
      allocations: [{ invoiceId: 'a0a000000000001AAA', amount: '100', status: 'ACTIVE' }],
    });
  });

  it('reads customer credit: an overpayment is cash when received, a refund when paid out, an allocation moves none', () => {
    const overpayment = {
      Id: 'a0X000000000001AAA',
      Name: 'OP-0001',
      Account__c: '001000000000501AAA',
      Billing_Entity__c: 'UK_Ltd',
      Credit_Type__c: 'Overpayment',
      Credit_Date__c: '2026-01-15',
      Currency_Code__c: 'USD',
      Sub_Total__c: null,
      Total_Tax__c: null,
      Total__c: 500,
      Remaining_Credit__c: 200,
      Status__c: 'Authorised',
    } as CustomerCreditRow;
    const use = (kind: string, amount: number, date: string, invoice: string | null) =>
      ({
        Customer_Credit__c: overpayment.Id,
        Invoice__c: invoice,
        Kind__c: kind,
        Amount__c: amount,
        Allocation_Date__c: date,
        Status__c: 'Active',
        Xero_Allocation_Id__c: null,
        Xero_Payment_Id__c: kind === 'Refund' ? 'rf1' : null,
      }) as CustomerCreditUseRow;
    const credits = customerCreditsOf(
      [overpayment, { ...overpayment, Id: 'a0X000000000002AAA', Status__c: 'Voided' }],
      [use('Allocation', 200, '2026-01-20', 'a0a000000000001AAA'), use('Refund', 100, '2026-01-25', null)],
    );
    expect(credits).toEqual([
      expect.objectContaining({
        kind: 'overpayment',
        status: 'AUTHORISED',
        entity: 'UK_Ltd',
        allocations: [
          expect.objectContaining({ invoiceId: 'a0a000000000001AAA', amount: '200', creditKind: 'overpayment' }),
        ],
        refunds: [{ paymentId: 'rf1', amount: '100', date: '2026-01-25', status: 'AUTHORISED' }],
      }),
      expect.objectContaining({ status: 'VOIDED' }),
    ]);
    // 500.00 received − 100.00 refunded; the 200.00 allocated moved no cash. 200.00 is still held at month end.
    expect(cashCollectedBetween([], credits, '2026-01-01', '2026-01-31').get('USD')?.toFixed(2)).toBe('400.00');
    expect(creditHeldOn(credits, '2026-01-31').get('USD')?.toFixed(2)).toBe('200.00');
  });

  it('reads a credit note refunded in Xero: the refund is cash paid out in its month (a deleted one is not)', () => {
    const refunded = {
      ...creditRow,
      Id: 'a0C000000000002AAA',
      Total__c: 120,
      Sub_Total__c: 120,
      Allocations__r: null,
      Refunds__r: {
        records: [
          { Xero_Payment_Id__c: 'rf1', Amount__c: 120, Refund_Date__c: '2026-02-05', Status__c: 'Active' },
          { Xero_Payment_Id__c: 'rf2', Amount__c: 50, Refund_Date__c: '2026-02-06', Status__c: 'Deleted' },
        ],
      },
    } as LedgerCreditNoteRow;
    const credits = ledgerCreditsOf([refunded]);
    expect(credits[0]?.refunds).toEqual([
      { paymentId: 'rf1', amount: '120', date: '2026-02-05', status: 'AUTHORISED' },
      { paymentId: 'rf2', amount: '50', date: '2026-02-06', status: 'DELETED' },
    ]);
    expect(cashCollectedBetween([], credits, '2026-02-01', '2026-02-28').get('USD')?.toFixed(2)).toBe('-120.00');
  });

  it('takes the entity of a credit note allocated to no invoice from its own Billing_Entity__c', () => {
    const unallocated = {
      ...creditRow,
      Id: 'a0C000000000003AAA',
      Invoice__c: null,
      Invoice__r: null,
      Billing_Entity__c: 'UK_Ltd',
      Remaining_Credit__c: 100,
      Status__c: 'Authorised',
      Allocations__r: null,
    } as LedgerCreditNoteRow;
    expect(ledgerCreditsOf([unallocated])).toEqual([
      expect.objectContaining({ creditId: 'a0C000000000003AAA', entity: 'UK_Ltd', status: 'AUTHORISED' }),
    ]);
    // Without an entity of its own or an invoice's, it is in no ledger.
    expect(ledgerCreditsOf([{ ...unallocated, Billing_Entity__c: null }])).toEqual([]);
  });

  it('takes a foreign-currency invoice with its payments at their own rate and credit at the invoice rate', () => {
    const credits = ledgerCreditsOf([creditRow]);
    expect(foreignInvoicesOf([invoiceRow()], credits, [UK])).toEqual([
      {
        invoiceId: 'a0a000000000001AAA',
        number: 'INV-0001',
        entity: 'UK_Ltd',
        baseCurrency: 'GBP',
        currencyCode: 'USD',
        currencyRate: '1.25',
        date: '2026-01-05',
        total: '1000',
        settlements: [
          { kind: 'payment', date: '2026-01-20', amount: '400', currencyRate: '1.3', id: 'p1' },
          { kind: 'credit', date: '2026-01-10', amount: '100' },
        ],
      },
    ]);
    // In the entity's own currency: not foreign.
    expect(foreignInvoicesOf([invoiceRow({ Currency_Code__c: 'GBP' })], [], [UK])).toEqual([]);
  });

  it('routes open opportunities as a won deal would be routed, and names the ones it cannot', () => {
    const row = {
      Id: '006000000000777AAA',
      AccountId: '001000000000501AAA',
      Amount: 12000,
      Probability: 40,
      CloseDate: '2026-03-31',
      CurrencyIsoCode: 'GBP',
      Billing_Entity__c: null,
      Service_Start_Date__c: '2026-04-01',
      Service_End_Date__c: '2027-03-31',
      Billing_Frequency__c: 'Quarterly',
      Billing_Timing__c: null,
      Billing_Alignment__c: null,
      First_Invoice_Date__c: null,
      Renewal_Uplift_Percent__c: null,
      Renewal_Index_Name__c: null,
      Renewal_Index_Percent__c: null,
      Renewal_Index_Date__c: null,
      Renewal_Index_Margin_Percent__c: null,
      Account: { Billing_Entity__c: null, BillingCountry: 'GB' },
    } as OpenOpportunityRow;
    const { opportunities, problems } = openOpportunitiesOf(
      [row, { ...row, Id: '006000000000778AAA', Billing_Entity__c: 'Nowhere' }],
      [UK],
      'GBP',
    );
    expect(opportunities).toEqual([
      expect.objectContaining({
        opportunityId: '006000000000777AAA',
        entity: 'UK_Ltd',
        amount: '12000',
        probability: '40',
        service: { start: '2026-04-01', end: '2027-03-31' },
        terms: expect.objectContaining({ frequency: 'quarterly' }),
      }),
    ]);
    expect(problems).toEqual([expect.stringContaining('006000000000778AAA')]);
    // A service start without an end runs 12 months, as the won deal's would; no dates: the forecast's default
    const [startOnly, none] = openOpportunitiesOf(
      [
        { ...row, Service_End_Date__c: null },
        { ...row, Service_Start_Date__c: null, Service_End_Date__c: null },
      ],
      [UK],
      'GBP',
    ).opportunities;
    expect(startOnly!.service).toEqual({ start: '2026-04-01', end: '2027-03-31' });
    expect(none!.service).toBeUndefined();
  });

  it("makes a deal's subscription, the billings still to raise and its renewal from the planned deal", () => {
    const { loaded, plan } = loadedDeal({}, '2026-02-10');
    const figures = dealFigures(loaded, plan, '20');
    if ('problem' in figures.recurring) throw new Error(figures.recurring.problem);
    const { subscription, renewal } = figures.recurring;
    expect(subscriptionMrr(subscription, '2026-02-28').toFixed(2)).toBe('1000.00');
    expect(subscriptionMrr(subscription, '2027-01-31').toFixed(2)).toBe('0.00');
    expect(figures.planned).toMatchObject({
      entity: 'UK_Ltd',
      currency: 'GBP',
      paymentTermsDays: 30,
      taxRatePercent: '20',
    });
    expect(figures.planned.instalments.map((i) => [i.issueDate, i.amount.toFixed(2)])).toEqual([
      ['2026-01-01', '3000.00'],
      ['2026-04-01', '3000.00'],
      ['2026-07-01', '3000.00'],
      ['2026-10-01', '3000.00'],
    ]);
    expect(renewal).toMatchObject({ contractKey: DEAL, renewed: false, termMonths: 12 });
    expect(renewal.contract).toMatchObject({ startDate: '2026-01-01', endDate: '2026-12-31' });
    // Renewed once a won renewal naming it has its own plan counted; a won renewal without one replaces nothing yet.
    const won = [{ Id: '006000000000502AAA', Amended_Opportunity__c: DEAL }];
    expect(withRenewals([renewal], won, new Set([DEAL, '006000000000502AAA']))).toMatchObject([{ renewed: true }]);
    expect(withRenewals([renewal], won, new Set([DEAL]))).toMatchObject([{ renewed: false }]);
  });

  it('keeps the revenue and billings of a deal whose term is not whole months, and says why it has no MRR', () => {
    const { loaded, plan } = loadedDeal({}, '2026-02-10');
    const odd = { ...plan, deal: { ...plan.deal, service: { start: '2026-01-01', end: '2026-12-15' } } };
    const figures = dealFigures(loaded, odd, '20');
    expect(figures.recurring).toEqual({ problem: expect.stringContaining('not a whole number of months') });
    expect(figures.planned.instalments).toHaveLength(4);
    expect(figures.months.length).toBeGreaterThan(0);
  });

  describe('a deal as its plan stands: concession credit notes, raised drafts, early ends', () => {
    /** The fixture deal's first quarter (3,000.00 for Jan–Mar), raised on 1 Jan as INV1 in `state`. */
    const firstQuarter = (
      state: RaisedRecord['state'],
    ): { loaded: ReturnType<typeof loadedDeal>['loaded']; raised: RaisedRecord } => {
      const { loaded } = loadedDeal({}, '2026-01-01');
      const first = planDeal({ ...loaded.input, today: '2026-01-01' }).plan.instalments[0]!;
      return {
        loaded,
        raised: { ...asRaised(first), kind: 'invoice', documentId: 'INV1', state, documentDate: first.issueDate },
      };
    };

    it('takes RPO from the plan with its concession credit notes, so it ties to the deferred and unbilled revenue', () => {
      const { loaded, raised } = firstQuarter('posted');
      // Finance credits 1,200.00 of Q1 on 1 Feb (a concession): 10,800.00 is left of the transaction price.
      const plan = planDeal({
        ...loaded.input,
        raised: [raised],
        concessions: [{ documentId: 'CN1', invoiceId: 'INV1', date: '2026-02-01', amount: '1200.00', state: 'posted' }],
        today: '2026-02-28',
      });
      const figures = dealFigures(loaded, plan, '20');
      const rpo = remainingObligations(figures.revenueLines, '2026-02-28');
      const feb = plan.months.find((m) => m.month === '2026-02')!;
      const recognised = plan.months
        .filter((m) => m.month <= '2026-02')
        .reduce((t, m) => t.plus(m.recognised), new Big(0));
      // RPO = transaction price − recognised = deferred + what is not billed yet (month-end.md §5)
      expect(rpo.total.toFixed(2)).toBe(new Big('10800').minus(recognised).toFixed(2));
      expect(rpo.total.toFixed(2)).toBe('9646.93');
      expect(rpo.total.toFixed(2)).toBe(
        feb.closing.deferred.minus(feb.closing.unbilled).plus(new Big('10800').minus('1800')).toFixed(2),
      );
    });

    it('counts an instalment raised and awaiting approval as a future billing and its cash, until it is posted', () => {
      const { loaded, raised } = firstQuarter('unposted');
      const plan = planDeal({ ...loaded.input, raised: [raised], today: '2026-01-02' });
      const figures = dealFigures(loaded, plan, '20');
      const mirror = (status: string) =>
        ledgerInvoicesOf([
          invoiceRow({
            Id: 'INV1',
            Currency_Code__c: 'GBP',
            Sub_Total__c: 3000,
            Total_Tax__c: 600,
            Total__c: 3600,
            Amount_Paid__c: 0,
            Amount_Credited__c: 0,
            Amount_Due__c: 3600,
            Issue_Date__c: '2026-01-01',
            Due_Date__c: '2026-01-31',
            Status__c: status,
            Payments__r: null,
          }),
        ]);
      const run = (plans: typeof figures.planned, status: string) =>
        forecast({
          asOf: '2026-01-02',
          plans: [plans],
          opportunities: [],
          renewals: [],
          invoices: mirror(status),
          credits: [],
          daysLate: new Map(),
        })
          .rows.filter((r) => r.month <= '2026-02')
          .map((r) => [
            r.month,
            r.futureBillings.toFixed(2),
            r.cashFromBillings.plus(r.cashFromReceivables).toFixed(2),
          ]);
      // Revenue_Month__c counts it as January's billing (Forecast); so does the KPI forecast, and its cash in February
      expect(plan.months.find((m) => m.month === '2026-01')!.billed.toFixed(2)).toBe('3000.00');
      expect(figures.planned.instalments.map((i) => [i.issueDate, i.amount.toFixed(2)])).toEqual([
        ['2026-01-01', '3000.00'],
        ['2026-04-01', '3000.00'],
        ['2026-07-01', '3000.00'],
        ['2026-10-01', '3000.00'],
      ]);
      expect(run(figures.planned, 'Awaiting Approval')).toEqual([
        ['2026-01', '3000.00', '0.00'],
        ['2026-02', '0.00', '3600.00'],
      ]);
      // Once posted it is a receivable, and only that
      const postedPlan = planDeal({ ...loaded.input, raised: [{ ...raised, state: 'posted' }], today: '2026-01-02' });
      const posted = dealFigures(loaded, postedPlan, '20').planned;
      expect(posted.instalments.map((i) => i.issueDate)).toEqual(['2026-04-01', '2026-07-01', '2026-10-01']);
      expect(run(posted, 'Authorised')).toEqual([['2026-01', '0.00', '3600.00']]);
    });

    it('does not forecast a contract an amendment ended early to renew, and flags it cancelled', () => {
      const { loaded } = loadedDeal({}, '2026-03-25');
      const root = loaded.input.root;
      // Signed 20 Mar: the subscription ends on 31 Mar 2026 instead of 31 Dec (README: an early end).
      const cancel = {
        opportunity: {
          ...root.opportunity,
          Id: '006000000000999AAA',
          Name: 'Cancel',
          CloseDate: '2026-03-20',
          Service_Start_Date__c: '2026-04-01',
          Service_End_Date__c: '2026-03-31',
          Amended_Opportunity__c: loaded.dealId,
          Invoice_Type__c: 'Amendment',
        },
        lineItems: root.lineItems.map((l) => ({ ...l, Id: `${l.Id.slice(0, 15)}X` })),
      };
      const input = { ...loaded.input, amendments: [cancel] };
      const plan = planDeal({ ...input, today: '2026-03-25' });
      expect(plan.summary.contractValue.toFixed(2)).toBe('2958.90');
      const figures = dealFigures({ ...loaded, input }, plan, '20');
      if ('problem' in figures.recurring) throw new Error(figures.recurring.problem);
      expect(figures.recurring.renewal).toMatchObject({ cancelled: true, contract: { endDate: '2026-03-31' } });
      expect(renewalsDue([figures.recurring.renewal], '2026-03-25', '2027-02-28')).toEqual([]);
      // An extension is not a cancellation: it renews at its new end
      const extend = {
        ...cancel,
        opportunity: { ...cancel.opportunity, Service_Start_Date__c: '2026-04-01', Service_End_Date__c: '2027-03-31' },
      };
      const longer = { ...loaded.input, amendments: [extend] };
      const extended = dealFigures({ ...loaded, input: longer }, planDeal({ ...longer, today: '2026-03-25' }), '20');
      if ('problem' in extended.recurring) throw new Error(extended.recurring.problem);
      expect(extended.recurring.renewal.cancelled).toBeUndefined();
      expect(renewalsDue([extended.recurring.renewal], '2026-03-25', '2027-04-30').map((d) => d.renewalDate)).toEqual([
        '2027-04-01',
      ]);
    });
  });
  it('counts MRR and the renewal of a line priced by its Total Price from that total, after amendments too', () => {
    const { loaded } = loadedDeal({}, '2026-03-25');
    const root = loaded.input.root;
    // 300 seats for 10,000.00 a year: Salesforce's Sales Price is 33.33 (300 × 33.33 = 9,999.00).
    const seats = (id: string, quantity: number, total: number) =>
      root.lineItems.map((l) => ({ ...l, Id: id, Quantity: quantity, UnitPrice: 33.33, TotalPrice: total }));
    const priced = { ...root, lineItems: seats('00k000000000301AAA', 300, 10000) };
    // From 1 Jul, 100 seats fewer: the amending line as Salesforce keeps it, 200 × 33.33 = 6,666.00.
    const fewer = {
      opportunity: {
        ...root.opportunity,
        Id: '006000000000998AAA',
        Name: 'Fewer seats',
        CloseDate: '2026-06-20',
        Service_Start_Date__c: '2026-07-01',
        Service_End_Date__c: null,
        Amended_Opportunity__c: loaded.dealId,
        Invoice_Type__c: 'Amendment',
      },
      lineItems: seats('00k000000000302AAA', 200, 6666),
    };
    const input = { ...loaded.input, root: priced, amendments: [fewer] };
    const plan = planDeal({ ...input, today: '2026-03-25' });
    const figures = dealFigures({ ...loaded, input }, plan, '20');
    if ('problem' in figures.recurring) throw new Error(figures.recurring.problem);
    const { subscription, renewal } = figures.recurring;
    // 10,000.00 ÷ 12 (not 9,999.00 ÷ 12 = 833.25); after the change the 6,666.67 left ÷ 12 (not 6,666.00 ÷ 12).
    expect(subscriptionMrr(subscription, '2026-03-31').toFixed(2)).toBe('833.33');
    expect(subscriptionMrr(subscription, '2026-07-31').toFixed(2)).toBe('555.56');
    expect(renewalsDue([renewal], '2026-03-25', '2027-02-28').map((d) => d.renewalValue.toFixed(2))).toEqual([
      '6666.67',
    ]);
  });
});
