/**
 * A batch of deals read from Salesforce as their billing plans are made from them: the deal's Opportunity, its won
 * amendments (or, for a renewal, the deal it renews and that deal's amendments), its product schedules, its plan's
 * instalments and months, the invoices and credit notes raised for it, and the entity's posted closes. Two Composite
 * calls for any number of deals, a third when one is a renewal, and one more for each renewal further back a renewal
 * of a renewal needs (up to MAX_RENEWAL_CHAIN); what comes back is checked by the domain's schemas and shaped as
 * deal-plan.ts reads it.
 */
import { z } from 'zod';
import { entityTimeZone, routeOpportunity, type BillingEntity } from '../../domain/billing-entity';
import type { PostedClose } from '../../domain/closed-months';
import { isIsoDate } from '../../domain/dates';
import {
  planLineItemSchema,
  planOpportunitySchema,
  renewsNamedSubscription,
  type ConcessionCredit,
  type DealPlanInput,
  type DocumentState,
  type OpportunityWithItems,
  type PartialInvoice,
  type RaisedRecord,
  type RenewedDeal,
  type SignedDocument,
} from '../../domain/deal-plan';
import { fromApiNumber } from '../../domain/money';
import { accountRowSchema, opportunityRowSchema } from '../../domain/records';
import { lineItemScheduleRowSchema } from '../../domain/revenue-records';
import { dateInZone } from '../../domain/zoned-time';
import type { RevenueQueries } from '../../salesforce/revenue-queries';
import type {
  InstalmentRecord,
  OpportunityForPlanning,
  PlanCreditNote,
  PlanInvoice,
  PlanRecord,
  PostedCloseRow,
} from '../../salesforce/selections';
import { childRecords } from '../../salesforce/soql';
import type { Writeback } from '../../salesforce/writeback';
import { createYielder } from '../../lib/yielder';
import { describeError } from '../describe-error';
import type { ReferenceData } from '../services/reference-data';

export interface LoadedDeal {
  dealId: string;
  /** The deal's Opportunity with its Account and products. */
  row: OpportunityForPlanning;
  entity: BillingEntity;
  /** What deal-plan.ts plans from (all but today). */
  input: Omit<DealPlanInput, 'today'>;
  plan: PlanRecord | undefined;
  /** The plan's instalment records, by key. */
  instalments: ReadonlyMap<string, InstalmentRecord>;
  /** Planned instalments whose document exists (a raise cut short before its record was updated): now Raised. */
  recovered: ReadonlyMap<string, string>;
}

export interface LoadedDeals {
  deals: Map<string, LoadedDeal>;
  /** Each Opportunity asked for → its deal. */
  dealOf: Map<string, string>;
  /** Deals that cannot be planned as they stand, with the reason in words. */
  problems: Map<string, { row: OpportunityForPlanning | undefined; message: string }>;
}

export interface DealLoaderDeps {
  writeback: Pick<Writeback, 'composite'>;
  revenueQueries: Pick<
    RevenueQueries,
    'dealsOf' | 'opportunitiesOfDeals' | 'schedules' | 'plans' | 'invoices' | 'creditNotes' | 'postedCloses'
  >;
  reference: Pick<ReferenceData, 'billingEntities'>;
  corporateCurrency: string;
  /** How amendments are priced for the rest of the term (PRORATION_METHOD, the org profile's prorationMethod). */
  prorationMethod: 'daily' | 'monthly-daily';
}

const POSTED_INVOICE = new Set(['Authorised', 'Partially Paid', 'Paid']);
const POSTED_CREDIT_NOTE = new Set(['Authorised', 'Paid']);
const VOID = new Set(['Voided', 'Deleted']);

const stateOf = (status: string | null, posted: ReadonlySet<string>): DocumentState =>
  status && VOID.has(status) ? 'void' : status && posted.has(status) ? 'posted' : 'unposted';

