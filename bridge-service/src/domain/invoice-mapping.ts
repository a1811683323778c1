/**
 * Opportunity + products + Account + billing entity → a Xero draft invoice (or credit note) model, with the
 * Xero-exact totals from xero-invoice-math so the Salesforce draft shows what Xero will.
 *
 * The model is plain TypeScript, independent of xero-node: amounts are decimal strings in Xero's precision
 * (quantity ≤ 4 dp, unit amount ≤ `unitDp`, amounts 2 dp) that the xero/ layer passes on unchanged.
 *
 * Decisions (see README.md in this folder):
 * - Invoice date = Opportunity.CloseDate by default (`invoiceDate: 'today'` to use the date passed in);
 *   DueDate = invoice date + the entity's payment-terms days.
 * - Currency = Opportunity.CurrencyIsoCode, or the org's corporate currency in a single-currency org; it must be
 *   one the entity invoices in. CurrencyRate only when the caller has a policy rate (else Xero's day rate),
 *   never 1 on a foreign document (xero-invoice-math).
 * - Every line uses the entity's account code and tax type unless the source line names its own (line-mapping.ts
 *   resolves line → product → entity and checks codes, tracking and items against the tenant); the tax type must be
 *   an ACTIVE rate in the tenant (rates passed in from GET /TaxRates). NoTax documents need no rate.
 * - Tracking: the line's own (from line-mapping.ts), else the document's; at most two per line (Xero).
 * - A unit price beyond 4 dp (prorated amendments) is sent as Quantity 1 × the line total (finance.md §6.5).
 * - A line's price is its total (`expectedTotal`: Salesforce's TotalPrice, as Opportunity.Amount shows it). When
 *   Quantity × unit price (less discount), rounded once, does not come to it (a line priced by its Total Price, whose
 *   Sales Price Salesforce rounded: 300 for 10,000.00 is 33.33, and 300 × 33.33 is 9,999.00), the line is sent as
 *   Quantity 1 × that total, its quantity and price in the description, the same way (§6.5), and a warning says so:
 *   Xero's LineAmount, and so the invoice, is the deal's price to the cent, tax per line on it. A line whose total
 *   agrees goes as Quantity × unit price.
 * - Quantities must be positive: an invoice never carries negative quantities; reductions go on credit notes.
 *   Negative unit prices (discount products) are allowed; a negative document total is refused.
 * - Credit notes take no line discounts in Xero: a discounted line carries its net unit price (finance.md §1.1).
 * - The service period (Opportunity Service_Start/End, else the line's ServiceDate hint) is written into each
 *   line description and returned for Invoice__c. Reference = "PO … · Opportunity name" (≤ 255 chars).
 * - An Opportunity that amends or renews another is never billed in full (opportunity-invoice.ts refuses it): its
 *   deal plan (deal-plan.ts) prices the difference (or the renewal term) and bills it as an instalment.
 */
import Big from 'big.js';

import { assertIsoDate, addDays, compareDates, formatDisplayDate, type IsoDate } from './dates';
import { DomainError, throwIfProblems } from './errors';
import { decimalPlaces, fromApiNumber, money, round, toWire, type Money } from './money';
import { invoiceCurrencies, type BillingEntity } from './billing-entity';
import { activeTaxRate } from './line-mapping';
import {
  baseCurrencyTotals,
  documentTotals,
  fitUnitAmount,
  lessDiscount,
  normaliseCurrencyRate,
  type Decimal,
  type FittedLine,
  type LineAmountType,
  type XeroMathLine,
} from './xero-invoice-math';

export type XeroDocumentType = 'ACCREC' | 'ACCRECCREDIT';
export type InvoiceType = 'New' | 'Renewal' | 'Amendment';

/** A tax rate of the tenant, from GET /TaxRates. */
export interface TenantTaxRate {
  taxType: string;
  /** EffectiveRate, percent. */
  effectiveRate: number | string;
  status?: string;
  name?: string;
}

