/**
 * The reads behind billing plans (issue 15). Every one is queued on a Composite batch (QueryBatch), so a batch of
 * deals is loaded in one or two calls whatever it holds: the deals with their amendments and renewals, their
 * product schedules, their plans (instalments and which months are closed), their invoices and credit notes, and when
 * each entity's months were closed (its posted closes).
 */
import { IDS_PER_BATCHED_QUERY, soqlIdList, soqlStringList, type QueryBatch } from './queries';
import type { SalesforceNames } from './schema';
import {
  lineItemSchedule,
  opportunityBillingTerms,
  opportunityDeal,
  opportunityForPlanning,
  planCreditNote,
  planInvoice,
  planKey,
  planRecord,
  postedClose,
} from './selections';
import type { Selection } from './soql';
import type { SObjectSchema } from './sobject';

export function createRevenueQueries(deps: { names: SalesforceNames; multiCurrency: boolean }) {
  const { names } = deps;
  const forPlanning = opportunityForPlanning(deps.multiCurrency);

  /** One query per 1,000 keys, queued on `via`; rows parsed through the selection once the batch has run. */
  function queued<S extends SObjectSchema, R>(
    selection: Selection<S, R>,
    keys: readonly string[],
    build: (list: string) => string,
    via: QueryBatch,
    quote: (keys: readonly string[]) => string = soqlIdList,
  ): Promise<R[]> {
    if (keys.length === 0) return Promise.resolve([]);
    const soql: string[] = [];
    for (let i = 0; i < keys.length; i += IDS_PER_BATCHED_QUERY)
      soql.push(build(quote(keys.slice(i, i + IDS_PER_BATCHED_QUERY))));
    return Promise.all(soql.map((q) => via.query(q))).then((pages) =>
      pages.flat().map((record) => selection.parse(names, record)),
    );
  }

  const amendedPath = names.api('Opportunity__r.Amended_Opportunity__c');
  const creditedDealPath = names.api('Invoice__r.Opportunity__c');
  const creditedAmendmentPath = names.api('Invoice__r.Opportunity__r.Amended_Opportunity__c');

  return {
    /** Which deal each Opportunity belongs to. */
    dealsOf(opportunityIds: readonly string[], via: QueryBatch) {
      return queued(
        opportunityDeal,
        opportunityIds,
        (ids) => opportunityDeal.soql(names, { where: (q) => `${q.field('Id')} IN (${ids})` }),
        via,
      );
    },

    /** These Opportunities and every Opportunity that amends or renews one of them, with Account and products. */
    opportunitiesOfDeals(opportunityIds: readonly string[], via: QueryBatch) {
      return queued(
        forPlanning,
        opportunityIds,
        (ids) =>
          forPlanning.soql(names, {
            where: (q) => `${q.field('Id')} IN (${ids}) OR ${q.field('Amended_Opportunity__c')} IN (${ids})`,
          }),
        via,
      );
    },

    /** OpportunityLineItemSchedule rows of these Opportunities' lines. */
    schedules(opportunityIds: readonly string[], via: QueryBatch) {
      return queued(
        lineItemSchedule,
        opportunityIds,
        (ids) =>
          lineItemSchedule.soql(names, {
            where: (q) => `${q.path('OpportunityLineItem', 'OpportunityId')} IN (${ids})`,
            orderBy: ['ScheduleDate'],
          }),
        via,
      );
    },

    /** The plans keyed by these deals, with their instalments and their months' keys and statuses. */
    plans(dealIds: readonly string[], via: QueryBatch) {
      return queued(
        planRecord,
        dealIds,
        (keys) => planRecord.soql(names, { where: (q) => `${q.field('Plan_Key__c')} IN (${keys})` }),
        via,
        soqlStringList,
      );
    },

    /** Invoices of these deals and of the Opportunities that amend them. */
    invoices(dealIds: readonly string[], via: QueryBatch) {
      return queued(
        planInvoice,
        dealIds,
        (ids) =>
          planInvoice.soql(names, {
            where: (q) => `${q.field('Opportunity__c')} IN (${ids}) OR ${amendedPath} IN (${ids})`,
          }),
        via,
      );
    },

    /** Credit notes on those invoices. */
    creditNotes(dealIds: readonly string[], via: QueryBatch) {
      return queued(
        planCreditNote,
        dealIds,
        (ids) =>
          planCreditNote.soql(names, {
            where: () => `${creditedDealPath} IN (${ids}) OR ${creditedAmendmentPath} IN (${ids})`,
          }),
        via,
      );
    },

    /** Every posted month-end close (a few a month per org): when each entity's months were closed. */
    postedCloses(via: QueryBatch) {
      return via
        .query(
          postedClose.soql(names, {
            where: (q) => `${q.field('Posted_At__c')} != null`,
            orderBy: ['Period_Start__c'],
          }),
        )
        .then((rows) => rows.map((row) => postedClose.parse(names, row)));
    },

    /** CREATE_DRAFT: the billing terms of the deals a batch closes, and whether any line follows a schedule. */
    billingTerms(opportunityIds: readonly string[], via: QueryBatch) {
      return queued(
        opportunityBillingTerms,
        opportunityIds,
        (ids) => opportunityBillingTerms.soql(names, { where: (q) => `${q.field('Id')} IN (${ids})` }),
        via,
      );
    },

    /** The plans that still have something to raise or to recognise: their deal and billing entity. */
    activePlans(via: QueryBatch) {
      return via
        .query(planKey.soql(names, { where: (q) => `${q.field('Status__c')} IN ('Planned', 'Active')` }))
        .then((rows) => rows.map((row) => planKey.parse(names, row)));
    },
  };
}

export type RevenueQueries = ReturnType<typeof createRevenueQueries>;
