/**
 * Salesforce records → a deal and its modifications (contract-history.ts), so the bridge and the tests read them
 * one way.
 *
 * Decisions (see README.md in this folder):
 * - A line's price is its TotalPrice for the deal's service period (the Opportunity's Service Start/End Date, else
 *   CloseDate and 12 months), as Opportunity.Amount shows it. Amendments are priced per that term (amendment.ts
 *   with `termMonths` = the contract's whole months), so a 3-year deal at 1,080.00 a seat costs 360.00 a seat-year,
 *   prorated over the part of the term a change covers by the org's method (Day by default, or Monthly + Daily).
 *   Contract lines carry the TotalPrice (`ratableContractLines`), so amendments, renewals and MRR value a line as
 *   Amount does: 300 seats priced by their Total Price of 10,000.00 (Sales Price 33.33) are 10,000.00, not 9,999.00.
 * - An amending Opportunity lists the full subscription after the change (CPQ's convention, as wave 1): its
 *   ratable lines are compared with the previous subscription by product and priced co-termed from its Service
 *   Start Date (else CloseDate). Its point-in-time lines that were not there before are new one-off items; those
 *   already there are left alone (delivered items are not re-priced).
 * - The amending Opportunity's First Invoice Date, if set, is when billing of the change starts; else its effective date.
 * - A renewing Opportunity without line items renews the original's ratable lines for a term as long as the original's,
 *   from the day after the contract ends as its amendments left it (an extension moves it), at the uplift its rule
 *   gives, as a new deal with its own plan (the renewal's billing settings).
 * - An amending or renewing Opportunity priced from the contract's lines must be in the contract's currency
 *   (INVALID_AMENDMENT otherwise): the plan is in the contract's currency, its documents in the Opportunity's, and no
 *   rate between them is agreed. A renewal priced by its own line items is a deal in its own currency.
 */
import { addDays, addMonths, compareDates, maxDate, minDate, type IsoDate } from './dates';
import { DomainError } from './errors';
import { fromApiNumber, money, round, sum } from './money';
import { lessDiscount } from './xero-invoice-math';
import { wholeMonthsAndDays, type ProrationMethod } from './proration';
import {
  amendedSubscription,
  amendmentDifference,
  renewalTerm,
  type AmendmentChange,
  type ContractLine,
} from './amendment';
import { lineChangesFromAmendment, type LineChange, type Modification } from './modification';
import {
  deliveryDateOf,
  productScheduleOf,
  recognitionMethodFor,
  resolveBillingTerms,
  upliftRuleOf,
  type EntityBillingRow,
  type LineItemScheduleRow,
  type OpportunityBillingRow,
  type ProductBillingRow,
} from './revenue-records';
import type { DealLine, RevenueContract } from './allocation';
import type { Deal } from './contract-history';
import type { ServicePeriod } from './invoice-mapping';
import type { OpportunityLineItemRow, OpportunityRow } from './records';

export type LineItemRecord = Omit<OpportunityLineItemRow, 'Product2'> & {
  Product2?: ({ Name: string; ProductCode?: string | null } & ProductBillingRow) | null;
};

export type OpportunityRecord = Pick<
  OpportunityRow,
  'Id' | 'CloseDate' | 'CurrencyIsoCode' | 'Service_Start_Date__c' | 'Service_End_Date__c'
> &
  Partial<Pick<OpportunityRow, 'Name'>> &
  OpportunityBillingRow;

export interface DealRecords {
  opportunity: OpportunityRecord;
  lineItems: readonly LineItemRecord[];
  /** OpportunityLineItemSchedule rows of these line items, if the org uses product schedules. */
  schedules?: readonly LineItemScheduleRow[];
  entity: { developerName: string } & EntityBillingRow;
  corporateCurrency: string;
}

/** The Opportunity's currency: its CurrencyIsoCode in a multi-currency org, else the org's corporate currency. */
const currencyOf = (opportunity: OpportunityRecord, corporateCurrency: string) =>
  (opportunity.CurrencyIsoCode ?? corporateCurrency).toUpperCase();

const nameOf = (opportunity: OpportunityRecord) => opportunity.Name?.trim() || opportunity.Id;

