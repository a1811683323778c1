import type { InstalmentLine } from '../../domain/billing-plan';
import type { LineMapping } from '../../domain/line-mapping';
import { money } from '../../domain/money';
import { draft, opportunity, seats } from './__fixtures__/drafts';
import { draftDocument, type DocumentDeps } from './documents';

const deps: DocumentDeps = {
  clock: { now: () => Date.UTC(2026, 6, 1) },
  corporateCurrency: 'GBP',
};
const rates = [{ taxType: 'OUTPUT2', effectiveRate: 20 }];
const contract = {
  opportunity: opportunity(9, { Service_Start_Date__c: '2026-01-01', Service_End_Date__c: '2026-12-31' }),
  lineItems: [seats(25, 600)],
};
const amending = (quantity: number) =>
  draft(1, {
    opportunity: opportunity(1, {
      Amended_Opportunity__c: contract.opportunity.Id,
      Invoice_Type__c: 'Amendment',
      Service_Start_Date__c: '2026-07-01',
    }),
    lineItems: [seats(quantity, 600)],
    original: contract,
  });

describe('CREATE_DRAFT: documents', () => {
  it('bills a new deal as an invoice to the contact it was given', () => {
    const made = draftDocument(deps, draft(1), 'contact-1', rates);
    expect(made).toMatchObject({
      kind: 'invoice',
      document: { type: 'ACCREC', contact: { contactId: 'contact-1' }, total: '1200.00' },
    });
  });

  it('refuses an amending draft its deal plan has not priced, rather than bill the Opportunity in full', () => {
    // billing.ts sends every amendment and renewal through its deal plan: only the plan's instalment bills it.
    expect(() => draftDocument(deps, amending(35), 'contact-1', rates)).toThrow(
      /amends or renews opportunity .*: it is billed by its deal's plan, not in full/,
    );
  });

  it('throws the reasons a deal cannot be billed', () => {
    expect(() => draftDocument(deps, draft(1), 'contact-1', [])).toThrow(/tax type OUTPUT2 is not an active tax rate/);
  });

  it('bills a plan instalment with its lines mapped: an amendment’s line of the same product takes its mapping, a line of none sends no item code', () => {
    const dealLine = { ...seats(10, 100), Product2: { Name: 'Seats', ProductCode: 'SEAT' } };
    const mapping: LineMapping = {
      accountCode: '4100',
      revenueAccountCode: '4100',
      posting: 'revenue',
      taxType: 'OUTPUT2',
      tracking: [],
      itemCode: 'SEATS-XERO',
      source: { accountCode: 'product', revenueAccountCode: 'product', taxType: 'entity', tracking: [] },
    };
    const period = { start: '2026-01-01', end: '2026-06-30' };
    const line = (lineKey: string, itemCode: string): InstalmentLine => ({
      lineKey,
      contractKey: 'deal',
      description: lineKey,
      itemCode,
      periodKey: '2026-01-01',
      servicePeriod: period,
      amount: money('500.00'),
    });
    const instalment = {
      key: 'i-1',
      version: 'v1',
      sequence: 1,
      issueDate: '2026-01-01',
      kind: 'invoice' as const,
      amount: money('1500.00'),
      servicePeriod: period,
      lines: [line(dealLine.Id, 'SEAT'), line('00k0000000000A1AAA', 'SEAT'), line('00k0000000000A2AAA', 'ANALYTICS')],
    };
    const made = draftDocument(
      deps,
      draft(1, { lineItems: [dealLine], billing: { instalment, invoiceType: 'New' } }),
      'contact-1',
      rates,
      new Map([[dealLine.Id, mapping]]),
    );
    expect(made.kind).toBe('invoice');
    const lines = made.kind === 'invoice' ? made.document.lineItems : [];
    expect(lines.map((l) => [l.accountCode ?? null, l.itemCode ?? null])).toEqual([
      ['4100', 'SEATS-XERO'],
      ['4100', 'SEATS-XERO'],
      [expect.anything(), null],
    ]);
    expect(lines[2]!.accountCode).not.toBe('4100');
  });
});
