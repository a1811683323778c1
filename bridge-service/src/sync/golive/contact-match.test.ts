/**
 * CONTACT_MATCH "Create new" against the Xero emulator (the real XeroClient): Xero keeps a ContactNumber unique across
 * archived contacts too, so the archived contact finance asked to replace may still hold the Account's number.
 */
import { toEighteenCharId } from '../../domain/contact';
import { harness, teardown, UK, type Harness } from '../../xero/__fixtures__/client-harness';
import type { JobOf } from '../handler';
import { contactMatchHandler, type ContactMatchDeps } from './contact-match';

const ACCOUNT = toEighteenCharId('001000000000777');
let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => teardown(h));

function decision(): JobOf<'CONTACT_MATCH'> {
  return {
    id: 1,
    key: 'CONTACT_MATCH:a0R000000000001AAA:1',
    action: 'CONTACT_MATCH',
    payload: {
      action: 'CONTACT_MATCH',
      requestKey: 'CONTACT_MATCH:a0R000000000001AAA:1',
      payload: {
        reviewId: 'a0R000000000001AAA',
        accountId: ACCOUNT,
        billingEntity: 'UK_Ltd',
        decision: 'CREATE_NEW',
        contactId: null,
        note: null,
      },
    },
    tenantId: null,
    state: 'running',
    attempts: 1,
    nextRunAt: 0,
    lastError: null,
    result: null,
    leaseOwner: 'bridge-1',
    leaseExpiresAt: null,
    createdAt: 0,
    updatedAt: 0,
  } as JobOf<'CONTACT_MATCH'>;
}

it('creates a new contact beside the archived one that holds the Account number, and links the new one', async () => {
  const [made] = await h.client.createContacts(
    UK,
    [{ contactNumber: ACCOUNT, name: 'Old Name Ltd', addresses: [] }],
    'contact-match-archived',
  );
  const archivedId = made!.ok ? made!.id! : '';
  h.emu.state.tenant(UK)!.contacts.get(archivedId.toLowerCase())!.status = 'ARCHIVED';
  const links: { contactId: string; contactName: string }[] = [];
  const reviews: Record<string, unknown>[] = [];
  const deps: ContactMatchDeps = {
    reference: { entity: async () => ({ developerName: 'UK_Ltd', xeroTenantId: UK }) as never },
    goLive: {
      accountsToMatch: async () => [{ Id: ACCOUNT, Name: 'New Name Ltd' }] as never,
      linksOfContacts: async () => [],
      waitingDrafts: async () => [],
    },
    directory: {
      find: async () => undefined,
      add: () => undefined,
      contacts: async () => [
        { contactId: archivedId, name: 'Old Name Ltd', status: 'ARCHIVED', contactNumber: ACCOUNT },
      ],
    },
    contactLinks: { writeLinks: async (_entity, written) => void links.push(...written) },
    xero: h.client,
    xeroResults: h.store.xeroResults,
    writeback: {
      update: async (_object: unknown, records: Record<string, unknown>[]) => {
        reviews.push(...records);
        return records.map(() => ({ ok: true, id: 'a0R000000000001AAA' }));
      },
      requireAll: () => [],
    } as never,
    jobs: { getJobByKey: async () => null, retryJob: async () => null },
    clock: { now: () => Date.now() },
    log: { info: () => undefined, warn: () => undefined },
  };
  const outcome = (await contactMatchHandler(deps).run([decision()])).get(1);
  expect(outcome).toMatchObject({ kind: 'done' });
  expect(links).toHaveLength(1);
  expect(links[0]!.contactId).not.toBe(archivedId);
  const created = h.emu.state.tenant(UK)!.contacts.get(links[0]!.contactId.toLowerCase())!;
  expect(created).toMatchObject({ name: 'New Name Ltd', status: 'ACTIVE', contactNumber: `${ACCOUNT}-2` });
});

