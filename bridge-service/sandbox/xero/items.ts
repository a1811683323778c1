/**
 * Items (GET/PUT/POST /Items): products and services an organisation sells, named on invoice lines by their Code.
 * Codes are unique per organisation, at most 30 characters, compared without regard to case (Xero shows them as
 * entered); names at most 50. A line naming an item takes the item's sales details for what it leaves out.
 */
import Big from 'big.js';
import { z } from 'zod';
import type { ElementResult } from './documents';
import { decimal, type LineItemInput, zodMessage } from './inputs';
import type { Tenant, XeroStore } from './store';
import { amount, fixed, msDate } from './wire';

export interface StoredItem {
  id: string;
  code: string;
  name?: string;
  description?: string;
  isSold: boolean;
  isPurchased: boolean;
  salesDetails?: { UnitPrice?: string; AccountCode?: string; TaxType?: string };
  createdAt: number;
  updatedAt: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The item with this code (any case). */
export function findItem(tenant: Tenant, code: string): StoredItem | undefined {
  const wanted = code.trim().toUpperCase();
  for (const item of tenant.items.values()) if (item.code.toUpperCase() === wanted) return item;
  return undefined;
}

/** `/Items/{x}`: a GUID is an ItemID, anything else a Code. */
export function findItemByIdOrCode(tenant: Tenant, idOrCode: string): StoredItem | undefined {
  return GUID.test(idOrCode) ? tenant.items.get(idOrCode.toLowerCase()) : findItem(tenant, idOrCode);
}

/** A line naming an item: the item's description, price, account code and tax type where the line has none. */
export function withItemDefaults(line: LineItemInput, item: StoredItem): LineItemInput {
  const sales = item.salesDetails ?? {};
  const price = sales.UnitPrice !== undefined ? new Big(sales.UnitPrice) : undefined;
  return {
    ...line,
    Description: line.Description ?? item.description ?? item.name,
    UnitAmount: line.UnitAmount ?? (line.LineAmount === undefined ? price : undefined),
    AccountCode: line.AccountCode ?? sales.AccountCode,
    TaxType: line.TaxType ?? sales.TaxType,
  };
}

const text = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);
const details = z
  .looseObject({
    UnitPrice: decimal.nullish().transform((value) => value ?? undefined),
    AccountCode: text,
    TaxType: text,
  })
  .nullish();

export const itemInput = z.looseObject({
  ItemID: text,
  Code: z.string().nullish(),
  Name: z.string().nullish(),
  Description: z.string().nullish(),
  IsSold: z.boolean().nullish(),
  IsPurchased: z.boolean().nullish(),
  SalesDetails: details,
});

/** PUT creates (a code in use is an error); POST creates or updates by ItemID or Code. */
export function writeItem(
  store: XeroStore,
  tenant: Tenant,
  raw: unknown,
  mode: 'create' | 'upsert',
  pathId?: string,
): ElementResult {
  const parsed = itemInput.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: [zodMessage(parsed.error)] };
  const input = parsed.data;
  const lookup = pathId ?? input.ItemID ?? undefined;
  let existing = lookup !== undefined ? findItemByIdOrCode(tenant, lookup) : undefined;
  if (lookup !== undefined && !existing) return { ok: false, errors: ['Item could not be found.'] };
  if (!existing && mode === 'upsert' && input.Code) existing = findItem(tenant, input.Code);

  const errors: string[] = [];
  const code = input.Code?.trim() ?? existing?.code;
  if (!code) errors.push('Item Code must be specified.');
  else if (code.length > 30) errors.push('Item Code must not be more than 30 characters long.');
  const clash = code ? findItem(tenant, code) : undefined;
  if (clash && clash.id !== existing?.id) errors.push(`Item code '${code}' is already in use.`);
  if (input.Name && input.Name.length > 50) errors.push('Item Name must not be more than 50 characters long.');
  const sales = input.SalesDetails ?? undefined;
  if (sales?.AccountCode && !tenant.org.accounts.some((a) => a.Code === sales.AccountCode && a.Status === 'ACTIVE'))
    errors.push(`Account code '${sales.AccountCode}' is not a valid code for this item.`);
  if (sales?.TaxType && !tenant.org.taxRates.some((r) => r.TaxType === sales.TaxType && r.Status === 'ACTIVE'))
    errors.push(`The TaxType code '${sales.TaxType}' does not exist or cannot be used with this item.`);
  if (errors.length > 0 || !code) return { ok: false, errors };

  const now = store.clock.now();
  const item: StoredItem = existing ?? {
    id: store.newId(),
    code,
    isSold: true,
    isPurchased: false,
    createdAt: now,
    updatedAt: now,
  };
  item.code = code;
  if (input.Name != null) item.name = input.Name;
  if (input.Description != null) item.description = input.Description;
  if (input.IsSold != null) item.isSold = input.IsSold;
  if (input.IsPurchased != null) item.isPurchased = input.IsPurchased;
  if (sales) {
    item.salesDetails = {
      ...item.salesDetails,
      ...(sales.UnitPrice !== undefined ? { UnitPrice: sales.UnitPrice.toString() } : {}),
      ...(sales.AccountCode !== undefined ? { AccountCode: sales.AccountCode } : {}),
      ...(sales.TaxType !== undefined ? { TaxType: sales.TaxType } : {}),
    };
  }
  item.updatedAt = now;
  tenant.items.set(item.id, item);
  return { ok: true, id: item.id, warnings: [] };
}

export function itemView(item: StoredItem, unitdp: 2 | 4): Record<string, unknown> {
  const sales = item.salesDetails ?? {};
  const view: Record<string, unknown> = { ItemID: item.id, Code: item.code };
  if (item.name !== undefined) view.Name = item.name;
  if (item.description !== undefined) view.Description = item.description;
  view.IsSold = item.isSold;
  view.IsPurchased = item.isPurchased;
  view.IsTrackedAsInventory = false;
  view.SalesDetails = {
    ...(sales.UnitPrice !== undefined ? { UnitPrice: fixed(new Big(sales.UnitPrice), unitdp) } : {}),
    ...(sales.AccountCode !== undefined ? { AccountCode: sales.AccountCode } : {}),
    ...(sales.TaxType !== undefined ? { TaxType: sales.TaxType } : {}),
  };
  view.PurchaseDetails = {};
  view.QuantityOnHand = amount(new Big(0));
  view.UpdatedDateUTC = msDate(item.updatedAt);
  return view;
}
