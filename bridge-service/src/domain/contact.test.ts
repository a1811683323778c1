import { buildXeroContact, contactNameFor, findContactForAccount, toEighteenCharId } from './contact';
import type { AccountRow } from './records';

const account: AccountRow = {
  Id: '001A000001abcDEFGH',
  Name: 'Acme Ltd',
  BillingStreet: '1 High Street\nFloor 2',
  BillingCity: 'London',
  BillingPostalCode: 'EC1A 1AA',
  BillingCountry: 'United Kingdom',
  BillingCountryCode: 'GB',
};

describe('contact', () => {
  it('converts 15-character Ids to the 18-character form (a0D30000001n7Pi → …EAI, the documented example)', () => {
    expect(toEighteenCharId('a0D30000001n7Pi')).toBe('a0D30000001n7PiEAI');
    expect(toEighteenCharId('001000000000000')).toBe('001000000000000AAA');
    expect(toEighteenCharId('a0D30000001n7PiEAI')).toBe('a0D30000001n7PiEAI');
    expect(() => toEighteenCharId('not-an-id')).toThrow(/is not a Salesforce record Id/);
  });

  it('builds the contact: ContactNumber = 18-char Account Id, Name, POBOX address, email', () => {
    expect(buildXeroContact(account, [], 'ap@acme.example')).toEqual({
      contactNumber: '001A000001abcDEFGH',
      name: 'Acme Ltd',
      emailAddress: 'ap@acme.example',
      addresses: [
        {
          addressType: 'POBOX',
          addressLine1: '1 High Street',
          addressLine2: 'Floor 2',
          city: 'London',
          postalCode: 'EC1A 1AA',
          country: 'United Kingdom',
        },
      ],
    });
  });

  it('keeps the name when the contact holding it is this Account (by 15- or 18-char ContactNumber)', () => {
    const mine = { contactId: 'c1', name: 'ACME LTD', contactNumber: '001A000001abcDE' };
    expect(toEighteenCharId('001A000001abcDE')).toBe('001A000001abcDEIAY');
    expect(findContactForAccount([mine], '001A000001abcDEIAY')).toBe(mine);
    expect(contactNameFor({ Id: '001A000001abcDE', Name: 'Acme Ltd' }, [mine])).toBe('Acme Ltd');
  });

  it('disambiguates deterministically when another contact holds the name', () => {
    const other = { contactId: 'c2', name: 'acme ltd', contactNumber: 'LEGACY-42' };
    expect(buildXeroContact(account, [other]).name).toBe('Acme Ltd (001A000001abcDEFGH)');
    expect(contactNameFor(account, [{ contactId: 'c3', name: 'Acme Ltd' }])).toBe('Acme Ltd (001A000001abcDEFGH)');
    const long = contactNameFor({ Id: account.Id, Name: 'X'.repeat(300) }, [
      { contactId: 'c4', name: 'X'.repeat(300) },
    ]);
    expect(long).toHaveLength(255);
    expect(long.endsWith(' (001A000001abcDEFGH)')).toBe(true);
  });

  it('keeps every street line within Xero’s four address lines and omits empty addresses', () => {
    const contact = buildXeroContact({ Id: account.Id, Name: 'Acme', BillingStreet: 'a\nb\nc\nd\ne' });
    expect(contact.addresses).toEqual([
      { addressType: 'POBOX', addressLine1: 'a', addressLine2: 'b', addressLine3: 'c', addressLine4: 'd, e' },
    ]);
    expect(buildXeroContact({ Id: account.Id, Name: 'Acme' }).addresses).toEqual([]);
  });

  it('uses the Account billing email and rejects one that is not an email address', () => {
    expect(buildXeroContact({ ...account, Billing_Email__c: ' billing@acme.example ' }).emailAddress).toBe(
      'billing@acme.example',
    );
    expect(() => buildXeroContact({ ...account, Billing_Email__c: 'accounts at acme' })).toThrow(
      'Billing email "accounts at acme" on Acme Ltd is not an email address',
    );
  });
});
