import type { XeroContactModel } from '../../domain/contact';
import type { XeroContact } from '../../xero/types';
import { noWrites, type AccountContact } from '../services/contact-links';
import { account, created, rejected, UK_LTD, UK_TENANT } from './__fixtures__/drafts';
import { contactsFor, type ContactDeps } from './contacts';

/** A Xero tenant's contacts endpoint: a ContactNumber already used is refused. */
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
        const contactID = `contact-${contacts.length + 1}`;
        contacts.push({ name: input.name, contactNumber: input.contactNumber ?? '', contactID });
        return created<XeroContact>(index, contactID, { name: input.name, contactID });
      });
    },
    findContactByNumber: async (_tenantId, number) => contacts.find((c) => c.contactNumber === number) ?? null,
  };
  return { xero, calls, contacts };
}

/** Contact links that answer as told per Account (default: a new customer), and record the links written. */
function links(answers: Record<string, AccountContact> = {}) {
  const written: { accountId: string; contactId: string; method: string }[] = [];
  const asked: { accountId: string; accountNumber?: string | null; billingEmail?: string | null }[] = [];
  const contactLinks: ContactDeps['contactLinks'] = {
    resolve: async (_entity, accounts) => {
      asked.push(...accounts);
      return new Map(accounts.map((a) => [a.accountId, answers[a.accountId] ?? { kind: 'create' }]));
    },
    addLinks: (_writes, _entity, made) => {
      written.push(...made.map(({ accountId, contactId, method }) => ({ accountId, contactId, method })));
    },
  };
  return { contactLinks, written, asked };
}

const deps = (xero: ContactDeps['xero'], contactLinks: ContactDeps['contactLinks']): ContactDeps => ({
  xero,
  contactLinks,
  directory: { add: () => undefined },
  log: { info: () => undefined },
});

describe('CREATE_DRAFT: contacts', () => {
  it('uses the linked contact, waits on a review, refuses what finance rejected, and creates only the rest', async () => {
    const { xero, calls } = fakeXero();
    const { contactLinks, written, asked } = links({
      [account(1).Id]: { kind: 'linked', contactId: 'linked-contact' },
      [account(3).Id]: { kind: 'waiting', message: 'Waiting for finance: 2 Xero contacts match' },
      [account(4).Id]: { kind: 'rejected', message: 'Finance answered "none of these"' },
    });
    const street = account(2, {
      BillingStreet: '1 Fleet Street',
      BillingCity: 'London',
      BillingPostalCode: 'EC4Y 1AA',
      AccountNumber: 'CUST-2',
    });
    const result = await contactsFor(
      deps(xero, contactLinks),
      UK_LTD,
      [account(1), street, street, account(3), account(4)],
      new Map([[street.Id, 'ap@customer2.example']]),
      noWrites(),
    );
    expect(result.ids).toEqual(
      new Map([
        [account(1).Id, 'linked-contact'],
        [street.Id, 'contact-1'],
      ]),
    );
    expect(result.waiting).toEqual(new Map([[account(3).Id, 'Waiting for finance: 2 Xero contacts match']]));
    expect(result.refused).toEqual(new Map([[account(4).Id, 'Finance answered "none of these"']]));
    // matching compares the account number and the billing email (the first contact's, when the Account has none)
    expect(asked).toContainEqual(
      expect.objectContaining({ accountId: street.Id, accountNumber: 'CUST-2', billingEmail: 'ap@customer2.example' }),
    );
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
    expect(written).toEqual([{ accountId: street.Id, contactId: 'contact-1', method: 'created' }]);
  });

  it('sends the same request under the same key, whatever order the accounts come in', async () => {
    const first = fakeXero();
    await contactsFor(deps(first.xero, links().contactLinks), UK_LTD, [account(2), account(1)], new Map(), noWrites());
    const second = fakeXero();
    await contactsFor(deps(second.xero, links().contactLinks), UK_LTD, [account(1), account(2)], new Map(), noWrites());
    expect(second.calls[0]!.key).toBe(first.calls[0]!.key);
    expect(second.calls[0]!.inputs.map((i) => i.contactNumber)).toEqual([account(1).Id, account(2).Id]);
  });

  it('finds the contact an earlier attempt made, by its ContactNumber, and links it', async () => {
    const { xero } = fakeXero([{ name: 'Customer 1', contactNumber: account(1).Id, contactID: 'made-before' }]);
    const { contactLinks, written } = links();
    const result = await contactsFor(deps(xero, contactLinks), UK_LTD, [account(1)], new Map(), noWrites());
    expect(result.ids.get(account(1).Id)).toBe('made-before');
    expect(written).toEqual([{ accountId: account(1).Id, contactId: 'made-before', method: 'created' }]);
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
    const result = await contactsFor(
      deps(xero, links().contactLinks),
      UK_LTD,
      [account(1), account(2)],
      new Map(),
      noWrites(),
    );
    expect(result.refused).toEqual(
      new Map([[account(1).Id, 'Xero refused contact Customer 1: Email address must be valid']]),
    );
    expect(result.ids).toEqual(new Map([[account(2).Id, 'contact-ok']]));
    expect(UK_LTD.xeroTenantId).toBe(UK_TENANT);
  });
});
