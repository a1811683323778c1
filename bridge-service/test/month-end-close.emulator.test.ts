/**
 * The month-end close's arithmetic against Xero's own books (the emulator's ledger), through the real xero-node
 * client: three months of a UK (GBP) organisation billing in GBP, USD and EUR, in advance and in arrears, a setup fee
 * invoiced to revenue before delivery and a late concession credit note. Each month the domain proposes the close
 * from what Xero holds, the journals are posted with their keys (a replay posts nothing twice), and Xero's Trial
 * Balance ties to the schedules to the cent. The bridge's close jobs (phase B) will run exactly these steps.
 */
import { CreditNote, CurrencyCode, Invoice, ManualJournal, RowType } from 'xero-node';
import type { Invoice as XeroInvoice } from 'xero-node';
import { failure, startHarness, UK, type Harness } from '../sandbox/xero/test-helpers';
import type { CloseLine, PostedBilling } from '../src/domain/close-ledger';
import { proposeClose, type PostedJournalLine, type ProposedJournal } from '../src/domain/close-journals';
import { assertPeriodOpen } from '../src/domain/close-rules';
import { tieOut } from '../src/domain/close-tieout';
import { creditNoteSegments, lastDayOf } from '../src/domain/revenue';

const YEAR = { start: '2026-01-01', end: '2026-12-31' };
const line = (lineKey: string, currency: string, amount: string, extra: Partial<CloseLine> = {}): CloseLine => ({
  lineKey,
  contractKey: lineKey,
  currency,
  revenue: [{ method: 'monthly', ...YEAR, amount }],
  revenueAccount: '200',
  deferredAccount: '835',
  tracking: [],
  label: lineKey,
  ...extra,
});