/** Lines__c of an instalment, as written by plan-writer.ts (each contract line's piece of it). */
const linesSchema = z.array(
  z.object({
    lineKey: z.string().min(1),
    periodKey: z.string().refine(isIsoDate),
    amount: z.string().regex(/^-?\d+(\.\d+)?$/),
    servicePeriod: z.object({ start: z.string().refine(isIsoDate), end: z.string().refine(isIsoDate) }).optional(),
  }),
);

const CREATE_DRAFT_KEY = /^CREATE_DRAFT:([a-zA-Z0-9]{15,18}):/;
/** A partial or milestone invoice a rep asked for (golive/partial-invoice.ts): the deal's, billed on account. */
const CREATE_PARTIAL_KEY = /^CREATE_PARTIAL:([a-zA-Z0-9]{15,18}):/;

function withItems(row: OpportunityForPlanning): OpportunityWithItems {
  return {
    opportunity: planOpportunitySchema.parse(row),
    lineItems: childRecords(row.OpportunityLineItems).map((item) => planLineItemSchema.parse(item)),
  };
}

/** How many renewals back the loader follows a renewal of a renewal, each one more Composite call. */
export const MAX_RENEWAL_CHAIN = 10;

const isRenewal = (row: OpportunityForPlanning) => row.Invoice_Type__c === 'Renewal' && !!row.Amended_Opportunity__c;

/**
 * The deals a renewal renews, nearest first: the one it names, then, while the renewal and each deal so far renew the
 * subscription they name (deal-plan.ts `renewsNamedSubscription`: no line items of their own, or an uplift rule), the
 * one that deal renews, back to the deal whose lines they renew. Stops at the first deal whose amendments are not
 * read yet (`unread`), or with a problem in words: one not found, more than MAX_RENEWAL_CHAIN, or a chain that leads
 * back to itself.
 */
function renewalChainOf(
  row: OpportunityForPlanning | undefined,
  rows: ReadonlyMap<string, OpportunityForPlanning>,
  read: ReadonlySet<string>,
): { chain: OpportunityForPlanning[]; unread?: string; problem?: string } {
  const chain: OpportunityForPlanning[] = [];
  if (!row || !isRenewal(row)) return { chain };
  const followsBack = renewsNamedSubscription(withItems(row));
  let current = row;
  while (isRenewal(current) && (chain.length === 0 || (followsBack && renewsNamedSubscription(withItems(current))))) {
    const id = current.Amended_Opportunity__c!;
    if (chain.length === MAX_RENEWAL_CHAIN) {
      return {
        chain,
        problem: `${row.Name} renews a renewal of a renewal more than ${MAX_RENEWAL_CHAIN} deep before the deal whose line items they renew: give one of them line items of its own (the subscription as it stands) and no uplift rule, so it is priced by them`,
      };
    }
    if (!read.has(id)) return { chain, unread: id };
    const renewed = rows.get(id);
    if (!renewed) return { chain, problem: `${current.Name} renews ${id}, which was not found` };
    if (renewed.Id === row.Id || chain.includes(renewed)) {
      return {
        chain,
        problem: `${[row, ...chain].map((r) => r.Name).join(' renews ')}, which renews ${renewed.Name} again: one of them names the wrong Opportunity`,
      };
    }
    chain.push(renewed);
    current = renewed;
  }
  return { chain };
}

/** The deal each Opportunity belongs to: an amendment's is the one it amends; a renewal is a deal of its own. */
export function dealIdOf(row: { Id: string; Amended_Opportunity__c: string | null; Invoice_Type__c: string | null }) {
  return row.Amended_Opportunity__c && row.Invoice_Type__c !== 'Renewal' ? row.Amended_Opportunity__c : row.Id;
}

