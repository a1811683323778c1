/**
 * AUTHORISE and VOID of an invoice dated in a period Xero has locked, with the real XeroClient against the Xero
 * emulator (which holds invoices to the lock dates as Xero does): the job ends Failed, once, with what to do on the
 * invoice record; nothing is retried and nothing is re-dated by the bridge (the date is the one finance approved).
 */
import pino from 'pino';
import { parseBillingEntities } from '../../domain/billing-entity';
import { mapDocument } from '../../domain/invoice-mapping';
import { storedJob } from '../../store/__fixtures__/jobs';
import { harness, teardown, UK, type Harness } from '../../xero/__fixtures__/client-harness';
import type { JobOf } from '../handler';
import type { InvoiceMirror } from '../services/invoice-mirror';
import { authoriseHandler } from './authorise';
import { voidHandler } from './void';

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
let contactId: string;
beforeAll(async () => {
  h = await harness();
  const [contact] = await h.client.createContacts(
    UK,
    [{ name: 'Backdated Deal Ltd', contactNumber: '001000000000077AAA', addresses: [] }],
    'contact:lock-dates',
  );
  contactId = contact!.id!;
});
afterEach(() => h.emu.control.setLockDates(UK, { periodLockDate: null, endOfYearLockDate: null }));
afterAll(async () => teardown(h));

/** One invoice in Xero dated `date`, as the bridge sends it, and its mirror. */
async function invoiceIn(date: string, status: 'DRAFT' | 'AUTHORISED', key: string): Promise<InvoiceMirror> {
  const [made] = await h.client.createInvoices(
    UK,
    [
      {
        document: mapDocument({
          type: 'ACCREC',
          entity: ukLtd!,
          contact: { contactId },
          currencyCode: 'GBP',
          date,
          reference: key,
          lines: [{ description: 'Licence', quantity: '1', unitPrice: '100.00' }],
          taxRates: [{ taxType: 'OUTPUT2', effectiveRate: 20 }],
        }),
        status,
      },
    ],
    `create:${key}`,
  );
  return {
    Id: `a00${key}`,
    Xero_Invoice_Id__c: made!.id,
    Xero_Tenant_Id__c: UK,
    Billing_Entity__c: null,
    Name: key,
  } as unknown as InvoiceMirror;
}

const common = (recorded: string[]) => ({
  log: pino({ level: 'silent' }),
  syncErrors: { onInvoice: async (_id: string, message: string) => void recorded.push(message) },
  reference: { settings: async () => ({ readOnly: false }) as never, entity: async () => ({}) as never },
});
const posts = () => h.emu.control.calls({ path: '/api.xro/2.0/Invoices' }).filter((c) => c.method === 'POST').length;
const statusOf = async (mirror: InvoiceMirror) =>
  (await h.client.getInvoicesByIds(UK, [mirror.Xero_Invoice_Id__c!]))[0];

it('approving a draft dated in a locked month fails once, with what to do on the invoice, and is not re-dated', async () => {
  // A deal closed won on 5 March with CloseDate 15 February: its draft is dated 15 February; finance locked February.
  const mirror = await invoiceIn('2026-02-15', 'DRAFT', 'LOCKED-APPROVAL');
  h.emu.control.setLockDates(UK, { periodLockDate: '2026-02-28' });
  const recorded: string[] = [];
  const written: string[] = [];
  const handler = authoriseHandler({
    ...common(recorded),
    invoices: {
      loadMany: async (ids) => new Map(ids.map((id) => [id, mirror])),
      requireXero: (m) => ({ tenantId: m.Xero_Tenant_Id__c!, xeroId: m.Xero_Invoice_Id__c! }),
      writeInvoice: async (m, invoice) => void written.push(`${m.Id}:${invoice.status}`),
      sendBack: async () => undefined,
    },
    xero: h.client,
  });
  const requestKey = `AUTHORISE:${mirror.Id}:1`;
  const job: JobOf<'AUTHORISE'> = storedJob(
    { key: requestKey, action: 'AUTHORISE', payload: { action: 'AUTHORISE', requestKey, invoiceId: mirror.Id } },
    1,
  );
  const before = posts();
  const outcome = (await handler.run([job])).get(job.id);

  const message =
    "Xero's books are locked up to 28 Feb 2026 (the period lock date), and this is dated 15 Feb 2026: change the " +
    "invoice's date in Xero to a day after 28 Feb 2026, then press Retry on the invoice (or ask your Xero adviser to " +
    'move the lock date back first)';
  expect(outcome).toEqual({ kind: 'failed', error: expect.stringContaining(message) });
  expect(recorded).toEqual([(outcome as { error: string }).error]);
  expect(written).toEqual([]);
  expect(posts() - before).toBe(1); // one call: the refusal is final, neither the client nor the job retries it
  const inXero = await statusOf(mirror);
  expect(inXero?.status).toBe('DRAFT');
  expect(new Date(inXero!.date as unknown as string).toISOString().slice(0, 10)).toBe('2026-02-15');
});

it('voiding an approved invoice dated in a locked month fails once, saying to raise a credit note instead', async () => {
  const mirror = await invoiceIn('2026-02-15', 'AUTHORISED', 'LOCKED-VOID');
  h.emu.control.setLockDates(UK, { periodLockDate: '2026-02-28' });
  const recorded: string[] = [];
  const written: string[] = [];
  const handler = voidHandler({
    ...common(recorded),
    invoices: {
      load: async () => mirror,
      requireXero: (m) => ({ tenantId: m.Xero_Tenant_Id__c!, xeroId: m.Xero_Invoice_Id__c! }),
      fetch: async (m) => (await statusOf(m))!,
      writeInvoice: async (m, invoice) => void written.push(`${m.Id}:${invoice.status}`),
    },
    xero: h.client,
  });
  const requestKey = `VOID:${mirror.Id}:1`;
  const job: JobOf<'VOID'> = storedJob(
    { key: requestKey, action: 'VOID', payload: { action: 'VOID', requestKey, invoiceId: mirror.Id } },
    2,
  );
  const before = posts();
  const outcome = (await handler.run([job])).get(job.id);

  const number = (await statusOf(mirror))!.invoiceNumber;
  expect(outcome).toEqual({
    kind: 'failed',
    error:
      `${number} was not voided: Xero's books are locked up to 28 Feb 2026 (the period lock date), and this is dated ` +
      '15 Feb 2026: it cannot be voided in a locked period. Raise a credit note for it instead (dated today), or ask ' +
      'your Xero adviser to move the lock date back and press Retry on the invoice',
  });
  expect(recorded).toEqual([(outcome as { error: string }).error]);
  expect(written).toEqual([]);
  expect(posts() - before).toBe(1);
  expect((await statusOf(mirror))?.status).toBe('AUTHORISED');
});