/** The service period: the Opportunity's dates, else CloseDate and 12 months. */
export function dealServicePeriod(opportunity: OpportunityRecord): ServicePeriod {
  const start = opportunity.Service_Start_Date__c ?? opportunity.CloseDate;
  return { start, end: opportunity.Service_End_Date__c ?? addDays(addMonths(start, 12), -1) };
}

const productKeyOf = (item: LineItemRecord) => item.Product2?.ProductCode?.trim() || item.Product2?.Name || item.Id;
const descriptionOf = (item: LineItemRecord) => item.Description?.trim() || item.Product2?.Name || 'Product';

function lineTotal(item: LineItemRecord) {
  if (item.TotalPrice !== null && item.TotalPrice !== undefined) return fromApiNumber(item.TotalPrice, 'TotalPrice');
  const discount = item.Discount === null || item.Discount === undefined ? undefined : String(item.Discount);
  const unit = lessDiscount(String(item.UnitPrice), discount);
  return round(fromApiNumber(item.Quantity, 'Quantity').times(unit));
}

/** The deal as signed: lines with their price, recognition, SSP, own terms and product schedule. */
export function dealFromRecords(records: DealRecords): Deal {
  const { opportunity, entity } = records;
  const service = dealServicePeriod(opportunity);
  const currency = currencyOf(opportunity, records.corporateCurrency);
  const lines = records.lineItems.map((item): DealLine => {
    const product = item.Product2 ?? null;
    const method = recognitionMethodFor(product, entity);
    const line: DealLine = {
      lineKey: item.Id,
      productKey: productKeyOf(item),
      description: descriptionOf(item),
      quantity: fromApiNumber(item.Quantity, 'Quantity').toString(),
      amount: lineTotal(item).toFixed(2),
      service,
      method,
    };
    if (method === 'point-in-time') line.deliveryDate = deliveryDateOf(item.ServiceDate, service.start);
    if (product?.ProductCode?.trim()) line.itemCode = product.ProductCode.trim();
    const ssp = product?.Standalone_Selling_Price__c;
    if (ssp !== null && ssp !== undefined) line.ssp = { amount: String(ssp), currency: records.corporateCurrency };
    const own = resolveBillingTerms({ product, opportunity, entity });
    if (own.source.frequency === 'product' || own.source.timing === 'product') line.billingTerms = own.terms;
    const schedule = (records.schedules ?? []).filter((s) => s.OpportunityLineItemId === item.Id);
    if (schedule.length > 0) line.productSchedule = productScheduleOf(schedule);
    return line;
  });
  const deal: Deal = {
    dealId: opportunity.Id,
    currency,
    entity: entity.developerName,
    service,
    terms: resolveBillingTerms({ opportunity, entity }).terms,
    lines,
  };
  if (opportunity.First_Invoice_Date__c) deal.firstInvoiceDate = opportunity.First_Invoice_Date__c;
  return deal;
}

/** The contract's term in whole months (amendments are priced per it). */
export function termMonthsOf(service: ServicePeriod): number {
  const { months, days } = wholeMonthsAndDays(service.start, service.end);
  if (days !== 0 || months === 0) {
    throw new DomainError(
      'INVALID_AMENDMENT',
      `The contract runs ${service.start} to ${service.end}, not a whole number of months, so an amendment cannot be priced per its term`,
    );
  }
  return months;
}

/**
 * The ratable (subscription) lines of these line items as contract lines, each priced by its TotalPrice (the
 * deal's price, as `dealFromRecords` and the plan carry it); one-off items are left out.
 */
export const ratableContractLines = (items: readonly LineItemRecord[], entity: EntityBillingRow): ContractLine[] =>
  items
    .filter((item) => recognitionMethodFor(item.Product2, entity) !== 'point-in-time')
    .map((item) => {
      const line: ContractLine = {
        productKey: productKeyOf(item),
        description: descriptionOf(item),
        quantity: fromApiNumber(item.Quantity, 'Quantity'),
        unitPrice: fromApiNumber(item.UnitPrice, 'UnitPrice'),
        totalPrice: lineTotal(item),
      };
      if (item.Discount !== null && item.Discount !== undefined) line.discountPercent = money(String(item.Discount));
      return line;
    });

