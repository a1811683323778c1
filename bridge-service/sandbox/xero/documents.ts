import Big from 'big.js';
import type { LineAmountTypes, LineResult } from './arithmetic';
import { computeLine, computeTotals } from './arithmetic';
import { resolveContactForDocument } from './contacts';
import type { DocumentInput, LineItemInput } from './inputs';
import { documentInput, zodMessage } from './inputs';
import { findItem, withItemDefaults } from './items';
import { ledgerLockRefusal } from './lock-dates';
import type { DocStatus, StoredDocument, StoredLine, Tenant, TrackingRef, XeroStore } from './store';
import { outstanding } from './store';
import { parseDay } from './wire';

export type DocKind = 'invoice' | 'creditnote';

export type ElementResult = { ok: true; id: string; warnings: string[] } | { ok: false; errors: string[] };

export interface WriteContext {
  /** PUT creates only; POST creates or updates. */
  mode: 'create' | 'upsert';
  unitdp: 2 | 4;
  /** Id or number from the path of `POST /Invoices/{id}`. */
  pathId?: string;
}

const TYPES: Record<DocKind, readonly string[]> = {
  invoice: ['ACCREC', 'ACCPAY'],
  creditnote: ['ACCRECCREDIT', 'ACCPAYCREDIT'],
};
const LINE_AMOUNT_TYPES: readonly LineAmountTypes[] = ['Exclusive', 'Inclusive', 'NoTax'];
const CREATE_STATUSES: readonly DocStatus[] = ['DRAFT', 'SUBMITTED', 'AUTHORISED'];

/** Status changes a caller may request (PAID is only ever set by payments and allocations). */
const TRANSITIONS: Record<DocStatus, readonly DocStatus[]> = {
  DRAFT: ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'DELETED'],
  SUBMITTED: ['SUBMITTED', 'DRAFT', 'AUTHORISED', 'DELETED'],
  AUTHORISED: ['AUTHORISED', 'VOIDED'],
  PAID: ['PAID'],
  VOIDED: ['VOIDED'],
  DELETED: ['DELETED'],
};

function label(kind: DocKind): string {
  return kind === 'invoice' ? 'Invoice' : 'Credit Note';
}

