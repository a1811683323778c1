/** What the three inbound writers share: writing with refusals collected, the accounts the bridge knows, announcing. */
import { publishSyncUpdates } from '../services/sync-updates';
import type { SObjectSchema } from '../../salesforce/sobject';
import type { WriteOutcome, WriteRecord } from '../../salesforce/writeback';
import type { SObjectUpdate } from '../../salesforce/sobject';
import type { XeroContactRef } from '../../xero/types';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import { invoiceReference } from '../../domain/opportunity-invoice';
import type { ContactLinkRow, GoLiveQueries } from '../../salesforce/golive-queries';
import type { Queries } from '../../salesforce/queries';
import type { Writeback } from '../../salesforce/writeback';
import type { ContactMappingRepository } from '../../store/types';
import type { ReferenceData } from '../services/reference-data';
import type { Summaries } from '../services/summaries';
import type { ChangeKind } from './invoice-plan';
import type { OwnWrites } from './own-writes';

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
  /**
   * Xero documents not mirrored: of customers Salesforce does not have (no linked Account), or not a customer's at all
   * (a supplier's overpayment or prepayment).
   */
  skipped?: string[];
  /** Xero documents skipped because Salesforce already holds a newer version. */
  stale: number;
  /** Xero documents skipped because their mirror already holds them as they are (nothing written). */
  unchanged: number;
  /**
   * Invoices whose version moved on with nothing their mirror holds changing (the bridge's own email, SentToContact):
   * the version written, not counted as a change (no summaries, no Sync_Update__e, no re-plan, no poller wake).
   */
  restamped?: number;
  /**
   * Xero ids of webhook events left unread on a guess: the mirror holds a version of the event's second (Salesforce
   * keeps seconds), so the event may be a change just after it, and nothing says it is the bridge's own. The poll,
   * which compares fields, settles them: the caller wakes it.
   */
  unsure?: string[];
  /**
   * Xero ids of documents whose mirror another flow is about to write (bridge-made invoices before CREATE_DRAFT
   * wrote them; a credit note that may be the one an approval of the customer's is making in Xero: same currency
   * and total, its Salesforce row without a Xero id yet). The event is worth retrying a little later.
   */
  awaitingMirror: string[];
  /** Salesforce refusals, in its words (the caller retries). */
  errors: string[];
}

/** Whose customer a Xero contact is: the Account, and the billing entity whose contact link says so. */
export interface Customer {
  accountId: string;
  /** Billing_Entity__c's DeveloperName ('' when the tenant has no entity). */
  entity: string;
}

/**
 * What the caller knows about the documents it hands over. The go-live import names its run's entity: only that
 * entity's customers are mirrored, under its name. Live callers name none: every entity on the tenant is looked at.
 */
export interface ApplyScope {
  entity?: string;
  /**
   * Xero ids (lower-cased) the bridge's own store says it created (xero-results.ts `madeByBridge`): an invoice among
   * them without a mirror is left to the flow that made it (it writes the mirror under its request key).
   */
  madeByBridge?: ReadonlySet<string>;
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
  /** The bridge's own recent changes in Xero (own-writes.ts): their echoes are neither read nor counted as changes. */
  ownWrites?: Pick<OwnWrites, 'echo'>;
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
   * The customer each contact stands for: its Xero_Contact_Link__c (one query for the lot), else a contact the bridge
   * made before links existed (ContactNumber = the Account id, as the store's mapping says). With `entity` (the
   * go-live import of that entity), only that entity's links count. Without it (live: webhooks, the poller), the links
   * of every entity on the tenant do: entities sharing a tenant keep their customers apart (one link per Account per
   * entity), so the link found says whose customer it is, and the mirror carries that entity. A contact linked in two
   * entities at once (Xero_Contact_Id__c is unique, so only an org without that rule), or a contact known only from
   * the store's mapping on a shared tenant, cannot be told apart: it is left out (not mirrored) with a warning saying
   * why, rather than filed under a guessed entity.
   */
  async function accountsOf(
    tenantId: string,
    contacts: readonly (XeroContactRef | undefined)[],
    entity?: string,
  ): Promise<Map<string, Customer>> {
    const customers = new Map<string, Customer>();
    const ids = [...new Set(contacts.flatMap((c) => (c?.contactID ? [c.contactID.toLowerCase()] : [])))];
    if (ids.length === 0) return customers;
    const entities = entity ? [entity] : await entitiesOf(tenantId);
    const linked = Map.groupBy(
      (entities.length > 0 ? await deps.goLive.linksOfContacts(entities, ids) : []).filter(
        (l): l is ContactLinkRow & { Xero_Contact_Id__c: string; Account__c: string } =>
          !!l.Xero_Contact_Id__c && !!l.Account__c,
      ),
      (l) => l.Xero_Contact_Id__c.toLowerCase(),
    );
    const doubts: { contactId: string; why: string }[] = [];
    for (const [id, links] of linked) {
      const held = new Set(links.map((l) => `${l.Billing_Entity__c ?? ''}/${l.Account__c.slice(0, 15)}`));
      if (held.size === 1)
        customers.set(id, { accountId: links[0]!.Account__c, entity: links[0]!.Billing_Entity__c ?? '' });
      else
        doubts.push({
          contactId: id,
          why:
            `Xero contact ${id} is linked in more than one billing entity ` +
            `(${links.map((l) => `${l.Billing_Entity__c ?? '?'}: Account ${l.Account__c}`).join(', ')}); ` +
            `its documents are not mirrored until only one Xero_Contact_Link__c holds it`,
        });
    }
    // The store's mapping is per tenant, not per entity: it tells the entity only on a tenant no other entity shares.
    let onTenant: string[] | undefined;
    for (const contact of contacts) {
      const id = contact?.contactID?.toLowerCase();
      if (!id || customers.has(id) || linked.has(id)) continue;
      const legacy = await knownAccount(tenantId, contact);
      if (!legacy) continue;
      onTenant ??= entity ? await entitiesOf(tenantId) : entities;
      if (onTenant.length <= 1) customers.set(id, { accountId: legacy, entity: entity ?? onTenant[0] ?? '' });
      else if (!doubts.some((d) => d.contactId === id))
        doubts.push({
          contactId: id,
          why:
            `Xero contact ${id} (Account ${legacy}, made by the bridge) has no Xero_Contact_Link__c, and tenant ` +
            `${tenantId} is shared by ${onTenant.join(' and ')}: its documents are not mirrored until the Account is ` +
            `linked in its entity (a go-live import of that entity, or a contact match)`,
        });
    }
    if (doubts.length > 0)
      log.warn({ tenantId, doubts: doubts.map((d) => d.why) }, 'Xero contacts whose billing entity cannot be told');
    return customers;
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

  /** The billing entities on this tenant (more than one when they share a Xero organisation). */
  async function entitiesOf(tenantId: string): Promise<string[]> {
    const entities = await deps.reference.billingEntities();
    return entities.filter((e) => e.xeroTenantId.toLowerCase() === tenantId.toLowerCase()).map((e) => e.developerName);
  }

  /**
   * The entity a document of this tenant belongs to when nothing about it says more: the one asked for (the import's),
   * else the tenant's only entity; '' when the tenant is shared (no guess) or has none.
   */
  async function tenantEntity(tenantId: string, entity?: string): Promise<string> {
    if (entity) return entity;
    const entities = await entitiesOf(tenantId);
    return entities.length === 1 ? entities[0]! : '';
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

  return { refused, updateAll, createAll, knownAccount, accountsOf, dealsOf, entitiesOf, tenantEntity, announce };
}

export type ApplyContext = ReturnType<typeof createApplyContext>;
