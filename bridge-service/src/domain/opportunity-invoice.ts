/**
 * A closed-won Opportunity (with its products, Account and billing entity) as the source lines and document
 * fields invoice-mapping's mapDocument turns into a Xero DRAFT: the invoice date, currency, contact reference,
 * "PO … · name" Reference and service period come from the Opportunity. An Opportunity that amends or renews
 * another is never billed in full: its deal's plan (deal-plan.ts) prices it, and it goes out as that plan's
 * instalment ({@link mapInstalmentDocument}).
 */
import { formatDisplayDate, type IsoDate } from './dates';
import { DomainError } from './errors';
import { fromApiNumber, money, toWire } from './money';
import type { BillingEntity } from './billing-entity';
import { instalmentSourceLines, type Instalment } from './billing-plan';
import { toEighteenCharId } from './contact';
import type { LineMapping } from './line-mapping';
import { opportunityCurrency, type AccountRow, type OpportunityLineItemRow, type OpportunityRow } from './records';
import {
  mapDocument,
  MAX_REFERENCE,
  type DocumentInput,
  type InvoiceType,
  type ServicePeriod,
  type SourceLine,
  type TenantTaxRate,
  type TrackingSelection,
  type XeroDraftDocument,
} from './invoice-mapping';
import type { Decimal } from './xero-invoice-math';

export interface OpportunityInvoiceInput {
  opportunity: OpportunityRow;
  lineItems: readonly OpportunityLineItemRow[];
  account: Pick<AccountRow, 'Id' | 'Name'>;
  entity: BillingEntity;
  /** The Xero ContactID when the bridge already knows it for this tenant; else the contact is referenced by ContactNumber. */
  contactId?: string;
  taxRates: readonly TenantTaxRate[];
  /** The org's corporate currency, used when the org is single-currency (no CurrencyIsoCode). */
  corporateCurrency: string;
  /** Today in the entity's time zone, as YYYY-MM-DD; never read from the clock here. */
  today: IsoDate;
  invoiceDate?: 'closeDate' | 'today';
  currencyRate?: Decimal;
  tracking?: readonly TrackingSelection[];
  /** Each line's checked mapping (line-mapping.ts), by OpportunityLineItem Id; lines without one use the defaults. */
  lineMappings?: ReadonlyMap<string, LineMapping>;
  unitDp?: 2 | 4;
}

/** The Opportunity's service period, if both dates are set. */
export function opportunityServicePeriod(
  opportunity: Pick<OpportunityRow, 'Service_Start_Date__c' | 'Service_End_Date__c'>,
): ServicePeriod | undefined {
  const start = opportunity.Service_Start_Date__c;
  const end = opportunity.Service_End_Date__c;
  return start && end ? { start, end } : undefined;
}

/** Xero Reference for an Opportunity: "PO 4711 · Acme renewal 2027" or just the name. */
export function invoiceReference(opportunity: Pick<OpportunityRow, 'Name' | 'PO_Number__c'>): string {
  const po = opportunity.PO_Number__c?.trim();
  return (po ? `PO ${po} · ${opportunity.Name.trim()}` : opportunity.Name.trim()).slice(0, MAX_REFERENCE);
}

/**
 * An OpportunityLineItem as a source line; `period` is the Opportunity's service period, if any. With a `mapping`
 * (line-mapping.ts: product, then entity, checked against the tenant) the line posts where it says, item included;
 * without one the entity defaults apply and the ProductCode is sent as the item code. Its TotalPrice is the line's
 * price (as Amount shows it): a line priced by its Total Price, whose Sales Price Salesforce rounded, is billed at
 * its total, as Quantity 1 × it (invoice-mapping.ts), not at Quantity × the rounded Sales Price.
 */
export function sourceLineFromLineItem(
  item: OpportunityLineItemRow,
  period?: ServicePeriod,
  mapping?: LineMapping,
): SourceLine {
  const line: SourceLine = {
    description: item.Description?.trim() || item.Product2?.Name || 'Product',
    quantity: fromApiNumber(item.Quantity, 'Quantity'),
    unitPrice: fromApiNumber(item.UnitPrice, 'UnitPrice'),
  };
  if (item.Discount !== undefined && item.Discount !== null)
    line.discountPercent = fromApiNumber(item.Discount, 'Discount');
  if (mapping) {
    line.accountCode = mapping.accountCode;
    line.taxType = mapping.taxType;
    line.tracking = mapping.tracking;
    if (mapping.itemCode) line.itemCode = mapping.itemCode;
  } else if (item.Product2?.ProductCode?.trim()) line.itemCode = item.Product2.ProductCode.trim();
  if (item.TotalPrice !== undefined && item.TotalPrice !== null)
    line.expectedTotal = fromApiNumber(item.TotalPrice, 'TotalPrice');
  if (period) line.servicePeriod = period;
  // ServiceDate is only a hint (finance.md §3.1): shown when the Opportunity has no service period.
  else if (item.ServiceDate) line.description += `\nService from ${formatDisplayDate(item.ServiceDate)}`;
  return line;
}