export function documents(tenant: Tenant, kind: DocKind): Map<string, StoredDocument> {
  return kind === 'invoice' ? tenant.invoices : tenant.creditNotes;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Finds a document by id, or by number (GET /Invoices/{id} also accepts a number). */
export function findDocument(tenant: Tenant, kind: DocKind, idOrNumber: string): StoredDocument | undefined {
  const map = documents(tenant, kind);
  if (GUID.test(idOrNumber)) return map.get(idOrNumber.toLowerCase()) ?? map.get(idOrNumber);
  for (const doc of map.values()) if (doc.number === idOrNumber) return doc;
  return undefined;
}

function nextNumber(tenant: Tenant, kind: DocKind): string {
  const prefix = kind === 'invoice' ? 'INV-' : 'CN-';
  const taken = new Set([...documents(tenant, kind).values()].map((doc) => doc.number));
  for (;;) {
    const n = kind === 'invoice' ? tenant.nextInvoiceNumber++ : tenant.nextCreditNoteNumber++;
    const candidate = `${prefix}${String(n).padStart(4, '0')}`;
    if (!taken.has(candidate)) return candidate;
  }
}

interface BuiltLines {
  lines: StoredLine[];
  results: LineResult[];
}

/**
 * The stored lines of a document (invoice, credit note, overpayment or prepayment) and their arithmetic. An ItemCode
 * must be one of the organisation's items (switch: `validateItemCodes`); the item fills what the line leaves out
 * (description, unit price, account code, tax type), as Xero does.
 */
export function buildLines(
  tenant: Tenant,
  kind: DocKind,
  type: string,
  status: DocStatus,
  items: LineItemInput[],
  lineAmountTypes: LineAmountTypes,
  store: XeroStore,
  unitdp: 2 | 4,
  existing: StoredLine[],
  errors: string[],
  opts: { accountCodeRequired?: boolean } = {},
): BuiltLines {
  const lines: StoredLine[] = [];
  const results: LineResult[] = [];
  const org = tenant.org;
  items.forEach((given) => {
    const known = given.ItemCode !== undefined ? findItem(tenant, given.ItemCode) : undefined;
    if (given.ItemCode !== undefined && !known && store.validateItemCodes) {
      errors.push(`Item code '${given.ItemCode}' is not valid.`);
      return;
    }
    const item = known ? withItemDefaults(given, known) : given;
    const account = item.AccountCode !== undefined ? org.accounts.find((a) => a.Code === item.AccountCode) : undefined;
    if (item.AccountCode !== undefined && (!account || account.Status !== 'ACTIVE' || account.Type === 'BANK')) {
      errors.push(`Account code '${item.AccountCode}' is not a valid code for this document.`);
      return;
    }
    if (item.AccountCode === undefined && (opts.accountCodeRequired ?? status !== 'DRAFT')) {
      errors.push('Account code must be specified for each line item of an approved document.');
    }
    const taxType = item.TaxType ?? account?.TaxType ?? 'NONE';
    const tax = org.taxRates.find((rate) => rate.TaxType === taxType && rate.Status === 'ACTIVE');
    if (!tax) {
      errors.push(`The TaxType code '${taxType}' does not exist or cannot be used with this type of transaction.`);
      return;
    }
    if ((item.DiscountRate !== undefined || item.DiscountAmount !== undefined) && type !== 'ACCREC') {
      errors.push('Discounts are only supported on ACCREC invoices.');
      return;
    }
    const tracking = resolveTracking(tenant, item.Tracking ?? [], errors);
    const computed = computeLine(
      {
        quantity: item.Quantity,
        unitAmount: item.UnitAmount,
        lineAmount: item.LineAmount,
        discountRate: item.DiscountRate,
        discountAmount: item.DiscountAmount,
        taxAmount: item.TaxAmount,
        taxRate: new Big(tax.Rate),
      },
      { lineAmountTypes, unitdp, rounding: store.rounding },
    );
    if ('error' in computed) {
      errors.push(computed.error);
      return;
    }
    const keep = item.LineItemID !== undefined && existing.some((line) => line.LineItemID === item.LineItemID);
    lines.push({
      LineItemID: keep ? (item.LineItemID as string) : store.newId(),
      Description: item.Description,
      Quantity: computed.quantity,
      UnitAmount: computed.unitAmount,
      LineAmount: computed.lineAmount,
      TaxAmount: computed.taxAmount,
      TaxType: taxType,
      AccountCode: item.AccountCode,
      ItemCode: known?.code ?? item.ItemCode,
      DiscountRate: computed.discountRate,
      DiscountAmount: computed.discountAmount,
      grossAmount: computed.grossAmount,
      Tracking: tracking,
    });
    results.push(computed);
  });
  if (kind === 'creditnote' && lines.some((line) => line.DiscountRate || line.DiscountAmount)) {
    errors.push('Discounts are not supported on credit notes.');
  }
  return { lines, results };
}

export function resolveTracking(
  tenant: Tenant,
  items: NonNullable<LineItemInput['Tracking']>,
  errors: string[],
): TrackingRef[] {
  if (items.length > 2) {
    errors.push('A line item can have a maximum of 2 tracking categories.');
    return [];
  }
  const refs: TrackingRef[] = [];
  for (const item of items) {
    const category = tenant.org.trackingCategories.find(
      (c) =>
        (item.TrackingCategoryID !== undefined && c.TrackingCategoryID === item.TrackingCategoryID) ||
        (item.TrackingCategoryID === undefined && c.Name === item.Name),
    );
    if (!category || category.Status !== 'ACTIVE') {
      errors.push(`Tracking category '${item.Name ?? item.TrackingCategoryID ?? ''}' does not exist or is not active.`);
      continue;
    }
    const option = category.Options.find(
      (o) =>
        (item.TrackingOptionID !== undefined && o.TrackingOptionID === item.TrackingOptionID) ||
        (item.TrackingOptionID === undefined && o.Name === item.Option),
    );
    if (!option || option.Status !== 'ACTIVE') {
      errors.push(
        `Tracking option '${item.Option ?? item.TrackingOptionID ?? ''}' does not exist or is not active for category '${category.Name}'.`,
      );
      continue;
    }
    refs.push({
      TrackingCategoryID: category.TrackingCategoryID,
      TrackingOptionID: option.TrackingOptionID,
      Name: category.Name,
      Option: option.Name,
    });
  }
  return refs;
}

function sameLines(a: StoredLine[], b: StoredLine[]): boolean {
  if (a.length !== b.length) return false;
  const eq = (x?: Big, y?: Big) => (x === undefined || y === undefined ? x === y : x.eq(y));
  return a.every((line, i) => {
    const other = b[i] as StoredLine;
    return (
      line.Description === other.Description &&
      line.AccountCode === other.AccountCode &&
      line.TaxType === other.TaxType &&
      line.Quantity.eq(other.Quantity) &&
      line.UnitAmount.eq(other.UnitAmount) &&
      line.LineAmount.eq(other.LineAmount) &&
      line.TaxAmount.eq(other.TaxAmount) &&
      eq(line.DiscountRate, other.DiscountRate) &&
      eq(line.DiscountAmount, other.DiscountAmount) &&
      JSON.stringify(line.Tracking) === JSON.stringify(other.Tracking)
    );
  });
}

/**
 * Creates or updates one invoice / credit note. Validation failures are returned (never thrown) so a
 * batch can persist its valid siblings, as Xero does.
 */
export function writeDocument(
  store: XeroStore,
  tenantId: string,
  kind: DocKind,
  raw: unknown,
  ctx: WriteContext,
): ElementResult {
  const tenant = store.tenant(tenantId);
  if (!tenant) return { ok: false, errors: ['Unknown organisation.'] };
  const parsed = documentInput.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: [zodMessage(parsed.error)] };
  const input = parsed.data;
  const idField = kind === 'invoice' ? input.InvoiceID : input.CreditNoteID;
  const numberField = kind === 'invoice' ? input.InvoiceNumber : input.CreditNoteNumber;

  let existing: StoredDocument | undefined;
  const lookup = ctx.pathId ?? idField;
  if (lookup !== undefined) {
    existing = findDocument(tenant, kind, lookup);
    if (!existing) return { ok: false, errors: [`${label(kind)} could not be found.`] };
  } else if (ctx.mode === 'upsert' && numberField !== undefined) {
    const byNumber = findDocument(tenant, kind, numberField);
    if (byNumber && (kind === 'creditnote' || byNumber.type === 'ACCREC')) existing = byNumber;
  }
  if (existing && ctx.mode === 'create') {
    return { ok: false, errors: [`${label(kind)} ${existing.id} already exists; use POST to update it.`] };
  }
  return existing
    ? updateDocument(store, tenant, kind, existing, input, ctx)
    : createDocument(store, tenant, kind, input, ctx);
}

