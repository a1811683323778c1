/**
 * A deal's billing plan, revenue schedule and balances from its Salesforce records, as the bridge keeps them in
 * Billing_Plan__c, Billing_Instalment__c and Revenue_Month__c. One function of the records: the bridge replays it
 * whenever one of them changes (a deal closes, an amendment is won, an invoice is raised, authorised, paid or
 * credited, a day passes), so the same records always give the same plan and figures.
 *
 * Decisions (README "Revenue: billing plans and schedules"):
 * - Billed on signature: a plan whose deal resolves to Upfront, In Advance, with no line billed its own way and no
 *   First Invoice Date is billed when it is signed (wave 1): the deal's one invoice is dated its CloseDate and raised
 *   by the closing request, and each amendment's change is billed on its own CloseDate, by its own request.
 * - Every other plan is billed with its periods: each instalment on its issue date, by a dated job; an amendment's
 *   change from its effective date (its Service Start Date, else its CloseDate; its First Invoice Date if set), so
 *   nothing is billed before the service it pays for, and already billed periods are caught up on that date.
 * - Renewals: a renewing Opportunity (Invoice_Type__c Renewal) with an uplift rule, or without line items, renews the
 *   subscription as it stands (the original's lines after its amendments, valued as the amendments priced them:
 *   `amendmentSteps`) at the uplift, from the day after the contract ends as its amendments left it (an extension or
 *   an early end moves it: `contractEnding`, as the KPIs read it); one without a rule and with line items is priced
 *   by its own lines. Either way it is a new plan, keyed by the renewing Opportunity. An amendment of a renewal
 *   is priced against what the renewal bills (`signedSubscription`), not against its own (maybe empty) line items, and
 *   a renewal of such a renewal renews what that renewal's plan bills (`RenewedDeal.renewalOf`, `contractAsItStands`).
 * - Billed (for balances) = raised documents that are posted (an invoice Authorised, Partially Paid or Paid; a credit
 *   note Authorised or Paid) on their dates. A draft, one awaiting approval, or a voided one bills nothing. Forecast
 *   months (the current month and later) add what is planned or awaiting approval from the current month on.
 * - A credit note on one of the plan's invoices that the plan did not raise (a concession) reduces what that invoice
 *   billed, line by line in proportion, and the revenue of those lines over the service it credits from its date
 *   (revenue.ts creditNoteSegments), once it is posted.
 * - A credit-note instalment is sent only against what the deal has posted in Xero and not credited yet; one that does
 *   not fit is held, still planned, with why (`heldCredits`).
 * - Closed months (Revenue_Month__c Status Closed) never change: a modification takes effect for revenue from the
 *   first open day when it was signed (closed-months.ts), and the closed rows are not written.
 * - Partial invoices (CREATE_PARTIAL) not voided or deleted are raised documents of the deal, each line as its
 *   Invoice_Line__c billed it: invoiced, billed when posted (so the months and the close see them), and set on account
 *   against what each line still owes, earliest first (billing-plan.ts `onAccount`): on a plan billed on signature the
 *   signature instalment keeps what they left, still the closing request's; on a plan by periods the first periods are
 *   paid first. They replace what a voided invoice the plan raised billed on the same lines (the replacement its note
 *   asks for), so that invoice's instalment is not planned again. What a partial bills on no line of the deal is
 *   spread over the deal's lines in proportion to their amounts, and said.
 */
import { z } from 'zod';

import { closesAsKnown, firstOpenDayAsOf, type PostedClose } from './closed-months';
import { compareDates, maxDate, minDate, type IsoDate } from './dates';
import { DomainError } from './errors';
import { money, round, sum, type Money } from './money';
import { allocate, PACKAGE_DEFAULT_TERMS, ratioOf } from './billing-periods';
import { buildBillingPlan, type BillingPlan, type Instalment } from './billing-plan';
import {
  forPlanning,
  heldCredits,
  type ConcessionCredit,
  type DocumentState,
  type RaisedRecord,
} from './raised-documents';
import {
  contractMonths,
  contractPositionsAt,
  type BillingEntry,
  type ContractMonth,
  type LedgerLine,
} from './balances';
import { asRaised, dealLedgerLines, dealPlanInput, replayDeal, type Deal, type ReplayedDeal } from './contract-history';
import {
  dealFromRecords,
  modificationFromRecords,
  ratableContractLines,
  ratableEnd,
  renewalDealFromRecords,
  subscriptionAfter,
  type LineItemRecord,
  type OpportunityRecord,
} from './deal-records';
import type { Modification } from './modification';
import type { ProrationMethod } from './proration';
import type { ContractLine } from './amendment';
import {
  creditNoteSegments,
  firstDayOf,
  lastRevenueDay,
  monthOf,
  monthsBetween,
  recognisedThrough,
  type MonthKey,
} from './revenue';
import { opportunityLineItemRowSchema, opportunityRowSchema } from './records';
import {
  opportunityBillingRowSchema,
  productBillingRowSchema,
  resolveBillingTerms,
  type EntityBillingRow,
  type LineItemScheduleRow,
  type OpportunityBillingRow,
  type ProductBillingRow,
} from './revenue-records';
import type { Decimal } from './xero-invoice-math';

