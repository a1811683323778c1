/**
 * Salesforce records → what the KPI domain computes from (kpi-snapshot.ts KpiRecords, kpi-forecast.ts ForecastInput).
 * Shaping only: every figure is the domain's. Rows come from salesforce/kpi-queries.ts and, for the deals, from the
 * billing plans' loader and planner (sync/billing/deals.ts, deal-plan.ts), so a contract is read one way everywhere.
 *
 * Decisions (also in the project README, "KPIs and forecasts"):
 * - Advanced currency management counts as on when the org holds DatedConversionRate rows (the API has no flag for
 *   it; the rows exist only once dated rates are in use).
 * - Invoices, credit notes and customer credit are the Salesforce mirrors of Xero's (Invoice__c with Payment__c,
 *   Credit_Note__c with Credit_Allocation__c and Credit_Note_Refund__c, Customer_Credit__c with
 *   Customer_Credit_Allocation__c): the same amounts Xero holds, written back by the sync.
 * - A deal's subscription: its ratable line items at signature, each won amendment's ratable line items (the full
 *   subscription after it) from its effective date, priced per the contract's whole months (deal-records.ts
 *   termMonthsOf); its end is the last day a ratable line of the replayed contract serves (extensions, early ends).
 * - A contract renews from the deal's own renewal rule (its uplift fields) until a won renewal that names it (any in
 *   the org: kpi-queries.ts wonRenewals, read once a refresh, not from the slice of deals it is planned with) has its
 *   own plan counted in the same refresh (`withRenewals`): until then the renewal's billings are in no plan, so the
 *   expected renewal stays in the forecast (and Due) rather than both being missing. One an
 *   amendment ended early (its ratable lines now end before the latest end it was ever given: a cancellation) is
 *   flagged cancelled and is not a renewal candidate: the customer has already said it is leaving.
 * - Revenue lines are the plan's ledger (deal-plan.ts: concession credit notes included), so RPO ties to the deferred
 *   and unbilled revenue of the same months.
 * - Billings still to come: the plan's instalments not yet raised, and those raised whose document is not posted yet
 *   (a draft, awaiting approval, approved) on the document's date: they are in no receivable until posted, and once
 *   posted they are no longer unposted, so each is counted once.
 */
import { routeOpportunity, type BillingEntity } from '../../domain/billing-entity';
import { amendmentSteps, contractEnding, signedSubscription, type DealPlan } from '../../domain/deal-plan';
import { termMonthsOf } from '../../domain/deal-records';
import { addDays, addMonths, maxDate, type IsoDate } from '../../domain/dates';
import type { ForeignInvoice, Settlement } from '../../domain/fx-exposure';
import type { RateBook } from '../../domain/fx-rates';
import type { OpenOpportunity, PlannedBillings, RenewalCandidate } from '../../domain/kpi-forecast';
import type { LedgerCredit, LedgerInvoice } from '../../domain/kpi-ledger';
import { subscriptionOf, type Subscription } from '../../domain/kpi-mrr';
import type { LedgerLine } from '../../domain/balances';
import type { ContractLine } from '../../domain/amendment';
import type { CreditStatus } from '../../domain/ledger-documents';
import { money, sum, type Money } from '../../domain/money';
import type { XeroInvoiceStatus } from '../../domain/receivables';
import { opportunityBillingRowSchema, resolveBillingTerms, upliftRuleOf } from '../../domain/revenue-records';
import type {
  CustomerCreditRow,
  CustomerCreditUseRow,
  LedgerCreditNoteRow,
  LedgerInvoiceRow,
  OpenOpportunityRow,
} from '../../salesforce/kpi-queries';
import { childRecords } from '../../salesforce/soql';
import type { LoadedDeal } from '../billing/deals';

const text = (value: unknown) => (value === null || value === undefined ? '0' : String(value));

export interface RateRows {
  currencies: readonly { IsoCode: string | null; IsActive: boolean | null; ConversionRate: number | null }[];
  dated: readonly { IsoCode: string | null; ConversionRate: number | null; StartDate: string | null }[];
  table: readonly { Currency_Code__c: string | null; Rate__c: number | null; Start_Date__c: string | null }[];
}

