/**
 * Bench data written straight into the Salesforce emulator's org (in process, like a data load): no REST calls,
 * so none of it shows in the org's API usage, and the org's triggers run exactly as for an API write.
 */
import type { SalesforceOrg } from '../sandbox/salesforce/salesforce-org';

export const SALES_USER = 'sam.seller@ledgerline.example';
export const FINANCE_USER = 'fran.finance@ledgerline.example';

/** The three seeded organisations and what routes a deal to each (Billing_Entity__mdt). */
export const TENANTS = {
  UK: { tenantId: '11111111-1111-4111-8111-111111111111', country: 'GB', currency: 'GBP' },
  US: { tenantId: '22222222-2222-4222-8222-222222222222', country: 'US', currency: 'USD' },
  EU: { tenantId: '33333333-3333-4333-8333-333333333333', country: 'NL', currency: 'EUR' },
} as const;
export type TenantName = keyof typeof TENANTS;

export interface DealSpec {
  tenant: TenantName;
  accounts: number;
  opportunities: number;
  /** Distinguishes names between calls. */
  label: string;
}

export interface Deals {
  tenant: TenantName;
  accountIds: string[];
  opportunityIds: string[];
  lineItems: number;
}

/** Rows are written this many to a transaction (a Data Loader batch). */
const BATCH = 200;

function ids(org: SalesforceOrg) {
  return {
    integration: org.resolveUser('integration@ledgerline.example').Id,
    sales: org.resolveUser(SALES_USER).Id,
  };
}

/**
 * Open opportunities for `accounts` repeat customers (each with a billing contact), each with one to three
 * priced line items from the seeded price book, round-robin over the accounts.
 */
export function createDeals(org: SalesforceOrg, spec: DealSpec): Deals {
  const { country, currency } = TENANTS[spec.tenant];
  const users = ids(org);
  const ctx = { userId: users.integration };
  const entries = org
    .records(org.object('PricebookEntry'))
    .filter((e) => e.CurrencyIsoCode === currency && e.IsActive === true)
    .map((e) => ({ id: e.Id, price: Number(e.UnitPrice) }));
  if (entries.length === 0) throw new Error(`no ${currency} price book entries in the seed`);

  const accountIds: string[] = [];
  for (let start = 0; start < spec.accounts; start += BATCH) {
    org.transaction(() => {
      for (let i = start; i < Math.min(spec.accounts, start + BATCH); i += 1) {
        const id = org.insert(
          'Account',
          {
            Name: `Bench ${spec.label} Customer ${String(i + 1).padStart(5, '0')}`,
            BillingStreet: `${i + 1} Bench Street`,
            BillingCity: 'Benchtown',
            BillingPostalCode: 'BE1 1NC',
            BillingCountry: country,
            CurrencyIsoCode: currency,
            Type: 'Customer - Direct',
            OwnerId: users.sales,
          },
          ctx,
        );
        org.insert(
          'Contact',
          {
            AccountId: id,
            FirstName: 'Accounts',
            LastName: `Payable ${i + 1}`,
            Email: `ap${i + 1}@bench-${spec.label.toLowerCase()}.example`,
            MailingCountry: country,
          },
          ctx,
        );
        accountIds.push(id);
      }
    });
  }

  const opportunityIds: string[] = [];
  let lineItems = 0;
  for (let start = 0; start < spec.opportunities; start += BATCH) {
    org.transaction(() => {
      for (let i = start; i < Math.min(spec.opportunities, start + BATCH); i += 1) {
        const id = org.insert(
          'Opportunity',
          {
            Name: `Bench ${spec.label} Deal ${String(i + 1).padStart(6, '0')}`,
            AccountId: accountIds[i % accountIds.length],
            StageName: 'Negotiation/Review',
            CloseDate: '2026-11-20',
            CurrencyIsoCode: currency,
            Type: 'New Business',
            OwnerId: users.sales,
          },
          ctx,
        );
        const lines = 1 + (i % 3);
        for (let l = 0; l < lines; l += 1) {
          const entry = entries[(i + l) % entries.length]!;
          org.insert(
            'OpportunityLineItem',
            {
              OpportunityId: id,
              PricebookEntryId: entry.id,
              Quantity: 1 + ((i * 7 + l) % 24),
              UnitPrice: entry.price,
              Description: `Bench line ${l + 1}`,
            },
            ctx,
          );
        }
        lineItems += lines;
        opportunityIds.push(id);
      }
    });
  }
  return { tenant: spec.tenant, accountIds, opportunityIds, lineItems };
}

/**
 * The sales rep closes these deals, `perTransaction` to a save (one DML, as a list view's mass edit or a data load
 * sends them: the save's requests go out in one Invoice_Request__e at commit).
 */
export function closeWon(org: SalesforceOrg, opportunityIds: readonly string[], perTransaction = BATCH): void {
  const ctx = { userId: ids(org).sales };
  for (let start = 0; start < opportunityIds.length; start += perTransaction) {
    org.dmlChunk(() => {
      for (const id of opportunityIds.slice(start, start + perTransaction)) {
        org.update('Opportunity', id, { StageName: 'Closed Won' }, ctx);
      }
    });
  }
}

type Row = Record<string, unknown>;

/** Invoice__c rows by Opportunity__c (one pass over the table; in process, so no API call). */
export function invoicesByOpportunity(org: SalesforceOrg): Map<string, Row> {
  const def = org.object(org.n('Invoice__c'));
  const field = org.n('Opportunity__c');
  const out = new Map<string, Row>();
  for (const row of org.records(def)) {
    const opp = row[field];
    if (typeof opp === 'string') out.set(opp, row);
  }
  return out;
}

/** How many of these opportunities have an Invoice__c with Sync_Status__c = 'Synced'. */
export function countSynced(org: SalesforceOrg, opportunityIds: ReadonlySet<string>): number {
  const def = org.object(org.n('Invoice__c'));
  const opp = org.n('Opportunity__c');
  const status = org.n('Sync_Status__c');
  let n = 0;
  for (const row of org.store.table(def.name).values()) {
    if (!row.IsDeleted && row[status] === 'Synced' && opportunityIds.has(row[opp] as string)) n += 1;
  }
  return n;
}
