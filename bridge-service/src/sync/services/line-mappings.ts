/**
 * Line-level mapping in the draft flows (domain/line-mapping.ts): each deal line's account code, tax type, tracking and
 * item, product first then the billing entity, checked against what the tenant holds (its chart of accounts, tax rates,
 * tracking categories and items, read from Xero and cached for ten minutes) before anything is sent. Items the entity
 * creates when missing are created first (50 a call, keyed by their codes); every problem goes on the record in words.
 */
import type { BillingEntity } from '../../domain/billing-entity';
import {
  checkLineMappings,
  entityLineDefaults,
  resolveLineMapping,
  type EntityLineRow,
  type ItemToCreate,
  type LineCheck,
  type LineMapping,
  type TenantReference,
} from '../../domain/line-mapping';
import type { OpportunityLineItemRow } from '../../domain/records';
import type { Clock } from '../../lib/clock';
import type { XeroLedgerClient } from '../../xero/ledger-client';
import { batchKey, XERO_BATCH } from '../create-draft/draft';
import type { ReferenceData } from './reference-data';

export interface LineMappingsDeps {
  ledger: Pick<XeroLedgerClient, 'getAccounts' | 'getTrackingCategories' | 'getItems' | 'createItems'>;
  reference: Pick<ReferenceData, 'taxRates' | 'entityLineRow'>;
  clock: Pick<Clock, 'now'>;
  /** How long a tenant's accounts, tracking and items are reused (default 10 minutes). */
  ttlMs?: number;
}

export interface DealLineMappings extends Omit<LineCheck, 'mappings'> {
  /** By OpportunityLineItem Id. */
  mappings: Map<string, LineMapping>;
}

export function createLineMappings(deps: LineMappingsDeps) {
  const ttl = deps.ttlMs ?? 600_000;
  const cache = new Map<string, { value: TenantReference; until: number }>();

  async function tenantReference(tenantId: string): Promise<TenantReference> {
    const cached = cache.get(tenantId);
    if (cached && cached.until > deps.clock.now()) return cached.value;
    const [accounts, tracking, items, taxRates] = [
      await deps.ledger.getAccounts(tenantId),
      await deps.ledger.getTrackingCategories(tenantId),
      await deps.ledger.getItems(tenantId),
      await deps.reference.taxRates(tenantId),
    ];
    const value: TenantReference = {
      accounts: accounts.flatMap((a) =>
        a.code
          ? [
              {
                code: a.code,
                status: a.status ?? 'ACTIVE',
                ...(a.name ? { name: a.name } : {}),
                ...(a.type ? { type: a.type } : {}),
                systemAccount: a.systemAccount ?? null,
              },
            ]
          : [],
      ),
      taxRates,
      trackingCategories: tracking.map((c) => ({
        name: c.name ?? '',
        status: c.status ?? 'ACTIVE',
        options: (c.options ?? []).map((o) => ({ name: o.name ?? '', status: o.status ?? 'ACTIVE' })),
      })),
      items: items.map((i) => ({
        code: i.code,
        ...(i.name ? { name: i.name } : {}),
        ...(i.isSold !== undefined ? { isSold: i.isSold } : {}),
      })),
    };
    cache.set(tenantId, { value, until: deps.clock.now() + ttl });
    return value;
  }

  return {
    /** Each line of a deal mapped and checked; `problems` empty means the lines can be sent. */
    async forDeal(entity: BillingEntity, lineItems: readonly OpportunityLineItemRow[]): Promise<DealLineMappings> {
      const row: EntityLineRow = (await deps.reference.entityLineRow(entity.developerName)) ?? {};
      const defaults = entityLineDefaults(entity, row);
      const lines = lineItems.map((item, i) => ({
        label: item.Product2?.Name ?? `line ${i + 1} (${item.Description ?? 'no description'})`,
        mapping: resolveLineMapping(item.Product2 ?? null, defaults),
        ...(item.Product2?.Name ? { itemName: item.Product2.Name } : {}),
      }));
      const check = checkLineMappings(lines, await tenantReference(entity.xeroTenantId), defaults);
      return { ...check, mappings: new Map(lineItems.map((item, i) => [item.Id, check.mappings[i]!])) };
    },

    /** Creates the items lines need, 50 a call; returns Xero's reason for each code it refused. */
    async createItems(tenantId: string, items: readonly ItemToCreate[]): Promise<Map<string, string>> {
      const refused = new Map<string, string>();
      if (items.length === 0) return refused;
      const unique = [...new Map(items.map((i) => [i.code.toUpperCase(), i])).values()].sort((a, b) =>
        a.code.localeCompare(b.code),
      );
      for (let i = 0; i < unique.length; i += XERO_BATCH) {
        const chunk = unique.slice(i, i + XERO_BATCH);
        const results = await deps.ledger.createItems(
          tenantId,
          chunk,
          batchKey(
            `items:${tenantId}`,
            chunk.map((c) => JSON.stringify(c)),
          ),
        );
        results.forEach((result, n) => {
          // An item made meanwhile (an earlier attempt) is what we wanted.
          if (!result.ok && !result.errors.some((e) => /already in use/i.test(e)))
            refused.set(chunk[n]!.code, result.errors.join('; '));
        });
      }
      cache.delete(tenantId);
      return refused;
    },
  };
}

export type LineMappings = ReturnType<typeof createLineMappings>;