/** An Opportunity as a plan reads it (the draft's fields and its billing terms), checked where it crosses in. */
export const planOpportunitySchema = opportunityRowSchema.extend(opportunityBillingRowSchema.shape);
/** A line item with its product's billing and recognition fields. */
export const planLineItemSchema = opportunityLineItemRowSchema.extend({
  Product2: z
    .object({ Name: z.string(), ProductCode: z.string().nullish() })
    .extend(productBillingRowSchema.shape)
    .nullish(),
});

export type { ConcessionCredit, DocumentState, RaisedRecord } from './raised-documents';

export interface PlanOpportunity extends OpportunityRecord {
  Name: string;
  Amended_Opportunity__c?: string | null;
  Invoice_Type__c?: string | null;
}

export interface OpportunityWithItems {
  opportunity: PlanOpportunity;
  lineItems: readonly LineItemRecord[];
}

/** A document a closing request (CREATE_DRAFT) raised for one of the deal's Opportunities. */
export interface SignedDocument {
  opportunityId: string;
  kind: 'invoice' | 'credit-note';
  documentId: string;
  state: DocumentState;
}

/** A partial or milestone invoice (CREATE_PARTIAL) raised on the deal, not voided or deleted. */
export interface PartialInvoice {
  /** Its Invoice__c. */
  documentId: string;
  /** Its issue date. */
  date: IsoDate;
  state: Exclude<DocumentState, 'void'>;
  /** Its mirrored lines (Invoice_Line__c): the deal line each billed (null when it names none) and its line amount. */
  lines: readonly { lineKey: string | null; amount: Decimal }[];
}

/**
 * The deal a renewal renews. When that deal is itself a renewal that renews the subscription it names (no line items
 * of its own, or an uplift rule), `renewalOf` goes on back, renewal by renewal, to the deal whose lines they renew.
 */
export interface RenewedDeal extends OpportunityWithItems {
  /** Its won amendments (not its renewals), in any order. */
  amendments?: readonly OpportunityWithItems[];
  renewalOf?: RenewedDeal;
}

export interface DealPlanInput {
  /** The Opportunity that opened the contract (for a renewal: the renewing Opportunity). */
  root: OpportunityWithItems;
  /** Won amending Opportunities of the root (not renewals), in any order. */
  amendments?: readonly OpportunityWithItems[];
  /** For a renewal: the deal it renews (its Opportunity with its own line items) and that deal's won amendments. */
  renewalOf?: RenewedDeal;
  schedules?: readonly LineItemScheduleRow[];
  entity: { developerName: string } & EntityBillingRow;
  corporateCurrency: string;
  /** How amendments are priced for the rest of the term (the org's PRORATION_METHOD; deal-records.ts). Default daily. */
  prorationMethod?: ProrationMethod;
  raised?: readonly RaisedRecord[];
  signed?: readonly SignedDocument[];
  concessions?: readonly ConcessionCredit[];
  partials?: readonly PartialInvoice[];
  /** The last Closed month of the plan, if any. */
  closedThrough?: MonthKey;
  /** The entity's posted closes, each with the day it was posted: when each month closed (closed-months.ts). */
  closes?: readonly PostedClose[];
  /** Months Salesforce already holds rows for (kept in range, so a shortened term writes its months back to 0). */
  existingMonths?: readonly MonthKey[];
  /** Today in the entity's time zone. */
  today: IsoDate;
}

export type MonthStatus = 'Forecast' | 'Actual' | 'Closed';

export interface PlanMonth extends ContractMonth {
  status: MonthStatus;
}

export interface PlanSummary {
  contractValue: Money;
  /** Net of the raised documents that are not void. */
  invoiced: Money;
  remaining: Money;
  next?: { date: IsoDate; amount: Money; kind: Instalment['kind'] };
  /** Through today, over every contract of the plan. */
  recognised: Money;
  /** Sum of the contracts' deferred revenue today (gross per contract). */
  deferred: Money;
  unbilled: Money;
  asOf: IsoDate;
  status: 'Planned' | 'Active' | 'Completed';
}

export interface DealPlan {
  deal: Deal;
  /** Billed on signature (see the decisions above). */
  signature: boolean;
  replayed: ReplayedDeal;
  /** The instalments still to raise. */
  plan: BillingPlan;
  /** Every raised instalment: recorded ones, then those found raised by a closing request. */
  raised: RaisedRecord[];
  /** Signature instalments a closing request raised that Salesforce does not record yet. */
  newlyRaised: { instalment: Instalment; document: SignedDocument }[];
  /** Open instalments a closing request raises (issue date → its Opportunity): no dated job for these. */
  requestOwned: ReadonlyMap<IsoDate, string>;
  /**
   * Credit-note instalments not to be sent to Xero (instalment key → why, in words: `heldCredits`). They stay in the
   * plan, so it ties; neither a dated job nor a closing request raises one while it is held.
   */
  held: ReadonlyMap<string, string>;
  months: PlanMonth[];
  summary: PlanSummary;
  /** Things finance should look at, in words. */
  notes: string[];
  /** The contract lines with their revenue (concessions included): what the month-end close recognises. */
  ledger: LedgerLine[];
  /** What posted documents billed, line by line, with the document (Invoice__c or Credit_Note__c) each came from. */
  posted: PostedEntry[];
}

