/**
 * Matching Salesforce Accounts to the Xero contacts a tenant already holds, before anything is created (go-live on
 * existing data). One call per billing entity: its Accounts, its contacts, its existing links.
 *
 * Order (the first rank with a candidate decides; lower ranks are listed beside it for the reviewer):
 * 1. an existing link (Xero_Contact_Link__c for this Account and entity);
 * 2. ContactNumber = the Account Id (the bridge's own key, on every contact it created since wave 1);
 * 3. an identifier: Account.AccountNumber = Xero AccountNumber, or Account.Tax_Number__c = Xero TaxNumber;
 * 4. the billing email = Xero EmailAddress (trimmed, case-insensitive);
 * 5. the name, normalised (see {@link nameKeys}).
 *
 * Outcomes: `linked` only when one active contact is the single candidate at the deciding rank and nothing contradicts
 * it; `review` when anything is uncertain; `create` only when no contact, active or archived, matches at any rank.
 * A wrong automatic link invoices the wrong customer, and a duplicate contact splits a customer's ledger, so every
 * doubt becomes a review for finance (decisions table in README.md):
 * - Names link automatically only when they are the same name written differently: case, spacing, punctuation,
 *   diacritics, `&`/`and`, and the spelling of the same company form (Ltd = Limited = Ltd.). Names that are the same
 *   apart from the company form (Acme vs Acme Ltd, Acme Inc vs Acme GmbH: often two legal entities) go to review.
 * - An identifier or email match links only if the names also agree (an identifier with a company-form difference is
 *   enough: the tax number names the legal entity); otherwise review. Both identifiers on the same contact link too.
 * - An identifier set on both sides with different values (tax numbers differ) blocks a link: review.
 * - Archived contacts never link automatically (Xero does not invoice them); a match on one is a review. Contacts
 *   under a GDPR request are ignored.
 * - Reverse check: a contact that two Accounts would link to, or that another Account's link already holds, sends the
 *   newcomer (or both newcomers) to review. An Account has at most one contact per entity.
 */
import { toEighteenCharId } from './contact';
import {
  accountIdKey,
  candidateNameKeys,
  candidateTaxKeys,
  nameKeys,
  normaliseEmail,
  normaliseIdentifier,
  taxNumbersAgree,
} from './contact-names';
import { pushTo } from '../lib/collections';

export type XeroContactStatus = 'ACTIVE' | 'ARCHIVED' | 'GDPRREQUEST';

/** A contact of the tenant, from GET /Contacts (includeArchived=true, summaryOnly=false for AccountNumber/TaxNumber). */
export interface XeroContactSummary {
  contactId: string;
  name: string;
  status: XeroContactStatus;
  contactNumber?: string | null;
  accountNumber?: string | null;
  taxNumber?: string | null;
  emailAddress?: string | null;
}

/** What matching reads of an Account (AccountNumber is standard; Tax_Number__c and Billing_Email__c are the package's). */
export interface AccountToMatch {
  accountId: string;
  name: string;
  accountNumber?: string | null;
  taxNumber?: string | null;
  billingEmail?: string | null;
}

/** An existing Xero_Contact_Link__c of this entity. */
export interface ContactLink {
  accountId: string;
  contactId: string;
}

export type MatchSignal = 'link' | 'contact-number' | 'account-number' | 'tax-number' | 'email' | 'name' | 'name-form';

export interface MatchCandidate {
  contactId: string;
  name: string;
  status: XeroContactStatus;
  /** Every signal this contact matched on, strongest first. */
  signals: MatchSignal[];
  /** Identifiers set on both sides with different values, in words. */
  conflicts: string[];
  emailAddress?: string;
  accountNumber?: string;
  taxNumber?: string;
}

export type LinkMethod = 'link' | 'contact-number' | 'account-number' | 'tax-number' | 'email' | 'name';

export type ReviewReason =
  | 'AMBIGUOUS'
  | 'COMPANY_FORM_DIFFERS'
  | 'NAME_DIFFERS'
  | 'IDENTIFIER_CONFLICT'
  | 'ARCHIVED'
  | 'LINK_MISSING'
  | 'CLAIMED_TWICE';

export type MatchOutcome =
  | {
      kind: 'linked';
      accountId: string;
      contactId: string;
      contactName: string;
      method: LinkMethod;
      candidates: MatchCandidate[];
    }
  | { kind: 'review'; accountId: string; reason: ReviewReason; message: string; candidates: MatchCandidate[] }
  | { kind: 'create'; accountId: string };

// prettier-ignore
const RANKS: readonly MatchSignal[] = ['link', 'contact-number', 'account-number', 'tax-number', 'email', 'name', 'name-form'];
const rankOf = (signal: MatchSignal) => RANKS.indexOf(signal);

type Index = Map<string, XeroContactSummary[]>;
/** Lookup tables over one tenant's contacts, built once per run. */
interface ContactIndex {
  byId: Map<string, XeroContactSummary>;
  byContactNumber: Index;
  byAccountNumber: Index;
  byTaxNumber: Index;
  byEmail: Index;
  byExactName: Index;
  byCoreName: Index;
}

