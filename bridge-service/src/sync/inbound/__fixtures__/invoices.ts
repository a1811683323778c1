import type { XeroInvoice } from '../../../xero/types';

export const T1 = '2026-03-01T10:00:00.000Z';

/** An authorised GBP invoice of 1,200.00 (one line, nothing paid) as Xero returns it, version T1. */
export function xeroInvoice(overrides: Partial<XeroInvoice> = {}): XeroInvoice {
  return {
    invoiceID: 'a1b2c3d4-0000-4000-8000-000000000001',
    invoiceNumber: 'INV-0042',
    type: 'ACCREC',
    status: 'AUTHORISED',
    currencyCode: 'GBP',
    subTotal: 1000,
    totalTax: 200,
    total: 1200,
    amountPaid: 0,
    amountCredited: 0,
    amountDue: 1200,
    date: '2026-03-01',
    dueDate: '2026-03-31',
    updatedDateUTC: new Date(T1),
    lineItems: [
      { lineItemID: 'line-1', description: 'Seats', quantity: 10, unitAmount: 100, lineAmount: 1000, taxAmount: 200 },
    ],
    payments: [],
    ...overrides,
  };
}
