/**
 * An approved credit note reaches Xero as it was recorded and approved (review-12 F1): a plan's credit-note
 * instalment (or a downgrade) is saved through downgrades.ts → saveDraft with its lines in Credit_Note__c.Lines__c,
 * and approval sends those lines, each with its account, tax type, item and tracking. Before, approval found no
 * CREDIT request for it and sent its total as one tax-inclusive line at the entity's tax type: two lines of −1,000.00
 * (one at 20 %, one zero-rated) recorded as 2,000.00 + 200.00 tax reached Xero as 1,833.33 + 366.67.
 *
 * Salesforce is a map of the Credit_Note__c rows the service wrote; Xero is the emulator, so its own arithmetic
 * (tax per line, half away from zero) is what the recorded figures are held to.
 */
import Big from 'big.js';
import { parseBillingEntities } from '../../domain/billing-entity';
import type { Instalment } from '../../domain/billing-plan';
import type { XeroDraftDocument } from '../../domain/invoice-mapping';
import type { LineMapping } from '../../domain/line-mapping';
import { mapInstalmentDocument } from '../../domain/opportunity-invoice';
import type { XeroCreditNote } from '../../xero/types';
import { harness, teardown, UK, type Harness } from '../../xero/__fixtures__/client-harness';
import { draft, opportunity } from '../create-draft/__fixtures__/drafts';
import { recordDowngrades } from '../create-draft/downgrades';
import { createCreditNotes, type CreditNoteDeps } from './credit-notes';
import { invoiceMirrorRow } from './__fixtures__/invoice-mirror';

const INVOICE = 'a01000000000001AAA';
const CREDIT_NOTE = 'a0B000000000001AAA';

const [uk] = parseBillingEntities([
  {
    developerName: 'UK_Ltd',
    xeroTenantId: UK,
    baseCurrency: 'GBP',
    countries: 'GB',
    currencies: 'GBP',
    accountCode: '200',
    taxType: 'OUTPUT2',
    paymentTermsDays: 30,
  },
]).entities;
const taxRates = [
  { taxType: 'OUTPUT2', effectiveRate: 20, status: 'ACTIVE' },
  { taxType: 'ZERORATEDOUTPUT', effectiveRate: 0, status: 'ACTIVE' },
];

const mapping = (taxType: string, accountCode: string, extra: Partial<LineMapping> = {}): LineMapping => ({
  accountCode,
  revenueAccountCode: accountCode,
  posting: 'revenue',
  taxType,
  tracking: [],
  source: { accountCode: 'product', revenueAccountCode: 'product', taxType: 'product', tracking: [] },
  ...extra,
});

let h: Harness;
let contactId: string;
beforeAll(async () => {
  h = await harness();
  const [contact] = await h.client.createContacts(
    UK,
    [{ name: 'Credit Lines Ltd', contactNumber: '001000000000091AAA', addresses: [] }],
    'contact:credit-lines',
  );
  contactId = contact!.id!;
});
afterAll(async () => teardown(h));

/** A plan's credit-note instalment: one line per (description, amount, mapping), as the draft flow maps it. */
function instalmentCredit(sequence: number, lines: readonly [string, string, LineMapping][]) {
  const period = { start: '2026-07-01', end: '2026-12-31' };
  const amounts = lines.map(([, amount]) => new Big(amount));
  const instalment: Instalment = {
    key: `PLAN:1:${sequence}`,
    version: '1',
    kind: 'credit-note',
    amount: amounts.reduce((a, b) => a.plus(b), new Big(0)),
    sequence,
    issueDate: '2026-07-01',
    servicePeriod: period,
    lines: lines.map(([description], i) => ({
      lineKey: `L${i + 1}`,
      contractKey: `L${i + 1}`,
      description,
      periodKey: '2026-07-01',
      servicePeriod: period,
      amount: amounts[i]!,
    })),
  };
  const document = mapInstalmentDocument({
    opportunity: opportunity(1),
    account: { Id: '001000000000001AAA', Name: 'Customer 1' },
    entity: uk!,
    contactId,
    taxRates,
    corporateCurrency: 'GBP',
    instalment,
    lineMappings: new Map(lines.map(([, , m], i) => [`L${i + 1}`, m])),
  });
  const planDraft = draft(1, {
    entity: uk!,
    billing: { instalment, invoiceType: 'New', creditsInvoiceId: INVOICE },
  });
  return { document, planDraft };
}

