import { Contact } from 'xero-node';
import type { Harness } from './test-helpers';
import { failure, startHarness, UK } from './test-helpers';

describe('xero emulator: contacts through xero-node', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('creates with PUT and refuses a duplicate Name or ContactNumber, as Xero does', async () => {
    const res = await h.xero.accountingApi.createContacts(UK, {
      contacts: [{ name: 'Globex Corporation', contactNumber: 'SF-ACC-1', emailAddress: 'billing@globex.example' }],
    });
    const created = res.body.contacts?.[0] as Contact;
    expect(created).toMatchObject({ name: 'Globex Corporation', contactNumber: 'SF-ACC-1', contactStatus: 'ACTIVE' });

    const byName = await failure(
      h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'globex corporation' }] }),
    );
    expect(byName.statusCode).toBe(400);
    expect(JSON.stringify(byName.body)).toMatch(/contact name globex corporation is already assigned/);
    const byNumber = await h.xero.accountingApi.createContacts(
      UK,
      { contacts: [{ name: 'Globex Two', contactNumber: 'SF-ACC-1' }, { name: 'Initech' }] },
      false,
    );
    expect(byNumber.body.contacts?.map((c) => c.statusAttributeString)).toEqual(['ERROR', 'OK']);
    expect(byNumber.body.contacts?.[0]?.validationErrors?.[0]?.message).toMatch(
      /contact number SF-ACC-1 is already assigned/,
    );
  });

  it('upserts with POST by ContactNumber or Name and bumps UpdatedDateUTC', async () => {
    const first = await h.xero.accountingApi.createContacts(UK, {
      contacts: [{ name: 'Umbrella Ltd', contactNumber: 'SF-ACC-2' }],
    });
    const original = first.body.contacts?.[0] as Contact;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const upsert = await h.xero.accountingApi.updateOrCreateContacts(UK, {
      contacts: [{ contactNumber: 'SF-ACC-2', name: 'Umbrella Limited', emailAddress: 'ar@umbrella.example' }],
    });
    const updated = upsert.body.contacts?.[0] as Contact;
    expect(updated.contactID).toBe(original.contactID);
    expect(updated.name).toBe('Umbrella Limited');
    expect((updated.updatedDateUTC as Date).getTime()).toBeGreaterThan((original.updatedDateUTC as Date).getTime());

    const byName = await h.xero.accountingApi.updateOrCreateContacts(UK, {
      contacts: [{ name: 'umbrella limited', accountNumber: 'ACC-9' }],
    });
    expect(byName.body.contacts?.[0]?.contactID).toBe(original.contactID);
    const fresh = await h.xero.accountingApi.updateOrCreateContacts(UK, { contacts: [{ name: 'Brand New Co' }] });
    expect(fresh.body.contacts?.[0]?.contactID).not.toBe(original.contactID);
  });

  it('finds contacts by ContactNumber, ContactID, where and searchTerm; archived ones only on request', async () => {
    const res = await h.xero.accountingApi.createContacts(UK, {
      contacts: [{ name: 'Stark Industries', contactNumber: 'SF-ACC-3' }],
    });
    const id = res.body.contacts?.[0]?.contactID as string;
    expect((await h.xero.accountingApi.getContactByContactNumber(UK, 'SF-ACC-3')).body.contacts?.[0]?.contactID).toBe(
      id,
    );
    expect((await h.xero.accountingApi.getContact(UK, id)).body.contacts?.[0]?.name).toBe('Stark Industries');
    expect((await failure(h.xero.accountingApi.getContactByContactNumber(UK, 'NOPE'))).statusCode).toBe(404);

    const where = await h.xero.accountingApi.getContacts(UK, undefined, 'ContactNumber=="SF-ACC-3"');
    expect(where.body.contacts?.map((c) => c.contactID)).toEqual([id]);
    const contains = await h.xero.accountingApi.getContacts(UK, undefined, 'Name.Contains("stark")');
    expect(contains.body.contacts).toHaveLength(1);
    const search = await h.xero.accountingApi.getContacts(
      UK,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'industries',
    );
    expect(search.body.contacts?.map((c) => c.name)).toEqual(['Stark Industries']);

    await h.xero.accountingApi.updateContact(UK, id, {
      contacts: [{ contactStatus: Contact.ContactStatusEnum.ARCHIVED }],
    });
    const visible = await h.xero.accountingApi.getContacts(UK, undefined, 'Name=="Stark Industries"');
    expect(visible.body.contacts).toEqual([]);
    const archived = await h.xero.accountingApi.getContacts(
      UK,
      undefined,
      'Name=="Stark Industries"',
      undefined,
      undefined,
      undefined,
      true,
    );
    expect(archived.body.contacts?.[0]?.contactStatus).toBe('ARCHIVED');
    const reuse = await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Stark Industries' }] });
    expect(reuse.body.contacts?.[0]?.contactID).not.toBe(id);
  });

  it('pages contacts and marks invoiced contacts as customers', async () => {
    const page = await h.xero.accountingApi.getContacts(
      UK,
      undefined,
      undefined,
      'Name ASC',
      undefined,
      1,
      undefined,
      undefined,
      undefined,
      2,
    );
    expect(page.body.pagination).toMatchObject({ page: 1, pageSize: 2 });
    expect(page.body.contacts).toHaveLength(2);
    const created = await h.xero.accountingApi.createInvoices(UK, {
      invoices: [
        {
          type: 'ACCREC' as never,
          contact: { name: 'Wayne Enterprises' },
          lineItems: [{ description: 'x', quantity: 1, unitAmount: 5, accountCode: '200' }],
        },
      ],
    });
    const contactId = created.body.invoices?.[0]?.contact?.contactID as string;
    const contact = await h.xero.accountingApi.getContact(UK, contactId);
    expect(contact.body.contacts?.[0]).toMatchObject({
      name: 'Wayne Enterprises',
      isCustomer: true,
      isSupplier: false,
    });
  });
});
