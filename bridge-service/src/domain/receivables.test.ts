import { readFileSync } from 'node:fs';
import path from 'node:path';

import { addDays } from './dates';
import { toWire } from './money';
import {
  accountSummary,
  ageingBucket,
  ageReceivables,
  compareXeroVersions,
  countbackDso,
  daysOverdue,
  dsoByCurrency,
  invoiceDisplayStatus,
  opportunitySummary,
  shouldOverwrite,
  simpleDso,
  xeroTimestamp,
  type ReceivableInvoice,
} from './receivables';

/** Worked cases shared with the LWC copies (lwc/receivablesCalc, lwc/invoiceStatusBadge): one file, both tests. */
interface SharedCases {
  ageingBucket: { daysPastDue: number; bucket: string }[];
  ageReceivables: {
    name: string;
    asOf: string;
    invoices: { currencyCode: string; dueDate: string; amountDue: string }[];
    expected: { currencyCode: string; outstanding: string; overdue: string; openCount: number; buckets: object }[];
  }[];
  simpleDso: { name: string; receivables: string; creditSales: string; periodDays: number; dso: string | null }[];
  unallocatedCredit: {
    name: string;
    asOf: string;
    invoices: { currencyCode: string; dueDate: string; amountDue: string }[];
    credits: { kind: string; currencyCode: string; remainingCredit: string }[];
    expected: { currencyCode: string; outstanding: string; unallocatedCredit: string }[];
  }[];
  displayStatus: {
    name: string;
    xero: Pick<
      ReceivableInvoice,
      'status' | 'amountPaid' | 'amountCredited' | 'amountDue' | 'approved' | 'awaitingApproval'
    >;
    status: string;
  }[];
}
const CASES = JSON.parse(readFileSync(path.join(__dirname, 'receivables.cases.json'), 'utf8')) as SharedCases;

const invoice = (overrides: Partial<ReceivableInvoice> = {}): ReceivableInvoice => ({
  status: 'AUTHORISED',
  currencyCode: 'GBP',
  total: '10000.00',
  amountPaid: '0',
  amountCredited: '0',
  amountDue: '10000.00',
  date: '2026-12-13',
  dueDate: '2027-01-12',
  ...overrides,
});