/** A billing entry of a posted document, and which document. */
export interface PostedEntry extends BillingEntry {
  documentId?: string;
}

/**
 * The same rule read straight from the records (CREATE_DRAFT decides with it before loading a whole deal): the
 * deal's resolved terms, its First Invoice Date, and whether a product pins its own terms or a line has a schedule.
 */
export function signatureTerms(records: {
  opportunity: OpportunityBillingRow;
  products: readonly (ProductBillingRow | null | undefined)[];
  hasSchedules: boolean;
  entity: EntityBillingRow;
}): boolean {
  const { terms } = resolveBillingTerms({ opportunity: records.opportunity, entity: records.entity });
  return (
    terms.frequency === 'upfront' &&
    terms.timing === 'advance' &&
    !records.opportunity.First_Invoice_Date__c &&
    !records.hasSchedules &&
    records.products.every((p) => !p?.Billing_Frequency__c && !p?.Billing_Timing__c)
  );
}

/** Upfront, in advance, no line billed its own way, no first invoice date: billed on signature (wave 1). */
export function billsOnSignature(deal: Deal): boolean {
  return (
    deal.terms.frequency === 'upfront' &&
    deal.terms.timing === 'advance' &&
    deal.firstInvoiceDate === undefined &&
    deal.lines.every((line) => line.billingTerms === undefined && line.productSchedule === undefined)
  );
}

const hasUpliftRule = (opportunity: PlanOpportunity) =>
  (opportunity.Renewal_Uplift_Percent__c ?? null) !== null || (opportunity.Renewal_Index_Percent__c ?? null) !== null;

/**
 * Whether a renewing Opportunity (Invoice_Type__c Renewal, naming the deal it renews) renews that deal's subscription
 * (an uplift rule, or no line items) rather than being priced by its own lines. The loader follows a renewal of a
 * renewal back only while this holds (sync/billing/deals.ts).
 */
export function renewsNamedSubscription(renewal: OpportunityWithItems): boolean {
  return renewal.lineItems.length === 0 || hasUpliftRule(renewal.opportunity);
}

/**
 * Whether the plan renews the subscription it names rather than pricing the renewal by its own lines: then the plan's
 * deal lines, not the renewal's line items, are what it is worth.
 */
export function renewsSubscription(input: Pick<DealPlanInput, 'root' | 'renewalOf'>): boolean {
  return !!input.renewalOf && renewsNamedSubscription(input.root);
}

function dealOf(input: DealPlanInput): Deal {
  const records = { entity: input.entity, corporateCurrency: input.corporateCurrency };
  const { root, renewalOf } = input;
  if (renewalOf && renewsSubscription(input)) {
    const renewed = contractAsItStands(input, renewalOf);
    return renewalDealFromRecords({
      ...records,
      original: renewed.original,
      originalLineItems: renewed.lineItems,
      subscription: renewed.lines,
      endDate: renewed.endDate,
      renewal: root.opportunity,
    });
  }
  if (root.lineItems.length === 0) {
    throw new DomainError('INVALID_BILLING_PLAN', `${root.opportunity.Name} has no products to bill`);
  }
  return dealFromRecords({
    ...records,
    opportunity: root.opportunity,
    lineItems: root.lineItems,
    ...(input.schedules ? { schedules: input.schedules } : {}),
  });
}

/**
 * The documents the closing request of `opportunityId` raised, whatever became of them. A voided one counts as a live
 * one does: its instalment stays raised and is not raised again (the plan flags it for a replacement by hand), so
 * whether the request billed, and so the deal's basis, must not change when finance voids it.
 */
function closingDocuments(input: DealPlanInput, opportunityId: string): SignedDocument[] {
  return (input.signed ?? []).filter((d) => d.opportunityId === opportunityId);
}

/**
 * The deal and whether it is billed on signature. A deal its closing request invoiced in full (wave 1, or before
 * its billing terms were set; voided since or not) was billed on signature whatever its terms say now: planning it by
 * its periods would bill it twice, or credit a voided invoice, so it stays on signature and the note says so.
 */