function push<K, V>(map: Map<K, V[]>, key: K | undefined, value: V): void {
  if (key !== undefined && key !== '') pushTo(map, key, value);
}

function indexContacts(contacts: readonly XeroContactSummary[]): ContactIndex {
  // prettier-ignore
  const index: ContactIndex = {
    byId: new Map(), byContactNumber: new Map(), byAccountNumber: new Map(), byTaxNumber: new Map(),
    byEmail: new Map(), byExactName: new Map(), byCoreName: new Map(),
  };
  for (const contact of contacts) {
    if (contact.status === 'GDPRREQUEST') continue;
    index.byId.set(contact.contactId, contact);
    push(index.byContactNumber, accountIdKey(contact.contactNumber), contact);
    push(index.byAccountNumber, normaliseIdentifier(contact.accountNumber), contact);
    for (const key of candidateTaxKeys(contact.taxNumber)) push(index.byTaxNumber, key, contact);
    push(index.byEmail, normaliseEmail(contact.emailAddress), contact);
    for (const key of candidateNameKeys(contact.name))
      push(key.exact ? index.byExactName : index.byCoreName, key.value, contact);
  }
  return index;
}

/** Identifiers set on both sides that differ: the strongest sign two records are different customers. */
function conflictsOf(account: AccountToMatch, contact: XeroContactSummary): string[] {
  const conflicts: string[] = [];
  const ours = normaliseIdentifier(account.accountNumber);
  const theirs = normaliseIdentifier(contact.accountNumber);
  if (ours && theirs && ours !== theirs) {
    conflicts.push(
      `account number ${account.accountNumber?.trim()} in Salesforce, ${contact.accountNumber?.trim()} in Xero`,
    );
  }
  if (normaliseIdentifier(account.taxNumber) && normaliseIdentifier(contact.taxNumber)) {
    if (!taxNumbersAgree(account.taxNumber, contact.taxNumber)) {
      conflicts.push(`tax number ${account.taxNumber?.trim()} in Salesforce, ${contact.taxNumber?.trim()} in Xero`);
    }
  }
  return conflicts;
}

function candidatesFor(account: AccountToMatch, index: ContactIndex, linkedContactId?: string): MatchCandidate[] {
  const signals = new Map<string, Set<MatchSignal>>();
  const add = (contacts: readonly XeroContactSummary[] | undefined, signal: MatchSignal) => {
    for (const contact of contacts ?? []) {
      signals.set(contact.contactId, (signals.get(contact.contactId) ?? new Set()).add(signal));
    }
  };
  if (linkedContactId && index.byId.has(linkedContactId)) add([index.byId.get(linkedContactId)!], 'link');
  add(index.byContactNumber.get(toEighteenCharId(account.accountId)), 'contact-number');
  add(index.byAccountNumber.get(normaliseIdentifier(account.accountNumber) ?? ''), 'account-number');
  for (const key of candidateTaxKeys(account.taxNumber)) add(index.byTaxNumber.get(key), 'tax-number');
  add(index.byEmail.get(normaliseEmail(account.billingEmail) ?? ''), 'email');
  const keys = nameKeys(account.name);
  if (keys) {
    add(index.byExactName.get(keys.exact), 'name');
    if (keys.core) {
      const formOnly = index.byCoreName.get(keys.core) ?? [];
      add(
        formOnly.filter((contact) => !signals.get(contact.contactId)?.has('name')),
        'name-form',
      );
    }
  }
  return [...signals.entries()]
    .map(([contactId, set]): MatchCandidate => {
      const contact = index.byId.get(contactId)!;
      const candidate: MatchCandidate = {
        contactId,
        name: contact.name,
        status: contact.status,
        signals: [...set].sort((a, b) => rankOf(a) - rankOf(b)),
        conflicts: conflictsOf(account, contact),
      };
      if (contact.emailAddress?.trim()) candidate.emailAddress = contact.emailAddress.trim();
      if (contact.accountNumber?.trim()) candidate.accountNumber = contact.accountNumber.trim();
      if (contact.taxNumber?.trim()) candidate.taxNumber = contact.taxNumber.trim();
      return candidate;
    })
    .sort(
      (a, b) =>
        rankOf(a.signals[0]!) - rankOf(b.signals[0]!) ||
        b.signals.length - a.signals.length ||
        a.name.localeCompare(b.name) ||
        a.contactId.localeCompare(b.contactId),
    );
}

const best = (candidate: MatchCandidate) => candidate.signals[0]!;
const has = (candidate: MatchCandidate, signal: MatchSignal) => candidate.signals.includes(signal);
const namesAgree = (c: MatchCandidate) => has(c, 'name');
const quote = (c: MatchCandidate) => `"${c.name}"`;