/** The three rate sources as fx-rates.ts reads them; CurrencyType's rates are dated the day they were read. */
export function rateBookOf(rows: RateRows, corporateCurrency: string, readOn: IsoDate): RateBook {
  const dated = rows.dated
    .filter((r) => r.IsoCode && r.ConversionRate !== null && r.StartDate)
    .map((r) => ({ currency: r.IsoCode!, rate: String(r.ConversionRate), startDate: r.StartDate!.slice(0, 10) }));
  return {
    corporateCurrency,
    advancedCurrencyManagement: dated.length > 0,
    dated,
    static: rows.currencies
      .filter((r) => r.IsoCode && r.IsActive !== false && r.ConversionRate !== null)
      .map((r) => ({ currency: r.IsoCode!, rate: String(r.ConversionRate) })),
    staticReadOn: readOn,
    table: rows.table
      .filter((r) => r.Currency_Code__c && r.Rate__c !== null && r.Start_Date__c)
      .map((r) => ({ currency: r.Currency_Code__c!, rate: String(r.Rate__c), startDate: r.Start_Date__c! })),
  };
}

const INVOICE_STATUS: Readonly<Record<string, XeroInvoiceStatus>> = {
  Authorised: 'AUTHORISED',
  'Partially Paid': 'AUTHORISED',
  Paid: 'PAID',
  Voided: 'VOIDED',
  Deleted: 'DELETED',
};
const CREDIT_STATUS: Readonly<Record<string, CreditStatus>> = {
  Authorised: 'AUTHORISED',
  Paid: 'PAID',
  Voided: 'VOIDED',
  Deleted: 'DELETED',
};

/** Invoice mirrors with a date, a currency and a billing entity (anything else is in no ledger yet). */
export function ledgerInvoicesOf(rows: readonly LedgerInvoiceRow[]): LedgerInvoice[] {
  return rows.flatMap((row): LedgerInvoice[] => {
    const status = INVOICE_STATUS[row.Status__c ?? ''];
    if (!status || !row.Issue_Date__c || !row.Currency_Code__c || !row.Billing_Entity__c) return [];
    return [
      {
        kind: 'invoice',
        invoiceId: row.Id,
        ...(row.Invoice_Number__c ? { invoiceNumber: row.Invoice_Number__c } : {}),
        contactId: row.Account__c ?? '',
        status,
        currencyCode: row.Currency_Code__c,
        date: row.Issue_Date__c,
        ...(row.Due_Date__c ? { dueDate: row.Due_Date__c } : {}),
        subTotal: text(row.Sub_Total__c),
        totalTax: text(row.Total_Tax__c),
        total: text(row.Total__c),
        amountPaid: text(row.Amount_Paid__c),
        amountCredited: text(row.Amount_Credited__c),
        amountDue: text(row.Amount_Due__c),
        payments: childRecords(row.Payments__r)
          .filter((p) => p.Payment_Date__c)
          .map((p) => ({
            paymentId: p.Xero_Payment_Id__c ?? '',
            amount: text(p.Amount__c),
            date: p.Payment_Date__c!,
            status: p.Status__c === 'Deleted' ? 'DELETED' : 'AUTHORISED',
          })),
        entity: row.Billing_Entity__c,
        ...(row.Account__c ? { accountId: row.Account__c } : {}),
        ...(row.Opportunity__c ? { opportunityId: row.Opportunity__c } : {}),
      },
    ];
  });
}

/**
 * Credit-note mirrors with their allocations and refunds. A credit note belongs to the entity of the Xero organisation
 * that holds it (Billing_Entity__c, written by the sync, allocated or not); a mirror written before that field took
 * the entity of the invoice it credits.
 */