function billingBasis(input: DealPlanInput, notes: string[]): { deal: Deal; signature: boolean } {
  const deal = dealOf(input);
  const invoicedAtClose = closingDocuments(input, input.root.opportunity.Id).some((d) => d.kind === 'invoice');
  if (!billsOnSignature(deal) && invoicedAtClose) {
    notes.push(
      `${input.root.opportunity.Name} was invoiced in full when it closed; its billing terms apply from its renewal`,
    );
    deal.terms = { ...PACKAGE_DEFAULT_TERMS };
    delete deal.firstInvoiceDate;
    deal.lines = deal.lines.map(({ billingTerms: _terms, productSchedule: _schedule, ...line }) => line);
  }
  const signature = billsOnSignature(deal);
  if (signature) deal.firstInvoiceDate = input.root.opportunity.CloseDate;
  return { deal, signature };
}

const signingDate = (opportunity: PlanOpportunity) => opportunity.First_Invoice_Date__c ?? opportunity.CloseDate;

/** Amendments in the order they take effect: effective date (Service Start Date, else CloseDate), CloseDate, Id. */
function inEffectOrder(amendments: readonly OpportunityWithItems[]): OpportunityWithItems[] {
  const effective = (o: OpportunityWithItems) => o.opportunity.Service_Start_Date__c ?? o.opportunity.CloseDate;
  return [...amendments].sort(
    (a, b) =>
      compareDates(effective(a), effective(b)) ||
      compareDates(a.opportunity.CloseDate, b.opportunity.CloseDate) ||
      a.opportunity.Id.localeCompare(b.opportunity.Id),
  );
}

/** A ratable subscription: the line items that name it and its lines, valued per default term. */
export interface StandingSubscription {
  lineItems: readonly LineItemRecord[];
  lines: ContractLine[];
}

/**
 * The subscription the deal's first amendment changes: the root's ratable lines at their TotalPrice; for a renewal that
 * renews the subscription it names (`renewsSubscription`), the renewed lines as its plan bills them (the uplifted term,
 * at the Sales Price the renewal gives: 10 seats at 1,200.00 renewed at 5 % are 10 × 1,260.00). Its own line items
 * (none, or a quote's copy) are not what it bills, so an amendment priced against them would bill every seat again.
 */
export function signedSubscription(
  input: Pick<DealPlanInput, 'root' | 'renewalOf' | 'entity'>,
  deal: Pick<Deal, 'lines'>,
): StandingSubscription {
  if (!renewsSubscription(input)) {
    return { lineItems: input.root.lineItems, lines: ratableContractLines(input.root.lineItems, input.entity) };
  }
  const lines = deal.lines
    .filter((line) => line.method !== 'point-in-time')
    .map((line): ContractLine => {
      const renewed: ContractLine = {
        productKey: line.productKey,
        // Without the renewal's note: renewing this renewal adds its own note to the product's text, not a second one.
        description: line.baseDescription ?? line.description,
        quantity: line.quantity,
        // The renewed Sales Price (amendment.ts renewalTerm rounds it to 2 dp), so the same price is the same price.
        unitPrice: round(money(line.amount).div(money(line.quantity))).toString(),
        totalPrice: line.amount,
      };
      if (line.itemCode) renewed.itemCode = line.itemCode;
      return renewed;
    });
  // A renewal renews no one-off item: one an amendment lists is new.
  return { lineItems: [], lines };
}

/** An amendment, with the subscription it changes and the one it leaves (ratable lines, valued per default term). */
export interface AmendmentStep {
  amendment: OpportunityWithItems;
  /** The line items of the subscription it changes: the signed subscription's, else the previous amendment's. */
  previousLineItems: readonly LineItemRecord[];
  /** That subscription as it was priced (`signedSubscription`, else what the previous amendment left). */
  previousLines: ContractLine[];
  /** What it leaves (deal-records.ts `subscriptionAfter`): 300 seats for 10,000.00 down to 200 leave 6,666.67. */
  lines: ContractLine[];
}

/**
 * The amendments in the order they take effect, each priced against the subscription the one before it left (the
 * first against `signed`): the one rule for what a deal's amendments leave, shared by the plan, its renewal and the
 * KPIs.
 */
export function amendmentSteps(
  signed: StandingSubscription,
  amendments: readonly OpportunityWithItems[],
  entity: DealPlanInput['entity'],
): AmendmentStep[] {
  const steps: AmendmentStep[] = [];
  for (const amendment of inEffectOrder(amendments)) {
    const previous = steps.at(-1);
    const before = previous
      ? { previousLineItems: previous.amendment.lineItems, previousLines: previous.lines }
      : { previousLineItems: signed.lineItems, previousLines: signed.lines };
    steps.push({ amendment, ...before, lines: subscriptionAfter({ ...before, amending: amendment, entity }) });
  }
  return steps;
}

/**
 * The deal a renewal renews, as its amendments left it: its ratable subscription (the last amendment's line items,
 * valued as the amendments priced them: 6,666.67 left of 300 seats for 10,000.00, where the amending line's TotalPrice
 * says 200 × 33.33 = 6,666.00) and the day the contract ends, from the replayed deal (`ratableEnd`, as the KPIs read
 * it): an extension to 2027-03-31 of a deal to 2026-12-31 is renewed from 2027-04-01, not billed twice for those months.
 * A renewed deal that is itself a renewal is the deal its own plan bills (`dealOf`, this rule one renewal further back):
 * year 2 renewing 10 seats at 1,200.00 at 5 % bills 12,600.00, so year 3 renews 12,600.00, not year 2's (no) lines.
 */
