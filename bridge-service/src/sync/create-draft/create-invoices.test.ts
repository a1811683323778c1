import { randomBytes } from 'node:crypto';
import { mapOpportunityToInvoice } from '../../domain/opportunity-invoice';
import { SqliteStore } from '../../store';
import type { NewInvoice } from '../../xero/client';
import { toInvoices } from '../../xero/wire';
import type { XeroInvoice } from '../../xero/types';
import { created, draft, rejected, UK_TENANT, xeroInvoice } from './__fixtures__/drafts';
import { createInvoices, MAX_REQUEST_BYTES, type CreateInvoicesDeps } from './create-invoices';
import type { Draft } from './draft';

let store: SqliteStore;
beforeEach(() => {
  store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
});
afterEach(() => store.close());

const documentOf = (d: Draft) => ({
  draft: d,
  document: mapOpportunityToInvoice({
    opportunity: d.opportunity,
    lineItems: d.lineItems,
    account: d.account,
    entity: d.entity,
    contactId: `contact-${d.account.Id}`,
    taxRates: [{ taxType: 'OUTPUT2', effectiveRate: 20 }],
    corporateCurrency: 'GBP',
    today: '2026-03-01',
  }),
});

function deps(refuse: (input: NewInvoice) => string | undefined = () => undefined) {
  const calls: { inputs: readonly NewInvoice[]; key: string }[] = [];
  const createDeps: CreateInvoicesDeps = {
    xero: {
      createInvoices: async (_tenantId, inputs, key) => {
        calls.push({ inputs, key });
        return inputs.map((input, index) => {
          const reason = refuse(input);
          return reason
            ? rejected<XeroInvoice>(index, [reason], {})
            : created(index, `inv-${input.document.reference}`, xeroInvoice(`inv-${input.document.reference}`));
        });
      },
    },
    xeroResults: store.xeroResults,
    instanceUrl: () => 'https://acme.my.salesforce.com',
  };
  return { createDeps, calls };
}

describe('CREATE_DRAFT: create invoices', () => {
  it('creates 50 a call in request-key order, each call under a key its jobs decide, and remembers each result', async () => {
    const drafts = Array.from({ length: 60 }, (_, i) => draft(60 - i));
    const { createDeps, calls } = deps();
    const outcomes = await createInvoices(createDeps, UK_TENANT, drafts.map(documentOf));
    expect(calls.map((c) => c.inputs.length)).toEqual([50, 10]);
    expect(calls[0]!.inputs[0]).toMatchObject({
      document: { type: 'ACCREC', status: 'DRAFT', reference: 'Deal 1' },
      url: 'https://acme.my.salesforce.com/lightning/r/Opportunity/006000000000001AAA/view',
    });
    expect(outcomes.every((o) => o.kind === 'invoiced')).toBe(true);
    expect(await store.xeroResults.findXeroResult(drafts[0]!.requestKey, UK_TENANT, 'invoice')).toMatchObject({
      xeroId: 'inv-Deal 60',
    });

    const again = deps();
    await createInvoices(again.createDeps, UK_TENANT, [...drafts].reverse().map(documentOf));
    expect(again.calls.map((c) => c.key)).toEqual(calls.map((c) => c.key));
  });

  it("refuses only the draft Xero rejects, in Xero's words", async () => {
    const { createDeps } = deps((input) =>
      input.document.reference === 'Deal 2' ? 'Account code 4000 is archived' : undefined,
    );
    const outcomes = await createInvoices(createDeps, UK_TENANT, [draft(1), draft(2)].map(documentOf));
    expect(outcomes).toEqual([
      expect.objectContaining({ kind: 'invoiced', draft: draft(1) }),
      {
        kind: 'refused',
        job: draft(2).job,
        message: 'Xero rejected the invoice for UK_Ltd: Account code 4000 is archived',
      },
    ]);
    expect(await store.xeroResults.findXeroResult(draft(2).requestKey, UK_TENANT, 'invoice')).toBeNull();
  });

  it('keeps up to 5 calls of the tenant in flight, outcomes in request-key order, and waits for all before failing', async () => {
    const drafts = Array.from({ length: 600 }, (_, i) => draft(i + 1));
    const { createDeps, calls } = deps();
    let inFlight = 0;
    let peak = 0;
    const create = createDeps.xero.createInvoices;
    createDeps.xero.createInvoices = async (...args) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return create(...args);
    };
    const outcomes = await createInvoices(createDeps, UK_TENANT, drafts.map(documentOf));
    expect(calls).toHaveLength(12);
    expect(peak).toBe(5);
    const sorted = [...drafts].sort((a, b) => a.requestKey.localeCompare(b.requestKey));
    expect(outcomes.map((o) => (o.kind === 'invoiced' ? o.draft.requestKey : ''))).toEqual(
      sorted.map((d) => d.requestKey),
    );

    let running = 0;
    createDeps.xero.createInvoices = async (...args) => {
      running += 1;
      await new Promise((resolve) => setTimeout(resolve, running === 1 ? 1 : 20));
      running -= 1;
      if (args[1][0]!.document.reference === sorted[0]!.opportunity.Name) throw new Error('Xero 503');
      return create(...args);
    };
    await expect(createInvoices(createDeps, UK_TENANT, drafts.map(documentOf))).rejects.toThrow('Xero 503');
    expect(running).toBe(0);
  });
});

