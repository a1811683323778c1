import type { ReportWithRow } from 'xero-node';
import { CreditNote, CurrencyCode, Invoice, ManualJournal, RowType } from 'xero-node';
import { financialYearStart } from './trial-balance';
import type { Harness } from './test-helpers';
import { failure, startHarness, UK } from './test-helpers';

/** Account code → [month, ytd] as signed figures (debit positive), read from the report's cells. */
function balances(report: ReportWithRow): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  const signed = (debit?: string, credit?: string) => Number(debit || 0) - Number(credit || 0);
  for (const section of report.rows ?? []) {
    for (const row of section.rows ?? []) {
      if (row.rowType !== RowType.Row) continue;
      const [account, d, c, yd, yc] = (row.cells ?? []).map((cell) => cell.value);
      const code = /\((\w+)\)$/.exec(account ?? '')?.[1] as string;
      out.set(code, [signed(d, c), signed(yd, yc)]);
    }
  }
  return out;
}
const totals = (report: ReportWithRow) =>
  report.rows
    ?.flatMap((s) => s.rows ?? [])
    .find((r) => r.rowType === RowType.SummaryRow)
    ?.cells?.map((c) => c.value);

describe('xero emulator: the trial balance, from invoices, credit notes, payments and manual journals', () => {
  let h: Harness;
  let contactID: string;
  const trialBalance = async (date: string) =>
    (await h.xero.accountingApi.getReportTrialBalance(UK, date)).body.reports?.[0] as ReportWithRow;

  beforeAll(async () => {
    h = await startHarness();
    const contact = await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Ledger Test Ltd' }] });
    contactID = contact.body.contacts?.[0]?.contactID as string;
    const invoice = (date: string, unitAmount: number, accountCode: string, extra: Partial<Invoice> = {}): Invoice => ({
      type: Invoice.TypeEnum.ACCREC,
      contact: { contactID },
      status: Invoice.StatusEnum.AUTHORISED,
      date,
      dueDate: date,
      // The bridge always names the tax type: a line takes its account's default otherwise (835's is no VAT).
      lineItems: [{ description: 'Annual subscription', quantity: 1, unitAmount, accountCode, taxType: 'OUTPUT2' }],
      ...extra,
    });
    const created = await h.xero.accountingApi.createInvoices(UK, {
      invoices: [
        // GBP 1,200.00 + VAT 240.00, billed in advance to deferred revenue (835).
        invoice('2026-01-15', 1200, '835'),
        // USD 1,000.00 at 1.25 USD per GBP, no VAT: GBP 800.00 to deferred revenue.
        invoice('2026-01-20', 1000, '835', {
          currencyCode: CurrencyCode.USD,
          currencyRate: 1.25,
          lineItems: [{ description: 'US seats', quantity: 1, unitAmount: 1000, accountCode: '835', taxType: 'NONE' }],
        }),
        // A draft and a voided invoice are not in the ledger.
        invoice('2026-01-21', 5000, '200', { status: Invoice.StatusEnum.DRAFT }),
      ],
    });
    const usd = created.body.invoices?.[1] as Invoice;
    // Two payments of USD 500.00: at 1.20 (GBP 416.67 banked for 400.00 of receivable: a gain of 16.67), then at 1.30
    // (GBP 384.62 banked; it settles the invoice, so it relieves the 400.00 left: a loss of 15.38).
    for (const [amount, currencyRate, date] of [
      [500, 1.2, '2026-01-25'],
      [500, 1.3, '2026-02-10'],
    ] as const) {
      await h.xero.accountingApi.createPayments(UK, {
        payments: [{ invoice: { invoiceID: usd.invoiceID }, account: { code: '090' }, amount, currencyRate, date }],
      });
    }
    // A credit note of GBP 120.00 + VAT on 5 February, against deferred revenue.
    await h.xero.accountingApi.createCreditNotes(UK, {
      creditNotes: [
        {
          type: CreditNote.TypeEnum.ACCRECCREDIT,
          contact: { contactID },
          status: CreditNote.StatusEnum.AUTHORISED,
          date: '2026-02-05',
          lineItems: [
            { description: 'Service credit', quantity: 1, unitAmount: 120, accountCode: '835', taxType: 'OUTPUT2' },
          ],
        },
      ],
    });
    // January close: recognition 150.00 from deferred revenue; unbilled 40.00 accrued and reversed on 1 February.
    const journal = (date: string, narration: string, lines: [string, number][]): ManualJournal => ({
      narration,
      date,
      status: ManualJournal.StatusEnum.POSTED,
      journalLines: lines.map(([accountCode, lineAmount]) => ({ accountCode, lineAmount })),
    });
    await h.xero.accountingApi.createManualJournals(UK, {
      manualJournals: [
        journal('2026-01-31', 'Recognition', [
          ['835', 150],
          ['200', -150],
        ]),
        journal('2026-01-31', 'Accrual', [
          ['630', 40],
          ['200', -40],
        ]),
        journal('2026-02-01', 'Accrual reversed', [
          ['200', 40],
          ['630', -40],
        ]),
        {
          ...journal('2026-01-31', 'Draft, not in the ledger', [['200', -999]]),
          status: ManualJournal.StatusEnum.DRAFT,
        },
      ],
    });
  });
  afterAll(() => h.close());

  it('at 31 January: receivables, VAT, deferred, accrued and revenue in base currency, and debits equal credits', async () => {
    const report = await trialBalance('2026-01-31');
    expect(report.reportTitles).toEqual(['Trial Balance', 'Ledgerline UK Ltd', 'As at 31 January 2026']);
    const tb = balances(report);
    // Receivables 1,440.00 + 800.00 − 400.00 relieved by the first payment.
    expect(tb.get('610')).toEqual([1840, 1840]);
    expect(tb.get('820')).toEqual([-240, -240]);
    // Deferred revenue: 1,200.00 + 800.00 billed − 150.00 released.
    expect(tb.get('835')).toEqual([-1850, -1850]);
    expect(tb.get('630')).toEqual([40, 40]);
    expect(tb.get('200')).toEqual([-190, -190]);
    expect(tb.get('090')).toEqual([416.67, 416.67]);
    expect(tb.get('499')).toEqual([-16.67, -16.67]);
    const [, debit, credit, ytdDebit, ytdCredit] = totals(report) ?? [];
    expect(debit).toBe(credit);
    expect(ytdDebit).toBe(ytdCredit);
    expect(ytdDebit).toBe('2296.67');
  });

  it("at 28 February: February's movements beside the balances, the settled invoice leaving nothing in receivables", async () => {
    const tb = balances(await trialBalance('2026-02-28'));
    // Receivables: the second payment relieves the 400.00 left; the credit note takes 144.00 off.
    expect(tb.get('610')).toEqual([-544, 1296]);
    expect(tb.get('835')).toEqual([120, -1730]);
    expect(tb.get('630')).toEqual([-40, 0]); // January's accrual reversed on 1 February
    expect(tb.get('200')).toEqual([40, -150]);
    expect(tb.get('499')).toEqual([15.38, -1.29]);
  });

  it("carries last year's profit in retained earnings and starts revenue afresh in the new financial year", async () => {
    const tb = balances(await trialBalance('2027-01-31'));
    expect(tb.get('200')).toBeUndefined();
    expect(tb.get('960')).toEqual([0, -151.29]); // 2026's revenue 150.00 and its net currency gain 1.29
    expect(tb.get('835')).toEqual([0, -1730]);
  });

  it('refuses a date that is not one, and the cash basis it does not model', async () => {
    const bad = await failure(h.xero.accountingApi.getReportTrialBalance(UK, '31/01/2026'));
    expect(bad.statusCode).toBe(400);
    const cash = await failure(h.xero.accountingApi.getReportTrialBalance(UK, '2026-01-31', true));
    expect(JSON.stringify(cash.body)).toContain('paymentsOnly=true (cash basis) is not modelled');
  });

  it('finds the start of the financial year for any year end', () => {
    expect(financialYearStart('2026-01-31', 12, 31)).toBe('2026-01-01');
    expect(financialYearStart('2026-12-31', 12, 31)).toBe('2026-01-01');
    expect(financialYearStart('2026-03-31', 3, 31)).toBe('2025-04-01');
    expect(financialYearStart('2026-04-01', 3, 31)).toBe('2026-04-01');
    expect(financialYearStart('2024-06-15', 2, 31)).toBe('2024-03-01'); // 29 Feb 2024 year end
  });
});