export function ledgerCreditsOf(rows: readonly LedgerCreditNoteRow[]): LedgerCredit[] {
  return rows.flatMap((row): LedgerCredit[] => {
    const status = CREDIT_STATUS[row.Status__c ?? ''];
    const entity = row.Billing_Entity__c || row.Invoice__r?.Billing_Entity__c;
    if (!status || !row.Issue_Date__c || !row.Currency_Code__c || !entity) return [];
    return [
      {
        kind: 'credit-note',
        creditId: row.Id,
        ...(row.Credit_Note_Number__c ? { number: row.Credit_Note_Number__c } : {}),
        contactId: row.Account__c ?? '',
        status,
        currencyCode: row.Currency_Code__c,
        date: row.Issue_Date__c,
        subTotal: text(row.Sub_Total__c),
        totalTax: text(row.Total_Tax__c),
        total: text(row.Total__c),
        remainingCredit: text(row.Remaining_Credit__c),
        allocations: childRecords(row.Allocations__r)
          .filter((a) => a.Invoice__c && a.Allocation_Date__c)
          .map((a) => ({
            ...(a.Xero_Allocation_Id__c ? { allocationId: a.Xero_Allocation_Id__c } : {}),
            creditKind: 'credit-note' as const,
            creditId: row.Id,
            invoiceId: a.Invoice__c!,
            amount: text(a.Amount__c),
            date: a.Allocation_Date__c!,
            status: a.Status__c === 'Deleted' ? ('DELETED' as const) : ('ACTIVE' as const),
          })),
        // Credit paid back to the customer (a Payment on the credit note): cash out in the month it was paid.
        refunds: childRecords(row.Refunds__r)
          .filter((r) => r.Refund_Date__c)
          .map((r) => ({
            paymentId: r.Xero_Payment_Id__c ?? '',
            amount: text(r.Amount__c),
            date: r.Refund_Date__c!,
            status: r.Status__c === 'Deleted' ? ('DELETED' as const) : ('AUTHORISED' as const),
          })),
        ...(row.Invoice__c ? { invoiceId: row.Invoice__c } : {}),
        entity,
        ...(row.Account__c ? { accountId: row.Account__c } : {}),
        ...(row.Invoice__r?.Opportunity__c ? { opportunityId: row.Invoice__r.Opportunity__c } : {}),
      },
    ];
  });
}

/** Overpayments and prepayments (Customer_Credit__c), each with what was allocated to invoices and refunded. */
export function customerCreditsOf(
  rows: readonly CustomerCreditRow[],
  uses: readonly CustomerCreditUseRow[],
): LedgerCredit[] {
  return rows.flatMap((row): LedgerCredit[] => {
    const status = CREDIT_STATUS[row.Status__c ?? ''];
    const kind =
      row.Credit_Type__c === 'Prepayment'
        ? 'prepayment'
        : row.Credit_Type__c === 'Overpayment'
          ? 'overpayment'
          : undefined;
    if (!status || !kind || !row.Credit_Date__c || !row.Currency_Code__c || !row.Billing_Entity__c) return [];
    const mine = uses.filter((u) => u.Customer_Credit__c === row.Id && u.Allocation_Date__c);
    return [
      {
        kind,
        creditId: row.Id,
        ...(row.Name ? { number: row.Name } : {}),
        contactId: row.Account__c ?? '',
        status,
        currencyCode: row.Currency_Code__c,
        date: row.Credit_Date__c,
        ...(kind === 'prepayment' ? { subTotal: text(row.Sub_Total__c), totalTax: text(row.Total_Tax__c) } : {}),
        total: text(row.Total__c),
        remainingCredit: text(row.Remaining_Credit__c),
        allocations: mine
          .filter((u) => u.Kind__c === 'Allocation' && u.Invoice__c)
          .map((u) => ({
            ...(u.Xero_Allocation_Id__c ? { allocationId: u.Xero_Allocation_Id__c } : {}),
            creditKind: kind,
            creditId: row.Id,
            invoiceId: u.Invoice__c!,
            amount: text(u.Amount__c),
            date: u.Allocation_Date__c!,
            status: u.Status__c === 'Deleted' ? ('DELETED' as const) : ('ACTIVE' as const),
          })),
        refunds: mine
          .filter((u) => u.Kind__c === 'Refund')
          .map((u) => ({
            paymentId: u.Xero_Payment_Id__c ?? '',
            amount: text(u.Amount__c),
            date: u.Allocation_Date__c!,
            status: u.Status__c === 'Deleted' ? ('DELETED' as const) : ('AUTHORISED' as const),
          })),
        entity: row.Billing_Entity__c,
        ...(row.Account__c ? { accountId: row.Account__c } : {}),
      },
    ];
  });
}

/**
 * Posted invoices in a currency other than their entity's base currency, with their Xero CurrencyRate and each
 * payment (at its own rate) and credit allocation (at the invoice's: Xero gives a credit note's rate only on it).
 */
