import Big from 'big.js';
import { z } from 'zod';

// Inbound element schemas. Bodies arrive with numbers already parsed to Big (wire.parseJson); Xero also
// accepts numeric strings. Objects are loose because Xero ignores fields it does not know.

export const decimal = z.union([
  z.instanceof(Big),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform((text) => new Big(text)),
]);
/** A text field Xero may send as null or leave out: undefined either way. */
export const text = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);
const dec = decimal.nullish().transform((value) => value ?? undefined);
const bool = z
  .boolean()
  .nullish()
  .transform((value) => value ?? undefined);

export const trackingInput = z.looseObject({
  TrackingCategoryID: text,
  TrackingOptionID: text,
  Name: text,
  Option: text,
});

export const lineItemInput = z.looseObject({
  LineItemID: text,
  Description: text,
  Quantity: dec,
  UnitAmount: dec,
  LineAmount: dec,
  ItemCode: text,
  AccountCode: text,
  TaxType: text,
  TaxAmount: dec,
  DiscountRate: dec,
  DiscountAmount: dec,
  Tracking: z.array(trackingInput).nullish(),
});
export type LineItemInput = z.infer<typeof lineItemInput>;

export const contactRefInput = z.looseObject({
  ContactID: text,
  ContactNumber: text,
  Name: text,
  EmailAddress: text,
});

export const documentInput = z.looseObject({
  Type: text,
  InvoiceID: text,
  InvoiceNumber: text,
  CreditNoteID: text,
  CreditNoteNumber: text,
  Reference: text,
  Contact: contactRefInput.nullish(),
  LineItems: z.array(lineItemInput).nullish(),
  Date: text,
  DueDate: text,
  ExpectedPaymentDate: text,
  LineAmountTypes: text,
  Status: text,
  CurrencyCode: text,
  CurrencyRate: dec,
  BrandingThemeID: text,
  SentToContact: bool,
  Url: text,
  Total: dec,
});
export type DocumentInput = z.infer<typeof documentInput>;

export const contactInput = z.looseObject({
  ContactID: text,
  ContactNumber: z.string().max(50).nullish(),
  AccountNumber: z.string().max(50).nullish(),
  ContactStatus: z.enum(['ACTIVE', 'ARCHIVED', 'GDPRREQUEST']).nullish(),
  Name: z.string().max(255).nullish(),
  FirstName: text,
  LastName: text,
  EmailAddress: text,
  TaxNumber: text,
  DefaultCurrency: text,
  Addresses: z.array(z.looseObject({})).nullish(),
  Phones: z.array(z.looseObject({})).nullish(),
});
export type ContactInput = z.infer<typeof contactInput>;

const accountRef = z.looseObject({ AccountID: text, Code: text });
export const paymentInput = z.looseObject({
  Invoice: z.looseObject({ InvoiceID: text, InvoiceNumber: text }).nullish(),
  CreditNote: z.looseObject({ CreditNoteID: text, CreditNoteNumber: text }).nullish(),
  Overpayment: z.looseObject({ OverpaymentID: text }).nullish(),
  Prepayment: z.looseObject({ PrepaymentID: text }).nullish(),
  Account: accountRef.nullish(),
  Date: text,
  Amount: dec,
  CurrencyRate: dec,
  Reference: text,
  IsReconciled: bool,
  Status: text,
  PaymentID: text,
});
export type PaymentInput = z.infer<typeof paymentInput>;

export const allocationInput = z.looseObject({
  Invoice: z.looseObject({ InvoiceID: text, InvoiceNumber: text }).nullish(),
  Amount: dec,
  Date: text,
});
export type AllocationInput = z.infer<typeof allocationInput>;

/** First zod issue as a Xero-style validation message. */
export function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'The request is invalid.';
  const where = issue.path.length ? issue.path.join('.') : 'element';
  return `${where}: ${issue.message}`;
}
