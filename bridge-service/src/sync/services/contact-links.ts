/**
 * Which Xero contact an Account is invoiced through in a billing entity, decided once and kept where finance sees it.
 *
 * The one source of truth is Xero_Contact_Link__c (one per Account per entity; Link_Key__c and Xero_Contact_Id__c
 * unique): finance reads it on the Account, a review's decision becomes one, and every bridge sharing the org sees the
 * same. The store's contact mappings are a write-through copy the bridge keeps for the inbound path of a wave-1 store
 * (a contact it made carries the Account Id as ContactNumber); they are never read to decide a link.
 *
 * An Account without a link is matched against the tenant's contacts (domain/contact-matching.ts): a certain match is
 * linked (the link written now), anything doubtful becomes a Contact_Match_Review__c and the Account waits for
 * finance, and only an Account no contact resembles is created in Xero. A duplicate contact is never created
 * silently. A review finance has decided is never reopened here; a rejected one keeps the Account's drafts refused.
 */
import { toEighteenCharId } from '../../domain/contact';
import {
  matchAccounts,
  type AccountToMatch,
  type ContactLink,
  type LinkMethod,
  type MatchOutcome,
} from '../../domain/contact-matching';
import { accountEntityKey, linkRecord, reviewRecord } from '../../domain/golive-records';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { ContactLinkRow, GoLiveQueries, MatchReviewRow } from '../../salesforce/golive-queries';
import { ContactMatchReview, XeroContactLink } from '../../salesforce/objects';
import type { SObjectSchema, SObjectWrite } from '../../salesforce/sobject';
import type { CompositeBatch, Writeback, WriteOutcome } from '../../salesforce/writeback';
import type { ContactMappingRepository } from '../../store/types';
import type { ContactDirectory } from './contact-directory';

/** What an Account's drafts can do in an entity. */
export type AccountContact =
  | { kind: 'linked'; contactId: string }
  /** A review is open (or decided and being applied): the drafts wait for finance. */
  | { kind: 'waiting'; message: string }
  /** Finance answered "none of these": nothing is invoiced until the review is reopened. */
  | { kind: 'rejected'; message: string }
  /** No contact resembles the Account: create one. */
  | { kind: 'create' };

export interface EntityRef {
  developerName: string;
  xeroTenantId: string;
}

/** Links and reviews decided, not yet written: the draft flow queues them with its write-back. */
export interface LinkWrites {
  links: SObjectWrite<typeof XeroContactLink>[];
  reviews: SObjectWrite<typeof ContactMatchReview>[];
  /** Store copies of the links: [tenant, Account (18), contact]. */
  mappings: [string, string, string][];
}

export const noWrites = (): LinkWrites => ({ links: [], reviews: [], mappings: [] });

/** What the batch already read about the Accounts (links and reviews, any entity). */
export interface KnownLinks {
  links: readonly ContactLinkRow[];
  reviews: readonly MatchReviewRow[];
}

export interface ContactLinksDeps {
  goLive: Pick<GoLiveQueries, 'linksOfAccounts' | 'linksOfContacts' | 'linksOfEntity' | 'reviewsByKey'>;
  writeback: Pick<Writeback, 'upsert' | 'requireAll'>;
  contactMappings: Pick<ContactMappingRepository, 'saveContactMapping'>;
  directory: Pick<ContactDirectory, 'contacts' | 'add' | 'find'>;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'info' | 'warn'>;
}

/** A write of the domain's record (golive-records.ts), each field checked to be one the object schema declares. */
export function checkedWrite<S extends SObjectSchema>(object: S, record: Record<string, unknown>): SObjectWrite<S> {
  for (const field of Object.keys(record)) {
    if (!(field in object.fields)) throw new Error(`${object.name} has no field ${field} in the bridge's schema`);
  }
  return record as SObjectWrite<S>;
}

function refusals(what: string, outcomes: readonly WriteOutcome[]): string[] {
  return outcomes.flatMap((o) =>
    o.ok ? [] : [`${what}: ${o.errors.map((e) => `${e.statusCode} ${e.message}`).join('; ')}`],
  );
}

const DECIDED_BUT_NOT_APPLIED = new Set(['Confirmed', 'Created New']);

export interface MatchSummary {
  linked: number;
  reviews: number;
  unmatched: number;
}

