/**
 * A CREDIT asks for an amount or for lines, not both: with lines the credit is exactly those lines, so an amount
 * beside them was dropped without a word (review-12 F3: 250 asked, 120 drafted). Salesforce refuses the pair
 * (InvoiceActions.checkCanCredit) and so does the bridge, in the same words: the custom label.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLabels } from '../../../sandbox/salesforce/org/custom-labels';
import { parseBillingEntities } from '../../domain/billing-entity';
import { createCreditNotes, CREDIT_REFUSALS, type CreditNoteDeps } from './credit-notes';
import { invoiceMirrorRow } from './__fixtures__/invoice-mirror';

const FORCE_APP = join(__dirname, '..', '..', '..', '..', 'force-app');
const [ukLtd] = parseBillingEntities([
  {
    developerName: 'UK_Ltd',
    xeroTenantId: '11111111-1111-4111-8111-111111111111',
    baseCurrency: 'GBP',
    countries: 'GB',
    currencies: 'GBP',
    accountCode: '200',
    taxType: 'OUTPUT2',
    paymentTermsDays: 30,
  },
]).entities;

it('Salesforce refuses an amount with lines in the words the bridge uses', () => {
  const labels = loadLabels(FORCE_APP);
  expect(labels('Ledgerline_Error_Credit_Amount_And_Lines')).toBe(CREDIT_REFUSALS.amountAndLines);
  const apex = readFileSync(join(FORCE_APP, 'main', 'default', 'classes', 'InvoiceActions.cls'), 'utf8');
  expect(apex.replace(/\s+/g, ' ')).toContain(
    'if (request.amount != null && hasLines) { throw new ValidationException(Label.Ledgerline_Error_Credit_Amount_And_Lines); }',
  );
});

describe('a CREDIT request', () => {
  const saved: unknown[] = [];
  const notInXero = () => Promise.reject(new Error('not called'));
  const deps = {
    invoices: {
      load: async () => invoiceMirrorRow(),
      fetch: async () => ({ invoiceID: 'x', invoiceNumber: 'INV-0001', status: 'AUTHORISED', total: 1200 }),
      notify: async () => undefined,
    },
    queries: { unpostedCreditNotes: async () => [] },
    writeback: {
      upsert: async (_object: unknown, _key: unknown, rows: unknown[]) => {
        saved.push(...rows);
        return rows.map(() => ({ success: true, id: 'a0B000000000001AAA' }));
      },
      requireAll: () => ['a0B000000000001AAA'],
    },
    reference: {
      entity: async () => ukLtd,
      taxRates: async () => [{ taxType: 'OUTPUT2', effectiveRate: 20 }],
    },
    xero: { getCreditNotes: notInXero, createCreditNotes: notInXero, allocateCreditNote: notInXero },
    clock: { now: () => Date.parse('2026-01-15T10:00:00Z') },
  } as unknown as CreditNoteDeps;

  beforeEach(() => saved.splice(0));

  it('with an amount and lines is refused, in words, and nothing is drafted', async () => {
    const outcome = await createCreditNotes(deps).request({
      requestKey: 'CREDIT:a01000000000001AAA:1',
      invoiceId: 'a01000000000001AAA',
      credit: { amount: '250.00', lines: [{ description: 'Seat', quantity: '1', unitAmount: '100' }] },
    });
    expect(outcome).toEqual({ kind: 'failed', error: CREDIT_REFUSALS.amountAndLines });
    expect(saved).toEqual([]);
  });

  it('with lines only is drafted from the lines', async () => {
    const outcome = await createCreditNotes(deps).request({
      requestKey: 'CREDIT:a01000000000001AAA:1',
      invoiceId: 'a01000000000001AAA',
      credit: { lines: [{ description: 'Seat', quantity: '1', unitAmount: '100' }] },
    });
    expect(outcome).toMatchObject({ kind: 'done', result: { total: '120.00' } });
    expect(saved).toEqual([expect.objectContaining({ Total__c: 120 })]);
  });
});
