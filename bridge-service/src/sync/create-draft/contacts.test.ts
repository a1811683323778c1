import { randomBytes } from 'node:crypto';
import { SqliteStore } from '../../store';
import type { XeroContactModel } from '../../domain/contact';
import type { XeroContact } from '../../xero/types';
import { account, created, rejected, UK_TENANT } from './__fixtures__/drafts';
import { contactsFor, type ContactDeps } from './contacts';

let store: SqliteStore;
beforeEach(() => {
  store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
});
afterEach(() => store.close());

/** A Xero tenant's contacts endpoint: names must be unique; a ContactNumber already used is refused. */
function fakeXero(existing: { name: string; contactNumber: string; contactID: string }[] = []) {
  const contacts = [...existing];
  const calls: { inputs: readonly XeroContactModel[]; key: string }[] = [];
  const xero: ContactDeps['xero'] = {
    createContacts: async (_tenantId, inputs, key) => {
      calls.push({ inputs, key });
      return inputs.map((input, index) => {
        if (contacts.some((c) => c.contactNumber === input.contactNumber)) {
          return rejected<XeroContact>(index, ['Contact number already used'], { name: input.name });
        }
        if (contacts.some((c) => c.name === input.name)) {
          return rejected<XeroContact>(index, [`The contact name ${input.name} is already assigned`], {
            name: input.name,
          });
        }
        const contactID = `contact-${contacts.length + 1}`;
        contacts.push({ name: input.name, contactNumber: input.contactNumber ?? '', contactID });
        return created<XeroContact>(index, contactID, { name: input.name, contactID });
      });
    },
    findContactByNumber: async (_tenantId, number) => contacts.find((c) => c.contactNumber === number) ?? null,
  };
  return { xero, calls, contacts };
}

const deps = (xero: ContactDeps['xero']): ContactDeps => ({
  xero,
  contactMappings: store.contactMappings,
  log: { info: () => undefined },
});

describe('CREATE_DRAFT: contacts', () => {
  it('uses the stored contact of an account it has met, and creates the others with address and email', async () => {
    await store.contactMappings.saveContactMapping(UK_TENANT, account(1).Id, 'known-contact');
    const { xero, calls } = fakeXero();
    const street = account(2, {
      BillingStreet: '1 Fleet Street',
      BillingCity: 'London',
      BillingPostalCode: 'EC4Y 1AA',
    });
    const result = await contactsFor(
      deps(xero),
      UK_TENANT,
      [account(1), street, street],
      new Map([[street.Id, 'ap@customer2.example']]),
    );
    expect(result.ids).toEqual(
      new Map([
        [account(1).Id, 'known-contact'],
        [street.Id, 'contact-1'],
      ]),
    );
    expect(result.refused.size).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.inputs).toEqual([
      expect.objectContaining({
        name: 'Customer 2',
        contactNumber: street.Id,
        emailAddress: 'ap@customer2.example',
        addresses: [
          expect.objectContaining({ addressLine1: '1 Fleet Street', city: 'London', postalCode: 'EC4Y 1AA' }),
        ],
      }),
    ]);
    expect(await store.contactMappings.getContactMapping(UK_TENANT, street.Id)).toBe('contact-1');
  });

  it('sends the same request under the same key, whatever order the accounts come in', async () => {
    const first = fakeXero();
    await contactsFor(deps(first.xero), UK_TENANT, [account(2), account(1)], new Map());
    const elsewhere = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
    const second = fakeXero();
    await contactsFor(
      { ...deps(second.xero), contactMappings: elsewhere.contactMappings },
      UK_TENANT,
      [account(1), account(2)],
      new Map(),
    );
    await elsewhere.close();
    expect(second.calls[0]!.key).toBe(first.calls[0]!.key);
    expect(second.calls[0]!.inputs.map((i) => i.contactNumber)).toEqual([account(1).Id, account(2).Id]);
  });

  it('finds the contact an earlier attempt made, by its ContactNumber', async () => {
    const { xero } = fakeXero([{ name: 'Customer 1', contactNumber: account(1).Id, contactID: 'made-before' }]);
    const result = await contactsFor(deps(xero), UK_TENANT, [account(1)], new Map());
    expect(result.ids.get(account(1).Id)).toBe('made-before');
  });

  it("gives an account whose name another customer holds its own contact, named with the account's id", async () => {
    const { xero } = fakeXero([{ name: 'Customer 1', contactNumber: 'someone else', contactID: 'other' }]);
    const result = await contactsFor(deps(xero), UK_TENANT, [account(1)], new Map());
    expect(result.ids.get(account(1).Id)).toBe('contact-2');
  });

  it("refuses only the account Xero will not take, with Xero's reason", async () => {
    const xero: ContactDeps['xero'] = {
      createContacts: async (_tenantId, inputs) =>
        inputs.map((input, index) =>
          input.name === 'Customer 1'
            ? rejected<XeroContact>(index, ['Email address must be valid'], { name: input.name })
            : created<XeroContact>(index, 'contact-ok', { name: input.name }),
        ),
      findContactByNumber: async () => null,
    };
    const result = await contactsFor(deps(xero), UK_TENANT, [account(1), account(2)], new Map());
    expect(result.refused).toEqual(
      new Map([[account(1).Id, 'Xero refused contact Customer 1: Email address must be valid']]),
    );
    expect(result.ids).toEqual(new Map([[account(2).Id, 'contact-ok']]));
  });
});