function contractAsItStands(
  input: DealPlanInput,
  renewalOf: RenewedDeal,
): StandingSubscription & { original: Deal; endDate: IsoDate } {
  const { renewalOf: _renewal, schedules: _schedules, ...rest } = input;
  const renewed: DealPlanInput = {
    ...rest,
    root: renewalOf,
    amendments: renewalOf.amendments ?? [],
    ...(renewalOf.renewalOf ? { renewalOf: renewalOf.renewalOf } : {}),
  };
  const original = dealOf(renewed);
  const changes = modificationsOf(renewed, original, false);
  const replayed = replayDeal({ deal: original, modifications: changes.map((c) => c.mod), policy: ssPolicy(input) });
  const last = changes.at(-1);
  const standing = last
    ? { lineItems: last.amendment.lineItems, lines: last.lines }
    : signedSubscription(renewed, original);
  const { end } = contractEnding(original, replayed.contracts, renewed.amendments ?? []);
  return { ...standing, original, endDate: end ?? original.service.end };
}

/**
 * Where a contract ends as its amendments left it (`ratableEnd` of the replayed deal; undefined without a ratable
 * line), and whether one of them ended it early: before the latest end it was ever given (its ratable lines as
 * signed, or an amendment's Service End Date). The one rule for both sides: a renewal starts the day after `end` (an
 * early end and then a renewal is an early renewal, CPQ's way: shorten the contract, then renew it), and the KPIs
 * forecast no renewal of a contract `endedEarly` until one is won (a cancellation: the customer said it is leaving).
 */
export function contractEnding(
  deal: Pick<Deal, 'lines'>,
  contracts: readonly ReplayedDeal['contracts'][number][],
  amendments: readonly OpportunityWithItems[],
): { end?: IsoDate; endedEarly: boolean } {
  const end = ratableEnd(contracts);
  if (!end) return { endedEarly: false };
  const latest = [
    ...deal.lines.filter((l) => l.method !== 'point-in-time').map((l) => l.service.end),
    ...amendments.map((a) => a.opportunity.Service_End_Date__c).filter((d): d is IsoDate => !!d),
  ].reduce((a, b) => maxDate(a, b), end);
  return { end, endedEarly: compareDates(end, latest) < 0 };
}

/** Each amendment as a modification, in order, priced against the subscription before it, with what it leaves. */
function modificationsOf(
  input: DealPlanInput,
  deal: Deal,
  signature: boolean,
): { amendment: OpportunityWithItems; mod: Modification; lines: ContractLine[] }[] {
  const records = { entity: input.entity, corporateCurrency: input.corporateCurrency };
  const policy = ssPolicy(input);
  const closes = closesAsKnown(input.closes ?? [], input.closedThrough, input.today);
  const out: { amendment: OpportunityWithItems; mod: Modification; lines: ContractLine[] }[] = [];
  for (const { amendment, previousLineItems, previousLines, lines } of amendmentSteps(
    signedSubscription(input, deal),
    input.amendments ?? [],
    input.entity,
  )) {
    const contract = replayDeal({ deal, modifications: out.map((o) => o.mod), policy }).contracts[0];
    if (!contract) throw new Error('a replayed deal has no contract');
    const mod = modificationFromRecords({
      ...records,
      ...(input.prorationMethod ? { prorationMethod: input.prorationMethod } : {}),
      deal,
      contract,
      previousLineItems,
      previousLines,
      amending: { opportunity: amendment.opportunity, lineItems: amendment.lineItems },
    });
    // Its revenue starts no earlier than the first open day when it was signed, fixed by its CloseDate.
    const firstOpenDate = firstOpenDayAsOf(closes, amendment.opportunity.CloseDate);
    if (firstOpenDate) mod.firstOpenDate = firstOpenDate;
    if (signature && !amendment.opportunity.First_Invoice_Date__c) mod.billOn = amendment.opportunity.CloseDate;
    out.push({ amendment, mod, lines });
  }
  return out;
}

const ssPolicy = (input: DealPlanInput) =>
  input.entity.SSP_Tolerance_Percent__c === null || input.entity.SSP_Tolerance_Percent__c === undefined
    ? {}
    : { tolerancePercent: String(input.entity.SSP_Tolerance_Percent__c) };

function planOf(deal: Deal, mods: readonly Modification[], raised: readonly RaisedRecord[], input: DealPlanInput) {
  const replayed = replayDeal({ deal, modifications: mods, policy: ssPolicy(input) });
  return { replayed, plan: buildBillingPlan(dealPlanInput(deal, replayed.contracts, forPlanning(raised))) };
}