describe('receivables', () => {
  describe('display status', () => {
    it.each([
      [{ status: 'DRAFT' }, 'Draft'],
      [{ status: 'DRAFT', approved: true }, 'Approved'],
      [{ status: 'DRAFT', awaitingApproval: true }, 'Awaiting Approval'],
      [{ status: 'SUBMITTED' }, 'Awaiting Approval'],
      [{ status: 'SUBMITTED', approved: true }, 'Approved'],
      [{ status: 'AUTHORISED' }, 'Authorised'],
      [{ status: 'AUTHORISED', amountPaid: '6000', amountDue: '4000' }, 'Partially Paid'],
      [{ status: 'AUTHORISED', amountCredited: '500', amountDue: '9500' }, 'Partially Paid'],
      [{ status: 'AUTHORISED', amountPaid: '9000', amountCredited: '1000', amountDue: '0' }, 'Paid'],
      [{ status: 'PAID', amountPaid: '10000', amountDue: '0' }, 'Paid'],
      [{ status: 'VOIDED' }, 'Voided'],
      [{ status: 'DELETED' }, 'Deleted'],
    ] as const)('%j → %s', (overrides, expected) => {
      expect(invoiceDisplayStatus(invoice(overrides))).toBe(expected);
    });

    it.each(CASES.displayStatus)('$name: the worked case the badge reads', ({ xero, status }) => {
      expect(invoiceDisplayStatus(xero)).toBe(status);
    });
  });

  it('counts days overdue from the due date, only on receivables', () => {
    expect(daysOverdue(invoice(), '2027-01-12')).toBe(0);
    expect(daysOverdue(invoice(), '2027-01-13')).toBe(1);
    expect(daysOverdue(invoice({ status: 'PAID', amountDue: '0' }), '2027-03-01')).toBe(0);
    expect(daysOverdue(invoice({ status: 'DRAFT' }), '2027-03-01')).toBe(0);
  });

  describe('Opportunity summary', () => {
    it('reads like a finance person would write it', () => {
      expect(opportunitySummary([invoice({ amountPaid: '6000', amountDue: '4000' })], '2027-01-05')).toBe(
        'Partially paid, 4,000.00 GBP due 12 Jan 2027',
      );
      expect(opportunitySummary([invoice()], '2027-01-05')).toBe('Awaiting payment, 10,000.00 GBP due 12 Jan 2027');
      expect(opportunitySummary([invoice({ amountPaid: '6000', amountDue: '4000' })], '2027-01-13')).toBe(
        'Overdue 1 day, 4,000.00 GBP due 12 Jan 2027',
      );
      expect(opportunitySummary([invoice({ status: 'PAID', amountPaid: '10000', amountDue: '0' })], '2027-01-05')).toBe(
        'Paid, 10,000.00 GBP',
      );
      expect(opportunitySummary([invoice({ status: 'DRAFT' })], '2027-01-05')).toBe('Draft, 10,000.00 GBP');
      expect(opportunitySummary([invoice({ status: 'VOIDED' })], '2027-01-05')).toBe('Voided');
      expect(opportunitySummary([], '2027-01-05')).toBe('Not invoiced');
    });

    it('lists currencies separately, never summing them', () => {
      const summary = opportunitySummary(
        [
          invoice({ currencyCode: 'USD', amountDue: '1200', total: '1200', dueDate: '2027-02-01' }),
          invoice({ amountDue: '4000', amountPaid: '6000' }),
          invoice({ amountDue: '500', total: '500', dueDate: '2027-01-01', date: '2026-12-01' }),
        ],
        '2027-01-05',
      );
      expect(summary).toBe(
        'Overdue 4 days, 4,500.00 GBP due 1 Jan 2027; Awaiting payment, 1,200.00 USD due 1 Feb 2027',
      );
    });
  });

  it('summarises an Account per currency, with unallocated credit beside it', () => {
    const balances = accountSummary(
      [
        invoice({ amountDue: '4000', amountPaid: '6000' }),
        invoice({ dueDate: '2026-12-01', amountDue: '250', total: '250' }),
        invoice({ currencyCode: 'EUR', status: 'PAID', amountPaid: '800', amountDue: '0', total: '800' }),
        invoice({ status: 'VOIDED', amountPaid: '0' }),
      ],
      '2027-01-05',
      [{ currencyCode: 'EUR', remainingCredit: '75.50' }],
    );
    expect(
      balances.map((b) => ({
        currency: b.currencyCode,
        outstanding: toWire(b.outstanding),
        overdue: toWire(b.overdue),
        paid: toWire(b.paid),
        credit: toWire(b.unallocatedCredit),
        open: b.openInvoices,
        maxDaysOverdue: b.maxDaysOverdue,
      })),
    ).toEqual([
      {
        currency: 'EUR',
        outstanding: '0.00',
        overdue: '0.00',
        paid: '800.00',
        credit: '75.50',
        open: 0,
        maxDaysOverdue: 0,
      },
      {
        currency: 'GBP',
        outstanding: '4250.00',
        overdue: '250.00',
        paid: '6000.00',
        credit: '0.00',
        open: 2,
        maxDaysOverdue: 35,
      },
    ]);
  });

  describe('ageing, against the worked cases the account card is held to', () => {
    it.each(CASES.ageingBucket)('puts day $daysPastDue in $bucket', ({ daysPastDue, bucket }) => {
      expect(ageingBucket(daysPastDue)).toBe(bucket);
    });

    it.each(CASES.ageReceivables)('$name', ({ asOf, invoices, expected }) => {
      const aged = ageReceivables(
        invoices.map((row) => invoice({ ...row, total: row.amountDue, date: addDays(row.dueDate, -30) })),
        asOf,
      );
      expect(
        aged.map(({ currencyCode, outstanding, overdue, openCount, buckets }) => ({
          currencyCode,
          outstanding: toWire(outstanding),
          overdue: toWire(overdue),
          openCount,
          buckets: Object.fromEntries(Object.entries(buckets).map(([bucket, amount]) => [bucket, toWire(amount)])),
        })),
      ).toEqual(expected);
    });

    it.each(CASES.unallocatedCredit)('$name', ({ asOf, invoices, credits, expected }) => {
      const aged = ageReceivables(
        invoices.map((row) => invoice({ ...row, total: row.amountDue, date: addDays(row.dueDate, -30) })),
        asOf,
        credits,
      );
      expect(
        aged.map(({ currencyCode, outstanding, unallocatedCredit }) => ({
          currencyCode,
          outstanding: toWire(outstanding),
          unallocatedCredit: toWire(unallocatedCredit),
        })),
      ).toEqual(expected);
    });
  });

  it('ages only receivables, and reports unallocated credit beside the buckets', () => {
    const [gbp] = ageReceivables(
      [
        invoice({ dueDate: '2027-06-29', amountDue: '10', total: '10' }),
        invoice({ status: 'DRAFT', dueDate: '2027-01-01' }),
        invoice({ status: 'PAID', amountPaid: '10000', amountDue: '0', dueDate: '2027-01-01' }),
      ],
      '2027-06-30',
      [{ currencyCode: 'GBP', remainingCredit: '50' }],
    );
    expect(gbp && [toWire(gbp.outstanding), toWire(gbp.buckets.days1to30), gbp.openCount]).toEqual([
      '10.00',
      '10.00',
      1,
    ]);
    expect(gbp && toWire(gbp.unallocatedCredit)).toBe('50.00');
  });

  describe('DSO', () => {
    it.each(CASES.simpleDso)('$name', ({ receivables, creditSales, periodDays, dso }) => {
      if (dso === null)
        expect(() => simpleDso(receivables, creditSales, periodDays)).toThrow(/credit sales above zero/);
      else expect(toWire(simpleDso(receivables, creditSales, periodDays), 1)).toBe(dso);
    });

    it('simple DSO: 150,000 ÷ 1,800,000 × 365 = 30.4 days', () => {
      expect(toWire(simpleDso('150000', '1800000', 365), 1)).toBe('30.4');
      expect(() => simpleDso('1', '0')).toThrow(/credit sales above zero/);
    });

    it('countback DSO: AR 212,000 against 100k / 80k / 70k in 30-day months = 73.7 days', () => {
      const months = [
        { sales: '100000', days: 30 },
        { sales: '80000', days: 30 },
        { sales: '70000', days: 30 },
      ];
      expect(toWire(countbackDso('212000', months), 1)).toBe('73.7');
      expect(() => countbackDso('300000', months)).toThrow(/ran out of months/);
    });

    it('simple DSO per currency over the last 90 days of invoices', () => {
      // 90 days up to 31 Mar 2027 start on 1 Jan 2027. GBP: sales 9,000 (the Dec invoice is outside), AR 3,000 → 30 days.
      const result = dsoByCurrency(
        [
          invoice({ date: '2027-01-01', total: '6000', amountPaid: '6000', amountDue: '0', status: 'PAID' }),
          invoice({ date: '2027-03-31', total: '3000', amountDue: '3000' }),
          invoice({ date: '2026-12-31', total: '5000', amountDue: '0', status: 'PAID' }),
          invoice({ currencyCode: 'USD', date: '2026-12-01', total: '100', amountDue: '100' }),
        ],
        '2027-03-31',
      );
      expect(result.map((r) => [r.currencyCode, r.dso && toWire(r.dso, 1)])).toEqual([
        ['GBP', '30.0'],
        ['USD', undefined],
      ]);
    });
  });

  describe('newer wins (UpdatedDateUTC)', () => {
    it('reads Xero’s /Date()/ form, ISO timestamps and epoch ms', () => {
      expect(xeroTimestamp('/Date(1439434356790+0000)/')).toBe(1439434356790);
      expect(xeroTimestamp('/Date(1439434356790)/')).toBe(1439434356790);
      expect(xeroTimestamp('2015-08-13T02:52:36.790')).toBe(1439434356790);
      expect(xeroTimestamp('2015-08-13T02:52:36.790Z')).toBe(1439434356790);
      expect(xeroTimestamp(1439434356790)).toBe(1439434356790);
      expect(() => xeroTimestamp('yesterday')).toThrow(/is not a Xero timestamp/);
    });

    it('lets an older event never overwrite a newer record; the same version re-applies', () => {
      const older = '/Date(1439434356790+0000)/';
      const newer = '2015-08-13T02:52:37Z';
      expect(compareXeroVersions(newer, older)).toBe(1);
      expect(shouldOverwrite(older, newer)).toBe(false);
      expect(shouldOverwrite(newer, older)).toBe(true);
      expect(shouldOverwrite(older, older)).toBe(true);
      expect(shouldOverwrite(older, undefined)).toBe(true);
    });
  });
});