export interface TrackingSelection {
  name: string;
  option: string;
}

/** How the contact is referenced on the document: by ContactID when known, else by ContactNumber (the Account Id). */
export type ContactReference = { contactId: string } | { contactNumber: string };

export interface ServicePeriod {
  start: IsoDate;
  end: IsoDate;
}

/** One line before Xero precision is applied: from an OpportunityLineItem, an amendment or a renewal. */
export interface SourceLine {
  description: string;
  quantity: Decimal;
  unitPrice: Decimal;
  /** Percent off. */
  discountPercent?: Decimal;
  itemCode?: string;
  accountCode?: string;
  taxType?: string;
  /** The line's tracking (≤ 2); when absent the document's tracking applies. */
  tracking?: readonly TrackingSelection[];
  servicePeriod?: ServicePeriod;
  /**
   * The line's price (Salesforce's TotalPrice; a partial's share): Xero's LineAmount is made to equal it. When
   * Quantity × unit price (less discount), rounded to 2 dp, is not it, the line goes as Quantity 1 × this total.
   */
  expectedTotal?: Decimal;
}

export interface DocumentInput {
  type: XeroDocumentType;
  entity: BillingEntity;
  contact: ContactReference;
  currencyCode: string;
  date: IsoDate;
  reference: string;
  lines: readonly SourceLine[];
  taxRates: readonly TenantTaxRate[];
  /** Document currency units per 1 base-currency unit (finance.md §6.1). Omit to let Xero use its day rate. */
  currencyRate?: Decimal;
  tracking?: readonly TrackingSelection[];
  servicePeriod?: ServicePeriod;
  invoiceType?: InvoiceType;
  /** 4 unless the xero/ layer calls without `unitdp=4`. */
  unitDp?: 2 | 4;
  /** The entity's unless the document's amounts are gross (a credit note for an amount finance typed). */
  lineAmountTypes?: LineAmountType;
}

export interface XeroDraftLine {
  description: string;
  quantity: string;
  unitAmount: string;
  discountRate?: string;
  accountCode: string;
  taxType: string;
  itemCode?: string;
  tracking: TrackingSelection[];
  /** What Xero will compute, 2 dp. */
  lineAmount: string;
  taxAmount: string;
}

export interface XeroDraftDocument {
  type: XeroDocumentType;
  status: 'DRAFT';
  tenantId: string;
  billingEntity: string;
  contact: ContactReference;
  date: IsoDate;
  /** Invoices only. */
  dueDate?: IsoDate;
  lineAmountTypes: LineAmountType;
  currencyCode: string;
  currencyRate?: string;
  reference: string;
  brandingThemeId?: string;
  invoiceType: InvoiceType;
  servicePeriod?: ServicePeriod;
  lineItems: XeroDraftLine[];
  subTotal: string;
  totalTax: string;
  total: string;
  /** Totals in the tenant's base currency, when a CurrencyRate is sent. */
  base?: { currencyRate: string; subTotal: string; totalTax: string; total: string };
  /** Things a person should look at that do not stop the draft (e.g. Salesforce and Xero totals differ). */
  warnings: string[];
}

const HUNDRED = new Big(100);
const MAX_DESCRIPTION = 4000;
export const MAX_REFERENCE = 255;

const decimalString = (value: Money) => toWire(value, Math.min(decimalPlaces(value), 4));

function describe(line: SourceLine, detail?: string): string {
  const parts = [line.description.trim()];
  if (line.servicePeriod) {
    parts.push(
      `Service period ${formatDisplayDate(line.servicePeriod.start)} to ${formatDisplayDate(line.servicePeriod.end)}`,
    );
  }
  if (detail) parts.push(`(${detail})`);
  return parts
    .filter((part) => part !== '')
    .join('\n')
    .slice(0, MAX_DESCRIPTION);
}