export function foreignInvoicesOf(
  rows: readonly LedgerInvoiceRow[],
  credits: readonly LedgerCredit[],
  entities: readonly BillingEntity[],
): ForeignInvoice[] {
  const base = new Map(entities.map((e) => [e.developerName, e.baseCurrency]));
  const allocations = credits.flatMap((c) => c.allocations.filter((a) => (a.status ?? 'ACTIVE') === 'ACTIVE'));
  return ledgerInvoicesOf(rows).flatMap((invoice): ForeignInvoice[] => {
    const row = rows.find((r) => r.Id === invoice.invoiceId)!;
    const baseCurrency = base.get(invoice.entity);
    if (!baseCurrency || baseCurrency === invoice.currencyCode || invoice.status === 'VOIDED') return [];
    if (row.Currency_Rate__c === null || row.Currency_Rate__c === undefined) return [];
    const settlements: Settlement[] = [
      ...childRecords(row.Payments__r)
        .filter((p) => p.Status__c !== 'Deleted' && p.Payment_Date__c)
        .map((p) => ({
          kind: 'payment' as const,
          date: p.Payment_Date__c!,
          amount: text(p.Amount__c),
          ...(p.Currency_Rate__c === null || p.Currency_Rate__c === undefined
            ? {}
            : { currencyRate: String(p.Currency_Rate__c) }),
          ...(p.Xero_Payment_Id__c ? { id: p.Xero_Payment_Id__c } : {}),
        })),
      ...allocations
        .filter((a) => a.invoiceId === invoice.invoiceId)
        .map((a) => ({ kind: 'credit' as const, date: a.date, amount: String(a.amount) })),
    ];
    return [
      {
        invoiceId: invoice.invoiceId,
        ...(invoice.invoiceNumber ? { number: invoice.invoiceNumber } : {}),
        entity: invoice.entity,
        baseCurrency,
        currencyCode: invoice.currencyCode,
        currencyRate: String(row.Currency_Rate__c),
        date: invoice.date,
        total: invoice.total,
        settlements,
      },
    ];
  });
}