export interface AmendmentRecords {
  deal: Deal;
  /** The contract as it stands (contract-history.ts replayDeal), holding the lines this amendment changes. */
  contract: RevenueContract;
  /** The subscription before: the original Opportunity's line items, or the last amending Opportunity's. */
  previousLineItems: readonly LineItemRecord[];
  /**
   * Its ratable lines as the previous amendment left them (`subscriptionAfter`), when there was one: a seat change
   * keeps the contract's exact unit price, so they may differ from those line items' TotalPrice (6,666.67 left of
   * 10,000.00, where the amending line says 200 × 33.33 = 6,666.00). Default: `ratableContractLines` of them.
   */
  previousLines?: readonly ContractLine[];
  amending: { opportunity: OpportunityRecord; lineItems: readonly LineItemRecord[] };
  entity: { developerName: string } & EntityBillingRow;
  corporateCurrency: string;
  /**
   * How the change is priced for the part of the term it covers (CPQ's Subscription Prorate Precision, proration.ts):
   * `daily` (Day, the default) or `monthly-daily` (Monthly + Daily), the org's PRORATION_METHOD.
   */
  prorationMethod?: ProrationMethod;
}

/**
 * The last day a ratable line of these contracts still serves, if any: where the contract ends as its amendments left
 * it (an extension moves it later, an early end earlier). What an amendment co-terms to, where a renewal starts from,
 * and the end the KPIs renew.
 */
export function ratableEnd(contracts: readonly RevenueContract[]): IsoDate | undefined {
  return contracts
    .flatMap((contract) => contract.lines)
    .filter((line) => line.method !== 'point-in-time')
    .map((line) => line.service.end)
    .reduce<IsoDate | undefined>((latest, end) => (latest ? maxDate(latest, end) : end), undefined);
}

/**
 * An amending Opportunity as a modification: its changes priced by amendment.ts, keyed to the contract's lines.
 * A Service End Date other than the contract's end extends the term (the subscription after the change, priced
 * per term, for the added days) or ends it early (the subscription before the change taken off from the day after
 * the new end); each part is billed over the days it pays for.
 */