export async function loadDeals(deps: DealLoaderDeps, opportunityIds: readonly string[]): Promise<LoadedDeals> {
  const q = deps.revenueQueries;
  const first = deps.writeback.composite();
  const owners = q.dealsOf([...new Set(opportunityIds)], first);
  // When each entity's months were closed: read with the owners, as the second batch is full (5 queries a call).
  const closes = q.postedCloses(first);
  await first.run();
  const dealOf = new Map((await owners).map((row) => [row.Id, dealIdOf(row)]));
  const dealIds = [...new Set(dealOf.values())];
  const result: LoadedDeals = { deals: new Map(), dealOf, problems: new Map() };
  if (dealIds.length === 0) return result;

  const reads = deps.writeback.composite();
  const opportunities = q.opportunitiesOfDeals(dealIds, reads);
  const schedules = q.schedules(dealIds, reads);
  const plans = q.plans(dealIds, reads);
  const invoices = q.invoices(dealIds, reads);
  const creditNotes = q.creditNotes(dealIds, reads);
  await reads.run();
  const rows = new Map((await opportunities).map((row) => [row.Id, row]));
  // Renewals renew the subscription of the deal they name: read that deal and its amendments too, and for a renewal
  // of a renewal the deal that one renews, a level per call.
  const read = new Set(dealIds);
  for (let level = 0; level < MAX_RENEWAL_CHAIN; level++) {
    const unread = [...new Set(dealIds.flatMap((id) => renewalChainOf(rows.get(id), rows, read).unread ?? []))];
    if (unread.length === 0) break;
    const more = deps.writeback.composite();
    const renewed = q.opportunitiesOfDeals(unread, more);
    await more.run();
    for (const id of unread) read.add(id);
    for (const row of await renewed) if (!rows.has(row.Id)) rows.set(row.Id, row);
  }
  const entities = await deps.reference.billingEntities();
  const planByKey = new Map((await plans).map((plan) => [plan.Plan_Key__c ?? '', plan]));
  const allInvoices = await invoices;
  const allCreditNotes = await creditNotes;
  const allSchedules = await schedules;
  const allCloses = await closes;

  const yielder = createYielder();
  for (const dealId of dealIds) {
    await yielder.pause();
    const row = rows.get(dealId);
    try {
      if (!row) throw new Error(`Opportunity ${dealId} was not found`);
      result.deals.set(
        dealId,
        assemble(deps, {
          dealId,
          row,
          rows,
          read,
          entities,
          plan: planByKey.get(dealId),
          allInvoices,
          allCreditNotes,
          allSchedules,
          allCloses,
        }),
      );
    } catch (err) {
      result.problems.set(dealId, { row, message: describeError(err) });
    }
  }
  return result;
}

interface AssembleInput {
  dealId: string;
  row: OpportunityForPlanning;
  rows: ReadonlyMap<string, OpportunityForPlanning>;
  /** The deals whose amendments were read. */
  read: ReadonlySet<string>;
  entities: readonly BillingEntity[];
  plan: PlanRecord | undefined;
  allInvoices: readonly PlanInvoice[];
  allCreditNotes: readonly PlanCreditNote[];
  allSchedules: readonly unknown[];
  allCloses: readonly PostedCloseRow[];
}

/** The entity's posted closes, each dated the day it was posted in the entity's time zone. */
function postedClosesOf(entity: BillingEntity, rows: readonly PostedCloseRow[]): PostedClose[] {
  const zone = entityTimeZone(entity);
  return rows
    .filter((r) => r.Billing_Entity__c === entity.developerName && r.Period_Start__c && r.Posted_At__c)
    .map((r) => ({
      month: r.Period_Start__c!.slice(0, 7),
      postedOn: dateInZone(Date.parse(r.Posted_At__c!), zone),
    }));
}

/** The deal's won amendments (not its renewals), in any order: the domain orders them (deal-plan.ts). */
function amendmentsOf(dealId: string, rows: ReadonlyMap<string, OpportunityForPlanning>): OpportunityForPlanning[] {
  return [...rows.values()].filter(
    (r) => r.Amended_Opportunity__c === dealId && r.Invoice_Type__c !== 'Renewal' && r.IsWon === true,
  );
}

