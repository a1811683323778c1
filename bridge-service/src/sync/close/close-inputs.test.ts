import type { DealPlan } from '../../domain/deal-plan';
import type { CloseCreditNoteRow, CloseInvoiceRow, PostedLineRow } from '../../salesforce/close-queries';
import { closeHistory, closeInputs, documentIds } from './close-inputs';

const SEATS = '00k000000000001AAA';
const SETUP = '00k000000000002AAA';
const year = { method: 'monthly' as const, start: '2026-01-01', end: '2026-12-31', amount: '1200.00' };

/** A deal as the close reads it: its lines' revenue and what its posted documents billed (the rest is unused). */
function deal(posted: DealPlan['posted'], currency = 'USD') {
  return {
    loaded: {
      row: { Name: 'Contoso 2026' },
      input: {
        root: {
          opportunity: {},
          lineItems: [
            { Id: SEATS, Product2: { Name: 'Seats' } },
            { Id: SETUP, Product2: { Name: 'Setup' } },
          ],
        },
      },
    },
    plan: {
      ledger: [
        { lineKey: SEATS, contractKey: 'C1', entity: 'UK_Ltd', currency, revenue: [year] },
        { lineKey: SETUP, contractKey: 'C1', entity: 'UK_Ltd', currency, revenue: [year] },
      ],
      posted,
    },
  } as never;
}

const invoice = (id: string, fields: Partial<CloseInvoiceRow>, lines: { oli: string | null; account: string }[]) =>
  ({
    Id: id,
    Invoice_Number__c: `INV-${id.slice(-4)}`,
    Currency_Code__c: 'USD',
    Currency_Rate__c: null,
    Issue_Date__c: '2026-01-01',
    Status__c: 'Authorised',
    Invoice_Lines__r: {
      records: lines.map((l, i) => ({
        Opportunity_Line_Item_Id__c: l.oli,
        Account_Code__c: l.account,
        Line_Amount__c: 1,
        Sort_Order__c: i,
      })),
    },
    ...fields,
  }) as CloseInvoiceRow;

describe('closeInputs', () => {
  const accounts = { revenue: '200', deferred: '835', accrued: '630' };

  it('takes each line’s account from its invoice line, a credit note’s from the invoice it credits, and foreign rates', () => {
    const result = closeInputs({
      deals: [
        deal([
          { lineKey: SEATS, date: '2026-01-01', amount: '600.00', kind: 'invoice', documentId: 'a01000000000001AAA' },
          { lineKey: SETUP, date: '2026-01-01', amount: '300.00', kind: 'invoice', documentId: 'a01000000000001AAA' },
          {
            lineKey: SEATS,
            date: '2026-01-20',
            amount: '50.00',
            kind: 'credit-note',
            documentId: 'a02000000000001AAA',
          },
          { lineKey: SEATS, date: '2026-02-01', amount: '600.00', kind: 'invoice', documentId: 'a01000000000002AAA' },
        ]),
      ],
      invoices: [
        invoice('a01000000000001AAA', { Currency_Rate__c: 1.27 }, [
          { oli: SEATS, account: '835' },
          { oli: SETUP, account: '260' },
        ]),
        invoice('a01000000000002AAA', { Issue_Date__c: '2026-02-01', Currency_Rate__c: 1.3 }, [
          { oli: null, account: '835' },
        ]),
      ],
      creditNotes: [
        { Id: 'a02000000000001AAA', Credit_Note_Number__c: 'CN-0001', Invoice__c: 'a01000000000001AAA' },
      ] as CloseCreditNoteRow[],
      accounts,
      baseCurrency: 'GBP',
      monthEnd: '2026-01-31',
    });
    expect(result.billing).toEqual([
      expect.objectContaining({ lineKey: SEATS, accountCode: '835', currencyRate: '1.27', document: 'INV-1AAA' }),
      expect.objectContaining({ lineKey: SETUP, accountCode: '260', currencyRate: '1.27' }),
      expect.objectContaining({ lineKey: SEATS, kind: 'credit-note', accountCode: '835', document: 'CN-0001' }),
    ]);
    // Seats bill to deferred revenue: its revenue account is the entity's; Setup posted to 260: that is its revenue.
    expect(result.lines.map((l) => [l.label, l.revenueAccount, l.deferredAccount])).toEqual([
      ['Contoso 2026: Seats', '200', '835'],
      ['Contoso 2026: Setup', '260', '835'],
    ]);
    // The month-end rate: the latest USD invoice dated on or before 31 January.
    expect(result.monthEndRates).toEqual({ USD: '1.27' });
  });

  it('leaves base-currency documents without a rate, and lines without a mirror at the entity’s revenue account', () => {
    const result = closeInputs({
      deals: [deal([{ lineKey: SEATS, date: '2026-01-01', amount: '100.00', kind: 'invoice' }], 'GBP')],
      invoices: [],
      creditNotes: [],
      accounts,
      baseCurrency: 'GBP',
      monthEnd: '2026-01-31',
    });
    expect(result.billing).toEqual([
      {
        lineKey: SEATS,
        date: '2026-01-01',
        amount: '100.00',
        kind: 'invoice',
        document: 'a document',
        accountCode: '200',
      },
    ]);
    expect(result.monthEndRates).toEqual({});
  });

  it('lists the documents to load once each', () => {
    expect(
      documentIds([
        { posted: [{ documentId: 'a' }, { documentId: 'b' }, {}] },
        { posted: [{ documentId: 'a' }] },
      ] as never),
    ).toEqual(['a', 'b']);
  });
});

describe('closeHistory', () => {
  const row = (kind: string, start: string | null, amount: number, tracking?: [string, string]): PostedLineRow =>
    ({
      Journal_Kind__c: kind,
      Account_Code__c: '835',
      Amount__c: amount,
      Tracking_1_Category__c: tracking?.[0] ?? null,
      Tracking_1_Option__c: tracking?.[1] ?? null,
      Tracking_2_Category__c: null,
      Tracking_2_Option__c: null,
      Month_End_Close__r: start ? { Period_Start__c: start } : null,
    }) as PostedLineRow;

  it('is the first close when nothing was posted and no earlier close is posted', () => {
    expect(closeHistory([], false)).toEqual({ kind: 'first-close' });
    // A posted close that posted no line (balances only) still ends the first close: nothing is taken as booked again.
    expect(closeHistory([], true)).toEqual({ kind: 'posted', lines: [] });
  });

  it("reads a first close's opening lines as posted", () => {
    expect(closeHistory([row('Opening', '2026-06-01', 500)], true)).toEqual({
      kind: 'posted',
      lines: [{ forMonth: '2026-06', kind: 'opening', accountCode: '835', tracking: [], amount: '500.00' }],
    });
  });

  it('gives each posted line its close’s month, its kind and its tracking', () => {
    expect(
      closeHistory(
        [row('Recognition', '2026-01-01', 100, ['Region', 'North']), row('Accrual Reversal', '2026-01-01', -5)],
        true,
      ),
    ).toEqual({
      kind: 'posted',
      lines: [
        {
          forMonth: '2026-01',
          kind: 'recognition',
          accountCode: '835',
          tracking: [{ name: 'Region', option: 'North' }],
          amount: '100.00',
        },
        { forMonth: '2026-01', kind: 'accrual-reversal', accountCode: '835', tracking: [], amount: '-5.00' },
      ],
    });
  });
});