function commonChecks(
  tenant: Tenant,
  input: DocumentInput,
  errors: string[],
): { lineAmountTypes?: LineAmountTypes; date?: string; dueDate?: string; expected?: string; currencyRate?: Big } {
  const out: ReturnType<typeof commonChecks> = {};
  if (input.LineAmountTypes !== undefined) {
    if (!LINE_AMOUNT_TYPES.includes(input.LineAmountTypes as LineAmountTypes)) {
      errors.push(`LineAmountTypes '${input.LineAmountTypes}' is not valid; use Exclusive, Inclusive or NoTax.`);
    } else out.lineAmountTypes = input.LineAmountTypes as LineAmountTypes;
  }
  for (const [field, key] of [
    ['Date', 'date'],
    ['DueDate', 'dueDate'],
    ['ExpectedPaymentDate', 'expected'],
  ] as const) {
    const value = input[field];
    if (value === undefined) continue;
    const day = parseDay(value);
    if (day === undefined) errors.push(`${field} '${value}' is not a valid date.`);
    else out[key] = day;
  }
  if (input.CurrencyRate !== undefined && input.CurrencyRate.lte(0))
    errors.push('CurrencyRate must be greater than zero.');
  if (
    input.BrandingThemeID !== undefined &&
    !tenant.org.brandingThemes.some((t) => t.BrandingThemeID === input.BrandingThemeID)
  ) {
    errors.push('Branding theme could not be found.');
  }
  return out;
}

function resolveCurrency(tenant: Tenant, code: string, givenRate: Big | undefined, errors: string[]): Big {
  const org = tenant.org;
  if (!org.currencies.some((c) => c.Code === code)) {
    errors.push(`The currency '${code}' has not been added to this organisation.`);
    return new Big(1);
  }
  if (code === org.baseCurrency) return new Big(1);
  if (givenRate !== undefined) return givenRate.round(6, Big.roundHalfUp);
  const day = org.dayRates[code];
  if (day === undefined) {
    errors.push(`No exchange rate is available for ${code}; supply CurrencyRate.`);
    return new Big(1);
  }
  return new Big(day);
}

