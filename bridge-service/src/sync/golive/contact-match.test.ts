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
