/**
 * AUTHORISE against the Xero emulator with the real XeroClient: a batch retried in another order (a retry's
 * next_run_at is jittered, jobs are claimed by next_run_at) must send the same body under the same Idempotency-Key,
 * or Xero refuses it: "same key with a different request → 400" (xero-api.md §5).
 */
import pino from 'pino';
import { storedJob } from '../../store/__fixtures__/jobs';
import { harness, teardown, UK, type Harness } from '../../xero/__fixtures__/client-harness';
import { parseBillingEntities } from '../../domain/billing-entity';
import { mapDocument } from '../../domain/invoice-mapping';
import type { JobOf } from '../handler';
import type { InvoiceMirror } from '../services/invoice-mirror';
import { authoriseHandler, type AuthoriseDeps } from './authorise';

const [ukLtd] = parseBillingEntities([
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

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => teardown(h));

it('a batch Xero committed but whose answer was lost, retried in another order, is replayed: all done', async () => {
  const [contact] = await h.client.createContacts(
    UK,
    [{ name: 'Retry Order Ltd', contactNumber: '001000000000012AAA', addresses: [] }],
    'contact:authorise-order',
  );
  const drafts = await h.client.createInvoices(
    UK,
    [1, 2, 3].map((n) => ({
      document: mapDocument({
        type: 'ACCREC',
        entity: ukLtd!,
        contact: { contactId: contact!.id! },
        currencyCode: 'GBP',
        date: '2026-01-15',
        reference: `ORDER-${n}`,
        lines: [{ description: 'Licence', quantity: '1', unitPrice: '100.00' }],
        taxRates: [{ taxType: 'OUTPUT2', effectiveRate: 20 }],
      }),
    })),
    'drafts:authorise-order',
  );
  const mirrors = new Map<string, InvoiceMirror>();
  const written: string[] = [];
  const recorded: string[] = [];
  const jobs: JobOf<'AUTHORISE'>[] = drafts.map((d, i) => {
    const invoiceId = `a00${String(i + 1).padStart(12, '0')}AAA`;
    const requestKey = `AUTHORISE:${invoiceId}:1`;
    mirrors.set(invoiceId, {
      Id: invoiceId,
      Xero_Invoice_Id__c: d.id,
      Xero_Tenant_Id__c: UK,
      Billing_Entity__c: null,
      Name: `INV ${i + 1}`,
    } as unknown as InvoiceMirror);
    return storedJob(
      { key: requestKey, action: 'AUTHORISE', payload: { action: 'AUTHORISE', requestKey, invoiceId } },
      i + 1,
    );
  });
  const deps: AuthoriseDeps = {
    log: pino({ level: 'silent' }),
    syncErrors: { onInvoice: async (_id, message) => void recorded.push(message) },
    reference: { settings: async () => ({ readOnly: false }) as never, entity: async () => ({}) as never },
    invoices: {
      loadMany: async (ids) => new Map(ids.map((id) => [id, mirrors.get(id)!])),
      requireXero: (m) => ({ tenantId: m.Xero_Tenant_Id__c!, xeroId: m.Xero_Invoice_Id__c! }),
      writeInvoice: async (m, invoice) => void written.push(`${m.Id}:${invoice.status}`),
      sendBack: async () => undefined,
    },
    xero: h.client,
  };
  const handler = authoriseHandler(deps);

  // Xero commits the batch but every answer (the first and the client's own retries) is lost: a job-level retry.
  h.emu.control.addFault({ kind: 'drop-after-commit', method: 'POST', path: '/Invoices', count: 10 });
  const first = await handler.run(jobs);
  h.emu.control.clearFaults();
  expect([...first.values()].map((o) => o.kind)).toEqual(['retry', 'retry', 'retry']);

  // The same three approvals come back in another order: the same request again, replayed by Xero.
  const second = await handler.run([...jobs].reverse());
  expect([...second.values()]).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'done' })]));
  expect([...second.values()].map((o) => o.kind)).toEqual(['done', 'done', 'done']);
  expect(recorded).toEqual([]);
  expect(written.sort()).toEqual(jobs.map((j) => `${j.payload.invoiceId}:AUTHORISED`));
});