describe("CREATE_DRAFT: Xero's request size limit (3.5 MB, xero-api.md §4)", () => {
  /** A draft whose invoice has `lines` lines of the longest product description (255 characters) and a service period. */
  const big = (n: number, lines: number) => {
    const made = documentOf(draft(n));
    const [line] = made.document.lineItems;
    made.document.lineItems = Array.from({ length: lines }, () => ({
      ...line!,
      description: `${'x'.repeat(255)}\nService period 1 Mar 2026 to 31 Mar 2026`,
    }));
    return made;
  };
  const bodyBytes = (inputs: readonly NewInvoice[]) => Buffer.byteLength(JSON.stringify(toInvoices(inputs)));

  it('sends 50 invoices of 220 long lines (about 3.7 MB) as two calls or more, each under 3 MB, all invoiced', async () => {
    const drafts = Array.from({ length: 50 }, (_, i) => big(i + 1, 220));
    expect(bodyBytes(drafts.map(({ document }) => ({ document })))).toBeGreaterThan(3.5 * 1024 * 1024);
    const { createDeps, calls } = deps();
    const outcomes = await createInvoices(createDeps, UK_TENANT, drafts);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) expect(bodyBytes(call.inputs)).toBeLessThan(MAX_REQUEST_BYTES);
    expect(calls.flatMap((c) => c.inputs).length).toBe(50);
    expect(outcomes.map((o) => o.kind)).toEqual(Array.from({ length: 50 }, () => 'invoiced'));

    // The same drafts, claimed in another order, make the same calls under the same keys.
    const again = deps();
    await createInvoices(again.createDeps, UK_TENANT, [...drafts].reverse());
    expect(again.calls.map((c) => [c.key, c.inputs.length])).toEqual(calls.map((c) => [c.key, c.inputs.length]));
  });

  it('refuses alone, without a call, an invoice too large for any request; the others go', async () => {
    const drafts = [documentOf(draft(1)), big(2, 12_000), documentOf(draft(3))];
    const { createDeps, calls } = deps();
    const outcomes = await createInvoices(createDeps, UK_TENANT, drafts);
    expect(calls.map((c) => c.inputs.map((i) => i.document.reference))).toEqual([['Deal 1', 'Deal 3']]);
    expect(outcomes.map((o) => o.kind)).toEqual(['invoiced', 'refused', 'invoiced']);
    expect(outcomes[1]).toEqual({
      kind: 'refused',
      job: draft(2).job,
      message: expect.stringMatching(
        /^The invoice for UK_Ltd is too large for one Xero request \(\d\.\d MB of lines; Xero takes 3\.5 MB a request\)/,
      ),
    });
  });
});
