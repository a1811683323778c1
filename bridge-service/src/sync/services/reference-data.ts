/**
 * What every handler looks up and few change: billing entities (Billing_Entity__mdt), the package settings, and
 * each tenant's tax rates. Cached briefly so a batch of 200 invoices costs one read of each, not 200.
 */
import { parseBillingEntities, type BillingEntity } from '../../domain/billing-entity';
import type { TenantTaxRate } from '../../domain/invoice-mapping';
import { DomainError } from '../../domain/errors';
import type { EntityLineRow } from '../../domain/line-mapping';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { Queries } from '../../salesforce/queries';
import type { XeroClient } from '../../xero/client';

export interface PackageSettings {
  autoDraftOnClose: boolean;
  /** Nothing is written to Xero while this is on. */
  readOnly: boolean;
}

const DEFAULT_SETTINGS: PackageSettings = { autoDraftOnClose: true, readOnly: false };

interface Cached<T> {
  value: T;
  until: number;
}

export function createReferenceData(deps: {
  queries: Pick<Queries, 'billingEntities' | 'settings'>;
  xero: Pick<XeroClient, 'getTaxRates'>;
  clock: Pick<Clock, 'now'>;
  log: Logger;
  ttlMs?: number;
}) {
  const ttl = deps.ttlMs ?? 60_000;
  let entities: Cached<BillingEntity[]> | undefined;
  // each entity's line-mapping fields (item policy, default tracking), read with the entities
  let lineRows = new Map<string, EntityLineRow>();
  let settings: Cached<PackageSettings> | undefined;
  const taxRates = new Map<string, Cached<TenantTaxRate[]>>();
  const fresh = <T>(entry: Cached<T> | undefined): entry is Cached<T> =>
    entry !== undefined && entry.until > deps.clock.now();

  return {
    /** Billing entities from Billing_Entity__mdt; a broken record is an error naming the record and field. */
    async billingEntities(): Promise<BillingEntity[]> {
      if (fresh(entities)) return entities.value;
      const rows = await deps.queries.billingEntities();
      const { entities: parsed, warnings } = parseBillingEntities(
        rows.map((row) => ({
          developerName: row.DeveloperName,
          xeroTenantId: row.Xero_Tenant_Id__c,
          baseCurrency: row.Base_Currency__c,
          countries: row.Countries__c,
          regions: row.Regions__c,
          currencies: row.Currencies__c,
          accountCode: row.Account_Code__c,
          taxType: row.Tax_Type__c,
          lineAmountType: row.Line_Amount_Type__c ?? undefined,
          paymentTermsDays: row.Payment_Terms_Days__c,
          brandingThemeId: row.Branding_Theme_Id__c,
          isDefault: row.Is_Default__c ?? false,
          autoEmail: row.Auto_Email__c ?? false,
          timeZone: row.Time_Zone__c,
          billing: {
            Default_Billing_Frequency__c: row.Default_Billing_Frequency__c,
            Default_Billing_Timing__c: row.Default_Billing_Timing__c,
            Default_Billing_Alignment__c: row.Default_Billing_Alignment__c,
            Revenue_Convention__c: row.Revenue_Convention__c,
            SSP_Tolerance_Percent__c: row.SSP_Tolerance_Percent__c,
          },
        })),
      );
      for (const warning of warnings) deps.log.warn({ warning }, 'billing entity configuration');
      lineRows = new Map(
        rows.map((row) => [
          row.DeveloperName ?? '',
          {
            Create_Items_When_Missing__c: row.Create_Items_When_Missing__c,
            Default_Tracking_1_Category__c: row.Default_Tracking_1_Category__c,
            Default_Tracking_1_Option__c: row.Default_Tracking_1_Option__c,
            Default_Tracking_2_Category__c: row.Default_Tracking_2_Category__c,
            Default_Tracking_2_Option__c: row.Default_Tracking_2_Option__c,
            // deferral at invoicing: where ratable lines post; the close's accrued revenue account
            Deferred_Revenue_Account_Code__c: row.Deferred_Revenue_Account_Code__c,
            Accrued_Revenue_Account_Code__c: row.Accrued_Revenue_Account_Code__c,
          },
        ]),
      );
      entities = { value: parsed, until: deps.clock.now() + ttl };
      return parsed;
    },

    async entity(developerName: string): Promise<BillingEntity> {
      const found = (await this.billingEntities()).find((e) => e.developerName === developerName);
      if (!found) {
        throw new DomainError('INVALID_INPUT', `Billing entity ${developerName} is not in Billing_Entity__mdt`);
      }
      return found;
    },

    /** The entity's line-mapping fields (Create_Items_When_Missing__c, Default_Tracking_*), read with the entities. */
    async entityLineRow(developerName: string): Promise<EntityLineRow | undefined> {
      await this.billingEntities();
      return lineRows.get(developerName);
    },

    async settings(): Promise<PackageSettings> {
      if (fresh(settings)) return settings.value;
      const row = await deps.queries.settings();
      const value: PackageSettings = row
        ? {
            autoDraftOnClose: row.Auto_Draft_On_Close__c !== false,
            readOnly: row.Read_Only_Mode__c === true,
          }
        : DEFAULT_SETTINGS;
      settings = { value, until: deps.clock.now() + Math.min(ttl, 15_000) };
      return value;
    },

    async taxRates(tenantId: string): Promise<TenantTaxRate[]> {
      const cached = taxRates.get(tenantId);
      if (fresh(cached)) return cached.value;
      const rates = (await deps.xero.getTaxRates(tenantId))
        .filter((rate) => rate.taxType)
        .map((rate) => ({
          taxType: rate.taxType as string,
          effectiveRate: String(rate.effectiveRate ?? 0),
          ...(rate.status ? { status: rate.status } : {}),
          ...(rate.name ? { name: rate.name } : {}),
        }));
      taxRates.set(tenantId, { value: rates, until: deps.clock.now() + ttl * 10 });
      return rates;
    },
  };
}

export type ReferenceData = ReturnType<typeof createReferenceData>;