/** The credit-note service over an in-memory Credit_Note__c table and the Xero emulator. */
function world(job: unknown = null) {
  const rows = new Map<string, Record<string, unknown>>();
  const warnings: string[] = [];
  const sent: XeroDraftDocument[] = [];
  const deps = {
    invoices: {
      load: async () => invoiceMirrorRow(),
      requireXero: () => ({ tenantId: UK, xeroId: 'inv-x' }),
      // Nothing due on the invoice: the credit note is made and not allocated (the allocation is not under test).
      fetch: async () => ({
        invoiceID: 'inv-x',
        invoiceNumber: 'INV-0001',
        status: 'PAID',
        total: 12000,
        amountDue: 0,
        contact: { contactID: contactId },
      }),
      writeInvoice: async () => undefined,
      notify: async () => undefined,
    },
    queries: {
      creditNotes: async (ids: readonly string[]) => ids.flatMap((id) => (rows.has(id) ? [rows.get(id)] : [])),
      unpostedCreditNotes: async () => [],
    },
    writeback: {
      upsert: async (_o: unknown, _k: unknown, records: Record<string, unknown>[]) =>
        records.map((record) => {
          rows.set(CREDIT_NOTE, { Id: CREDIT_NOTE, Name: 'CN-0001', ...rows.get(CREDIT_NOTE), ...record });
          return { ok: true, id: CREDIT_NOTE };
        }),
      update: async (_o: unknown, records: Record<string, unknown>[]) =>
        records.map((record) => {
          rows.set(String(record.Id), { ...rows.get(String(record.Id)), ...record });
          return { ok: true, id: record.Id };
        }),
      requireAll: (_o: unknown, _keys: unknown, outcomes: { id: string }[]) => outcomes.map((o) => o.id),
    },
    xero: {
      createCreditNotes: async (...args: Parameters<Harness['client']['createCreditNotes']>) => {
        sent.push(args[1][0]!.document);
        return h.client.createCreditNotes(...args);
      },
      getCreditNotes: (...args: Parameters<Harness['client']['getCreditNotes']>) => h.client.getCreditNotes(...args),
      allocateCreditNote: async () => {
        throw new Error('not due');
      },
    },
    reference: { entity: async () => uk, taxRates: async () => taxRates },
    jobs: { getJobByKey: async () => job, retryJob: async () => null },
    xeroResults: { findXeroResult: async () => null, recordXeroResult: async (r: unknown) => r },
    clock: { now: () => Date.parse('2026-07-02T10:00:00Z') },
    log: { warn: (_fields: unknown, message: string) => void warnings.push(message) },
  } as unknown as CreditNoteDeps;
  const service = createCreditNotes(deps);
  /** Finance approves the credit note: what Xero then holds. */
  const approve = async (approvalKey: string) => {
    const outcome = await service.authorise({ requestKey: approvalKey, creditNoteId: CREDIT_NOTE });
    const id = outcome.kind === 'done' ? String((outcome.result as { creditNoteId: string }).creditNoteId) : '';
    const [note] = id
      ? (await h.client.getCreditNotes(UK, { where: `CreditNoteID==guid("${id}")` })).items
      : ([] as XeroCreditNote[]);
    return { outcome, note };
  };
  return { service, rows, warnings, sent, approve };
}

/** A plan's credit-note instalment saved the way CREATE_DRAFT / RAISE_INSTALMENT saves it. */
async function recorded(w: ReturnType<typeof world>, lines: readonly [string, string, LineMapping][], sequence = 3) {
  const { document, planDraft } = instalmentCredit(sequence, lines);
  const [outcome] = await recordDowngrades({ queries: { invoicesFor: async () => [] }, creditNotes: w.service }, [
    { draft: planDraft, document },
  ]);
  expect(outcome).toMatchObject({ kind: 'settled', outcome: { kind: 'done' } });
  return document;
}

