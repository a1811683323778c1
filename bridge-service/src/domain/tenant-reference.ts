/**
 * What a Xero organisation holds that invoice lines and journals refer to (GET /Accounts, /TaxRates,
 * /TrackingCategories, /Items), as line mapping and the month-end close check against it.
 */
import type { TenantTaxRate } from './invoice-mapping';

/** An account of the tenant, from GET /Accounts. */
export interface TenantAccount {
  code: string;
  name?: string;
  status: string;
  /** Xero's account Type (REVENUE, SALES, BANK, …). */
  type?: string;
  /** Set on Xero's system accounts (DEBTORS, GST, …), which no line may use. */
  systemAccount?: string | null;
}

/** A tracking category of the tenant, from GET /TrackingCategories (includeArchived=true). */
export interface TenantTrackingCategory {
  name: string;
  status: string;
  options: { name: string; status: string }[];
}

/** An item of the tenant, from GET /Items. */
export interface TenantItem {
  code: string;
  name?: string;
  isSold?: boolean;
}

/** What the tenant holds that lines refer to. */
export interface TenantReference {
  accounts: readonly TenantAccount[];
  taxRates: readonly (TenantTaxRate & { canApplyToRevenue?: boolean })[];
  trackingCategories: readonly TenantTrackingCategory[];
  items: readonly TenantItem[];
}