/**
 * The partial invoices as raised records, on account, each line as its Invoice_Line__c billed it. An amount on no
 * line of the deal (a line added by hand) is spread over the deal's lines in proportion to their amounts; a partial
 * whose lines are not in Salesforce yet (the mirror is written before its lines) waits for them.
 */
function partialRecords(input: DealPlanInput, deal: Deal, notes: string[]): RaisedRecord[] {
  const known = new Set(deal.lines.map((l) => l.lineKey));
  const ordered = [...(input.partials ?? [])].sort(
    (a, b) => compareDates(a.date, b.date) || a.documentId.localeCompare(b.documentId),
  );
  const out: RaisedRecord[] = [];
  for (const partial of ordered) {
    if (partial.lines.length === 0) {
      notes.push(`Partial invoice ${partial.documentId} has no lines in Salesforce yet: it is counted once it has`);
      continue;
    }
    const byLine = new Map<string, Money>();
    let elsewhere = money(0);
    for (const line of partial.lines) {
      if (line.lineKey && known.has(line.lineKey)) {
        byLine.set(line.lineKey, (byLine.get(line.lineKey) ?? money(0)).plus(money(line.amount)));
      } else elsewhere = elsewhere.plus(money(line.amount));
    }
    if (!elsewhere.eq(0)) {
      const weights = deal.lines.map((l) => money(l.amount).abs());
      const shares = sum(weights).eq(0)
        ? deal.lines.map((_, k) => (k === 0 ? elsewhere : money(0)))
        : allocate(elsewhere, weights.map(ratioOf));
      deal.lines.forEach((l, k) => byLine.set(l.lineKey, (byLine.get(l.lineKey) ?? money(0)).plus(shares[k] as Money)));
      notes.push(
        `Partial invoice ${partial.documentId} bills ${elsewhere.toFixed(2)} on lines that are not one of the deal's lines: counted over the deal's lines in proportion to their amounts`,
      );
    }
    const service = new Map(deal.lines.map((l) => [l.lineKey, l.service]));
    out.push({
      key: `partial:${partial.documentId}`,
      issueDate: partial.date,
      onAccount: true,
      lines: [...byLine]
        .filter(([, amount]) => !amount.eq(0))
        .map(([lineKey, amount]) => ({
          lineKey,
          periodKey: service.get(lineKey)?.start ?? deal.service.start,
          amount: amount.toFixed(2),
          servicePeriod: service.get(lineKey) ?? deal.service,
        })),
      kind: 'invoice',
      documentId: partial.documentId,
      state: partial.state,
      documentDate: partial.date,
    });
  }
  return out;
}

/** Whether the closing request of `opportunityId` raised its document (a raised record holds it). */
function requestRaised(input: DealPlanInput, raised: readonly RaisedRecord[], opportunityId: string): boolean {
  const documents = closingDocuments(input, opportunityId);
  return raised.some((r) => documents.some((d) => d.documentId === r.documentId));
}

/**
 * A plan billed on signature: each signer's request (the root's, then each amendment's, in order) raised the
 * instalment dated its signature. Replays the signings in order, so each instalment found raised holds exactly
 * what its signer changed, even when two are signed on one day.
 */
function signatureHistory(
  input: DealPlanInput,
  deal: Deal,
  mods: readonly { amendment: OpportunityWithItems; mod: Modification }[],
  raised: RaisedRecord[],
  until?: string,
): { newlyRaised: DealPlan['newlyRaised']; pending?: Instalment; held?: string } {
  const newlyRaised: DealPlan['newlyRaised'] = [];
  const signers = [input.root, ...mods.map((m) => m.amendment)];
  for (const [k, signer] of signers.entries()) {
    const id = signer.opportunity.Id;
    if (signer.opportunity.First_Invoice_Date__c) continue; // billed on its own date, by a dated job
    const documents = closingDocuments(input, id);
    const done = requestRaised(input, raised, id);
    // A request that has billed bills nothing more when run again: what its date still owes is a dated job's.
    if (done && id === until) return { newlyRaised };
    if (done) continue;
    const { plan } = planOf(
      deal,
      mods.slice(0, k).map((m) => m.mod),
      raised,
      input,
    );
    const instalment = plan.instalments.find((i) => i.issueDate === signingDate(signer.opportunity));
    if (id === until) {
      if (!instalment) return { newlyRaised };
      const held = heldCredits(plan, raised, input.concessions ?? [], deal.currency).get(instalment.key);
      return { newlyRaised, pending: instalment, ...(held ? { held } : {}) };
    }
    const document = documents.find((d) => d.state !== 'void') ?? documents[0];
    if (!instalment || !document) continue;
    const record: RaisedRecord = {
      ...asRaised(instalment),
      kind: instalment.kind,
      documentId: document.documentId,
      state: document.state,
      documentDate: instalment.issueDate,
    };
    raised.push(record);
    newlyRaised.push({ instalment, document });
  }
  return { newlyRaised };
}