export function createContactLinks(deps: ContactLinksDeps) {
  const now = () => new Date(deps.clock.now()).toISOString();
  const key = (id: string) => toEighteenCharId(id);

  type NewLink = {
    accountId: string;
    contactId: string;
    contactName: string;
    method: LinkMethod | 'review' | 'created';
    confirmedBy?: string;
  };

  /** Adds links (and their store copies) to `writes`. */
  function addLinks(writes: LinkWrites, entity: EntityRef, links: readonly NewLink[]): void {
    const at = now();
    for (const link of links) {
      writes.links.push(
        checkedWrite(XeroContactLink, {
          ...linkRecord(link, entity, at),
          ...(link.confirmedBy ? { Confirmed_By__c: link.confirmedBy } : {}),
        }),
      );
      writes.mappings.push([entity.xeroTenantId, key(link.accountId), link.contactId]);
    }
  }

  /** The store's copies of the links. */
  async function saveMappings(writes: LinkWrites): Promise<void> {
    for (const [tenantId, accountId, contactId] of writes.mappings) {
      await deps.contactMappings.saveContactMapping(tenantId, accountId, contactId);
    }
  }

  /** Sends the writes now (or queues them on a Composite batch); resolves to Salesforce's refusals, in words. */
  async function flush(writes: LinkWrites, batch?: Pick<CompositeBatch, 'upsert'>): Promise<string[]> {
    const target = batch ?? deps.writeback;
    const pending = [
      writes.links.length > 0
        ? target.upsert(XeroContactLink, 'Link_Key__c', writes.links).then((o) => refusals('Xero_Contact_Link__c', o))
        : Promise.resolve([]),
      writes.reviews.length > 0
        ? target
            .upsert(ContactMatchReview, 'Review_Key__c', writes.reviews)
            .then((o) => refusals('Contact_Match_Review__c', o))
        : Promise.resolve([]),
    ];
    await saveMappings(writes);
    if (batch) return Promise.all(pending).then((all) => all.flat());
    const problems = (await Promise.all(pending)).flat();
    if (writes.reviews.length > 0) deps.log.info({ reviews: writes.reviews.length }, 'contact match reviews opened');
    return problems;
  }

  /**
   * Writes links now; throws Salesforce's refusal as a SalesforceWriteError, so a locked row or a 503 is retried
   * rather than sending finance's decision back to be made again.
   */
  async function writeLinks(entity: EntityRef, links: readonly NewLink[]): Promise<void> {
    const writes = noWrites();
    addLinks(writes, entity, links);
    await saveMappings(writes);
    const outcomes = await deps.writeback.upsert(XeroContactLink, 'Link_Key__c', writes.links);
    deps.writeback.requireAll(
      XeroContactLink,
      writes.links.map((l) => l.Link_Key__c),
      outcomes,
    );
  }

  /** Matches these Accounts (no link and no decided review): links what is certain, reviews what is not (in `writes`). */
  async function match(
    entity: EntityRef,
    accounts: readonly AccountToMatch[],
    links: readonly ContactLinkRow[],
    writes: LinkWrites,
  ): Promise<MatchOutcome[]> {
    if (accounts.length === 0) return [];
    let contacts = await deps.directory.contacts(entity.xeroTenantId);
    // A link to a contact this process has not seen yet (another replica created and linked it since this directory
    // was read) is not a missing contact: read Xero's changes before calling it one.
    const seen = new Set(contacts.map((c) => c.contactId.toLowerCase()));
    if (links.some((l) => l.Xero_Contact_Id__c && !seen.has(l.Xero_Contact_Id__c.toLowerCase())))
      contacts = await deps.directory.contacts(entity.xeroTenantId, true);
    const asLinks = (rows: readonly ContactLinkRow[]): ContactLink[] =>
      rows.flatMap((r) =>
        r.Account__c && r.Xero_Contact_Id__c
          ? [{ accountId: r.Account__c, contactId: r.Xero_Contact_Id__c.toLowerCase() }]
          : [],
      );
    let outcomes = matchAccounts(accounts, contacts, asLinks(links));
    // The reverse check needs the links that hold any candidate, whoever's Account holds them.
    const wanted = new Set<string>();
    for (const o of outcomes) {
      if (o.kind === 'linked' && o.method !== 'link') wanted.add(o.contactId);
      if (o.kind === 'review') for (const c of o.candidates) wanted.add(c.contactId);
    }
    const known = new Set(links.map((l) => l.Id));
    const holders =
      wanted.size > 0
        ? (await deps.goLive.linksOfContacts(entity.developerName, [...wanted])).filter((l) => !known.has(l.Id))
        : [];
    if (holders.length > 0) outcomes = matchAccounts(accounts, contacts, asLinks([...links, ...holders]));

    addLinks(
      writes,
      entity,
      outcomes.flatMap((o) =>
        o.kind === 'linked' && o.method !== 'link'
          ? [{ accountId: o.accountId, contactId: o.contactId, contactName: o.contactName, method: o.method }]
          : [],
      ),
    );
    for (const o of outcomes) {
      if (o.kind === 'review') writes.reviews.push(checkedWrite(ContactMatchReview, reviewRecord(o, entity)));
    }
    return outcomes;
  }

  const waitingFor = (review: Pick<MatchReviewRow, 'Name'>, accountName: string, entity: EntityRef, why: string) =>
    `Waiting for finance: ${why} (${entity.developerName}, review ${review.Name ?? ''} on ${accountName}'s page). ` +
    'The draft is created once finance decides.';

  return {
    writeLinks,
    addLinks,
    flush,

    /**
     * The Xero contact of each Account in the entity, for the draft flow: linked, waiting for a review, refused by
     * finance, or to be created. Keys are the Account ids as given.
     */
    async resolve(
      entity: EntityRef,
      accounts: readonly AccountToMatch[],
      writes: LinkWrites,
      known?: KnownLinks,
    ): Promise<Map<string, AccountContact>> {
      const result = new Map<string, AccountContact>();
      const unique = [...new Map(accounts.map((a) => [key(a.accountId), a])).values()];
      if (unique.length === 0) return result;
      const inEntity = <R extends { Billing_Entity__c: string | null; Account__c: string | null }>(
        rows: readonly R[],
      ) =>
        rows.filter(
          (r) =>
            r.Billing_Entity__c === entity.developerName &&
            unique.some((a) => r.Account__c && key(r.Account__c) === key(a.accountId)),
        );
      const links = known
        ? inEntity(known.links)
        : await deps.goLive.linksOfAccounts(
            entity.developerName,
            unique.map((a) => a.accountId),
          );
      const linked = new Set(links.flatMap((l) => (l.Account__c ? [key(l.Account__c)] : [])));
      const unlinked = unique.filter((a) => !linked.has(key(a.accountId)));
      const reviews = new Map(
        (known
          ? inEntity(known.reviews)
          : unlinked.length > 0
            ? await deps.goLive.reviewsByKey(unlinked.map((a) => accountEntityKey(a.accountId, entity.developerName)))
            : []
        ).map((r) => [r.Review_Key__c, r]),
      );
      const set = (accountId: string, value: AccountContact) => {
        for (const a of accounts) if (key(a.accountId) === key(accountId)) result.set(a.accountId, value);
      };
      const toMatch: AccountToMatch[] = [];
      for (const account of unique) {
        const review = linked.has(key(account.accountId))
          ? undefined
          : reviews.get(accountEntityKey(account.accountId, entity.developerName));
        if (review?.Status__c === 'Open') {
          set(account.accountId, {
            kind: 'waiting',
            message: waitingFor(review, account.name, entity, 'a Xero contact to confirm'),
          });
        } else if (review?.Status__c === 'Rejected') {
          set(account.accountId, {
            kind: 'rejected',
            message:
              `Finance answered "none of these" for ${account.name} in ${entity.developerName} (review ${review.Name ?? ''}` +
              `${review.Decision_Note__c ? `: ${review.Decision_Note__c}` : ''}): nothing is invoiced until the review is reopened`,
          });
        } else if (review && DECIDED_BUT_NOT_APPLIED.has(review.Status__c ?? '')) {
          set(account.accountId, {
            kind: 'waiting',
            message: waitingFor(
              review,
              account.name,
              entity,
              `finance decided (${review.Status__c}); the bridge is applying it`,
            ),
          });
        } else toMatch.push(account);
      }
      for (const outcome of await match(entity, toMatch, links, writes)) {
        if (outcome.kind === 'linked') set(outcome.accountId, { kind: 'linked', contactId: outcome.contactId });
        else if (outcome.kind === 'create') set(outcome.accountId, { kind: 'create' });
        else {
          const account = toMatch.find((a) => key(a.accountId) === key(outcome.accountId));
          set(outcome.accountId, {
            kind: 'waiting',
            message: waitingFor({ Name: null }, account?.name ?? outcome.accountId, entity, outcome.message),
          });
        }
      }
      return result;
    },

    /**
     * Matches every Account against the tenant (the import): links what is certain, opens reviews for what is not,
     * leaves decided reviews alone. Accounts no contact resembles are only counted: nothing is created in Xero.
     */
    async matchAll(
      entity: EntityRef,
      accounts: readonly AccountToMatch[],
    ): Promise<MatchSummary & { outcomes: MatchOutcome[] }> {
      const links = await deps.goLive.linksOfEntity(entity.developerName);
      const linked = new Set(links.flatMap((l) => (l.Account__c ? [key(l.Account__c)] : [])));
      const unlinked = accounts.filter((a) => !linked.has(key(a.accountId)));
      const decided = new Set(
        (await deps.goLive.reviewsByKey(unlinked.map((a) => accountEntityKey(a.accountId, entity.developerName))))
          .filter((r) => r.Status__c !== 'Open')
          .map((r) => r.Review_Key__c),
      );
      const toMatch = accounts.filter(
        (a) => linked.has(key(a.accountId)) || !decided.has(accountEntityKey(a.accountId, entity.developerName)),
      );
      const writes = noWrites();
      const outcomes = await match(entity, toMatch, links, writes);
      const problems = await flush(writes);
      if (problems.length > 0) throw new Error(problems.join('; '));
      return {
        outcomes,
        linked: outcomes.filter((o) => o.kind === 'linked').length,
        reviews: outcomes.filter((o) => o.kind === 'review').length,
        unmatched: outcomes.filter((o) => o.kind === 'create').length,
      };
    },
  };
}

export type ContactLinks = ReturnType<typeof createContactLinks>;
