import type { XeroContactSummary } from '../../domain/contact-matching';
import type { ContactLinkRow, MatchReviewRow } from '../../salesforce/golive-queries';
import { isTransient } from '../../lib/errors';
import { requireAll, SalesforceWriteError, type WriteOutcome } from '../../salesforce/writeback';
import { createContactLinks, noWrites, type ContactLinksDeps, type LinkWrites } from './contact-links';

const UK = { developerName: 'UK_Ltd', xeroTenantId: '11111111-1111-4111-8111-111111111111' };
const ACME = '001000000000001AAA';
const GLOBEX = '001000000000002AAA';
const INITECH = '001000000000003AAA';
const NEWCO = '001000000000004AAA';
const OTHER = '001000000000009AAA';

const contact = (id: string, name: string, extra: Partial<XeroContactSummary> = {}): XeroContactSummary => ({
  contactId: id,
  name,
  status: 'ACTIVE',
  ...extra,
});
const link = (accountId: string, contactId: string): ContactLinkRow => ({
  Id: `a0L${accountId.slice(3)}`,
  Account__c: accountId,
  Billing_Entity__c: 'UK_Ltd',
  Xero_Tenant_Id__c: UK.xeroTenantId,
  Xero_Contact_Id__c: contactId,
  Contact_Name__c: null,
  Match_Method__c: 'Name',
  Link_Key__c: `${accountId}:UK_LTD`,
});
const review = (accountId: string, status: string, extra: Partial<MatchReviewRow> = {}): MatchReviewRow => ({
  Id: `a0R${accountId.slice(3)}`,
  Name: 'CMR-000007',
  Account__c: accountId,
  Billing_Entity__c: 'UK_Ltd',
  Review_Key__c: `${accountId}:UK_LTD`,
  Status__c: status,
  Reason__c: 'AMBIGUOUS',
  Chosen_Contact_Id__c: null,
  Decision_Note__c: null,
  Sync_Status__c: null,
  Request_Key__c: null,
  ...extra,
});

function setup(opts: {
  contacts: XeroContactSummary[];
  links?: ContactLinkRow[];
  reviews?: MatchReviewRow[];
  directory?: ContactLinksDeps['directory'];
  /** What Salesforce answers every upserted record (accepted by default). */
  answer?: WriteOutcome;
}) {
  const upserts: { object: string; key: string; records: Record<string, unknown>[] }[] = [];
  const mappings: [string, string, string][] = [];
  const links = opts.links ?? [];
  const deps: ContactLinksDeps = {
    goLive: {
      linksOfAccounts: async (_entity, ids) => links.filter((l) => ids.includes(l.Account__c ?? '')),
      linksOfContacts: async (_entity, ids) => links.filter((l) => ids.includes(l.Xero_Contact_Id__c ?? '')),
      linksOfEntity: async () => links,
      reviewsByKey: async (keys) => (opts.reviews ?? []).filter((r) => keys.includes(r.Review_Key__c ?? '')),
    },
    writeback: {
      upsert: async (object, key, records) => {
        upserts.push({ object: object.name, key, records: records.map((r) => ({ ...r })) });
        return records.map((): WriteOutcome => opts.answer ?? { ok: true, id: 'a0X000000000001AAA' });
      },
      requireAll,
    },
    contactMappings: { saveContactMapping: async (t, a, c) => void mappings.push([t, a, c]) },
    directory: opts.directory ?? {
      contacts: async () => opts.contacts,
      add: () => undefined,
      find: async () => undefined,
    },
    clock: { now: () => Date.UTC(2026, 5, 1) },
    log: { info: () => undefined, warn: () => undefined },
  };
  const service = createContactLinks(deps);
  /** resolve, then the writes it decided sent as the draft flow sends them. */
  const resolve = async (entity: typeof UK, accounts: Parameters<typeof service.resolve>[1]) => {
    const writes: LinkWrites = noWrites();
    const result = await service.resolve(entity, accounts, writes);
    await service.flush(writes);
    return result;
  };
  return { links: service, resolve, upserts, mappings };
}

describe('writing a decided link', () => {
  const decided = { accountId: ACME, contactId: 'c-acme', contactName: 'ACME LIMITED', method: 'review' as const };

  it('throws a refusal a retry can fix (a locked row) as transient, so the decision is retried, not made again', async () => {
    const { links } = setup({
      contacts: [],
      answer: {
        ok: false,
        errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain lock', fields: [] }],
      },
    });
    const err = await links.writeLinks(UK, [decided]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SalesforceWriteError);
    expect(isTransient(err)).toBe(true);
  });

  it('throws a refusal for good (a validation rule) as not transient', async () => {
    const { links } = setup({
      contacts: [],
      answer: { ok: false, errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'no', fields: [] }] },
    });
    const err = await links.writeLinks(UK, [decided]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SalesforceWriteError);
    expect(isTransient(err)).toBe(false);
  });
});