function invoiceTypeOf(value: string | null | undefined): InvoiceType {
  return value === 'Renewal' || value === 'Amendment' ? value : 'New';
}

/** The document fields every Opportunity-based document shares. */
function opportunityDocument(input: OpportunityInvoiceInput): Omit<DocumentInput, 'type' | 'lines' | 'invoiceType'> {
  const { opportunity } = input;
  return {
    entity: input.entity,
    contact: input.contactId ? { contactId: input.contactId } : { contactNumber: toEighteenCharId(input.account.Id) },
    currencyCode: opportunityCurrency(opportunity, input.corporateCurrency),
    date: (input.invoiceDate ?? 'closeDate') === 'today' ? input.today : opportunity.CloseDate,
    reference: invoiceReference(opportunity),
    taxRates: input.taxRates,
    ...(input.currencyRate === undefined ? {} : { currencyRate: input.currencyRate }),
    ...(input.tracking ? { tracking: input.tracking } : {}),
    ...(input.unitDp ? { unitDp: input.unitDp } : {}),
  };
}

/**
 * A closed-won Opportunity as a Xero DRAFT ACCREC invoice. Throws a DomainError listing every problem.
 * An Opportunity that amends or renews another (Amended_Opportunity__c) is refused here, so it can never be
 * billed in full by mistake: its deal plan bills it ({@link mapInstalmentDocument}).
 */
export function mapOpportunityToInvoice(input: OpportunityInvoiceInput): XeroDraftDocument {
  const { opportunity } = input;
  if (opportunity.Amended_Opportunity__c) {
    throw new DomainError(
      'INVALID_INPUT',
      `${opportunity.Name} amends or renews opportunity ${opportunity.Amended_Opportunity__c}: it is billed by its deal's plan, not in full`,
    );
  }
  const servicePeriod = opportunityServicePeriod(opportunity);
  const document = mapDocument({
    ...opportunityDocument(input),
    type: 'ACCREC',
    lines: input.lineItems.map((item) => sourceLineFromLineItem(item, servicePeriod, input.lineMappings?.get(item.Id))),
    invoiceType: invoiceTypeOf(opportunity.Invoice_Type__c),
    ...(servicePeriod ? { servicePeriod } : {}),
  });
  if (opportunity.Amount !== undefined && opportunity.Amount !== null && input.lineItems.length > 0) {
    const amount = fromApiNumber(opportunity.Amount, 'Amount');
    const net = document.lineAmountTypes === 'Inclusive' ? money(document.total) : money(document.subTotal);
    if (!amount.eq(net)) {
      document.warnings.push(
        `Opportunity amount ${toWire(amount)} differs from the invoice's net amount ${toWire(net)} ${document.currencyCode}`,
      );
    }
  }
  return document;
}

export interface InstalmentDocumentInput extends Omit<OpportunityInvoiceInput, 'lineItems' | 'today' | 'invoiceDate'> {
  /** The billing plan's instalment (billing-plan.ts): dated its issue date, one line per contract line. */
  instalment: Pick<Instalment, 'kind' | 'issueDate' | 'lines' | 'servicePeriod' | 'sequence'>;
  invoiceType?: InvoiceType;
}

/**
 * A line with its mapping (line-mapping.ts) applied. Where lines are mapped, an item code comes only from a mapping
 * (the product's Xero item code): a line without one posts to the entity's defaults, sending no product code Xero
 * would refuse as an unknown item.
 */
function withLineMapping(line: SourceLine, mapping: LineMapping | undefined): SourceLine {
  const { itemCode: _unmapped, ...rest } = line;
  if (!mapping) return rest;
  return {
    ...rest,
    accountCode: mapping.accountCode,
    taxType: mapping.taxType,
    tracking: mapping.tracking,
    ...(mapping.itemCode ? { itemCode: mapping.itemCode } : {}),
  };
}

/**
 * A billing-plan instalment as the Xero DRAFT it becomes: an invoice, or a credit note for a negative one, dated
 * its issue date (due after the entity's payment terms), each contract line as Quantity 1 × its amount with its
 * service period, the Reference naming the instalment ("PO 4711 · Acme 2025-2027 · instalment 2").
 */
export function mapInstalmentDocument(input: InstalmentDocumentInput): XeroDraftDocument {
  const { instalment } = input;
  const base = opportunityDocument({ ...input, lineItems: [], today: instalment.issueDate, invoiceDate: 'today' });
  return mapDocument({
    ...base,
    reference: `${base.reference} · instalment ${instalment.sequence}`.slice(0, MAX_REFERENCE),
    type: instalment.kind === 'credit-note' ? 'ACCRECCREDIT' : 'ACCREC',
    lines: instalmentSourceLines(instalment).map((line, index) =>
      input.lineMappings ? withLineMapping(line, input.lineMappings.get(instalment.lines[index]!.lineKey)) : line,
    ),
    invoiceType: input.invoiceType ?? invoiceTypeOf(input.opportunity.Invoice_Type__c),
    servicePeriod: instalment.servicePeriod,
  });
}