/**
 * What the closing request of `opportunityId` bills: on a plan billed on signature, the instalment dated its
 * signature (the deal's one invoice, an amendment's change, or none when the change bills nothing); on any other
 * plan nothing (its instalments are raised on their dates). A credit note the deal cannot take back yet comes with
 * why it is held (`heldCredits`): the request sends nothing.
 */
export function billedAtClose(
  input: DealPlanInput,
  opportunityId: string,
): { signature: false } | { signature: true; instalment?: Instalment; held?: string } {
  const { deal, signature } = billingBasis(input, []);
  if (!signature) return { signature: false };
  const mods = modificationsOf(input, deal, true);
  const raised = [...(input.raised ?? []), ...partialRecords(input, deal, [])];
  const { pending, held } = signatureHistory(input, deal, mods, raised, opportunityId);
  if (!pending) return { signature: true };
  return { signature: true, instalment: pending, ...(held ? { held } : {}) };
}

/** The instalment the closing request of `opportunityId` raises on a plan billed on signature, if any. */
export function signatureInstalment(input: DealPlanInput, opportunityId: string): Instalment | undefined {
  const billed = billedAtClose(input, opportunityId);
  return billed.signature ? billed.instalment : undefined;
}

function postedEntries(raised: readonly RaisedRecord[]): PostedEntry[] {
  return raised
    .filter((r) => r.state === 'posted')
    .flatMap((r) =>
      r.lines.map((l) => ({
        lineKey: l.lineKey,
        date: r.documentDate ?? r.issueDate,
        amount: (r.kind === 'credit-note' ? money(l.amount).times(-1) : money(l.amount)).toFixed(2),
        kind: r.kind,
        ...(r.documentId ? { documentId: r.documentId } : {}),
      })),
    );
}

/** Concession credit notes: billing entries and negative revenue on the lines of the invoice they credit. */
function applyConcessions(
  input: DealPlanInput,
  raised: readonly RaisedRecord[],
  ledger: LedgerLine[],
  notes: string[],
): PostedEntry[] {
  const entries: PostedEntry[] = [];
  for (const credit of input.concessions ?? []) {
    if (credit.state !== 'posted') continue;
    const source = raised.find((r) => r.documentId === credit.invoiceId && r.kind === 'invoice');
    if (!source) {
      notes.push(
        `Credit note ${credit.documentId} credits an invoice this plan did not raise; it is not in the schedule`,
      );
      continue;
    }
    const lines = source.lines.filter((l) => !money(l.amount).eq(0));
    const shares = allocate(
      money(credit.amount),
      lines.map((l) => ratioOf(money(l.amount).abs())),
    );
    lines.forEach((line, k) => {
      const share = shares[k] as Money;
      if (share.eq(0)) return;
      const target = ledger.find((l) => l.lineKey === line.lineKey);
      if (!target) return;
      const ratable = target.revenue.find((s) => s.method !== 'point-in-time');
      const segments = creditNoteSegments({
        amount: share.toFixed(2),
        date: credit.date,
        ...(ratable && line.servicePeriod
          ? { servicePeriod: line.servicePeriod, method: ratable.method as 'daily' | 'monthly' }
          : {}),
      });
      const index = ledger.indexOf(target);
      ledger[index] = { ...target, revenue: [...target.revenue, ...segments] };
      entries.push({
        lineKey: line.lineKey,
        date: credit.date,
        amount: share.toFixed(2),
        kind: 'credit-note',
        documentId: credit.documentId,
      });
    });
  }
  return entries;
}

function monthRange(
  deal: Deal,
  ledger: readonly LedgerLine[],
  dates: readonly IsoDate[],
  existing: readonly MonthKey[],
): MonthKey[] {
  const firstDay = [deal.service.start, ...dates].reduce((a, b) => minDate(a, b));
  const lastDay = [
    deal.service.end,
    ...dates,
    ...ledger.map((l) => lastRevenueDay(l.revenue) ?? deal.service.end),
  ].reduce((a, b) => maxDate(a, b));
  let from = monthOf(firstDay);
  let to = monthOf(lastDay);
  for (const m of existing) {
    if (m < from) from = m;
    if (m > to) to = m;
  }
  return monthsBetween(from, to);
}