/** The decision for one Account, before the reverse check across Accounts. */
function decide(account: AccountToMatch, candidates: MatchCandidate[], linkedContactId?: string): MatchOutcome {
  const { accountId } = account;
  const review = (reason: ReviewReason, message: string): MatchOutcome => ({
    kind: 'review',
    accountId,
    reason,
    message,
    candidates,
  });
  if (linkedContactId && !candidates.some((c) => has(c, 'link'))) {
    return review(
      'LINK_MISSING',
      `The linked Xero contact ${linkedContactId} is no longer in Xero (deleted or merged)`,
    );
  }
  if (candidates.length === 0) return { kind: 'create', accountId };

  const top = candidates[0]!;
  const rank = best(top);
  // Identifiers share one rank: an account-number match and a tax-number match on two contacts are a conflict.
  const sameRank = (c: MatchCandidate) =>
    rank === 'account-number' || rank === 'tax-number'
      ? has(c, 'account-number') || has(c, 'tax-number')
      : best(c) === rank;
  const tied = candidates.filter(sameRank);
  if (rank !== 'link' && rank !== 'contact-number' && tied.length > 1) {
    return review(
      'AMBIGUOUS',
      `${tied.length} Xero contacts match ${account.name} by ${describeSignal(rank)}: ${tied.map(quote).join(', ')}`,
    );
  }
  if (top.status === 'ARCHIVED') {
    return review(
      'ARCHIVED',
      `Xero contact ${quote(top)} matches but is archived: restore it in Xero, or create a new one`,
    );
  }
  const linked = (method: LinkMethod): MatchOutcome => ({
    kind: 'linked',
    accountId,
    contactId: top.contactId,
    contactName: top.name,
    method,
    candidates,
  });
  // The Account's own link, and the bridge's own key, were decided before: they stand.
  if (rank === 'link' || rank === 'contact-number') return linked(rank);
  if (top.conflicts.length > 0) {
    return review(
      'IDENTIFIER_CONFLICT',
      `Xero contact ${quote(top)} matches, but the ${top.conflicts.join(' and the ')}`,
    );
  }
  if (rank === 'name-form') {
    return review(
      'COMPANY_FORM_DIFFERS',
      `Xero contact ${quote(top)} has the same name as ${account.name} apart from the company form (Ltd, Inc, GmbH…)`,
    );
  }
  const bothIdentifiers = has(top, 'account-number') && has(top, 'tax-number');
  if (rank === 'account-number' || rank === 'tax-number') {
    if (namesAgree(top) || has(top, 'name-form') || bothIdentifiers) {
      return linked(has(top, 'tax-number') ? 'tax-number' : 'account-number');
    }
    return review(
      'NAME_DIFFERS',
      `Xero contact ${quote(top)} has ${account.name}'s ${describeSignal(rank)}, but another name`,
    );
  }
  if (rank === 'email') {
    if (namesAgree(top)) return linked('email');
    return review('NAME_DIFFERS', `Xero contact ${quote(top)} has ${account.name}'s billing email, but another name`);
  }
  return linked('name');
}

const SIGNAL_WORDS: Partial<Record<MatchSignal, string>> = {
  'account-number': 'account or tax number',
  'tax-number': 'account or tax number',
  email: 'billing email',
  name: 'name',
};
const describeSignal = (signal: MatchSignal) => SIGNAL_WORDS[signal] ?? 'name apart from the company form';

/**
 * Matches every Account of one billing entity against the tenant's contacts. `links` are the entity's existing
 * Xero_Contact_Link__c records (all Accounts, not only these: they hold contacts the Accounts here may not take).
 * Returns one outcome per Account, in input order.
 */
export function matchAccounts(
  accounts: readonly AccountToMatch[],
  contacts: readonly XeroContactSummary[],
  links: readonly ContactLink[] = [],
): MatchOutcome[] {
  const index = indexContacts(contacts);
  const linkOf = new Map(links.map((link) => [toEighteenCharId(link.accountId), link.contactId]));
  const holders = new Map<string, string[]>();
  for (const link of links) push(holders, link.contactId, toEighteenCharId(link.accountId));

  const outcomes = accounts.map((account) => {
    const linkedContactId = linkOf.get(toEighteenCharId(account.accountId));
    return decide(account, candidatesFor(account, index, linkedContactId), linkedContactId);
  });

  // Reverse check: one contact, one Account. A contact linked already stays with its holder.
  const claims = new Map<string, number[]>();
  outcomes.forEach((outcome, i) => {
    if (outcome.kind === 'linked' && outcome.method !== 'link') push(claims, outcome.contactId, i);
  });
  for (const [contactId, claimants] of claims) {
    const held = (holders.get(contactId) ?? []).filter(
      (holder) => !claimants.some((i) => toEighteenCharId(accounts[i]!.accountId) === holder),
    );
    if (claimants.length < 2 && held.length === 0) continue;
    const others = [...held, ...claimants.map((i) => accounts[i]!.name)];
    for (const i of claimants) {
      const outcome = outcomes[i]! as Extract<MatchOutcome, { kind: 'linked' }>;
      outcomes[i] = {
        kind: 'review',
        accountId: outcome.accountId,
        reason: 'CLAIMED_TWICE',
        message: `Xero contact "${outcome.contactName}" is claimed by more than one Account (${others.join(', ')}); one contact belongs to one Account`,
        candidates: outcome.candidates,
      };
    }
  }
  return outcomes;
}
