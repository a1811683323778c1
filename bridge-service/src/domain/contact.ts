/**
 * The Xero contact for a Salesforce Account, per tenant (xero-api.md §9).
 *
 * Decisions (see README.md in this folder):
 * - ContactNumber (Xero's external-system key, ≤ 50 chars, API-writable only) is the Account's 18-character,
 *   case-insensitive-safe Id; a 15-character Id is converted first, so both forms find the same contact.
 * - Name is Account.Name. Xero names are unique per organisation; when another contact (a different
 *   ContactNumber) already holds the name, the name becomes `Acme Ltd (001…18-char id)`: deterministic, so a
 *   retry or a second bridge process picks the same name and never creates a second contact.
 * - The Account's billing address becomes Xero's POBOX address (the one printed on invoices).
 */
import { DomainError } from './errors';
import type { AccountRow } from './records';

export interface XeroAddressModel {
  addressType: 'POBOX';
  addressLine1?: string;
  addressLine2?: string;
  addressLine3?: string;
  addressLine4?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

export interface XeroContactModel {
  contactNumber: string;
  name: string;
  emailAddress?: string;
  addresses: XeroAddressModel[];
}

/** A contact already in the tenant (from GET /Contacts or the bridge's contact mapping store). */
export interface ExistingContact {
  contactId: string;
  name: string;
  contactNumber?: string | null;
}

const ID_SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const MAX_NAME = 255;
const MAX_ADDRESS_LINE = 500;

/** The 18-character form of a Salesforce Id (adds the case-checksum suffix to a 15-character Id). */
export function toEighteenCharId(id: string): string {
  const trimmed = id.trim();
  if (/^[a-zA-Z0-9]{18}$/.test(trimmed)) return trimmed;
  if (!/^[a-zA-Z0-9]{15}$/.test(trimmed)) {
    throw new DomainError('INVALID_CONTACT', `"${id}" is not a Salesforce record Id (15 or 18 letters and digits)`);
  }
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const char = trimmed.charAt(chunk * 5 + i);
      if (char >= 'A' && char <= 'Z') bits |= 1 << i;
    }
    suffix += ID_SUFFIX_ALPHABET.charAt(bits);
  }
  return trimmed + suffix;
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The existing contact for this Account in the tenant, matched on ContactNumber (15- or 18-char Id). */
export function findContactForAccount(
  existing: readonly ExistingContact[],
  accountId: string,
): ExistingContact | undefined {
  const id = toEighteenCharId(accountId);
  return existing.find((contact) => {
    const number = contact.contactNumber?.trim();
    if (!number) return false;
    try {
      return toEighteenCharId(number) === id;
    } catch {
      return false; // a ContactNumber from another system, not a Salesforce Id
    }
  });
}

/** The contact name: Account.Name, disambiguated with the Account Id when another contact holds it. */
export function contactNameFor(account: Pick<AccountRow, 'Id' | 'Name'>, existing: readonly ExistingContact[]): string {
  const id = toEighteenCharId(account.Id);
  const name = account.Name.trim().replace(/\s+/g, ' ');
  const clash = existing.some(
    (contact) => sameName(contact.name, name) && findContactForAccount([contact], id) === undefined,
  );
  if (!clash) return name.slice(0, MAX_NAME);
  const suffix = ` (${id})`;
  return `${name.slice(0, MAX_NAME - suffix.length).trimEnd()}${suffix}`;
}

function addressFor(account: AccountRow): XeroAddressModel[] {
  const streetLines = (account.BillingStreet ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  // Xero has four address lines; anything beyond goes on the fourth, so nothing is dropped.
  const lines = streetLines.length > 4 ? [...streetLines.slice(0, 3), streetLines.slice(3).join(', ')] : streetLines;
  const address: XeroAddressModel = { addressType: 'POBOX' };
  const keys = ['addressLine1', 'addressLine2', 'addressLine3', 'addressLine4'] as const;
  lines.forEach((line, index) => {
    const key = keys[index];
    if (key) address[key] = line.slice(0, MAX_ADDRESS_LINE);
  });
  const set = (key: 'city' | 'region' | 'postalCode' | 'country', value: string | null | undefined) => {
    if (value?.trim()) address[key] = value.trim();
  };
  set('city', account.BillingCity);
  set('region', account.BillingState);
  set('postalCode', account.BillingPostalCode);
  set('country', account.BillingCountry ?? account.BillingCountryCode);
  return Object.keys(address).length > 1 ? [address] : [];
}

/**
 * The contact to create or update in one tenant for an Account. `existing` are the tenant's contacts that could
 * clash (at least those with the same name). The email is the Account's Billing_Email__c, else `fallbackEmail`
 * (the bridge passes the Account's first contact with an email).
 */
export function buildXeroContact(
  account: AccountRow,
  existing: readonly ExistingContact[] = [],
  fallbackEmail?: string | null,
): XeroContactModel {
  const contactNumber = toEighteenCharId(account.Id);
  const contact: XeroContactModel = {
    contactNumber,
    name: contactNameFor(account, existing),
    addresses: addressFor(account),
  };
  const emailAddress = (account.Billing_Email__c?.trim() || fallbackEmail)?.trim();
  if (emailAddress) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(emailAddress)) {
      throw new DomainError(
        'INVALID_CONTACT',
        `Billing email "${emailAddress}" on ${account.Name} is not an email address`,
      );
    }
    contact.emailAddress = emailAddress;
  }
  return contact;
}