const figures = (d: { subTotal?: unknown; totalTax?: unknown; total?: unknown } | undefined) =>
  d && [d.subTotal, d.totalTax, d.total].map((v) => new Big(String(v)).toFixed(2));

describe('an approved credit note reaches Xero as it was recorded', () => {
  it('two lines, 20 % and zero-rated: Xero holds 2,000.00 + 200.00 tax, not 1,833.33 + 366.67', async () => {
    const w = world({ action: 'RAISE_INSTALMENT', payload: { requestKey: 'CREATE_DRAFT:x', opportunityId: 'x' } });
    const document = await recorded(w, [
      ['Seats', '-1000.00', mapping('OUTPUT2', '200')],
      ['Training', '-1000.00', mapping('ZERORATEDOUTPUT', '260')],
    ]);
    expect(figures(document)).toEqual(['2000.00', '200.00', '2200.00']);
    expect(w.rows.get(CREDIT_NOTE)).toMatchObject({ Sub_Total__c: 2000, Total_Tax__c: 200, Total__c: 2200 });

    const { outcome, note } = await w.approve('AUTHORISE_CREDIT_NOTE:lines:1');
    expect(outcome).toMatchObject({ kind: 'done' });
    expect(figures(note)).toEqual(['2000.00', '200.00', '2200.00']);
    expect(note!.lineAmountTypes).toBe('Exclusive');
    expect(note!.lineItems!.map((l) => [l.accountCode, l.taxType, l.lineAmount, l.taxAmount])).toEqual([
      ['200', 'OUTPUT2', 1000, 200],
      ['260', 'ZERORATEDOUTPUT', 1000, 0],
    ]);
    expect(w.warnings).toEqual([]);
  });

  it('tax per line, to the cent: 3 × 10.03 at 20 % is 6.03 of tax (6.02 on the total)', async () => {
    const w = world({ action: 'RAISE_INSTALMENT', payload: { requestKey: 'CREATE_DRAFT:y', opportunityId: 'y' } });
    const document = await recorded(w, [
      ['Seat A', '-10.03', mapping('OUTPUT2', '200')],
      ['Seat B', '-10.03', mapping('OUTPUT2', '200')],
      ['Seat C', '-10.03', mapping('OUTPUT2', '200')],
    ]);
    expect(figures(document)).toEqual(['30.09', '6.03', '36.12']);
    const { note } = await w.approve('AUTHORISE_CREDIT_NOTE:cents:1');
    expect(figures(note)).toEqual(['30.09', '6.03', '36.12']);
  });

  it('keeps each line’s tracking and item', async () => {
    const w = world();
    await recorded(w, [
      [
        'Platform',
        '-500.00',
        mapping('OUTPUT2', '200', { tracking: [{ name: 'Region', option: 'North' }], itemCode: 'LL-PLAT' }),
      ],
      ['Onboarding', '-100.00', mapping('OUTPUT2', '260', { itemCode: 'LL-ONB' })],
    ]);
    const { outcome, note } = await w.approve('AUTHORISE_CREDIT_NOTE:tracking:1');
    expect(outcome).toMatchObject({ kind: 'done' });
    expect(w.sent[0]!.lineItems.map((l) => [l.itemCode, l.tracking])).toEqual([
      ['LL-PLAT', [{ name: 'Region', option: 'North' }]],
      ['LL-ONB', []],
    ]);
    expect(note!.lineItems!.map((l) => [l.itemCode, (l.tracking ?? []).map((t) => `${t.name}:${t.option}`)])).toEqual([
      ['LL-PLAT', ['Region:North']],
      ['LL-ONB', []],
    ]);
    expect(figures(note)).toEqual(['600.00', '120.00', '720.00']);
  });

  it('a CREDIT for an amount keeps going as one tax-inclusive line of that amount', async () => {
    const w = world();
    const asked = await w.service.request({
      requestKey: 'CREDIT:amount:1',
      invoiceId: INVOICE,
      credit: { amount: '100.00', reason: 'Goodwill' },
    });
    expect(asked).toMatchObject({ kind: 'done', result: { total: '100.00' } });
    const { note } = await w.approve('AUTHORISE_CREDIT_NOTE:amount:1');
    expect(note!.lineAmountTypes).toBe('Inclusive');
    expect(figures(note)).toEqual(['83.33', '16.67', '100.00']);
  });

  it('a tax rate changed since it was recorded: refused in words, nothing sent', async () => {
    const w = world();
    await recorded(w, [['Seats', '-1000.00', mapping('OUTPUT2', '200')]]);
    const row = w.rows.get(CREDIT_NOTE)!;
    w.rows.set(CREDIT_NOTE, { ...row, Total_Tax__c: 175, Total__c: 1175 });
    const { outcome } = await w.approve('AUTHORISE_CREDIT_NOTE:rate:1');
    expect(outcome).toEqual({
      kind: 'failed',
      error: expect.stringContaining('not the 1000.00 + tax 175.00 = 1175.00 finance approved'),
    });
    expect(w.sent).toEqual([]);
  });

  it('lines that cannot be read: refused in words, not sent as an amount', async () => {
    const w = world();
    await recorded(w, [['Seats', '-1000.00', mapping('OUTPUT2', '200')]]);
    w.rows.set(CREDIT_NOTE, { ...w.rows.get(CREDIT_NOTE), Lines__c: '{"lines":' });
    const { outcome } = await w.approve('AUTHORISE_CREDIT_NOTE:garbled:1');
    expect(outcome).toEqual({ kind: 'failed', error: expect.stringContaining('cannot be read') });
    expect(w.sent).toEqual([]);
  });
});

