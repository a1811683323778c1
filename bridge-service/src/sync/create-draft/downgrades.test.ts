/**
 * A downgrade's credit note credits the amended deal's invoice: with none that stands (voided, or never invoiced),
 * no credit note is made (one on no invoice could be approved but never reach Xero); the deal says why.
 */
import type { XeroDraftDocument } from '../../domain/invoice-mapping';
import { draft, opportunity, seats } from './__fixtures__/drafts';
import type { Draft } from './draft';
import { recordDowngrades, type DowngradeDeps } from './downgrades';

const AMENDED = '006000000000001AAA';
const INVOICE = 'a00000000000001AAA';

const downgrade = (): { draft: Draft; document: XeroDraftDocument } => ({
  draft: draft(2, {
    opportunity: opportunity(2, { Name: 'Acme - fewer seats' }),
    original: { opportunity: opportunity(1, { Id: AMENDED, Name: 'Acme - Platform 2026' }), lineItems: [seats()] },
  }),
  document: {
    total: '120.00',
    subTotal: '100.00',
    totalTax: '20.00',
    currencyCode: 'GBP',
    date: '2026-03-01',
    lineAmountTypes: 'Exclusive',
    lineItems: [],
  } as never,
});

function setup(invoiceStatuses: string[]) {
  const saved: { invoiceRecordId: string | null }[] = [];
  const deps: DowngradeDeps = {
    queries: {
      invoicesFor: async () =>
        invoiceStatuses.map((status, i) => ({ Id: `${INVOICE.slice(0, -4)}${i}AAA`, Status__c: status })) as never,
    },
    creditNotes: {
      saveDraft: async (_document, source) => (saved.push({ invoiceRecordId: source.invoiceRecordId }), 'a0B1'),
    },
  };
  return { deps, saved };
}

describe('a downgrade’s credit note', () => {
  it('credits the amended deal’s invoice that stands', async () => {
    const t = setup(['Voided', 'Authorised']);
    const [outcome] = await recordDowngrades(t.deps, [downgrade()]);
    expect(outcome).toMatchObject({ kind: 'settled', outcome: { kind: 'done' } });
    expect(t.saved).toEqual([{ invoiceRecordId: `${INVOICE.slice(0, -4)}1AAA` }]);
  });

  it('whose lines do not fit the credit note record, makes none and says why on the deal', async () => {
    const t = setup(['Authorised']);
    const long = downgrade();
    const line = { description: 'x'.repeat(4000), quantity: '1', unitAmount: '1.00', tracking: [] };
    long.document = { ...long.document, lineItems: Array.from({ length: 40 }, () => line) } as never;
    const [outcome] = await recordDowngrades(t.deps, [long]);
    expect(outcome).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('more than a credit note holds (131072): nothing was credited'),
    });
    expect(t.saved).toEqual([]);
  });

  it('with no invoice that stands, makes no credit note and says why on the deal', async () => {
    for (const statuses of [[], ['Voided'], ['Deleted', 'Voided']]) {
      const t = setup(statuses);
      const [outcome] = await recordDowngrades(t.deps, [downgrade()]);
      expect(outcome).toMatchObject({
        kind: 'refused',
        message: expect.stringContaining('credits the invoice of Acme - Platform 2026, which has none that stands'),
      });
      expect(t.saved).toEqual([]);
    }
  });
});