it('a decision it cannot apply opens the review again, saying why, so finance can decide again', async () => {
  const reviews: Record<string, unknown>[] = [];
  const deps = {
    reference: { entity: async () => ({ developerName: 'UK_Ltd', xeroTenantId: UK }) },
    goLive: {
      accountsToMatch: async () => [{ Id: ACCOUNT, Name: 'New Name Ltd' }],
      linksOfContacts: async () => [],
      waitingDrafts: async () => [],
    },
    // the ContactID finance typed is not in that Xero organisation
    directory: { find: async () => undefined, add: () => undefined, contacts: async () => [] },
    contactLinks: { writeLinks: async () => undefined },
    xero: h.client,
    writeback: {
      update: async (_object: unknown, records: Record<string, unknown>[]) => {
        reviews.push(...records);
        return records.map(() => ({ ok: true, id: 'a0R000000000001AAA' }));
      },
      requireAll: () => [],
    },
    jobs: { getJobByKey: async () => null, retryJob: async () => null },
    clock: { now: () => Date.now() },
    log: { info: () => undefined, warn: () => undefined },
  } as unknown as ContactMatchDeps;
  const job = decision();
  job.payload.payload = {
    ...job.payload.payload,
    decision: 'CONFIRM',
    contactId: '0b0b0b0b-1111-4222-8333-444444444444',
  };
  const outcome = (await contactMatchHandler(deps).run([job])).get(1);
  expect(outcome).toMatchObject({ kind: 'failed' });
  expect(reviews).toEqual([
    expect.objectContaining({
      Status__c: 'Open',
      Sync_Status__c: 'Error',
      Sync_Message__c: expect.stringMatching(/The review is open again: decide again\.$/),
    }),
  ]);
});

