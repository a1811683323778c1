/** What the three inbound writers share: writing with refusals collected, the accounts the bridge knows, announcing. */
import { publishSyncUpdates } from '../services/sync-updates';
import type { SObjectSchema } from '../../salesforce/sobject';
import type { WriteOutcome, WriteRecord } from '../../salesforce/writeback';
import type { SObjectUpdate } from '../../salesforce/sobject';
import type { XeroContactRef } from '../../xero/types';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import { invoiceReference } from '../../domain/opportunity-invoice';
import type { GoLiveQueries } from '../../salesforce/golive-queries';
import type { Queries } from '../../salesforce/queries';
import type { Writeback } from '../../salesforce/writeback';
import type { ContactMappingRepository } from '../../store/types';
import type { ReferenceData } from '../services/reference-data';
import type { Summaries } from '../services/summaries';
import type { ChangeKind } from './invoice-plan';

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
/** The Opportunity a bridge-made invoice links back to (its page; a partial invoice's carries its request after). */
export const OPPORTUNITY_URL = /\/lightning\/r\/Opportunity\/([a-zA-Z0-9]{15,18})\/view(?:\?ledgerline=[^&]*)?$/;

/** A changed invoice mirror, for summaries and Sync_Update__e. */
export interface ChangedInvoice {
  id: string;
  opportunityId: string | null;
  accountId: string | null;
  change: ChangeKind;
}

/** Live: webhooks and the poller. Import: history read page by page (go-live), which also mirrors what the bridge made. */
export type ApplyMode = 'live' | 'import';

export interface ApplyResult {
  /** Invoice__c mirrors written. */
  changed: ChangedInvoice[];
  /** Xero documents of customers Salesforce does not have (no linked Account): not mirrored. */
  skipped?: string[];
  /** Xero documents skipped because Salesforce already holds a newer version. */
  stale: number;
  /** Xero documents skipped because their mirror already holds them as they are (nothing written). */
  unchanged: number;
  /**
   * Xero ids of documents whose mirror another flow is about to write (bridge-made invoices before CREATE_DRAFT
   * wrote them; a credit note that may be the one an approval of the customer's is making in Xero: same currency
   * and total, its Salesforce row without a Xero id yet). The event is worth retrying a little later.
   */
  awaitingMirror: string[];
  /** Salesforce refusals, in its words (the caller retries). */
  errors: string[];
}

export const emptyResult = (): ApplyResult => ({ changed: [], stale: 0, unchanged: 0, awaitingMirror: [], errors: [] });

export interface ApplyDeps {
  queries: Pick<Queries, 'invoicesByXeroIds' | 'creditNotesByXeroIds' | 'paymentsByXeroIds' | 'pendingCreditNotes'>;
  goLive: Pick<GoLiveQueries, 'linksOfContacts' | 'opportunities' | 'wonDealsOfAccounts' | 'customerCreditsByXeroIds'>;
  writeback: Pick<Writeback, 'update' | 'create' | 'upsert'>;
  contactMappings: Pick<ContactMappingRepository, 'getContactMapping'>;
  reference: Pick<ReferenceData, 'billingEntities'>;
  summaries: Pick<Summaries, 'refreshOpportunities' | 'refreshAccounts'>;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'info' | 'warn' | 'debug'>;
}

