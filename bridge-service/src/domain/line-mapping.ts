/**
 * Line-level mapping: the Xero account code, tax type, tracking and item of each invoice line, and the check of all of
 * them against the tenant before anything is sent (xero-api.md §7, §9).
 *
 * Decisions (see README.md in this folder):
 * - Precedence, field by field: the source line's own value (a credit-note line finance typed) → the product
 *   (Product2.Xero_Account_Code__c, Xero_Tax_Type__c) → the billing entity's default (Account_Code__c, Tax_Type__c).
 *   Those account codes are the line's revenue account: where its revenue belongs once earned.
 *   Tracking merges by category: the product's option for a category wins over the entity's default for the same
 *   category; the entity's other default categories still apply. Xero allows two categories on a line.
 * - Deferral at invoicing (month-end.md §4): a ratable item (Product2.Revenue_Recognition__c blank or Ratable) posts
 *   to deferred revenue, a liability, when one is set (Product2.Xero_Deferred_Account_Code__c → the entity's
 *   Deferred_Revenue_Account_Code__c), so Xero's balance sheet holds the deferral from the invoice on and the
 *   month-end recognition journal moves it to revenue as it is earned. A point-in-time item posts to its revenue
 *   account. An entity without a deferred-revenue account keeps posting to revenue (wave 1), and the close moves what
 *   is not yet earned into deferred revenue at month end instead. A line's own account (typed by finance) is kept.
 * - Item: Product2.Xero_Item_Code__c, else the ProductCode. An item that is not in the tenant is created when the
 *   entity says so (Create_Items_When_Missing__c: code, the product's name, the line's account code and tax type);
 *   otherwise an explicit Xero_Item_Code__c is an error, and a ProductCode is left off the line (a warning): lines need
 *   no item, and a ProductCode is a Salesforce code that was never promised to be a Xero item.
 * - Validation reports every problem at once, grouped by cause, in words finance acts on: which product, which code,
 *   which Xero organisation, and where to change it. Account codes must be ACTIVE, not a bank or system account; tax
 *   types an ACTIVE rate that applies to revenue; tracking categories and options ACTIVE and present; item codes ≤ 30.
 */
import type { BillingEntity } from './billing-entity';
import { throwIfProblems } from './errors';
import type { TenantTaxRate, TrackingSelection } from './invoice-mapping';
import {
  entityLineRowSchema,
  productXeroRowSchema,
  type EntityLineRow,
  type ProductXeroRow,
} from './line-mapping-records';
import { recognitionMethodFor } from './revenue-records';
import type { TenantReference } from './tenant-reference';

export {
  entityLineRowSchema,
  productXeroRowSchema,
  type EntityLineRow,
  type ProductXeroRow,
} from './line-mapping-records';

export interface EntityLineDefaults {
  developerName: string;
  accountCode: string;
  taxType: string;
  tracking: TrackingSelection[];
  createItemsWhenMissing: boolean;
  /** Deferred revenue (a liability): where ratable items post at invoicing and the close releases from. */
  deferredRevenueAccountCode?: string;
  /** Accrued (unbilled) revenue (an asset): where the close accrues revenue earned before it is invoiced. */
  accruedRevenueAccountCode?: string;
}

export type MappingSource = 'line' | 'product' | 'entity';

/** Where one line posts in Xero, and where each setting came from (for the record and for support). */
export interface LineMapping {
  /** Where the invoice line posts: the deferred-revenue account for a deferred line, else the revenue account. */
  accountCode: string;
  /** Where the line's revenue belongs once earned (what the month-end recognition journal credits). */
  revenueAccountCode: string;
  /** The line's deferred-revenue account, when one is set (product, else entity). */
  deferredAccountCode?: string;
  /** `deferred`: the line posts to deferred revenue at invoicing (a ratable item); `revenue`: to revenue. */
  posting: 'deferred' | 'revenue';
  taxType: string;
  tracking: TrackingSelection[];
  itemCode?: string;
  source: {
    accountCode: MappingSource;
    revenueAccountCode: MappingSource;
    deferredAccountCode?: Exclude<MappingSource, 'line'>;
    taxType: MappingSource;
    tracking: MappingSource[];
    itemCode?: 'xero-item-code' | 'product-code';
  };
}