describe('a credit note recorded before its lines were kept', () => {
  it('goes through as before (its total as one tax-inclusive line), with a warning in the log', async () => {
    const w = world({ action: 'CREATE_DRAFT', payload: { requestKey: 'CREATE_DRAFT:z', opportunityId: 'z' } });
    w.rows.set(CREDIT_NOTE, {
      Id: CREDIT_NOTE,
      Name: 'CN-0001',
      Invoice__c: INVOICE,
      Request_Key__c: 'CREATE_DRAFT:006000000000001AAA:1',
      Sub_Total__c: 2000,
      Total_Tax__c: 200,
      Total__c: 2200,
      Reason__c: 'Downgrade: Deal 1',
      Status__c: 'Draft',
      Lines__c: null,
    });
    const { outcome, note } = await w.approve('AUTHORISE_CREDIT_NOTE:old:1');
    expect(outcome).toMatchObject({ kind: 'done' });
    expect(note!.lineAmountTypes).toBe('Inclusive');
    expect(note!.lineItems).toHaveLength(1);
    expect(figures(note)).toEqual(['1833.33', '366.67', '2200.00']);
    expect(w.warnings).toEqual([expect.stringContaining('credit note recorded without its lines')]);
  });

  it('a CREDIT saved before: sent as its request asked it (its lines), no warning', async () => {
    const credit = { lines: [{ description: 'Seat', quantity: '2', unitAmount: '50', taxType: 'ZERORATEDOUTPUT' }] };
    const w = world({ action: 'CREDIT', payload: { requestKey: 'CREDIT:old:1', invoiceId: INVOICE, payload: credit } });
    w.rows.set(CREDIT_NOTE, {
      Id: CREDIT_NOTE,
      Name: 'CN-0001',
      Invoice__c: INVOICE,
      Request_Key__c: 'CREDIT:old:1',
      Sub_Total__c: 100,
      Total_Tax__c: 0,
      Total__c: 100,
      Reason__c: 'Credit',
      Status__c: 'Draft',
    });
    const { note } = await w.approve('AUTHORISE_CREDIT_NOTE:old-credit:1');
    expect(figures(note)).toEqual(['100.00', '0.00', '100.00']);
    expect(w.warnings).toEqual([]);
  });
});