function assemble(deps: DealLoaderDeps, a: AssembleInput): LoadedDeal {
  const { dealId, row, rows } = a;
  const opportunity = opportunityRowSchema.parse(row);
  const account = accountRowSchema.parse(row.Account);
  const { entity } = routeOpportunity(a.entities, opportunity, account, deps.corporateCurrency);
  const amendments = amendmentsOf(dealId, rows);
  const dealOpportunities = new Set([dealId, ...amendments.map((r) => r.Id)]);

  // The deals it renews, each with its amendments: the domain renews the subscription as they left it.
  const renewals = renewalChainOf(row, rows, a.read);
  if (renewals.problem) throw new Error(renewals.problem);
  if (renewals.unread) throw new Error(`${row.Name} renews ${renewals.unread}, which was not read`);
  const renewalOf = renewals.chain.reduceRight<RenewedDeal | undefined>(
    (further, renewed) => ({
      ...withItems(renewed),
      amendments: amendmentsOf(renewed.Id, rows).map(withItems),
      ...(further ? { renewalOf: further } : {}),
    }),
    undefined,
  );

  const lineIds = new Set(childRecords(row.OpportunityLineItems).map((l) => l.Id));
  const schedules = a.allSchedules
    .map((s) => lineItemScheduleRowSchema.parse(s))
    .filter((s) => lineIds.has(s.OpportunityLineItemId));

  const instalments = new Map(childRecords(a.plan?.Instalments__r).map((i) => [i.Instalment_Key__c ?? '', i]));
  const invoices = a.allInvoices.filter((inv) => inv.Opportunity__c && dealOpportunities.has(inv.Opportunity__c));
  const invoiceIds = new Set(invoices.map((inv) => inv.Id));
  const creditNotes = a.allCreditNotes.filter((cn) => cn.Invoice__c && invoiceIds.has(cn.Invoice__c));
  const invoiceState = new Map(invoices.map((inv) => [inv.Id, stateOf(inv.Status__c, POSTED_INVOICE)]));
  const creditState = new Map(creditNotes.map((cn) => [cn.Id, stateOf(cn.Status__c, POSTED_CREDIT_NOTE)]));
  const invoiceDate = new Map(invoices.map((inv) => [inv.Id, inv.Issue_Date__c]));
  const creditDate = new Map(creditNotes.map((cn) => [cn.Id, cn.Issue_Date__c]));

  // A document keyed by an instalment's key is that instalment's, whatever its record says yet.
  const byRequestKey = new Map<string, string>();
  for (const inv of invoices)
    if (inv.Request_Key__c && inv.Xero_Invoice_Id__c) byRequestKey.set(inv.Request_Key__c, inv.Id);
  for (const cn of creditNotes) if (cn.Request_Key__c) byRequestKey.set(cn.Request_Key__c, cn.Id);
  const recovered = new Map<string, string>();
  const raised: RaisedRecord[] = [];
  for (const [key, record] of instalments) {
    const documentId =
      record.Status__c === 'Raised' ? (record.Invoice__c ?? record.Credit_Note__c ?? undefined) : byRequestKey.get(key);
    if (record.Status__c !== 'Raised' && !documentId) continue;
    if (record.Status__c !== 'Raised' && documentId) recovered.set(key, documentId);
    const kind = record.Document_Type__c === 'Credit Note' ? 'credit-note' : 'invoice';
    const state = documentId
      ? ((kind === 'invoice' ? invoiceState : creditState).get(documentId) ?? 'unposted')
      : 'unposted';
    const date = documentId ? (kind === 'invoice' ? invoiceDate : creditDate).get(documentId) : undefined;
    raised.push({
      key,
      issueDate: record.Issue_Date__c ?? '',
      lines: linesSchema.parse(JSON.parse(record.Lines__c ?? '[]')),
      kind,
      ...(documentId ? { documentId } : {}),
      state,
      documentDate: date ?? record.Issue_Date__c,
    });
  }
  const instalmentDocuments = new Set(raised.map((r) => r.documentId));

  // Every closing request's document, those the plan already recorded too: whether a request has billed
  // (deal-plan.ts requestRaised) must not change once its instalment is written.
  const signed: SignedDocument[] = [];
  for (const inv of invoices) {
    const opp = CREATE_DRAFT_KEY.exec(inv.Request_Key__c ?? '')?.[1];
    if (opp && dealOpportunities.has(opp) && inv.Xero_Invoice_Id__c) {
      signed.push({ opportunityId: opp, kind: 'invoice', documentId: inv.Id, state: invoiceState.get(inv.Id)! });
    }
  }
  for (const cn of a.allCreditNotes) {
    const opp = CREATE_DRAFT_KEY.exec(cn.Request_Key__c ?? '')?.[1];
    if (opp && dealOpportunities.has(opp)) {
      signed.push({
        opportunityId: opp,
        kind: 'credit-note',
        documentId: cn.Id,
        state: stateOf(cn.Status__c, POSTED_CREDIT_NOTE),
      });
    }
  }
  // Partial invoices that reached Xero and are not voided or deleted, each line as its mirror holds it.
  const partials: PartialInvoice[] = [];
  for (const inv of invoices) {
    const opp = CREATE_PARTIAL_KEY.exec(inv.Request_Key__c ?? '')?.[1];
    const state = invoiceState.get(inv.Id)!;
    if (!opp || !dealOpportunities.has(opp) || !inv.Xero_Invoice_Id__c || instalmentDocuments.has(inv.Id)) continue;
    if (state === 'void' || !inv.Issue_Date__c) continue;
    partials.push({
      documentId: inv.Id,
      date: inv.Issue_Date__c,
      state,
      lines: childRecords(inv.Invoice_Lines__r).map((line) => ({
        lineKey: line.Opportunity_Line_Item_Id__c ?? null,
        amount: fromApiNumber(line.Line_Amount__c ?? 0, 'Line_Amount__c').toFixed(2),
      })),
    });
  }
  const signedIds = new Set(signed.map((d) => d.documentId));
  const concessions: ConcessionCredit[] = creditNotes
    .filter((cn) => !instalmentDocuments.has(cn.Id) && !signedIds.has(cn.Id) && cn.Invoice__c)
    .map((cn) => ({
      documentId: cn.Id,
      invoiceId: cn.Invoice__c!,
      date: cn.Issue_Date__c ?? '',
      amount: String(cn.Sub_Total__c ?? 0),
      state: cn.Issue_Date__c ? creditState.get(cn.Id)! : 'unposted',
    }));

  const months = childRecords(a.plan?.Revenue_Months__r);
  const monthOfKey = (key: string | null) => (key ?? '').slice(-7);
  const closed = months
    .filter((m) => m.Status__c === 'Closed')
    .map((m) => monthOfKey(m.Month_Key__c))
    .sort();
  const root = withItems(row);
  const input: Omit<DealPlanInput, 'today'> = {
    root,
    amendments: amendments.map(withItems),
    ...(renewalOf ? { renewalOf } : {}),
    schedules,
    entity: { developerName: entity.developerName, ...entity.billing },
    corporateCurrency: deps.corporateCurrency,
    prorationMethod: deps.prorationMethod,
    raised,
    signed,
    concessions,
    ...(partials.length > 0 ? { partials } : {}),
    ...(closed.length > 0 ? { closedThrough: closed.at(-1)! } : {}),
    closes: postedClosesOf(entity, a.allCloses),
    existingMonths: [...new Set(months.map((m) => monthOfKey(m.Month_Key__c)))],
  };
  return { dealId, row, entity, input, plan: a.plan, instalments, recovered };
}