export function modificationFromRecords(records: AmendmentRecords): Modification {
  const { deal, contract, entity, amending } = records;
  // Its lines are priced as they stand and added to the contract's plan, invoiced in the contract's currency: a
  // change quoted in another currency would be billed at the wrong price (no rate is applied, none is agreed).
  const currency = currencyOf(amending.opportunity, records.corporateCurrency);
  if (currency !== deal.currency) {
    throw new DomainError(
      'INVALID_AMENDMENT',
      `${nameOf(amending.opportunity)} is in ${currency}, the contract it amends is in ${deal.currency}: amend it in ${deal.currency} (the plan and its invoices are in ${deal.currency})`,
    );
  }
  const effectiveDate: IsoDate = amending.opportunity.Service_Start_Date__c ?? amending.opportunity.CloseDate;
  const termMonths = termMonthsOf(deal.service);
  const currentEnd = ratableEnd([contract]) ?? deal.service.end;
  const asked = amending.opportunity.Service_End_Date__c;
  const newEnd = asked && asked !== currentEnd ? asked : undefined;
  if (newEnd && compareDates(newEnd, addDays(effectiveDate, -1)) < 0) {
    throw new DomainError(
      'INVALID_AMENDMENT',
      `${amending.opportunity.Id} ends the contract on ${newEnd}, before it takes effect (${effectiveDate})`,
    );
  }
  const before = records.previousLines ?? ratableContractLines(records.previousLineItems, entity);
  const after = ratableContractLines(amending.lineItems, entity);
  const price = (start: IsoDate, end: IsoDate, was: readonly ContractLine[], now: ContractLine[], from: IsoDate) =>
    amendmentDifference({
      contract: { startDate: start, endDate: end, lines: was },
      amendmentStartDate: from,
      lines: now,
      proration: { termMonths, method: records.prorationMethod ?? 'daily' },
    }).changes;
  // The parts of the change, each with the days it pays for: co-termed to the (new) end, the added days of an
  // extension, the days an early end takes away. Only the co-termed part changes quantities.
  const parts: { changes: AmendmentChange[]; start: IsoDate; end: IsoDate }[] = [];
  const coTermEnd = newEnd ? minDate(newEnd, currentEnd) : currentEnd;
  const coTermStart = maxDate(effectiveDate, deal.service.start);
  if (compareDates(coTermStart, coTermEnd) <= 0) {
    parts.push({
      changes: price(deal.service.start, coTermEnd, before, after, effectiveDate),
      start: coTermStart,
      end: coTermEnd,
    });
  }
  if (newEnd && compareDates(newEnd, currentEnd) > 0) {
    const from = maxDate(effectiveDate, addDays(currentEnd, 1));
    const added = price(addDays(currentEnd, 1), newEnd, [], after, from);
    parts.push({ changes: added.map((c) => ({ ...c, quantity: money('0') })), start: from, end: newEnd });
  }
  if (newEnd && compareDates(newEnd, currentEnd) < 0) {
    const from = maxDate(effectiveDate, addDays(newEnd, 1));
    const removed = price(addDays(newEnd, 1), currentEnd, before, [], from);
    parts.push({ changes: removed.map((c) => ({ ...c, quantity: money('0') })), start: from, end: currentEnd });
  }
  const priced = parts.flatMap((part) => part.changes);
  const byProduct = new Map(amending.lineItems.map((item) => [productKeyOf(item), item]));
  const asNewLine = (item: LineItemRecord): Omit<LineChange, 'quantityDelta' | 'amountDelta'> => {
    const product = item.Product2 ?? null;
    const method = recognitionMethodFor(product, entity);
    const change: Omit<LineChange, 'quantityDelta' | 'amountDelta'> = {
      lineKey: item.Id,
      productKey: productKeyOf(item),
      description: descriptionOf(item),
      method,
    };
    if (product?.ProductCode?.trim()) change.itemCode = product.ProductCode.trim();
    if (method === 'point-in-time') change.deliveryDate = deliveryDateOf(item.ServiceDate, effectiveDate);
    const ssp = product?.Standalone_Selling_Price__c;
    if (ssp !== null && ssp !== undefined) change.ssp = { amount: String(ssp), currency: records.corporateCurrency };
    return change;
  };
  const changes = lineChangesFromAmendment(priced, contract, (productKey) => {
    const item = byProduct.get(productKey);
    if (!item)
      throw new DomainError('INVALID_AMENDMENT', `The amendment adds ${productKey} but has no line item for it`);
    return asNewLine(item);
  });
  if (newEnd) {
    // Each part billed over its own days (an extension's money in the added periods, not spread over the term).
    for (const change of changes) {
      const productKey =
        change.productKey ?? contract.lines.find((line) => line.lineKey === change.lineKey)?.productKey;
      change.billing = parts
        .map((part) => ({
          amount: sum(part.changes.filter((c) => c.productKey === productKey).map((c) => c.amount)).toFixed(2),
          start: part.start,
          end: part.end,
        }))
        .filter((part) => !money(part.amount).eq(0));
    }
  }
  const beforeKeys = new Set(records.previousLineItems.map(productKeyOf));
  for (const item of amending.lineItems) {
    if (recognitionMethodFor(item.Product2, entity) !== 'point-in-time' || beforeKeys.has(productKeyOf(item))) continue;
    changes.push({
      ...asNewLine(item),
      quantityDelta: fromApiNumber(item.Quantity).toString(),
      amountDelta: lineTotal(item).toFixed(2),
    });
  }
  const mod: Modification = { key: amending.opportunity.Id, effectiveDate, changes };
  if (newEnd) mod.newEndDate = newEnd;
  if (amending.opportunity.First_Invoice_Date__c) mod.billFrom = amending.opportunity.First_Invoice_Date__c;
  return mod;
}

/**
 * The ratable subscription after an amending Opportunity, valued as modificationFromRecords priced it (amendment.ts
 * `amendedSubscription`): the next amendment's `previousLines`.
 */
export function subscriptionAfter(
  records: Pick<AmendmentRecords, 'previousLineItems' | 'previousLines' | 'amending' | 'entity'>,
): ContractLine[] {
  const before = records.previousLines ?? ratableContractLines(records.previousLineItems, records.entity);
  return amendedSubscription(before, ratableContractLines(records.amending.lineItems, records.entity));
}

