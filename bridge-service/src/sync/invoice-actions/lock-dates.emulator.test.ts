/**
 * AUTHORISE and VOID of an invoice dated in a period Xero has locked, with the real XeroClient against the Xero
 * emulator (which holds invoices to the lock dates as Xero does): the job ends Failed, once, with what to do on the
 * invoice record; nothing is retried and nothing is re-dated by the bridge (the date is the one finance approved). A
 * refused approval sends the invoice back to Draft: a new date is a change finance approves again.
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

it('approving a draft dated in a locked month sends it back to Draft saying what to do; re-dated and approved again, it is authorised', async () => {
  // A deal closed won on 5 March with CloseDate 15 February: its draft is dated 15 February; finance locked February.
  const made = await invoiceIn('2026-02-15', 'DRAFT', 'LOCKED-APPROVAL');
  const version = async () => new Date((await statusOf(made))!.updatedDateUTC as unknown as string).toISOString();
  // the mirror as finance approves it: Approved, with the total and Xero version the approval carries
  let mirror = {
    ...made,
    Status__c: 'Approved',
    Approval_Status__c: 'Approved',
    Total__c: 120,
    Xero_Updated__c: await version(),
  } as InvoiceMirror;
  h.emu.control.setLockDates(UK, { periodLockDate: '2026-02-28' });
  const recorded: string[] = [];
  const written: string[] = [];
  const sentBack: string[] = [];
  const handler = authoriseHandler({
    ...common(recorded),
    invoices: {
      loadMany: async (ids) => new Map(ids.map((id) => [id, mirror])),
      requireXero: (m) => ({ tenantId: m.Xero_Tenant_Id__c!, xeroId: m.Xero_Invoice_Id__c! }),
      writeInvoice: async (m, invoice) => void written.push(`${m.Id}:${invoice.status}`),
      // as Salesforce does it: Draft, Sync Error with the words, and the trigger makes the approval Not Submitted
      sendBack: async (m, message) => {
        sentBack.push(message);
        mirror = { ...m, Status__c: 'Draft', Approval_Status__c: 'Not Submitted' } as InvoiceMirror;
      },
    },
    xero: h.client,
  });
  const requestKey = `AUTHORISE:${mirror.Id}:1`;
  /** The AUTHORISE the approval publishes, with what finance approved (a stopped job runs again with it). */
  const approval = (approved: InvoiceMirror): JobOf<'AUTHORISE'> =>
    storedJob(
      {
        key: requestKey,
        action: 'AUTHORISE',
        payload: {
          action: 'AUTHORISE',
          requestKey,
          invoiceId: approved.Id,
          payload: { approvedTotal: '120.00', xeroUpdated: approved.Xero_Updated__c },
        } as never,
      },
      1,
    );
  const before = posts();
  const outcome = (await handler.run([approval(mirror)])).get(1);

  const number = (await statusOf(made))!.invoiceNumber;
  const message =
    `Xero refused to authorise ${number}, so it is back in Draft: Xero's books are locked up to 28 Feb 2026 (the ` +
    "period lock date), and this is dated 15 Feb 2026: change the invoice's date in Xero to a day after 28 Feb 2026 " +
    '(or have your Xero adviser move the lock date back), then submit it for approval again';
  expect(outcome).toEqual({ kind: 'failed', error: message });
  // back to Draft (Sync Error with the words) whatever Retry would find: not an approval left standing to be retried
  expect(sentBack).toEqual([message]);
  expect(mirror).toMatchObject({ Status__c: 'Draft', Approval_Status__c: 'Not Submitted' });
  expect(recorded).toEqual([]);
  expect(written).toEqual([]);
  expect(posts() - before).toBe(1); // one call: the refusal is final, neither the client nor the job retries it
  const inXero = await statusOf(made);
  expect(inXero?.status).toBe('DRAFT');
  expect(new Date(inXero!.date as unknown as string).toISOString().slice(0, 10)).toBe('2026-02-15'); // not re-dated

  // Finance does as told: re-dates the draft in Xero (same lines, same total), which the poller brings in ...
  h.emu.control.advanceClock(2_000);
  const res = await fetch(`${h.emu.apiUrl}/Invoices/${made.Xero_Invoice_Id__c}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${h.emu.control.issueTokens().access_token}`,
      'xero-tenant-id': UK,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: JSON.stringify({ Invoices: [{ InvoiceID: made.Xero_Invoice_Id__c, Date: '2026-03-02' }] }),
  });
  expect(res.status).toBe(200);
  mirror = { ...mirror, Xero_Updated__c: await version() } as InvoiceMirror;
  // ... and submits it for approval again; approved, the same key runs again with the new figures
  mirror = { ...mirror, Status__c: 'Approved', Approval_Status__c: 'Approved' } as InvoiceMirror;
  expect(await handler.run([approval(mirror)])).toEqual(
    new Map([[1, { kind: 'done', result: expect.objectContaining({ status: 'AUTHORISED' }) }]]),
  );
  expect(written).toEqual([`${mirror.Id}:AUTHORISED`]);
  expect(sentBack).toHaveLength(1);
  const authorised = await statusOf(made);
  expect(authorised?.status).toBe('AUTHORISED');
  expect(new Date(authorised!.date as unknown as string).toISOString().slice(0, 10)).toBe('2026-03-02');
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