function trackingPairs(pairs: [string | undefined, string | undefined][]): TrackingSelection[] {
  return pairs
    .filter(([name, option]) => name !== undefined || option !== undefined)
    .map(([name, option]) => ({ name: name ?? '', option: option ?? '' }));
}

/** The entity's line defaults from its Billing_Entity__mdt record. */
export function entityLineDefaults(entity: BillingEntity, row: EntityLineRow = {}): EntityLineDefaults {
  const r = entityLineRowSchema.parse(row);
  return {
    developerName: entity.developerName,
    accountCode: entity.accountCode,
    taxType: entity.taxType,
    tracking: trackingPairs([
      [r.Default_Tracking_1_Category__c, r.Default_Tracking_1_Option__c],
      [r.Default_Tracking_2_Category__c, r.Default_Tracking_2_Option__c],
    ]),
    createItemsWhenMissing: r.Create_Items_When_Missing__c ?? false,
    ...(r.Deferred_Revenue_Account_Code__c ? { deferredRevenueAccountCode: r.Deferred_Revenue_Account_Code__c } : {}),
    ...(r.Accrued_Revenue_Account_Code__c ? { accruedRevenueAccountCode: r.Accrued_Revenue_Account_Code__c } : {}),
  };
}

const categoryKey = (name: string) => name.trim().toLowerCase();

/** A line's mapping: line → product → entity for each field; tracking merged by category. */
export function resolveLineMapping(
  product: ProductXeroRow | null | undefined,
  defaults: EntityLineDefaults,
  line: { accountCode?: string | undefined; taxType?: string | undefined } = {},
): LineMapping {
  const p = productXeroRowSchema.parse(product ?? {});
  const pick = (own: string | undefined, fromProduct: string | undefined, fallback: string): [string, MappingSource] =>
    own?.trim() ? [own.trim(), 'line'] : fromProduct ? [fromProduct, 'product'] : [fallback, 'entity'];
  const [revenueAccount, revenueSource] = pick(undefined, p.Xero_Account_Code__c, defaults.accountCode);
  const deferred: [string, Exclude<MappingSource, 'line'>] | undefined = p.Xero_Deferred_Account_Code__c
    ? [p.Xero_Deferred_Account_Code__c, 'product']
    : defaults.deferredRevenueAccountCode
      ? [defaults.deferredRevenueAccountCode, 'entity']
      : undefined;
  const own = line.accountCode?.trim();
  const ratable = recognitionMethodFor({ Revenue_Recognition__c: p.Revenue_Recognition__c }) !== 'point-in-time';
  const defer = own ? own === deferred?.[0] : ratable && deferred !== undefined;
  const posting: LineMapping['posting'] = defer ? 'deferred' : 'revenue';
  const [accountCode, accountSource]: [string, MappingSource] = own
    ? [own, 'line']
    : (defer && deferred) || [revenueAccount, revenueSource];
  const [revenueAccountCode, revenueAccountSource]: [string, MappingSource] =
    own && posting === 'revenue' ? [own, 'line'] : [revenueAccount, revenueSource];
  const [taxType, taxSource] = pick(line.taxType, p.Xero_Tax_Type__c, defaults.taxType);
  const productTracking = trackingPairs([
    [p.Xero_Tracking_1_Category__c, p.Xero_Tracking_1_Option__c],
    [p.Xero_Tracking_2_Category__c, p.Xero_Tracking_2_Option__c],
  ]);
  const set = new Set(productTracking.map((t) => categoryKey(t.name)));
  const entityTracking = defaults.tracking.filter((t) => !set.has(categoryKey(t.name)));
  const mapping: LineMapping = {
    accountCode,
    revenueAccountCode,
    ...(deferred ? { deferredAccountCode: deferred[0] } : {}),
    posting,
    taxType,
    tracking: [...productTracking, ...entityTracking],
    source: {
      accountCode: accountSource,
      revenueAccountCode: revenueAccountSource,
      ...(deferred ? { deferredAccountCode: deferred[1] } : {}),
      taxType: taxSource,
      tracking: [
        ...productTracking.map((): MappingSource => 'product'),
        ...entityTracking.map((): MappingSource => 'entity'),
      ],
    },
  };
  const itemCode = p.Xero_Item_Code__c ?? p.ProductCode;
  if (itemCode) {
    mapping.itemCode = itemCode;
    mapping.source.itemCode = p.Xero_Item_Code__c ? 'xero-item-code' : 'product-code';
  }
  return mapping;
}

