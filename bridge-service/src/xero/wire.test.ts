import { CreditNote, CurrencyCode, Invoice, LineAmountTypes, Payment } from 'xero-node';
import { parseBillingEntities } from '../domain/billing-entity';
import { buildXeroContact } from '../domain/contact';
import { mapDocument } from '../domain/invoice-mapping';
import { readInvoice, readPayment, toContacts, toCreditNotes, toInvoices, XeroRequestInvalid } from './wire';

const [eu] = parseBillingEntities([
  {
    developerName: 'EU_BV',
    xeroTenantId: 'tenant-eu',
    baseCurrency: 'EUR',
    countries: 'NL',
    currencies: 'EUR;USD',
    accountCode: '8000',
    taxType: 'OUTPUT',
    paymentTermsDays: 14,
    brandingThemeId: 'theme-eu',
  },
]).entities;

const document = (type: 'ACCREC' | 'ACCRECCREDIT') =>
  mapDocument({
    type,
    entity: eu!,
    contact: { contactId: 'contact-1' },
    currencyCode: 'usd',
    date: '2026-03-01',
    reference: 'PO 4711 · Acme',
    lines: [{ description: 'Seats', quantity: '3', unitPrice: '19.9999', discountPercent: '10', itemCode: 'SEAT' }],
    taxRates: [{ taxType: 'OUTPUT', effectiveRate: 21 }],
    currencyRate: '1.1',
  });

describe('xero wire', () => {
  it("sends a draft invoice as the SDK's model: its enums, numbers for decimals, the link back", () => {
    const [invoice] = toInvoices([{ document: document('ACCREC'), url: 'https://acme/opp' }]).invoices ?? [];
    expect(invoice).toMatchObject({
      type: Invoice.TypeEnum.ACCREC,
      status: Invoice.StatusEnum.DRAFT,
      lineAmountTypes: LineAmountTypes.Exclusive,
      currencyCode: CurrencyCode.USD,
      currencyRate: 1.1,
      contact: { contactID: 'contact-1' },
      dueDate: '2026-03-15',
      brandingThemeID: 'theme-eu',
      reference: 'PO 4711 · Acme',
      url: 'https://acme/opp',
      lineItems: [{ quantity: 3, unitAmount: 19.9999, discountRate: 10, itemCode: 'SEAT', taxType: 'OUTPUT' }],
    });
  });

  it('sends a credit note with the fields a credit note takes, through the same mapper', () => {
    const [note] = toCreditNotes([{ document: document('ACCRECCREDIT'), status: 'AUTHORISED' }]).creditNotes ?? [];
    expect(note).toMatchObject({ type: CreditNote.TypeEnum.ACCRECCREDIT, status: CreditNote.StatusEnum.AUTHORISED });
    expect(note).not.toHaveProperty('dueDate');
    expect(note!.lineItems![0]).not.toHaveProperty('discountRate');
  });

  it("keeps a credit note line's item and tracking (Xero takes no discounts on credit notes, and only those)", () => {
    const credit = mapDocument({
      type: 'ACCRECCREDIT',
      entity: eu!,
      contact: { contactId: 'contact-1' },
      currencyCode: 'EUR',
      date: '2026-03-01',
      reference: 'INV-0001: Downgrade',
      lines: [
        {
          description: 'Seats',
          quantity: '3',
          unitPrice: '20',
          discountPercent: '10',
          itemCode: 'SEAT',
          tracking: [{ name: 'Region', option: 'Benelux' }],
        },
      ],
      taxRates: [{ taxType: 'OUTPUT', effectiveRate: 21 }],
    });
    const [note] = toCreditNotes([{ document: credit, status: 'AUTHORISED' }]).creditNotes ?? [];
    expect(note!.lineItems).toEqual([
      {
        description: 'Seats',
        quantity: 3,
        unitAmount: 18,
        accountCode: '8000',
        taxType: 'OUTPUT',
        itemCode: 'SEAT',
        tracking: [{ name: 'Region', option: 'Benelux' }],
      },
    ]);
  });

  it('refuses what Xero should never be sent', () => {
    const odd = document('ACCREC');
    expect(() => toInvoices([{ document: { ...odd, currencyCode: 'XYZ' } }])).toThrow(XeroRequestInvalid);
    expect(() => toInvoices([{ document: { ...odd, contact: { contactNumber: '001' } } }])).toThrow(/no Xero contact/);
    expect(() => toInvoices([{ document: { ...odd, lineItems: [] } }])).toThrow(/no line items/);
  });

  it("sends a contact's billing address as a POBOX address", () => {
    const contact = buildXeroContact({
      Id: '001000000000001AAA',
      Name: 'Acme',
      BillingStreet: '1 Fleet St',
      BillingCountry: 'GB',
    });
    expect(toContacts([contact]).contacts?.[0]).toMatchObject({
      name: 'Acme',
      contactNumber: '001000000000001AAA',
      addresses: [{ addressType: 'POBOX', addressLine1: '1 Fleet St', country: 'GB' }],
    });
  });

  it('reads back the names Xero sent for the enums', () => {
    // What the SDK hands over: its enum fields hold Xero's strings.
    const sent: Invoice = Object.assign(new Invoice(), {
      invoiceID: 'inv-1',
      type: Invoice.TypeEnum.ACCREC,
      status: Invoice.StatusEnum.PAID,
      currencyCode: CurrencyCode.GBP,
    });
    expect(readInvoice(sent)).toMatchObject({
      invoiceID: 'inv-1',
      type: 'ACCREC',
      status: 'PAID',
      currencyCode: 'GBP',
    });
    const payment: Payment = {
      paymentID: 'p1',
      status: Payment.StatusEnum.DELETED,
      invoice: { invoiceID: 'inv-1', type: Invoice.TypeEnum.ACCPAY },
    };
    expect(readPayment(payment)).toMatchObject({ status: 'DELETED', invoice: { invoiceID: 'inv-1', type: 'ACCPAY' } });
  });
});