function createDocument(
  store: XeroStore,
  tenant: Tenant,
  kind: DocKind,
  input: DocumentInput,
  ctx: WriteContext,
): ElementResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const type = input.Type;
  if (type === undefined || !TYPES[kind].includes(type)) {
    errors.push(`${label(kind)} Type must be one of ${TYPES[kind].join(', ')}.`);
  }
  const status = (input.Status ?? 'DRAFT') as DocStatus;
  if (!CREATE_STATUSES.includes(status)) {
    errors.push(`${label(kind)} can only be created with Status DRAFT, SUBMITTED or AUTHORISED.`);
  }
  const checks = commonChecks(tenant, input, errors);
  const lineAmountTypes = checks.lineAmountTypes ?? 'Exclusive';
  const currencyCode = input.CurrencyCode ?? tenant.org.baseCurrency;
  const currencyRate = resolveCurrency(tenant, currencyCode, input.CurrencyRate, errors);

  const items = input.LineItems ?? [];
  if (items.length === 0) errors.push(`${label(kind)} must have at least one line item.`);
  const built = buildLines(tenant, kind, type ?? '', status, items, lineAmountTypes, store, ctx.unitdp, [], errors);

  const isSales = type === 'ACCREC' || type === 'ACCRECCREDIT';
  let number = kind === 'invoice' ? input.InvoiceNumber : input.CreditNoteNumber;
  if (number !== undefined && number.length > 255)
    errors.push(`${label(kind)} number must be 255 characters or fewer.`);
  if (number !== undefined && isSales && findDocument(tenant, kind, number)) {
    errors.push(kind === 'invoice' ? 'Invoice # must be unique.' : 'Credit Note # must be unique.');
  }
  if (!input.Contact) errors.push('A Contact must be specified for this type of transaction.');
  // Created approved, it posts on its date: refused on or before a lock date. A draft posts nothing (lock-dates.ts).
  const lock =
    status === 'AUTHORISED' ? ledgerLockRefusal(store, tenant.org, [checks.date ?? store.today()]) : undefined;
  if (lock) errors.push(lock);
  if (errors.length > 0) return { ok: false, errors };

  // The contact is resolved last so a failing document never creates a stray contact.
  const contact = resolveContactForDocument(store, tenant, input.Contact ?? {}, errors);
  if (!contact) return { ok: false, errors };

  const totals = computeTotals(built.results, lineAmountTypes);
  if (input.Total !== undefined && !input.Total.eq(totals.total)) {
    warnings.push('Total was ignored because it does not equal the sum of the line amounts.');
  }
  number ??= isSales ? nextNumber(tenant, kind) : '';
  const now = store.clock.now();
  const defaultTheme = [...tenant.org.brandingThemes].sort((a, b) => a.SortOrder - b.SortOrder)[0];
  const doc: StoredDocument = {
    kind,
    id: store.newId(),
    type: type as string,
    number,
    reference: input.Reference,
    contactId: contact.id,
    date: checks.date ?? store.today(),
    dueDate: checks.dueDate,
    expectedPaymentDate: checks.expected,
    status,
    lineAmountTypes,
    currencyCode,
    currencyRate,
    brandingThemeId: input.BrandingThemeID ?? (isSales ? defaultTheme?.BrandingThemeID : undefined),
    lines: built.lines,
    ...totals,
    amountPaid: new Big(0),
    amountCredited: new Big(0),
    sentToContact: false,
    url: input.Url,
    createdAt: now,
    updatedAt: now,
    paymentIds: [],
    allocationIds: [],
    creditAllocationIds: [],
  };
  if (input.SentToContact === true && status === 'AUTHORISED') doc.sentToContact = true;
  documents(tenant, kind).set(doc.id, doc);
  store.touch(tenant.org.tenantId, kind === 'invoice' ? 'INVOICE' : 'CREDITNOTE', 'CREATE', doc, eventData(doc));
  return { ok: true, id: doc.id, warnings };
}

function eventData(doc: StoredDocument): Record<string, string> | undefined {
  return doc.kind === 'creditnote' ? { Type: doc.type, Status: doc.status } : undefined;
}