export function createApplyContext(deps: ApplyDeps) {
  const { writeback, log } = deps;

  /** Adds Salesforce's reason for every refused record to `errors`. */
  function refused(
    object: SObjectSchema,
    outcomes: readonly WriteOutcome[],
    keys: readonly unknown[],
    errors: string[],
  ) {
    outcomes.forEach((outcome, index) => {
      if (outcome.ok) return;
      const why = outcome.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ');
      errors.push(`Salesforce refused ${object.name} ${String(keys[index])}: ${why}`);
    });
  }

  async function updateAll<S extends SObjectSchema>(
    object: S,
    records: readonly SObjectUpdate<S>[],
    key: (record: SObjectUpdate<S>) => unknown,
    errors: string[],
  ): Promise<WriteOutcome[]> {
    if (records.length === 0) return [];
    const outcomes = await writeback.update(object, records);
    refused(object, outcomes, records.map(key), errors);
    return outcomes;
  }

  async function createAll<S extends SObjectSchema>(
    object: S,
    records: readonly WriteRecord<S>[],
    key: (record: WriteRecord<S>) => unknown,
    errors: string[],
  ): Promise<WriteOutcome[]> {
    if (records.length === 0) return [];
    const outcomes = await writeback.create(object, records);
    refused(object, outcomes, records.map(key), errors);
    return outcomes;
  }

  /** The Salesforce Account a Xero contact stands for, if the bridge made that contact (ContactNumber = Account id). */
  async function knownAccount(tenantId: string, contact: XeroContactRef | undefined): Promise<string | null> {
    const accountId = contact?.contactNumber;
    if (!accountId || !contact.contactID || !SALESFORCE_ID.test(accountId)) return null;
    const mapped = await deps.contactMappings.getContactMapping(tenantId, accountId);
    return mapped !== null && mapped.toLowerCase() === contact.contactID.toLowerCase() ? accountId : null;
  }

  /**
   * The Account each contact stands for: its Xero_Contact_Link__c in the tenant's entity (one query for the lot), else
   * a contact the bridge made before links existed (ContactNumber = the Account id, as the store's mapping says).
   */
  async function accountsOf(
    tenantId: string,
    contacts: readonly (XeroContactRef | undefined)[],
  ): Promise<Map<string, string>> {
    const accounts = new Map<string, string>();
    const ids = [...new Set(contacts.flatMap((c) => (c?.contactID ? [c.contactID.toLowerCase()] : [])))];
    if (ids.length === 0) return accounts;
    const entity = await entityName(tenantId);
    for (const link of entity ? await deps.goLive.linksOfContacts(entity, ids) : []) {
      if (link.Xero_Contact_Id__c && link.Account__c)
        accounts.set(link.Xero_Contact_Id__c.toLowerCase(), link.Account__c);
    }
    for (const contact of contacts) {
      const id = contact?.contactID?.toLowerCase();
      if (!id || accounts.has(id)) continue;
      const legacy = await knownAccount(tenantId, contact);
      if (legacy) accounts.set(id, legacy);
    }
    return accounts;
  }

  /**
   * The deal each invoice came from, where the bridge made it: the Opportunity its URL names, or a won Opportunity of
   * its Account whose Reference it carries ("PO … · name", the only one with it). Only an Opportunity of the same
   * Account is taken.
   */
  async function dealsOf(
    invoices: readonly {
      invoiceId: string;
      url?: string | undefined;
      reference?: string | undefined;
      accountId: string;
    }[],
  ): Promise<Map<string, string>> {
    const deals = new Map<string, string>();
    const same = (a: string | null | undefined, b: string) => !!a && a.slice(0, 15) === b.slice(0, 15);
    const named = invoices.flatMap((i) => {
      const id = i.url ? OPPORTUNITY_URL.exec(i.url)?.[1] : undefined;
      return id ? [{ ...i, opportunityId: id }] : [];
    });
    if (named.length > 0) {
      const found = new Map(
        (await deps.goLive.opportunities([...new Set(named.map((n) => n.opportunityId))])).map((o) => [
          o.Id.slice(0, 15),
          o,
        ]),
      );
      for (const n of named) {
        const deal = found.get(n.opportunityId.slice(0, 15));
        if (deal && same(deal.AccountId, n.accountId)) deals.set(n.invoiceId, deal.Id);
      }
    }
    const rest = invoices.filter((i) => !deals.has(i.invoiceId) && i.reference?.trim());
    if (rest.length > 0) {
      const won = await deps.goLive.wonDealsOfAccounts([...new Set(rest.map((i) => i.accountId))]);
      for (const i of rest) {
        const matches = won.filter(
          (d) =>
            same(d.AccountId, i.accountId) &&
            invoiceReference({ Name: d.Name ?? '', PO_Number__c: d.PO_Number__c }) === i.reference!.trim(),
        );
        if (matches.length === 1) deals.set(i.invoiceId, matches[0]!.Id);
      }
    }
    return deals;
  }

  async function entityName(tenantId: string): Promise<string> {
    const entities = await deps.reference.billingEntities();
    return entities.find((e) => e.xeroTenantId.toLowerCase() === tenantId.toLowerCase())?.developerName ?? '';
  }

  /** Refreshes the rep's summary fields and tells open pages (one event per kind of change: sync-updates.ts). */
  async function announce(changed: readonly ChangedInvoice[]): Promise<void> {
    if (changed.length === 0) return;
    const opportunities = [...new Set(changed.map((c) => c.opportunityId).filter((id): id is string => !!id))];
    const accounts = [...new Set(changed.map((c) => c.accountId).filter((id): id is string => !!id))];
    await deps.summaries.refreshOpportunities(opportunities);
    await deps.summaries.refreshAccounts(accounts);
    const outcomes = await publishSyncUpdates(
      writeback,
      changed.map((c) => ({
        change: c.change,
        invoiceId: c.id,
        opportunityId: c.opportunityId,
        accountId: c.accountId,
      })),
    );
    if (outcomes.some((o) => !o.ok))
      log.warn({ refused: outcomes.filter((o) => !o.ok) }, 'Sync_Update__e not published');
  }

  return { refused, updateAll, createAll, knownAccount, accountsOf, dealsOf, entityName, announce };
}

export type ApplyContext = ReturnType<typeof createApplyContext>;