export type { TenantAccount, TenantItem, TenantReference, TenantTrackingCategory } from './tenant-reference';

/** The ACTIVE tax rate of the tenant with this type: the one rule for "is this tax type usable". */
export function activeTaxRate<T extends TenantTaxRate>(taxRates: readonly T[], taxType: string): T | undefined {
  return taxRates.find((rate) => rate.taxType === taxType && (rate.status ?? 'ACTIVE') === 'ACTIVE');
}

export interface LineToCheck {
  /** How finance knows the line: the product name, else "line 2 (description)". */
  label: string;
  mapping: LineMapping;
  /** For an item created on the fly: its name (≤ 50) and sales price. */
  itemName?: string;
}

export interface ItemToCreate {
  code: string;
  name: string;
  accountCode: string;
  taxType: string;
}

export interface LineCheck {
  /** Each line's mapping as it can be sent (a ProductCode that is not an item is left off). */
  mappings: LineMapping[];
  itemsToCreate: ItemToCreate[];
  warnings: string[];
  problems: string[];
}

const MAX_ITEM_CODE = 30;
/** Xero account types that are liabilities: what a deferred-revenue account must be. */
const LIABILITY_TYPES: readonly string[] = ['CURRLIAB', 'LIABILITY', 'TERMLIAB'];
const MAX_ITEM_NAME = 50;

/** Collects one problem per cause, naming every line it affects. */
class Problems {
  private readonly byCause = new Map<string, { text: string; labels: string[]; advice: string }>();
  add(cause: string, label: string, advice: string): void {
    const entry = this.byCause.get(cause) ?? { text: cause, labels: [], advice };
    if (!entry.labels.includes(label)) entry.labels.push(label);
    this.byCause.set(cause, entry);
  }
  list(): string[] {
    return [...this.byCause.values()].map(({ text, labels, advice }) => `${text} (${labels.join(', ')}): ${advice}`);
  }
}