describe('a "Create new" whose contact Xero made but whose record the store refused (ECONNRESET)', () => {
  /** Deps as a restarted bridge has them: the directory lists what Xero holds; the store fails once if asked to. */
  function crashable(accountId: string, accountName: string) {
    const links: { contactId: string; contactName: string }[] = [];
    const reviews: Record<string, unknown>[] = [];
    const contacts = () =>
      [...h.emu.state.tenant(UK)!.contacts.values()].map((c) => ({
        contactId: c.id,
        name: c.name,
        status: c.status,
        contactNumber: c.contactNumber ?? null,
      }));
    const deps = (failContactRecord: boolean): ContactMatchDeps => ({
      reference: { entity: async () => ({ developerName: 'UK_Ltd', xeroTenantId: UK }) as never },
      goLive: {
        accountsToMatch: async () => [{ Id: accountId, Name: accountName }] as never,
        linksOfContacts: async () => [],
        waitingDrafts: async () => [],
      },
      directory: {
        contacts: async () => contacts(),
        find: async (_tenant, id) => contacts().find((c) => c.contactId.toLowerCase() === id.toLowerCase()),
        add: () => undefined,
      },
      contactLinks: { writeLinks: async (_entity, written) => void links.push(...written) },
      xero: h.client,
      xeroResults: {
        findXeroResult: (...args) => h.store.xeroResults.findXeroResult(...args),
        // The ContactID Xero answered is not recorded (its connection reset after Xero made the contact).
        recordXeroResult: async (result) => {
          if (failContactRecord && !result.requestKey.endsWith(':contact-number'))
            throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
          return h.store.xeroResults.recordXeroResult(result);
        },
      },
      writeback: {
        update: async (_object: unknown, records: Record<string, unknown>[]) => {
          reviews.push(...records);
          return records.map(() => ({ ok: true, id: 'a0R000000000001AAA' }));
        },
        requireAll: () => [],
      } as never,
      jobs: { getJobByKey: async () => null, retryJob: async () => null },
      clock: { now: () => Date.now() },
      log: { info: () => undefined, warn: () => undefined },
    });
    const job = (key: string) => {
      const j = decision();
      j.key = key;
      j.payload.requestKey = key;
      j.payload.payload = { ...j.payload.payload, accountId };
      return j;
    };
    return { deps, job, links, reviews, contacts };
  }

  it('runs again done: the contact it made is linked, no second one, the review Synced', async () => {
    const account = toEighteenCharId('001000000000888');
    const { deps, job, links, reviews, contacts } = crashable(account, 'Crashy Widgets Ltd');
    const mine = () => contacts().filter((c) => String(c.contactNumber).startsWith(account));
    const key = 'CONTACT_MATCH:a0R000000000002AAA:1';

    expect((await contactMatchHandler(deps(true)).run([job(key)])).get(1)).toMatchObject({ kind: 'retry' });
    expect(mine()).toHaveLength(1);
    const second = (await contactMatchHandler(deps(false)).run([job(key)])).get(1);

    expect(second).toMatchObject({ kind: 'done' });
    expect(mine()).toEqual([expect.objectContaining({ name: 'Crashy Widgets Ltd', contactNumber: account })]);
    expect(links).toEqual([expect.objectContaining({ contactId: mine()[0]!.contactId })]);
    expect(reviews).toEqual([
      expect.objectContaining({
        Sync_Status__c: 'Synced',
        Sync_Message__c: 'Created Xero contact "Crashy Widgets Ltd" and linked it',
      }),
    ]);
    expect(await h.store.xeroResults.findXeroResult(key, UK, 'contact')).toMatchObject({
      xeroId: mine()[0]!.contactId,
    });
  });

  it('links the contact it made, not an unlinked one of a similar name that holds one of the Account numbers', async () => {
    const account = toEighteenCharId('001000000000999');
    const [other] = await h.client.createContacts(
      UK,
      [{ contactNumber: `${account}-2`, name: 'Crashy Gadgets Ltd', addresses: [] }],
      'contact-match-similar',
    );
    const otherId = other!.ok ? other!.id! : '';
    const { deps, job, links, contacts } = crashable(account, 'Crashy Gadget Ltd');
    const key = 'CONTACT_MATCH:a0R000000000003AAA:1';

    expect((await contactMatchHandler(deps(true)).run([job(key)])).get(1)).toMatchObject({ kind: 'retry' });
    const second = (await contactMatchHandler(deps(false)).run([job(key)])).get(1);

    expect(second).toMatchObject({ kind: 'done' });
    const made = contacts().filter((c) => String(c.contactNumber).startsWith(account) && c.contactId !== otherId);
    expect(made).toEqual([expect.objectContaining({ name: 'Crashy Gadget Ltd', contactNumber: account })]);
    expect(links.map((l) => l.contactId)).toEqual([made[0]!.contactId]);
  });

  it('does not take, for a new contact, one this decision did not make, even of its name and Account number', async () => {
    const account = toEighteenCharId('001000000000555');
    // Made for this Account earlier (its link since removed); finance asked for a new contact all the same.
    const [before] = await h.client.createContacts(
      UK,
      [{ contactNumber: account, name: 'Orphan Widgets Ltd', addresses: [] }],
      'contact-match-made-before',
    );
    const { deps, job, links, reviews, contacts } = crashable(account, 'Orphan Widgets Ltd');

    const outcome = (await contactMatchHandler(deps(false)).run([job('CONTACT_MATCH:a0R000000000004AAA:1')])).get(1);

    expect(outcome).toMatchObject({ kind: 'failed', error: expect.stringMatching(/^Xero refused the new contact/) });
    expect(links).toEqual([]);
    expect(reviews).toEqual([expect.objectContaining({ Status__c: 'Open', Sync_Status__c: 'Error' })]);
    expect(contacts().filter((c) => String(c.contactNumber).startsWith(account))).toEqual([
      expect.objectContaining({ contactId: before!.ok ? before!.id : '' }),
    ]);
  });
});
