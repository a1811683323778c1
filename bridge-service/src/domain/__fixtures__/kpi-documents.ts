/**
 * A small receivables ledger worked by hand for the KPI tests (kpi-ledger, kpi-forecast, kpi-snapshot), as
 * ledger-documents.ts holds Xero's documents: UK_Ltd bills customer A in GBP, US_Inc bills customer C in USD.
 *
 * - INV-1 (A, GBP): 10 Jan 2026, due 9 Feb, 1,000.00 + 200.00 VAT; paid 600.00 on 19 Feb (10 days late) and 600.00
 *   on 11 Mar (30 days late).
 * - INV-2 (A, GBP): 1 Feb, due 3 Mar, 3,000.00 + 600.00 VAT; credit note CN-1 (15 Feb, 250.00 + 50.00) allocated to it
 *   on 20 Feb; paid 1,000.00 on 3 Mar (on time); 2,300.00 due.
 * - INV-3 (C, USD): 5 Feb, due 7 Mar, 900.00, no tax, nothing paid.
 * - OP-1 (A, GBP): an overpayment of 50.00 received 25 Feb, 20.00 refunded 10 Mar.
 * - A draft and a voided invoice, which are no receivables and no billings.
 */
import type { LedgerCredit, LedgerInvoice } from '../kpi-ledger';

const uk = { entity: 'UK_Ltd', accountId: 'A' };
const us = { entity: 'US_Inc', accountId: 'C' };

export const invoices: LedgerInvoice[] = [
  {
    ...uk,
    kind: 'invoice',
    invoiceId: 'INV-1',
    contactId: 'xa',
    status: 'PAID',
    currencyCode: 'GBP',
    date: '2026-01-10',
    dueDate: '2026-02-09',
    subTotal: '1000.00',
    totalTax: '200.00',
    total: '1200.00',
    amountPaid: '1200.00',
    amountCredited: '0.00',
    amountDue: '0.00',
    payments: [
      { paymentId: 'P-1', amount: '600.00', date: '2026-02-19', status: 'AUTHORISED' },
      { paymentId: 'P-2', amount: '600.00', date: '2026-03-11', status: 'AUTHORISED' },
    ],
  },
  {
    ...uk,
    kind: 'invoice',
    invoiceId: 'INV-2',
    contactId: 'xa',
    status: 'AUTHORISED',
    currencyCode: 'GBP',
    date: '2026-02-01',
    dueDate: '2026-03-03',
    subTotal: '3000.00',
    totalTax: '600.00',
    total: '3600.00',
    amountPaid: '1000.00',
    amountCredited: '300.00',
    amountDue: '2300.00',
    payments: [
      { paymentId: 'P-3', amount: '1000.00', date: '2026-03-03', status: 'AUTHORISED' },
      { paymentId: 'P-X', amount: '999.00', date: '2026-03-04', status: 'DELETED' },
    ],
  },
  {
    ...us,
    kind: 'invoice',
    invoiceId: 'INV-3',
    contactId: 'xc',
    status: 'AUTHORISED',
    currencyCode: 'USD',
    date: '2026-02-05',
    dueDate: '2026-03-07',
    subTotal: '900.00',
    totalTax: '0.00',
    total: '900.00',
    amountPaid: '0.00',
    amountCredited: '0.00',
    amountDue: '900.00',
    payments: [],
  },
  {
    ...uk,
    kind: 'invoice',
    invoiceId: 'INV-4',
    contactId: 'xa',
    status: 'DRAFT',
    currencyCode: 'GBP',
    date: '2026-02-10',
    dueDate: '2026-03-12',
    subTotal: '5000.00',
    totalTax: '1000.00',
    total: '6000.00',
    amountPaid: '0.00',
    amountCredited: '0.00',
    amountDue: '6000.00',
    payments: [],
  },
  {
    ...uk,
    kind: 'invoice',
    invoiceId: 'INV-5',
    contactId: 'xa',
    status: 'VOIDED',
    currencyCode: 'GBP',
    date: '2026-02-11',
    dueDate: '2026-03-13',
    subTotal: '700.00',
    totalTax: '140.00',
    total: '840.00',
    amountPaid: '0.00',
    amountCredited: '0.00',
    amountDue: '0.00',
    payments: [],
  },
];

export const credits: LedgerCredit[] = [
  {
    ...uk,
    kind: 'credit-note',
    creditId: 'CN-1',
    contactId: 'xa',
    status: 'PAID',
    currencyCode: 'GBP',
    date: '2026-02-15',
    subTotal: '250.00',
    totalTax: '50.00',
    total: '300.00',
    remainingCredit: '0.00',
    allocations: [
      {
        creditKind: 'credit-note',
        creditId: 'CN-1',
        invoiceId: 'INV-2',
        amount: '300.00',
        date: '2026-02-20',
      },
    ],
    refunds: [],
    invoiceId: 'INV-2',
  },
  {
    ...uk,
    kind: 'overpayment',
    creditId: 'OP-1',
    contactId: 'xa',
    status: 'AUTHORISED',
    currencyCode: 'GBP',
    date: '2026-02-25',
    total: '50.00',
    remainingCredit: '30.00',
    allocations: [],
    refunds: [{ paymentId: 'R-1', amount: '20.00', date: '2026-03-10', status: 'AUTHORISED' }],
  },
];