describe('contact links', () => {
  it('links certain matches (and writes the link and its store copy), reviews doubts, creates only the unknown', async () => {
    const { resolve, upserts, mappings } = setup({
      contacts: [
        contact('c-acme', 'ACME LIMITED'),
        contact('c-ini-1', 'Initech Ltd'),
        contact('c-ini-2', 'INITECH LIMITED'),
        contact('c-globex', 'Globex Ltd'),
      ],
      links: [link(GLOBEX, 'c-globex')],
    });
    const result = await resolve(UK, [
      { accountId: ACME, name: 'Acme Ltd' },
      { accountId: GLOBEX, name: 'Globex Ltd' },
      { accountId: INITECH, name: 'Initech Ltd' },
      { accountId: NEWCO, name: 'Newco Ltd' },
    ]);
    expect(result.get(ACME)).toEqual({ kind: 'linked', contactId: 'c-acme' });
    expect(result.get(GLOBEX)).toEqual({ kind: 'linked', contactId: 'c-globex' });
    expect(result.get(NEWCO)).toEqual({ kind: 'create' });
    expect(result.get(INITECH)).toEqual({
      kind: 'waiting',
      message: expect.stringMatching(/^Waiting for finance: 2 Xero contacts match Initech Ltd by name/),
    });
    const [linkWrite, reviewWrite] = upserts;
    expect(linkWrite).toMatchObject({ object: 'Xero_Contact_Link__c', key: 'Link_Key__c' });
    expect(linkWrite!.records).toEqual([
      expect.objectContaining({ Account__c: ACME, Xero_Contact_Id__c: 'c-acme', Match_Method__c: 'Name' }),
    ]);
    expect(reviewWrite).toMatchObject({ object: 'Contact_Match_Review__c', key: 'Review_Key__c' });
    expect(reviewWrite!.records).toEqual([
      expect.objectContaining({
        Account__c: INITECH,
        Status__c: 'Open',
        Reason__c: 'AMBIGUOUS',
        Candidate_Count__c: 2,
      }),
    ]);
    expect(mappings).toEqual([[UK.xeroTenantId, ACME, 'c-acme']]);
  });

  it('reads Xero again before calling a link missing: another replica may have created and linked the contact', async () => {
    // This process read its directory before the other replica created c-acme; only a fresh read has it.
    const reads: boolean[] = [];
    const { resolve, upserts } = setup({
      contacts: [],
      links: [link(ACME, 'c-acme')],
      directory: {
        contacts: async (_tenantId, force = false) => {
          reads.push(force);
          return force ? [contact('c-acme', 'Acme Ltd')] : [];
        },
        add: () => undefined,
        find: async () => undefined,
      },
    });
    const result = await resolve(UK, [{ accountId: ACME, name: 'Acme Ltd' }]);
    expect(result.get(ACME)).toEqual({ kind: 'linked', contactId: 'c-acme' });
    expect(reads).toEqual([false, true]);
    expect(upserts.map((u) => u.object)).not.toContain('Contact_Match_Review__c');
  });

  it('never takes a contact another Account holds: the newcomer waits for finance', async () => {
    const { resolve, upserts } = setup({
      contacts: [contact('c-acme', 'Acme Ltd')],
      links: [link(OTHER, 'c-acme')],
    });
    const result = await resolve(UK, [{ accountId: ACME, name: 'Acme Ltd' }]);
    expect(result.get(ACME)).toEqual({ kind: 'waiting', message: expect.stringContaining('claimed by more than one') });
    expect(upserts.map((u) => u.object)).toEqual(['Contact_Match_Review__c']);
  });

  it('leaves a decided review alone: open waits, rejected refuses, decided but not applied waits', async () => {
    const { resolve, upserts } = setup({
      contacts: [contact('c-acme', 'Acme Ltd')],
      reviews: [
        review(ACME, 'Open'),
        review(INITECH, 'Rejected', { Decision_Note__c: 'Different company' }),
        review(NEWCO, 'Confirmed'),
      ],
    });
    const result = await resolve(UK, [
      { accountId: ACME, name: 'Acme Ltd' },
      { accountId: INITECH, name: 'Initech Ltd' },
      { accountId: NEWCO, name: 'Newco Ltd' },
    ]);
    expect(result.get(ACME)).toMatchObject({ kind: 'waiting', message: expect.stringContaining('review CMR-000007') });
    expect(result.get(INITECH)).toEqual({
      kind: 'rejected',
      message: expect.stringContaining(
        '"none of these" for Initech Ltd in UK_Ltd (review CMR-000007: Different company)',
      ),
    });
    expect(result.get(NEWCO)).toMatchObject({
      kind: 'waiting',
      message: expect.stringContaining('the bridge is applying it'),
    });
    expect(upserts).toEqual([]);
  });

  it('an import matches every Account but reopens no decided review, and creates nothing', async () => {
    const { links } = setup({
      contacts: [contact('c-acme', 'Acme Ltd'), contact('c-zen', 'Zenith GmbH')],
      reviews: [review(INITECH, 'Rejected')],
    });
    const summary = await links.matchAll(UK, [
      { accountId: ACME, name: 'Acme Ltd' },
      { accountId: GLOBEX, name: 'Zenith' },
      { accountId: INITECH, name: 'Initech Ltd' },
      { accountId: NEWCO, name: 'Newco Ltd' },
    ]);
    expect({ linked: summary.linked, reviews: summary.reviews, unmatched: summary.unmatched }).toEqual({
      linked: 1,
      reviews: 1,
      unmatched: 1,
    });
    expect(summary.outcomes.map((o) => o.accountId)).not.toContain(INITECH);
  });
});
