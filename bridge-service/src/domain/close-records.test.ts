import { proposeClose } from './close-journals';
import {
  closeRecord,
  closeVersionKey,
  journalLineKind,
  journalLineRecords,
  postClosePayloadSchema,
  tieOutFields,
} from './close-records';
import { tieOut } from './close-tieout';
import { entityLineRowSchema, productXeroRowSchema } from './line-mapping-records';
import { billed, closeInput, line, NORTH } from './__fixtures__/close';
import { expectFitsMetadata, fieldsOf } from './__fixtures__/force-app-metadata';

describe('month-end close records', () => {
  const proposal = proposeClose(
    closeInput('2026-01', {
      closeKey: closeVersionKey('a0B000000000001AAA', 1),
      lines: [line('L1', 'C1', { tracking: NORTH }), line('L2', 'C2', { currency: 'USD' })],
      billing: [billed('L1', '2026-01-01', '1200.00')],
      monthEndRates: { USD: '1.25' },
    }),
  );

  it('writes the close header and its journal lines with fields and picklist values force-app has', () => {
    const header = closeRecord(proposal, { xeroTenantId: 'tenant-uk', version: 1 });
    expectFitsMetadata('Month_End_Close__c', header);
    expect(header).toMatchObject({
      Close_Key__c: 'UK_Ltd:2026-01',
      Period_Start__c: '2026-01-01',
      Period_End__c: '2026-01-31',
      Status__c: 'Proposed',
      Recognition_Total__c: 100,
      Accrual_Total__c: 80,
      Closing_Deferred__c: 1100,
      Closing_Accrued__c: 80,
      Month_End_Rates__c: 'USD 1.25 per GBP',
      Contracts__c: 2,
    });
    const lines = journalLineRecords(proposal, 1);
    for (const record of lines) expectFitsMetadata('Month_End_Journal_Line__c', record);
    expect(
      lines.map((l) => [l.Line_Key__c, l.Journal_Kind__c, l.Account_Code__c, l.Amount__c, l.Tracking_1_Option__c]),
    ).toEqual([
      ['UK_Ltd:2026-01:v1:recognition:1', 'Recognition', '835', 100, 'North'],
      ['UK_Ltd:2026-01:v1:recognition:2', 'Recognition', '200', -100, 'North'],
      ['UK_Ltd:2026-01:v1:accrual:1', 'Accrual', '630', 80, null],
      ['UK_Ltd:2026-01:v1:accrual:2', 'Accrual', '200', -80, null],
      ['UK_Ltd:2026-01:v1:accrual-reversal:1', 'Accrual Reversal', '630', -80, null],
      ['UK_Ltd:2026-01:v1:accrual-reversal:2', 'Accrual Reversal', '200', 80, null],
    ]);
    expect(proposal.journals[0]!.key).toBe('POST_CLOSE:a0B000000000001AAA:1:RECOGNITION');
  });

  it("writes a first close's opening lines (never posted) dated the day before its month, kind Opening", () => {
    const june = proposeClose(
      closeInput('2026-06', {
        lines: [line('L1', 'C1')],
        billing: [billed('L1', '2026-01-01', '1200.00')],
        history: { kind: 'first-close' },
      }),
    );
    const lines = journalLineRecords(june, 1);
    for (const record of lines) expectFitsMetadata('Month_End_Journal_Line__c', record);
    expect(
      lines.map((l) => [l.Line_Key__c, l.Journal_Kind__c, l.Journal_Date__c, l.Account_Code__c, l.Amount__c]),
    ).toEqual([
      ['UK_Ltd:2026-06:v1:recognition:1', 'Recognition', '2026-06-30', '835', 100],
      ['UK_Ltd:2026-06:v1:recognition:2', 'Recognition', '2026-06-30', '200', -100],
      ['UK_Ltd:2026-06:v1:opening:1', 'Opening', '2026-05-31', '835', 500],
      ['UK_Ltd:2026-06:v1:opening:2', 'Opening', '2026-05-31', '200', -500],
    ]);
    expect(journalLineKind('Opening')).toBe('opening');
    expect(journalLineKind('Accrual Reversal')).toBe('accrual-reversal');
    expect(journalLineKind('Something else')).toBeUndefined();
  });

  it('fits a close over many currencies and deferred revenue accounts (every rate approved is kept, whole)', () => {
    const currencies = ['USD', 'EUR', 'AUD', 'CAD', 'NZD', 'CHF', 'SEK', 'NOK', 'DKK', 'JPY', 'SGD', 'HKD'];
    const many = proposeClose(
      closeInput('2026-01', {
        closeKey: closeVersionKey('a0B000000000001AAA', 1),
        lines: currencies.map((currency, i) =>
          line(`L${i}`, `C${i}`, { currency, deferredAccount: `2${String(i).padStart(3, '0')}-DEFERRED` }),
        ),
        billing: [],
        monthEndRates: Object.fromEntries(currencies.map((c, i) => [c, `1.${123456 + i}`])),
      }),
    );
    const header = closeRecord(many, { xeroTenantId: 'tenant-uk', version: 1 });
    expect(String(header.Month_End_Rates__c).length).toBeGreaterThan(255);
    expect(String(header.Month_End_Rates__c)).toContain('HKD 1.123467 per GBP');
    expect(String(header.Deferred_Account_Codes__c).length).toBeGreaterThan(100);
    expectFitsMetadata('Month_End_Close__c', header);
  });

  it('writes the tie-out as Tied or Difference with the causes in words', () => {
    const result = tieOut({
      entity: 'UK_Ltd',
      month: '2026-01',
      baseCurrency: 'GBP',
      expected: proposal.expected,
      trialBalance: [
        { accountCode: '835', balance: '-1100.00' },
        { accountCode: '630', balance: '80.00' },
      ],
    });
    const fields = tieOutFields(result, '2026-02-01T09:00:00.000Z');
    expectFitsMetadata('Month_End_Close__c', fields);
    expect(fields).toMatchObject({ Status__c: 'Tied', Xero_Deferred_Balance__c: 1100, Xero_Accrued_Balance__c: 80 });
    expect(String(fields.Tie_Out_Result__c).split('\n')).toEqual([
      "UK_Ltd January 2026 ties: Xero's deferred and accrued revenue equal the schedules to the cent",
      'Deferred revenue 835: Xero 1,100.00, schedules 1,100.00, ties',
      'Accrued revenue 630: Xero 80.00, schedules 80.00, ties',
    ]);
  });

  it('accepts the POST_CLOSE payload the Apex sends, and nothing looser', () => {
    expect(postClosePayloadSchema.parse({ closeId: 'a0B000000000001AAA', version: 2 })).toEqual({
      closeId: 'a0B000000000001AAA',
      version: 2,
    });
    expect(postClosePayloadSchema.safeParse({ closeId: 'a0B000000000001AAA', version: 0 }).success).toBe(false);
    expect(postClosePayloadSchema.safeParse({ closeId: 'a0B', version: 1 }).success).toBe(false);
  });

  it('reads the line-mapping fields force-app declares on Product2 and Billing_Entity__mdt', () => {
    const product = fieldsOf('Product2');
    for (const key of Object.keys(productXeroRowSchema.shape).filter((k) => k.endsWith('__c')))
      expect([key, product.has(key)]).toEqual([key, true]);
    const entity = fieldsOf('Billing_Entity__mdt');
    for (const key of Object.keys(entityLineRowSchema.shape)) expect([key, entity.has(key)]).toEqual([key, true]);
  });
});