/** Maps source lines to a Xero draft document, validating everything Xero or finance would reject. */
export function mapDocument(input: DocumentInput): XeroDraftDocument {
  const { entity } = input;
  const problems: string[] = [];
  const warnings: string[] = [];
  const currencyCode = input.currencyCode.toUpperCase();
  const lineAmountTypes = input.lineAmountTypes ?? entity.lineAmountType;
  const unitDp = input.unitDp ?? 4;
  const documentName = input.type === 'ACCREC' ? 'invoice' : 'credit note';
  const label = (index: number, line: SourceLine) =>
    `line ${index + 1} (${line.description.trim().split('\n')[0] || 'no description'})`;

  if (input.lines.length === 0)
    problems.push(`there are no lines to ${input.type === 'ACCREC' ? 'invoice' : 'credit'}`);
  const currencies = invoiceCurrencies(entity);
  if (!currencies.includes(currencyCode)) {
    problems.push(
      `${entity.developerName} does not invoice in ${currencyCode} (it invoices in ${currencies.join(', ')})`,
    );
  }
  if ((input.tracking?.length ?? 0) > 2) problems.push('Xero allows at most two tracking categories per line');
  if (input.servicePeriod && compareDates(input.servicePeriod.end, input.servicePeriod.start) < 0) {
    problems.push(
      `the service period ends (${input.servicePeriod.end}) before it starts (${input.servicePeriod.start})`,
    );
  }

  const rateFor = (taxType: string): Money | undefined => {
    if (lineAmountTypes === 'NoTax') return new Big(0);
    const rate = activeTaxRate(input.taxRates, taxType);
    return rate ? fromApiNumber(rate.effectiveRate, `tax rate ${taxType}`) : undefined;
  };
  const missingTaxTypes = new Set<string>();

  const drafts: {
    line: Omit<XeroDraftLine, 'lineAmount' | 'taxAmount'>;
    math: XeroMathLine;
    expected?: Money;
    label: string;
  }[] = [];
  input.lines.forEach((line, index) => {
    const quantity = money(line.quantity);
    const discount = line.discountPercent === undefined ? undefined : money(line.discountPercent);
    if (quantity.lte(0)) {
      problems.push(
        `${label(index, line)}: quantity ${quantity.toString()} must be positive; reduce a sale with a credit note`,
      );
      return;
    }
    if (discount && (discount.lt(0) || discount.gt(HUNDRED))) {
      problems.push(`${label(index, line)}: discount ${discount.toString()}% must be between 0 and 100`);
      return;
    }
    if (line.servicePeriod && compareDates(line.servicePeriod.end, line.servicePeriod.start) < 0) {
      problems.push(`${label(index, line)}: the service period ends before it starts`);
    }
    const tracking = line.tracking ?? input.tracking ?? [];
    if (line.tracking && line.tracking.length > 2) {
      problems.push(`${label(index, line)}: Xero allows at most two tracking categories per line`);
    }
    const taxType = line.taxType ?? entity.taxType;
    const taxRate = rateFor(taxType);
    if (!taxRate) {
      missingTaxTypes.add(taxType);
      return;
    }
    const pricedAt = line.expectedTotal === undefined ? undefined : money(line.expectedTotal);
    const fromUnitPrice = round(lessDiscount(quantity.times(money(line.unitPrice)), discount));
    let fitted: FittedLine;
    if (pricedAt && !pricedAt.eq(fromUnitPrice)) {
      // Priced by its total, not its (rounded) unit price: bill the total, as 1 × it (finance.md §6.5).
      const total = round(pricedAt);
      const priced = `${quantity.toString()} × ${money(line.unitPrice).toString()}${
        discount && !discount.eq(0) ? ` less ${discount.toString()}%` : ''
      }`;
      fitted = {
        quantity: new Big(1),
        unitAmount: total,
        collapsed: true,
        detail: `${priced}, total price ${toWire(total)}`,
      };
      warnings.push(
        `${label(index, line)}: its Total Price ${toWire(total)} is not ${priced} (${toWire(fromUnitPrice)}); sent to Xero as 1 × ${toWire(total)}, the quantity and price in its description`,
      );
    } else if (input.type === 'ACCRECCREDIT' && discount && !discount.eq(0)) {
      // Credit notes take no discounts in Xero: carry the net unit price instead.
      fitted = fitUnitAmount(quantity, lessDiscount(line.unitPrice, discount), undefined, unitDp);
    } else fitted = fitUnitAmount(quantity, line.unitPrice, discount, unitDp);
    const draft: Omit<XeroDraftLine, 'lineAmount' | 'taxAmount'> = {
      description: describe(line, fitted.detail),
      quantity: decimalString(fitted.quantity),
      unitAmount: toWire(fitted.unitAmount, Math.max(2, Math.min(decimalPlaces(fitted.unitAmount), unitDp))),
      accountCode: line.accountCode ?? entity.accountCode,
      taxType,
      tracking: tracking.map((t) => ({ name: t.name, option: t.option })),
    };
    if (fitted.discountRate) draft.discountRate = decimalString(fitted.discountRate);
    if (line.itemCode?.trim()) draft.itemCode = line.itemCode.trim();
    const math: XeroMathLine = { quantity: fitted.quantity, unitAmount: fitted.unitAmount, taxRate };
    if (fitted.discountRate) math.discountRate = fitted.discountRate;
    drafts.push({
      line: draft,
      math,
      label: label(index, line),
      ...(line.expectedTotal === undefined ? {} : { expected: money(line.expectedTotal) }),
    });
  });
  for (const taxType of missingTaxTypes) {
    problems.push(`tax type ${taxType} is not an active tax rate in ${entity.developerName}'s Xero organisation`);
  }
  throwIfProblems('INVALID_INVOICE', `Cannot create the Xero ${documentName}`, problems);

  const totals = documentTotals(
    drafts.map((d) => d.math),
    { lineAmountTypes, unitDp },
  );
  if (totals.total.lt(0)) {
    throw new DomainError(
      'INVALID_INVOICE',
      `Cannot create the Xero ${documentName}: its total ${toWire(totals.total)} ${currencyCode} is negative`,
    );
  }
  const lineItems = drafts.map((d, i): XeroDraftLine => {
    const computed = totals.lines[i];
    const lineAmount = computed ? computed.lineAmount : new Big(0);
    if (d.expected && !d.expected.eq(lineAmount)) {
      warnings.push(
        `${d.label}: Salesforce total ${toWire(d.expected)} differs from Xero's line amount ${toWire(lineAmount)}`,
      );
    }
    return { ...d.line, lineAmount: toWire(lineAmount), taxAmount: toWire(computed ? computed.taxAmount : new Big(0)) };
  });

  const date = assertIsoDate(input.date, 'invoice date');
  const document: XeroDraftDocument = {
    type: input.type,
    status: 'DRAFT',
    tenantId: entity.xeroTenantId,
    billingEntity: entity.developerName,
    contact: input.contact,
    date,
    lineAmountTypes,
    currencyCode,
    reference: input.reference.trim().slice(0, MAX_REFERENCE),
    invoiceType: input.invoiceType ?? 'New',
    lineItems,
    subTotal: toWire(totals.subTotal),
    totalTax: toWire(totals.totalTax),
    total: toWire(totals.total),
    warnings,
  };
  if (input.type === 'ACCREC') document.dueDate = addDays(date, entity.paymentTermsDays);
  if (entity.brandingThemeId) document.brandingThemeId = entity.brandingThemeId;
  if (input.servicePeriod) document.servicePeriod = input.servicePeriod;
  const rate = normaliseCurrencyRate(currencyCode, entity.baseCurrency, input.currencyRate);
  if (rate) {
    const base = baseCurrencyTotals(totals, rate);
    document.currencyRate = toWire(rate, 6);
    document.base = {
      currencyRate: toWire(rate, 6),
      subTotal: toWire(base.subTotal),
      totalTax: toWire(base.totalTax),
      total: toWire(base.total),
    };
  }
  return document;
}