/** Checks every line's mapping against the tenant; never throws (see {@link assertLineMappings}). */
export function checkLineMappings(
  lines: readonly LineToCheck[],
  reference: TenantReference,
  defaults: EntityLineDefaults,
): LineCheck {
  const org = `${defaults.developerName}'s Xero organisation`;
  const problems = new Problems();
  const warnings: string[] = [];
  const items = new Map(reference.items.map((item) => [item.code.trim().toUpperCase(), item]));
  const toCreate = new Map<string, ItemToCreate>();
  const where = (source: MappingSource, field: string) =>
    source === 'entity'
      ? `set the entity's ${field} (Billing Entity ${defaults.developerName})`
      : source === 'product'
        ? `set the product's Xero ${field}`
        : `correct the line`;

  const mappings = lines.map(({ label, mapping, itemName }) => {
    const account = reference.accounts.find((a) => a.code.trim().toUpperCase() === mapping.accountCode.toUpperCase());
    const accountFix = where(mapping.source.accountCode, 'account code');
    if (!account) problems.add(`account code ${mapping.accountCode} is not in ${org}`, label, accountFix);
    else if (account.status !== 'ACTIVE')
      problems.add(`account code ${mapping.accountCode} is archived in ${org}`, label, accountFix);
    else if (account.type === 'BANK' || account.systemAccount)
      problems.add(
        `account code ${mapping.accountCode} (${account.name ?? account.type}) is a ${account.type === 'BANK' ? 'bank' : 'system'} account in ${org}, not one sales can post to`,
        label,
        accountFix,
      );
    else if (mapping.posting === 'deferred' && !LIABILITY_TYPES.includes(account.type ?? ''))
      problems.add(
        `account code ${mapping.accountCode} (${account.name ?? account.type}) is ${account.type ?? 'of no type'} in ${org}, not a liability: deferred revenue must be held in a liability account`,
        label,
        mapping.source.accountCode === 'product'
          ? "set the product's Xero deferred account code"
          : mapping.source.accountCode === 'entity'
            ? `set the entity's deferred revenue account code (Billing Entity ${defaults.developerName})`
            : 'correct the line',
      );

    const rate = activeTaxRate(reference.taxRates, mapping.taxType);
    const taxFix = where(mapping.source.taxType, 'tax type');
    if (!rate) problems.add(`tax type ${mapping.taxType} is not an active tax rate in ${org}`, label, taxFix);
    else if (rate.canApplyToRevenue === false)
      problems.add(`tax type ${mapping.taxType} does not apply to sales in ${org}`, label, taxFix);

    if (mapping.tracking.length > 2) {
      problems.add(
        `a line can carry at most two tracking categories in Xero, this one has ${mapping.tracking.length}`,
        label,
        'clear a tracking category on the product or the entity',
      );
    }
    mapping.tracking.forEach((selection, i) => {
      const fix = where(mapping.source.tracking[i] ?? 'entity', 'tracking');
      if (!selection.name || !selection.option) {
        problems.add(
          `tracking needs both a category and an option (${selection.name || '?'}: ${selection.option || '?'})`,
          label,
          fix,
        );
        return;
      }
      const category = reference.trackingCategories.find((c) => categoryKey(c.name) === categoryKey(selection.name));
      if (!category || category.status !== 'ACTIVE') {
        problems.add(
          `tracking category ${selection.name} is ${category ? 'archived' : 'not set up'} in ${org}`,
          label,
          fix,
        );
        return;
      }
      const option = category.options.find(
        (o) => o.name.trim().toLowerCase() === selection.option.trim().toLowerCase(),
      );
      if (!option || option.status !== 'ACTIVE') {
        const state = option ? 'is archived' : 'is not an option';
        problems.add(`tracking option ${selection.option} of ${category.name} ${state} in ${org}`, label, fix);
      }
    });
    if (new Set(mapping.tracking.map((t) => categoryKey(t.name))).size < mapping.tracking.length) {
      problems.add('a tracking category appears twice on one line', label, 'set each category once');
    }

    if (!mapping.itemCode) return mapping;
    const code = mapping.itemCode;
    if (code.length > MAX_ITEM_CODE) {
      problems.add(
        `item code ${code} is longer than Xero's ${MAX_ITEM_CODE} characters`,
        label,
        "shorten the product's Xero Item Code",
      );
      return mapping;
    }
    const item = items.get(code.toUpperCase());
    if (item) {
      if (item.isSold === false) warnings.push(`${label}: Xero item ${item.code} is not marked as sold in ${org}`);
      return { ...mapping, itemCode: item.code };
    }
    if (defaults.createItemsWhenMissing) {
      const key = code.toUpperCase();
      if (!toCreate.has(key)) {
        toCreate.set(key, {
          code,
          name: (itemName ?? label).slice(0, MAX_ITEM_NAME),
          accountCode: mapping.accountCode,
          taxType: mapping.taxType,
        });
      }
      return mapping;
    }
    if (mapping.source.itemCode === 'xero-item-code') {
      problems.add(
        `item ${code} is not in ${org}`,
        label,
        `create it in Xero, or tick Create Items When Missing on Billing Entity ${defaults.developerName}`,
      );
      return mapping;
    }
    warnings.push(`${label}: product code ${code} is not an item in ${org}; the line is sent without an item`);
    const { itemCode: _dropped, ...rest } = mapping;
    const { itemCode: _source, ...source } = mapping.source;
    return { ...rest, source };
  });
  return { mappings, itemsToCreate: [...toCreate.values()], warnings, problems: problems.list() };
}

/** {@link checkLineMappings}, throwing one DomainError (INVALID_INVOICE) that lists every problem. */
export function assertLineMappings(
  lines: readonly LineToCheck[],
  reference: TenantReference,
  defaults: EntityLineDefaults,
): Omit<LineCheck, 'problems'> {
  const { problems, ...rest } = checkLineMappings(lines, reference, defaults);
  throwIfProblems('INVALID_INVOICE', 'Cannot send the invoice to Xero', problems);
  return rest;
}