/** The deal's plan, revenue months and summary from its records. */
export function planDeal(input: DealPlanInput): DealPlan {
  const notes: string[] = [];
  const { deal, signature } = billingBasis(input, notes);
  const mods = modificationsOf(input, deal, signature);
  const raised: RaisedRecord[] = [...(input.raised ?? []), ...partialRecords(input, deal, notes)];
  const newlyRaised = signature ? signatureHistory(input, deal, mods, raised).newlyRaised : [];
  const { replayed, plan } = planOf(
    deal,
    mods.map((m) => m.mod),
    raised,
    input,
  );

  const requestOwned = new Map<IsoDate, string>();
  if (signature) {
    for (const signer of [input.root, ...mods.map((m) => m.amendment)]) {
      // A request that has billed is done: what its date still owes (a re-pricing: the org's proration method, a
      // pricing fix) is raised by a dated job, as a draft awaiting approval, or it would wait for nobody.
      if (signer.opportunity.First_Invoice_Date__c || requestRaised(input, raised, signer.opportunity.Id)) continue;
      const date = signingDate(signer.opportunity);
      if (plan.instalments.some((i) => i.issueDate === date)) requestOwned.set(date, signer.opportunity.Id);
    }
  }
  for (const r of raised) {
    if (r.state === 'void') {
      notes.push(
        `Instalment ${r.key} was raised but its document is void: the plan does not raise it again (raise a replacement by hand, or amend the deal)`,
      );
    }
  }
  const held = heldCredits(plan, raised, input.concessions ?? [], deal.currency);
  for (const i of plan.instalments) {
    const why = held.get(i.key);
    if (why)
      notes.push(`Instalment ${i.key}, a credit note of ${i.amount.abs().toFixed(2)} dated ${i.issueDate}: ${why}`);
  }

  const ledger = dealLedgerLines(deal, replayed.contracts);
  const concessions = applyConcessions(input, raised, ledger, notes);
  const posted = [...postedEntries(raised), ...concessions];
  const monthStart = firstDayOf(monthOf(input.today));
  const forecast: BillingEntry[] = [
    ...raised
      .filter((r) => r.state === 'unposted' && compareDates(r.documentDate ?? r.issueDate, monthStart) >= 0)
      .flatMap((r) => postedEntries([{ ...r, state: 'posted' }])),
    ...plan.instalments
      .filter((i) => compareDates(i.issueDate, monthStart) >= 0)
      .flatMap((i) =>
        i.lines.map((l) => ({
          lineKey: l.lineKey,
          date: i.issueDate,
          amount: (i.kind === 'credit-note' ? l.amount.times(-1) : l.amount).toFixed(2),
          kind: i.kind,
        })),
      ),
  ];
  const dates = [...posted, ...forecast].map((e) => e.date);
  const months = monthRange(deal, ledger, dates, input.existingMonths ?? []);
  const current = monthOf(input.today);
  const rows = contractMonths(ledger, [...posted, ...forecast], months).map((row): PlanMonth => ({
    ...row,
    status:
      input.closedThrough && row.month <= input.closedThrough ? 'Closed' : row.month < current ? 'Actual' : 'Forecast',
  }));

  const positions = contractPositionsAt(ledger, posted, input.today);
  const live = raised.filter((r) => r.state !== 'void');
  const invoiced = sum(live.flatMap((r) => r.lines.map((l) => money(l.amount))));
  const next = plan.instalments[0];
  const recognised = sum(ledger.map((l) => recognisedThrough(l.revenue, input.today)));
  const lastDay = ledger.map((l) => lastRevenueDay(l.revenue) ?? deal.service.end).reduce((a, b) => maxDate(a, b));
  const ended = compareDates(input.today, lastDay) >= 0;
  const summary: PlanSummary = {
    contractValue: plan.contractValue,
    invoiced,
    remaining: plan.contractValue.minus(invoiced),
    ...(next ? { next: { date: next.issueDate, amount: next.amount, kind: next.kind } } : {}),
    recognised,
    deferred: sum([...positions.values()].map((p) => p.deferred)),
    unbilled: sum([...positions.values()].map((p) => p.unbilled)),
    asOf: input.today,
    // Nothing raised and nothing to raise (a deal worth nothing, or cancelled before its first instalment):
    // Completed, so it is not re-planned every day waiting for an instalment that never comes.
    status: raised.length === 0 ? (next ? 'Planned' : 'Completed') : !next && ended ? 'Completed' : 'Active',
  };
  if (raised.length === 0 && !next)
    notes.push(`Nothing to bill: the deal is worth ${plan.contractValue.toFixed(2)} ${deal.currency}`);
  return {
    deal,
    signature,
    replayed,
    plan,
    raised,
    newlyRaised,
    requestOwned,
    held,
    months: rows,
    summary,
    notes,
    ledger,
    posted,
  };
}

/**
 * The invoice a credit-note instalment credits: the latest posted invoice that billed one of its (line, period)
 * pieces, else the plan's latest posted invoice (one that is not held has one: `heldCredits`). Its Xero allocation
 * goes there while it has an amount due.
 */
export function creditedInvoiceOf(plan: DealPlan, instalment: Instalment): string | undefined {
  const invoices = plan.raised
    .filter((r) => r.kind === 'invoice' && r.state === 'posted' && r.documentId)
    .sort((a, b) => compareDates(b.issueDate, a.issueDate));
  const pieces = new Set(instalment.lines.map((l) => `${l.lineKey}|${l.periodKey}`));
  const billedPiece = invoices.find((r) => r.lines.some((l) => pieces.has(`${l.lineKey}|${l.periodKey}`)));
  return (billedPiece ?? invoices[0])?.documentId;
}