export interface RenewalRecords {
  /** The deal being renewed (its lines, term and terms). */
  original: Deal;
  /** The line items of the subscription as it stands (the last amendment's, else the original's). */
  originalLineItems: readonly LineItemRecord[];
  /**
   * Their ratable lines valued as the amendments left them (deal-plan.ts `amendmentSteps`): 6,666.67 left of
   * 300 seats for 10,000.00, not the amending line's 6,666.00. Default: `ratableContractLines` of the line items.
   */
  subscription?: readonly ContractLine[];
  /**
   * The last day of the contract as its amendments left it (`ratableEnd` of the replayed deal): an extension to
   * 2027-03-31 of a deal to 2026-12-31 renews from 2027-04-01. Default: the original's Service End Date.
   */
  endDate?: IsoDate;
  /** The renewing Opportunity (Invoice_Type__c Renewal): its uplift rule and billing settings. */
  renewal: OpportunityRecord;
  entity: { developerName: string } & EntityBillingRow;
  corporateCurrency: string;
}

/**
 * A renewing Opportunity without line items as a new deal: the original's ratable lines for the next term (same
 * length, from the day after the contract's end as its amendments left it), at the uplifted price (amendment.ts
 * renewalTerm), on the renewal's own billing settings and plan.
 */
export function renewalDealFromRecords(records: RenewalRecords): Deal {
  const { original, renewal, entity } = records;
  // The renewed lines are the contract's prices: they hold only in the contract's currency (the renewal's documents
  // are in the renewing Opportunity's). A renewal quoted in another currency prices itself, by its own line items.
  const currency = currencyOf(renewal, records.corporateCurrency);
  if (currency !== original.currency) {
    throw new DomainError(
      'INVALID_AMENDMENT',
      `${nameOf(renewal)} is in ${currency}, the contract it renews is in ${original.currency}: renew in ${original.currency}, or renew with its own line items in ${currency} (and no uplift rule)`,
    );
  }
  const items = records.originalLineItems.filter(
    (item) => recognitionMethodFor(item.Product2, entity) !== 'point-in-time',
  );
  const termMonths = termMonthsOf(original.service);
  const renewed = renewalTerm({
    contract: {
      startDate: original.service.start,
      endDate: records.endDate ?? original.service.end,
      lines: records.subscription ?? ratableContractLines(items, entity),
    },
    uplift: upliftRuleOf(renewal),
    defaultTermMonths: termMonths,
  });
  const byProduct = new Map(items.map((item) => [productKeyOf(item), item]));
  // A renewal of a renewal has no line items naming what it renews: the renewed deal's line carries the SSP instead.
  const renewedLines = new Map(
    original.lines.filter((line) => line.method !== 'point-in-time').map((line) => [line.productKey, line]),
  );
  const lines = renewed.lines.map((line): DealLine => {
    const item = byProduct.get(line.productKey);
    const before = item ? undefined : renewedLines.get(line.productKey);
    const renewedLine: DealLine = {
      lineKey: `${renewal.Id}:${item?.Id ?? line.productKey}`,
      productKey: line.productKey,
      description: line.description,
      baseDescription: line.baseDescription,
      quantity: money(line.quantity).toString(),
      amount: line.expectedTotal.toFixed(2),
      service: renewed.servicePeriod,
      method: recognitionMethodFor(item?.Product2, entity),
    };
    if (line.itemCode) renewedLine.itemCode = line.itemCode;
    const ssp = item?.Product2?.Standalone_Selling_Price__c;
    if (ssp !== null && ssp !== undefined)
      renewedLine.ssp = { amount: String(ssp), currency: records.corporateCurrency };
    else if (before?.ssp) renewedLine.ssp = before.ssp;
    return renewedLine;
  });
  const deal: Deal = {
    dealId: renewal.Id,
    currency: original.currency,
    entity: entity.developerName,
    service: renewed.servicePeriod,
    terms: resolveBillingTerms({ opportunity: renewal, entity }).terms,
    lines,
  };
  if (renewal.First_Invoice_Date__c) deal.firstInvoiceDate = renewal.First_Invoice_Date__c;
  return deal;
}