/** Open Opportunities routed to their billing entity as CREATE_DRAFT would route them when won. */
export function openOpportunitiesOf(
  rows: readonly OpenOpportunityRow[],
  entities: readonly BillingEntity[],
  corporateCurrency: string,
): { opportunities: OpenOpportunity[]; problems: string[] } {
  const opportunities: OpenOpportunity[] = [];
  const problems: string[] = [];
  for (const row of rows) {
    if (row.Amount === null || row.Probability === null || !row.CloseDate || !row.AccountId) continue;
    try {
      const { entity } = routeOpportunity(
        entities,
        { Billing_Entity__c: row.Billing_Entity__c, CurrencyIsoCode: row.CurrencyIsoCode },
        {
          Billing_Entity__c: row.Account?.Billing_Entity__c ?? null,
          BillingCountry: row.Account?.BillingCountry ?? null,
        },
        corporateCurrency,
      );
      const start = row.Service_Start_Date__c;
      const end = row.Service_End_Date__c;
      opportunities.push({
        opportunityId: row.Id,
        customerId: row.AccountId,
        entity: entity.developerName,
        currency: row.CurrencyIsoCode ?? corporateCurrency,
        amount: String(row.Amount),
        probability: String(row.Probability),
        closeDate: row.CloseDate,
        // a service start without an end runs 12 months, as a won deal's would (deal-records.ts dealServicePeriod)
        ...(start ? { service: { start, end: end ?? addDays(addMonths(start, 12), -1) } } : {}),
        terms: resolveBillingTerms({ opportunity: opportunityBillingRowSchema.parse(row), entity: entity.billing })
          .terms,
      });
    } catch (err) {
      problems.push(`Opportunity ${row.Id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { opportunities, problems };
}

/** One planned deal as the KPIs read it: its subscription, revenue lines, billings still to raise and renewal. */
export interface DealFigures {
  revenueLines: LedgerLine[];
  months: DealPlan['months'];
  planned: PlannedBillings;
  /** Its recurring side, or why it has none (MRR and the renewal need prices per whole months). */
  recurring: { subscription: Subscription; renewal: RenewalCandidate } | { problem: string };
}

/**
 * What a deal contributes to the KPIs (see the module comment). Its renewal candidate is not yet known renewed: that
 * needs every deal of the refresh (`withRenewals`).
 */
export function dealFigures(deal: LoadedDeal, plan: DealPlan, taxRatePercent: string): DealFigures {
  const { entity } = deal;
  const currency = plan.deal.currency.toUpperCase();
  const customerId = deal.row.AccountId ?? '';
  let recurring: DealFigures['recurring'];
  try {
    recurring = recurringOf(deal, plan);
  } catch (err) {
    recurring = { problem: err instanceof Error ? err.message : String(err) };
  }
  return {
    revenueLines: plan.ledger,
    months: plan.months,
    planned: {
      dealId: deal.dealId,
      customerId,
      entity: entity.developerName,
      currency,
      instalments: [...raisedUnposted(plan), ...plan.plan.instalments].map((i) => ({
        issueDate: i.issueDate,
        amount: i.amount,
      })),
      paymentTermsDays: entity.paymentTermsDays,
      taxRatePercent,
    },
    recurring,
  };
}

/**
 * Instalments the plan raised whose document is not posted yet (a draft, awaiting approval, approved; or not created
 * yet), signed net of tax, on the document's date: still to be billed, and in no receivable until posted.
 */
function raisedUnposted(plan: DealPlan): { issueDate: IsoDate; amount: Money }[] {
  return plan.raised
    .filter((r) => r.state === 'unposted')
    .map((r) => ({ issueDate: r.documentDate || r.issueDate, amount: sum(r.lines.map((l) => money(l.amount))) }))
    .filter((r) => r.issueDate && !r.amount.eq(0));
}

/** The deal's subscription and its renewal; throws when its term is not a whole number of months. */
function recurringOf(deal: LoadedDeal, plan: DealPlan): { subscription: Subscription; renewal: RenewalCandidate } {
  const { input, entity } = deal;
  const service = plan.deal.service;
  const termMonths = termMonthsOf(service);
  // What the plan bills at signature (deal-plan.ts: a renewal that renews its subscription, its renewed lines).
  const signed = signedSubscription(input, plan.deal);
  const atSignature: ContractLine[] = signed.lines;
  // Each amendment's subscription as the plan priced it (deal-plan.ts, in its order): a seat change keeps the
  // contract's exact unit price (6,666.67 left of 10,000.00 for 300 seats, not the amending line's 6,666.00).
  const amendments = amendmentSteps(signed, input.amendments ?? [], input.entity).map(({ amendment, lines }) => ({
    effectiveDate: amendment.opportunity.Service_Start_Date__c ?? amendment.opportunity.CloseDate,
    lines,
  }));
  // Where the contract ends as its amendments left it, where its renewal starts, and whether an amendment ended it
  // early (a cancellation: not up for renewal): deal-plan.ts `contractEnding`, as the renewal's plan reads it.
  const ending = contractEnding(plan.deal, plan.replayed.contracts, input.amendments ?? []);
  const end = ending.end ? maxDate(ending.end, service.start) : service.start;
  const cancelled = ending.endedEarly;
  const contract = { startDate: service.start, endDate: end, lines: atSignature };
  const currency = plan.deal.currency.toUpperCase();
  const customerId = deal.row.AccountId ?? '';
  const subscription = subscriptionOf({
    contractKey: deal.dealId,
    customerId,
    entity: entity.developerName,
    currency,
    contract,
    termMonths,
    amendments,
  });
  const latest = amendments.at(-1)?.lines ?? atSignature;
  return {
    subscription,
    renewal: {
      contractKey: deal.dealId,
      opportunityId: deal.dealId,
      customerId,
      entity: entity.developerName,
      currency,
      contract: { startDate: service.start, endDate: end, lines: latest },
      uplift: upliftRuleOf(input.root.opportunity),
      termMonths,
      defaultTermMonths: termMonths,
      renewed: false,
      ...(cancelled ? { cancelled: true } : {}),
    },
  };
}

/**
 * The renewal candidates, each renewed once a won renewal naming it has its own plan among `counted` (the deals whose
 * figures this refresh counted: its billings are future billings, its documents receivables). A won renewal without a
 * plan yet (PLAN_BILLING has not run for it, or refused it) replaces nothing, so its contract's expected renewal stays
 * in the forecast and Due: otherwise the forecast would show neither.
 */
export function withRenewals(
  candidates: readonly RenewalCandidate[],
  wonRenewals: readonly { Id: string; Amended_Opportunity__c: string | null }[],
  counted: ReadonlySet<string>,
): RenewalCandidate[] {
  const renewed = new Set(wonRenewals.filter((r) => counted.has(r.Id)).flatMap((r) => r.Amended_Opportunity__c ?? []));
  return candidates.map((c) => ({ ...c, renewed: renewed.has(c.contractKey) }));
}