function updateDocument(
  store: XeroStore,
  tenant: Tenant,
  kind: DocKind,
  doc: StoredDocument,
  input: DocumentInput,
  ctx: WriteContext,
): ElementResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const checks = commonChecks(tenant, input, errors);
  if (errors.length > 0) return { ok: false, errors };
  const changes = new Set<string>();

  const targetStatus = (input.Status ?? doc.status) as DocStatus;
  if (targetStatus !== doc.status) changes.add('Status');
  if (input.Type !== undefined && input.Type !== doc.type) errors.push(`The ${label(kind)} Type cannot be changed.`);

  const lineAmountTypes = checks.lineAmountTypes ?? doc.lineAmountTypes;
  let newLines: StoredLine[] | undefined;
  let totals: ReturnType<typeof computeTotals> | undefined;
  if (input.LineItems != null || lineAmountTypes !== doc.lineAmountTypes) {
    const items: LineItemInput[] =
      (input.LineItems as LineItemInput[] | undefined) ??
      doc.lines.map((line): LineItemInput => ({
        LineItemID: line.LineItemID,
        Description: line.Description,
        Quantity: line.Quantity,
        UnitAmount: line.UnitAmount,
        AccountCode: line.AccountCode,
        ItemCode: line.ItemCode,
        TaxType: line.TaxType,
        DiscountRate: line.DiscountRate,
        DiscountAmount: line.DiscountAmount,
        Tracking: line.Tracking.map((t) => ({ ...t })),
        LineAmount: undefined,
        TaxAmount: undefined,
      }));
    if (items.length === 0) errors.push(`${label(kind)} must have at least one line item.`);
    const built = buildLines(
      tenant,
      kind,
      doc.type,
      targetStatus,
      items,
      lineAmountTypes,
      store,
      ctx.unitdp,
      doc.lines,
      errors,
    );
    if (errors.length > 0) return { ok: false, errors };
    if (!sameLines(built.lines, doc.lines) || lineAmountTypes !== doc.lineAmountTypes) {
      newLines = built.lines;
      totals = computeTotals(built.results, lineAmountTypes);
      changes.add('LineItems');
    }
  }
  const currencyCode = input.CurrencyCode ?? doc.currencyCode;
  let currencyRate = doc.currencyRate;
  if (
    currencyCode !== doc.currencyCode ||
    (input.CurrencyRate !== undefined && !input.CurrencyRate.eq(doc.currencyRate))
  ) {
    currencyRate = resolveCurrency(tenant, currencyCode, input.CurrencyRate, errors);
    if (currencyCode !== doc.currencyCode || !currencyRate.eq(doc.currencyRate)) changes.add('Currency');
  }
  let contactId = doc.contactId;
  if (input.Contact) {
    const contact = resolveContactForDocument(store, tenant, input.Contact, errors, { dryRun: true });
    if (contact && contact.id !== doc.contactId) changes.add('Contact');
    if (contact) contactId = contact.id;
  }
  const numberField = kind === 'invoice' ? input.InvoiceNumber : input.CreditNoteNumber;
  if (numberField !== undefined && numberField !== doc.number) {
    const clash = findDocument(tenant, kind, numberField);
    if (clash && clash.id !== doc.id && (doc.type === 'ACCREC' || kind === 'creditnote')) {
      errors.push(kind === 'invoice' ? 'Invoice # must be unique.' : 'Credit Note # must be unique.');
    }
    changes.add('Number');
  }
  const simple: [string, unknown, unknown][] = [
    ['Reference', input.Reference, doc.reference],
    ['Date', checks.date, doc.date],
    ['DueDate', checks.dueDate, doc.dueDate],
    ['ExpectedPaymentDate', checks.expected, doc.expectedPaymentDate],
    ['BrandingThemeID', input.BrandingThemeID, doc.brandingThemeId],
    ['SentToContact', input.SentToContact, doc.sentToContact],
    ['Url', input.Url, doc.url],
  ];
  for (const [field, next, current] of simple) if (next !== undefined && next !== current) changes.add(field);
  if (errors.length > 0) return { ok: false, errors };
  if (changes.size === 0) return { ok: true, id: doc.id, warnings };

  // What each status lets a caller change (reference §7 and §11).
  const applied = doc.amountPaid.gt(0) || doc.amountCredited.gt(0);
  if (doc.status === 'DELETED' || doc.status === 'VOIDED') {
    return { ok: false, errors: [`${label(kind)} not of valid status for modification`] };
  }
  if (!TRANSITIONS[doc.status].includes(targetStatus)) {
    if (targetStatus === 'DELETED')
      errors.push(`Only DRAFT or SUBMITTED documents can be DELETED; this one is ${doc.status}.`);
    else if (targetStatus === 'VOIDED')
      errors.push(`Only AUTHORISED documents can be VOIDED; this one is ${doc.status}.`);
    else if (targetStatus === 'PAID')
      errors.push('Status PAID cannot be set; it follows from payments and allocations.');
    else errors.push(`${label(kind)} cannot change status from ${doc.status} to ${targetStatus}.`);
  }
  if (targetStatus === 'VOIDED' && applied) {
    errors.push('This document cannot be voided as it has a payment or credit note allocated to it.');
  }
  const locked = doc.status === 'AUTHORISED' || doc.status === 'PAID';
  const amountFields = ['LineItems', 'Currency', 'Contact'];
  if (locked && amountFields.some((f) => changes.has(f))) {
    errors.push(
      applied
        ? 'This document cannot be edited as it has a payment or credit note allocated to it.'
        : `Line items, contact and currency cannot be changed on an ${doc.status} ${label(kind).toLowerCase()}.`,
    );
  }
  if (
    doc.status === 'PAID' &&
    [...changes].some((f) => !['SentToContact', 'ExpectedPaymentDate', 'Reference'].includes(f))
  ) {
    errors.push('This document cannot be edited as it has a payment or credit note allocated to it.');
  }
  if (input.SentToContact === true && !['AUTHORISED', 'PAID'].includes(targetStatus)) {
    errors.push('SentToContact can only be set on an approved document.');
  }
  // The ledger moves when a document is approved (on its date), voided (its date), or re-dated while approved (both
  // dates): each day involved must be open (lock-dates.ts). Other edits of an approved document post nothing.
  const posted = doc.status === 'AUTHORISED' || doc.status === 'PAID';
  const approves = !posted && targetStatus === 'AUTHORISED';
  const unposts = posted && (targetStatus === 'VOIDED' || changes.has('Date'));
  const lock = ledgerLockRefusal(store, tenant.org, [
    ...(approves || unposts ? [checks.date ?? doc.date] : []),
    ...(unposts ? [doc.date] : []),
  ]);
  if (lock) errors.push(lock);
  if (targetStatus !== 'DRAFT' && targetStatus !== 'DELETED' && targetStatus !== 'VOIDED') {
    const lines = newLines ?? doc.lines;
    if (lines.some((line) => line.AccountCode === undefined))
      errors.push('Account code must be specified for each line item of an approved document.');
  }
  if (errors.length > 0) return { ok: false, errors: [...new Set(errors)] };

  if (newLines && totals) {
    doc.lines = newLines;
    Object.assign(doc, totals);
  }
  doc.lineAmountTypes = lineAmountTypes;
  doc.currencyCode = currencyCode;
  doc.currencyRate = currencyRate;
  if (input.Contact && contactId !== doc.contactId) {
    const contact = resolveContactForDocument(store, tenant, input.Contact, errors);
    if (contact) doc.contactId = contact.id;
  }
  if (numberField !== undefined) doc.number = numberField;
  if (input.Reference !== undefined) doc.reference = input.Reference;
  if (checks.date !== undefined) doc.date = checks.date;
  if (checks.dueDate !== undefined) doc.dueDate = checks.dueDate;
  if (checks.expected !== undefined) doc.expectedPaymentDate = checks.expected;
  if (input.BrandingThemeID !== undefined) doc.brandingThemeId = input.BrandingThemeID;
  if (input.SentToContact !== undefined) doc.sentToContact = input.SentToContact;
  if (input.Url !== undefined) doc.url = input.Url;
  doc.status = targetStatus;
  store.touch(tenant.org.tenantId, kind === 'invoice' ? 'INVOICE' : 'CREDITNOTE', 'UPDATE', doc, eventData(doc));
  return { ok: true, id: doc.id, warnings };
}

/** Marks the invoice sent, as the email endpoint does. */
export function markEmailed(store: XeroStore, tenant: Tenant, doc: StoredDocument, to: string): void {
  tenant.emailsSent.push({ invoiceId: doc.id, to, at: store.clock.now() });
  if (!doc.sentToContact) {
    doc.sentToContact = true;
    store.touch(tenant.org.tenantId, 'INVOICE', 'UPDATE', doc);
  }
}

/** Re-derives PAID/AUTHORISED after a payment or allocation moved money, and bumps UpdatedDateUTC. */
export function settle(store: XeroStore, tenant: Tenant, doc: StoredDocument, settledOn: string): void {
  const due = outstanding(doc);
  if (doc.status === 'AUTHORISED' && due.lte(0)) {
    doc.status = 'PAID';
    doc.fullyPaidOn = settledOn;
  } else if (doc.status === 'PAID' && due.gt(0)) {
    doc.status = 'AUTHORISED';
    doc.fullyPaidOn = undefined;
  }
  store.touch(tenant.org.tenantId, doc.kind === 'invoice' ? 'INVOICE' : 'CREDITNOTE', 'UPDATE', doc, eventData(doc));
}
