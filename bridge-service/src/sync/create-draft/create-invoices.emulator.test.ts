/**
 * CREATE_DRAFT's calls against the Xero emulator with the real XeroClient: the emulator answers 413 to a body over
 * Xero's 3.5 MB request size limit (xero-api.md §4), so 50 drafts of 220 long lines (about 3.7 MB in one call) must
 * go as calls the limit takes, or every draft of the tenant's group is refused.
 */
import { mapOpportunityToInvoice } from '../../domain/opportunity-invoice';
import { harness, teardown, UK, type Harness } from '../../xero/__fixtures__/client-harness';
import { draft } from './__fixtures__/drafts';
import { createInvoices } from './create-invoices';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => teardown(h));

it('creates 50 drafts of 220 lines with 255-character descriptions in calls Xero takes, all invoiced', async () => {
  const [contact] = await h.client.createContacts(
    UK,
    [{ name: 'Long Lines Ltd', contactNumber: '001000000000099AAA', addresses: [] }],
    'contact:long-lines',
  );
  const drafts = Array.from({ length: 50 }, (_, i) => {
    const d = draft(i + 1);
    const document = mapOpportunityToInvoice({
      opportunity: d.opportunity,
      lineItems: d.lineItems,
      account: d.account,
      entity: d.entity,
      contactId: contact!.id!,
      taxRates: [{ taxType: 'OUTPUT2', effectiveRate: 20 }],
      corporateCurrency: 'GBP',
      today: '2026-03-01',
    });
    const [line] = document.lineItems;
    document.lineItems = Array.from({ length: 220 }, () => ({
      ...line!,
      accountCode: '200',
      description: `${'x'.repeat(255)}\nService period 1 Mar 2026 to 31 Mar 2026`,
    }));
    return { draft: d, document };
  });

  const outcomes = await createInvoices(
    { xero: h.client, xeroResults: h.store.xeroResults, instanceUrl: () => 'https://acme.my.salesforce.com' },
    UK,
    drafts,
  );

  expect(outcomes.map((o) => o.kind)).toEqual(Array.from({ length: 50 }, () => 'invoiced'));
  const puts = h.emu.control.calls({ path: '/api.xro/2.0/Invoices' }).filter((c) => c.method === 'PUT');
  expect(puts.length).toBeGreaterThanOrEqual(2);
  expect(puts.map((c) => c.status)).toEqual(puts.map(() => 200));
});
