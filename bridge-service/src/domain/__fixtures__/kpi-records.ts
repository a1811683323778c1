/**
 * The records of the KPI worked case (kpi.cases.json's subscriptions and rates, kpi-documents.ts's ledger, a revenue
 * line per entity and one foreign invoice), as kpi-snapshot.ts takes them: shared by the snapshot and record tests
 * and by the cockpit fixtures they check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { credits, invoices } from './kpi-documents';
import { contractMonths, entityMonths, type BillingEntry, type LedgerLine } from '../balances';
import type { ForeignInvoice } from '../fx-exposure';
import type { RateBook } from '../fx-rates';
import { forecast } from '../kpi-forecast';
import type { Subscription } from '../kpi-mrr';
import type { KpiRecords } from '../kpi-snapshot';
import { money } from '../money';

export const CASES = JSON.parse(readFileSync(path.join(__dirname, '..', 'kpi.cases.json'), 'utf8')) as {
  book: RateBook;
  subscriptions: Subscription[];
};

// UK: 12,000.00 GBP over 2026 by month, billed on 1 Jan; US: 1,200.00 USD over 2026, nothing billed yet.
const lines: LedgerLine[] = [
  {
    lineKey: 'UK1',
    contractKey: 'UK',
    entity: 'UK_Ltd',
    currency: 'GBP',
    revenue: [{ method: 'monthly', start: '2026-01-01', end: '2026-12-31', amount: '12000.00' }],
  },
  {
    lineKey: 'US1',
    contractKey: 'US',
    entity: 'US_Inc',
    currency: 'USD',
    revenue: [{ method: 'monthly', start: '2026-01-01', end: '2026-12-31', amount: '1200.00' }],
  },
];
const billed: BillingEntry[] = [{ lineKey: 'UK1', date: '2026-01-01', amount: '12000.00', kind: 'invoice' }];

const foreign: ForeignInvoice = {
  invoiceId: 'INV-9',
  entity: 'UK_Ltd',
  baseCurrency: 'GBP',
  currencyCode: 'USD',
  currencyRate: '1.250000',
  date: '2026-01-10',
  total: '1000.00',
  settlements: [{ kind: 'payment', date: '2026-02-10', amount: '333.33', currencyRate: '1.300000' }],
};

export const records: KpiRecords = {
  asOf: '2026-03-15',
  reportingCurrency: 'GBP',
  book: CASES.book,
  subscriptions: CASES.subscriptions,
  invoices,
  credits,
  revenueMonths: entityMonths(contractMonths(lines, billed, ['2025-12', '2026-01', '2026-02', '2026-03'])),
  revenueLines: lines,
  foreignInvoices: [foreign],
};

/** The forecast of the open month (as of 15 Mar 2026): one instalment, one USD renewal. */
export const forecastResult = forecast({
  asOf: '2026-03-15',
  plans: [
    {
      dealId: '006P1',
      customerId: 'A',
      entity: 'UK_Ltd',
      currency: 'GBP',
      paymentTermsDays: 30,
      taxRatePercent: '20',
      instalments: [{ issueDate: '2026-04-01', amount: money('1000.00') }],
    },
  ],
  opportunities: [],
  renewals: [
    {
      contractKey: 'K-US',
      opportunityId: '006US',
      customerId: 'C',
      entity: 'US_Inc',
      currency: 'USD',
      contract: {
        startDate: '2025-05-01',
        endDate: '2026-04-30',
        lines: [{ productKey: 'SEAT', description: 'Seats', quantity: '1', unitPrice: '1000.00' }],
      },
      uplift: { percent: '3' },
      renewed: false,
    },
  ],
  invoices,
  credits,
  daysLate: new Map([['A', 11]]),
});