describe('month-end close against the Xero emulator: three months tie to the cent', () => {
  let h: Harness;
  let contactID: string;
  const billing: PostedBilling[] = [];
  const posted: PostedJournalLine[] = [];
  const seats = line('SEATS', 'GBP', '1200.00', { tracking: [{ name: 'Region', option: 'North' }] });
  const lines: CloseLine[] = [
    seats,
    line('US-SEATS', 'USD', '12000.00'),
    line('EU-SUPPORT', 'EUR', '7200.00'),
    line('SETUP', 'GBP', '500.00', {
      revenue: [{ method: 'point-in-time', start: '2026-02-15', end: '2026-02-15', amount: '500.00' }],
    }),
  ];
  const rates: Record<string, Record<string, string>> = {
    '2026-01': { USD: '1.2700', EUR: '1.1600' },
    '2026-02': { USD: '1.2650', EUR: '1.1650' },
    '2026-03': { USD: '1.2600', EUR: '1.1710' },
  };

  /** Raises an authorised document in Xero and records its lines as the close reads them back. */
  async function raise(
    kind: 'invoice' | 'credit-note',
    lineKey: string,
    date: string,
    amount: number,
    accountCode: string,
    currency?: { code: CurrencyCode; rate: number },
  ): Promise<void> {
    const lineItems = [
      { description: lineKey, quantity: 1, unitAmount: amount, accountCode, taxType: currency ? 'NONE' : 'OUTPUT2' },
    ];
    const common = {
      contact: { contactID },
      date,
      ...(currency ? { currencyCode: currency.code, currencyRate: currency.rate } : {}),
      lineItems,
    };
    const doc =
      kind === 'invoice'
        ? ((
            await h.xero.accountingApi.createInvoices(UK, {
              invoices: [
                { ...common, type: Invoice.TypeEnum.ACCREC, status: Invoice.StatusEnum.AUTHORISED, dueDate: date },
              ],
            })
          ).body.invoices?.[0] as XeroInvoice)
        : (
            await h.xero.accountingApi.createCreditNotes(UK, {
              creditNotes: [
                { ...common, type: CreditNote.TypeEnum.ACCRECCREDIT, status: CreditNote.StatusEnum.AUTHORISED },
              ],
            })
          ).body.creditNotes?.[0];
    const number = 'invoiceNumber' in doc! ? (doc as XeroInvoice).invoiceNumber : (doc as CreditNote).creditNoteNumber;
    for (const item of doc!.lineItems ?? []) {
      billing.push({
        lineKey: item.description as string,
        date,
        amount: (item.lineAmount as number).toFixed(2),
        kind,
        document: number as string,
        accountCode: item.accountCode as string,
        ...(currency ? { currencyRate: String(doc!.currencyRate) } : {}),
      });
    }
  }

  async function close(month: string, lineSet: CloseLine[] = lines) {
    const org = (await h.xero.accountingApi.getOrganisations(UK)).body.organisations![0]!;
    const lock = org.periodLockDate ? { periodLockDate: new Date(org.periodLockDate).toISOString().slice(0, 10) } : {};
    assertPeriodOpen('UK_Ltd', month, lock);
    const proposal = proposeClose({
      entity: 'UK_Ltd',
      baseCurrency: 'GBP',
      month,
      closeKey: `POST_CLOSE:a0B00000000000${month.replace('-', '')}:1`,
      accruedAccount: '630',
      lines: lineSet,
      billing,
      monthEndRates: rates[month],
      history: { kind: 'posted', lines: [...posted] },
      recordUrl: 'https://example.my.salesforce.com/lightning/r/Month_End_Close__c/a0B000000000001AAA/view',
    });
    const send = (j: ProposedJournal) =>
      h.xero.accountingApi.createManualJournals(
        UK,
        {
          manualJournals: [
            {
              narration: j.narration,
              date: j.date,
              status: ManualJournal.StatusEnum.POSTED,
              url: j.url,
              journalLines: j.lines.map((l) => ({
                lineAmount: Number(l.amount.toFixed(2)),
                accountCode: l.accountCode,
                description: l.description,
                tracking: l.tracking.map((t) => ({ name: t.name, option: t.option })),
              })),
            },
          ],
        },
        undefined,
        j.key,
      );
    for (const j of proposal.journals) {
      const first = await send(j);
      const replay = await send(j); // a replayed POST_CLOSE: same key, same journal
      expect(replay.body.manualJournals?.[0]?.manualJournalID).toBe(first.body.manualJournals?.[0]?.manualJournalID);
      for (const l of j.lines)
        posted.push({
          forMonth: month,
          kind: j.kind,
          accountCode: l.accountCode,
          tracking: l.tracking,
          amount: l.amount.toFixed(2),
        });
    }
    const report = (await h.xero.accountingApi.getReportTrialBalance(UK, lastDayOf(month))).body.reports![0]!;
    const trialBalance = (report.rows ?? [])
      .flatMap((s) => s.rows ?? [])
      .filter((r) => r.rowType === RowType.Row)
      .map((r) => {
        const [account, , , ytdDebit, ytdCredit] = (r.cells ?? []).map((c) => c.value ?? '');
        const balance = Number(ytdDebit || 0) - Number(ytdCredit || 0);
        return { accountCode: /\((\w+)\)$/.exec(account!)![1]!, balance: balance.toFixed(2) };
      });
    return {
      proposal,
      result: tieOut({ entity: 'UK_Ltd', month, baseCurrency: 'GBP', expected: proposal.expected, trialBalance }),
    };
  }

  beforeAll(async () => {
    h = await startHarness();
    contactID = (await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Close Test Ltd' }] })).body
      .contacts![0]!.contactID!;
  });
  afterAll(() => h.close());

  it('January: upfront GBP, a USD quarter at its own rate, EUR accrued, the setup fee moved into deferred revenue', async () => {
    await raise('invoice', 'SEATS', '2026-01-01', 1200, '835');
    await raise('invoice', 'US-SEATS', '2026-01-01', 3000, '835', { code: CurrencyCode.USD, rate: 1.2712 });
    await raise('invoice', 'SETUP', '2026-01-10', 500, '200');
    const { proposal, result } = await close('2026-01');
    // USD 3,000 at 1.2712 = GBP 2,359.97: a third released (786.66), 1,573.31 left.
    expect(proposal.expected.deferred).toEqual([{ accountCode: '835', balance: expect.anything() }]);
    expect(proposal.expected.deferred[0]!.balance.toFixed(2)).toBe('3173.31'); // 1,100 + 1,573.31 + 500
    expect(proposal.expected.accrued.balance.toFixed(2)).toBe('517.24'); // EUR 600 ÷ 1.16
    expect(result.summary).toBe(
      "UK_Ltd January 2026 ties: Xero's deferred and accrued revenue equal the schedules to the cent",
    );
  });

  it('February: the EUR invoice for January arrives at its rate, the setup is delivered', async () => {
    await raise('invoice', 'EU-SUPPORT', '2026-02-01', 600, '835', { code: CurrencyCode.EUR, rate: 1.1625 });
    const { result } = await close('2026-02');
    expect(result.status).toBe('Tied');
  });

  it('March: a late concession credit note; the USD pool empties exactly; still tied', async () => {
    await raise('invoice', 'EU-SUPPORT', '2026-03-01', 600, '835', { code: CurrencyCode.EUR, rate: 1.17 });
    await raise('credit-note', 'SEATS', '2026-03-10', 120, '835');
    const concession = creditNoteSegments({
      amount: '120.00',
      date: '2026-03-10',
      servicePeriod: YEAR,
      method: 'monthly',
    });
    const changed = lines.map((l) => (l.lineKey === 'SEATS' ? { ...l, revenue: [...l.revenue, ...concession] } : l));
    const { proposal, result } = await close('2026-03', changed);
    expect(result.status).toBe('Tied');
    // Deferred: GBP seats 1,200 − 120 − 270 earned; the USD quarter is fully earned and its pool empties exactly
    // (786.66 + 786.65 + 786.66 = 2,359.97); accrued: March's EUR 600 at 1.1710.
    expect(result.accounts.map((a) => [a.accountCode, a.actual.toFixed(2)])).toEqual([
      ['835', '810.00'],
      ['630', '512.38'],
    ]);
    expect(proposal.currencies.find((c) => c.currency === 'USD')!.deferred.toFixed(2)).toBe('0.00');
    // Nothing was posted twice: three journals for January (recognition, accrual, reversal) and as many after.
    const journals = (await h.xero.accountingApi.getManualJournals(UK, undefined, undefined, undefined, 1)).body
      .manualJournals!;
    expect(new Set(journals.map((j) => j.narration)).size).toBe(journals.length);
  });

  it('a locked month is refused before anything is sent, and Xero refuses it too', async () => {
    h.emulator.control.setLockDates(UK, { periodLockDate: '2026-03-31' });
    await expect(close('2026-03')).rejects.toThrow(/March 2026 is locked in UK_Ltd's Xero organisation/);
    const direct = await failure(
      h.xero.accountingApi.createManualJournals(UK, {
        manualJournals: [
          {
            narration: 'late',
            date: '2026-03-31',
            status: ManualJournal.StatusEnum.POSTED,
            journalLines: [
              { lineAmount: 1, accountCode: '835' },
              { lineAmount: -1, accountCode: '200' },
            ],
          },
        ],
      }),
    );
    expect(JSON.stringify(direct.body)).toContain('period lock date (31 Mar 2026)');
  });
});
