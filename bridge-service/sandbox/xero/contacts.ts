import type { ElementResult } from './documents';
import type { ContactInput } from './inputs';
import { contactInput, zodMessage } from './inputs';
import type { StoredContact, Tenant, XeroStore } from './store';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** `/Contacts/{x}`: a GUID is a ContactID, anything else a ContactNumber (reference §9). */
export function findContact(tenant: Tenant, idOrNumber: string): StoredContact | undefined {
  if (GUID.test(idOrNumber)) return tenant.contacts.get(idOrNumber.toLowerCase()) ?? tenant.contacts.get(idOrNumber);
  for (const contact of tenant.contacts.values()) if (contact.contactNumber === idOrNumber) return contact;
  return undefined;
}

function findByName(tenant: Tenant, name: string, except?: string): StoredContact | undefined {
  for (const contact of tenant.contacts.values()) {
    if (contact.id !== except && contact.status === 'ACTIVE' && sameName(contact.name, name)) return contact;
  }
  return undefined;
}

function findByNumber(tenant: Tenant, number: string, except?: string): StoredContact | undefined {
  for (const contact of tenant.contacts.values()) {
    if (contact.id !== except && contact.contactNumber === number) return contact;
  }
  return undefined;
}

/**
 * The contact a document names: by ContactID, by ContactNumber, or by Name - a new Name creates a
 * contact, as Xero does.
 */
export function resolveContactForDocument(
  store: XeroStore,
  tenant: Tenant,
  ref: { ContactID?: string; ContactNumber?: string; Name?: string; EmailAddress?: string },
  errors: string[],
  options: { dryRun?: boolean } = {},
): StoredContact | undefined {
  if (ref.ContactID !== undefined) {
    const contact = tenant.contacts.get(ref.ContactID.toLowerCase()) ?? tenant.contacts.get(ref.ContactID);
    if (!contact) errors.push(`The contact with ContactID ${ref.ContactID} could not be found.`);
    return contact;
  }
  if (ref.ContactNumber !== undefined) {
    const contact = findByNumber(tenant, ref.ContactNumber);
    if (contact) return contact;
    if (ref.Name === undefined) {
      errors.push(`The contact with ContactNumber ${ref.ContactNumber} could not be found.`);
      return undefined;
    }
  }
  if (ref.Name !== undefined && ref.Name.trim() !== '') {
    const existing = findByName(tenant, ref.Name);
    if (existing) return existing;
    if (options.dryRun) return { id: 'new' } as StoredContact;
    const result = writeContact(
      store,
      tenant.org.tenantId,
      { Name: ref.Name, ContactNumber: ref.ContactNumber, EmailAddress: ref.EmailAddress },
      'create',
    );
    if (!result.ok) {
      errors.push(...result.errors);
      return undefined;
    }
    return tenant.contacts.get(result.id);
  }
  errors.push('A Contact must be specified for this type of transaction.');
  return undefined;
}

function assign(contact: StoredContact, input: ContactInput): void {
  if (input.Name != null) contact.name = input.Name;
  if (input.ContactNumber != null) contact.contactNumber = input.ContactNumber;
  if (input.AccountNumber != null) contact.accountNumber = input.AccountNumber;
  if (input.ContactStatus != null) contact.status = input.ContactStatus;
  if (input.FirstName !== undefined) contact.firstName = input.FirstName;
  if (input.LastName !== undefined) contact.lastName = input.LastName;
  if (input.EmailAddress !== undefined) contact.emailAddress = input.EmailAddress;
  if (input.TaxNumber !== undefined) contact.taxNumber = input.TaxNumber;
  if (input.DefaultCurrency !== undefined) contact.defaultCurrency = input.DefaultCurrency;
  if (input.Addresses != null) contact.addresses = input.Addresses;
  if (input.Phones != null) contact.phones = input.Phones;
}

/**
 * PUT creates and refuses a Name or ContactNumber already in use; POST upserts, matching ContactID,
 * then ContactNumber, then Name (reference §9).
 */
export function writeContact(
  store: XeroStore,
  tenantId: string,
  raw: unknown,
  mode: 'create' | 'upsert',
  pathId?: string,
): ElementResult {
  const tenant = store.tenant(tenantId);
  if (!tenant) return { ok: false, errors: ['Unknown organisation.'] };
  const parsed = contactInput.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: [zodMessage(parsed.error)] };
  const input = parsed.data;

  let existing: StoredContact | undefined;
  const id = pathId ?? input.ContactID ?? undefined;
  if (id !== undefined) {
    existing = findContact(tenant, id);
    if (!existing) return { ok: false, errors: ['Contact could not be found.'] };
  } else if (mode === 'upsert') {
    existing =
      (input.ContactNumber != null ? findByNumber(tenant, input.ContactNumber) : undefined) ??
      (input.Name != null ? findByName(tenant, input.Name) : undefined);
  }
  if (existing && mode === 'create' && id !== undefined) {
    return { ok: false, errors: ['A contact with this ContactID already exists; use POST to update it.'] };
  }

  const errors: string[] = [];
  const name = input.Name ?? existing?.name;
  if (name == null || name.trim() === '') errors.push('The contact name must be specified.');
  if (input.Name != null && findByName(tenant, input.Name, existing?.id)) {
    errors.push(
      `The contact name ${input.Name} is already assigned to another contact. The contact name must be unique across all active contacts.`,
    );
  }
  if (input.ContactNumber != null && findByNumber(tenant, input.ContactNumber, existing?.id)) {
    errors.push(
      `The contact number ${input.ContactNumber} is already assigned to another contact. The contact number must be unique across all contacts.`,
    );
  }
  if (input.DefaultCurrency != null && !tenant.org.currencies.some((c) => c.Code === input.DefaultCurrency)) {
    errors.push(`The currency '${input.DefaultCurrency}' has not been added to this organisation.`);
  }
  if (errors.length > 0) return { ok: false, errors };

  if (existing) {
    const before = JSON.stringify(existing);
    assign(existing, input);
    if (JSON.stringify(existing) !== before) store.touch(tenantId, 'CONTACT', 'UPDATE', existing);
    return { ok: true, id: existing.id, warnings: [] };
  }
  const now = store.clock.now();
  const contact: StoredContact = {
    id: store.newId(),
    name: name as string,
    status: 'ACTIVE',
    addresses: [],
    phones: [],
    createdAt: now,
    updatedAt: now,
  };
  assign(contact, input);
  tenant.contacts.set(contact.id, contact);
  store.touch(tenantId, 'CONTACT', 'CREATE', contact);
  return { ok: true, id: contact.id, warnings: [] };
}
