import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreditNote, Invoice } from 'xero-node';
import type { Harness } from './test-helpers';
import { startHarness, UK } from './test-helpers';
import { signWebhook } from './webhooks';

interface Received {
  body: string;
  signatureValid: boolean;
  payload: {
    events: {
      eventCategory: string;
      eventType: string;
      resourceId: string;
      resourceUrl: string;
      tenantId: string;
      tenantType: string;
      eventDateUtc: string;
      data?: Record<string, string>;
    }[];
    firstEventSequence: number;
    lastEventSequence: number;
    entropy: string;
  };
}

/** A receiver that verifies x-xero-signature the way the bridge must: HMAC over the raw bytes. */
async function startReceiver(key: string) {
  const received: Received[] = [];
  const state = { failNext: 0, ignoreSignature: false };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = createHmac('sha256', key).update(raw).digest();
      const given = Buffer.from(String(req.headers['x-xero-signature'] ?? ''), 'base64');
      const signatureValid = given.length === expected.length && timingSafeEqual(given, expected);
      if (!signatureValid && !state.ignoreSignature) {
        res.writeHead(401).end();
        return;
      }
      if (state.failNext > 0) {
        state.failNext--;
        res.writeHead(500).end();
        return;
      }
      const payload = JSON.parse(raw.toString('utf8')) as Received['payload'];
      if (payload.events.length > 0) received.push({ body: raw.toString('utf8'), signatureValid, payload });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/xero/webhooks`;
  return { url, received, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('xero emulator: webhooks', () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const key = 'test-webhook-key';
  const events = () => receiver.received.flatMap((r) => r.payload.events);

  beforeAll(async () => {
    receiver = await startReceiver(key);
    h = await startHarness({ webhook: { url: receiver.url, key, batchDelayMs: 20, retryDelaysMs: [20, 20, 20] } });
  });
  beforeEach(() => {
    receiver.received.length = 0;
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  it('signs batched INVOICE, CONTACT and CREDITNOTE events with base64 HMAC-SHA256 of the raw body', async () => {
    const created = await h.xero.accountingApi.createInvoices(UK, {
      invoices: [
        {
          type: Invoice.TypeEnum.ACCREC,
          contact: { name: 'Hooked Ltd' },
          lineItems: [{ description: 'x', quantity: 1, unitAmount: 10, accountCode: '200' }],
        },
      ],
    });
    const invoiceId = created.body.invoices?.[0]?.invoiceID as string;
    const contactId = created.body.invoices?.[0]?.contact?.contactID as string;
    await h.xero.accountingApi.updateInvoice(UK, invoiceId, { invoices: [{ status: Invoice.StatusEnum.AUTHORISED }] });
    const note = await h.xero.accountingApi.createCreditNotes(UK, {
      creditNotes: [
        {
          type: CreditNote.TypeEnum.ACCRECCREDIT,
          contact: { contactID: contactId },
          lineItems: [{ description: 'c', quantity: 1, unitAmount: 1, accountCode: '200' }],
        },
      ],
    });
    await h.emulator.control.flushWebhooks();

    expect(receiver.received.every((r) => r.signatureValid && r.body.length > 0)).toBe(true);
    expect(receiver.received.length).toBeLessThan(events().length);
    expect(events().map((e) => [e.eventCategory, e.eventType, e.resourceId])).toEqual([
      ['CONTACT', 'CREATE', contactId],
      ['INVOICE', 'CREATE', invoiceId],
      ['INVOICE', 'UPDATE', invoiceId],
      ['CREDITNOTE', 'CREATE', note.body.creditNotes?.[0]?.creditNoteID],
    ]);
    const invoiceEvent = events()[1];
    expect(invoiceEvent).toMatchObject({
      tenantId: UK,
      tenantType: 'ORGANISATION',
      resourceUrl: `${h.emulator.apiUrl}/Invoices/${invoiceId}`,
    });
    expect(invoiceEvent?.eventDateUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    expect(events()[3]?.data).toEqual({ Type: 'ACCRECCREDIT', Status: 'DRAFT' });
    const sequences = receiver.received.map((r) => [r.payload.firstEventSequence, r.payload.lastEventSequence]);
    expect(sequences[0]?.[0]).toBe(1);
    expect(signWebhook('{}', key)).toBe(createHmac('sha256', key).update('{}').digest('base64'));
  });

  it("a payment bumps its invoice's UpdatedDateUTC and sends an INVOICE UPDATE event, as Xero does", async () => {
    // The bridge relies on it: an idle tenant's poller is woken by the invoice event a payment causes.
    const created = await h.xero.accountingApi.createInvoices(UK, {
      invoices: [
        {
          type: Invoice.TypeEnum.ACCREC,
          contact: { name: 'Paying Ltd' },
          status: Invoice.StatusEnum.AUTHORISED,
          lineItems: [{ description: 'x', quantity: 1, unitAmount: 10, accountCode: '200' }],
        },
      ],
    });
    const invoiceId = created.body.invoices?.[0]?.invoiceID as string;
    const before = created.body.invoices?.[0]?.updatedDateUTC;
    await h.emulator.control.flushWebhooks();
    receiver.received.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 5));
    h.emulator.control.recordCustomerPayment({ tenantId: UK, invoiceId, amount: '5.00' });
    const after = (await h.xero.accountingApi.getInvoice(UK, invoiceId)).body.invoices?.[0]?.updatedDateUTC;
    const ms = (d: unknown) => (d instanceof Date ? d.getTime() : Number(/\d{10,}/.exec(String(d))?.[0]));
    expect(ms(after)).toBeGreaterThan(ms(before));
    await h.emulator.control.flushWebhooks();
    expect(events().map((e) => [e.eventCategory, e.eventType, e.resourceId])).toEqual([
      ['INVOICE', 'UPDATE', invoiceId],
    ]);
  });

  it('retries a failed delivery until the receiver accepts it', async () => {
    receiver.state.failNext = 2;
    await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Retry Me' }] });
    await h.emulator.control.flushWebhooks();
    expect(events().map((e) => e.eventCategory)).toEqual(['CONTACT']);
    const last = h.emulator.control.webhookDeliveries().slice(-3);
    expect(last.map((d) => [d.attempt, d.status, d.outcome])).toEqual([
      [1, 500, 'failed'],
      [2, 500, 'failed'],
      [3, 200, 'delivered'],
    ]);
  });

  it('disables the subscription after a batch is given up (when configured) until intent-to-receive passes', async () => {
    h.emulator.control.configureWebhooks({ disableAfterGiveUps: 1 });
    try {
      receiver.state.failNext = 4;
      await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Never Delivered' }] });
      await h.emulator.control.flushWebhooks();
      expect(h.emulator.control.webhookDeliveries().at(-1)?.outcome).toBe('gave-up');
      expect(h.emulator.control.webhookStatus()).toBe('DISABLED');
      await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Ignored While Disabled' }] });
      await h.emulator.control.flushWebhooks();
      expect(events()).toHaveLength(0);
      expect((await h.emulator.control.intentToReceive(1, 1)).passed).toBe(true);
      expect(h.emulator.control.webhookStatus()).toBe('OK');
      await h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Delivered Again' }] });
      await h.emulator.control.flushWebhooks();
      expect(events()).toHaveLength(1);
    } finally {
      h.emulator.control.configureWebhooks({ disableAfterGiveUps: 0 });
    }
  });

  it('drops, duplicates and reorders batches on demand', async () => {
    const contact = (name: string) => h.xero.accountingApi.createContacts(UK, { contacts: [{ name }] });
    h.emulator.control.setWebhookFaults({ drop: 1 });
    await contact('Dropped Event');
    await h.emulator.control.flushWebhooks();
    expect(events()).toHaveLength(0);

    h.emulator.control.setWebhookFaults({ duplicate: 1 });
    const dup = await contact('Duplicated Event');
    await h.emulator.control.flushWebhooks();
    expect(events().map((e) => e.resourceId)).toEqual([
      dup.body.contacts?.[0]?.contactID,
      dup.body.contacts?.[0]?.contactID,
    ]);

    receiver.received.length = 0;
    h.emulator.control.setWebhookFaults({ reorder: 1 });
    const first = await contact('First Event');
    await h.emulator.control.sendQueuedWebhooks();
    expect(events()).toHaveLength(0);
    const second = await contact('Second Event');
    await h.emulator.control.flushWebhooks();
    const ids = events().map((e) => e.resourceId);
    expect(ids.sort()).toEqual([first.body.contacts?.[0]?.contactID, second.body.contacts?.[0]?.contactID].sort());
    const order = receiver.received.map((r) => r.payload.firstEventSequence);
    expect(order[0]).toBeGreaterThan(order[1] as number);
  });

  it('sends an event on demand through the control API', async () => {
    const res = await fetch(`${h.emulator.url}/__control/webhooks/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        tenantId: UK,
        category: 'INVOICE',
        eventType: 'UPDATE',
        resourceId: 'ad5b5a1e-0000-4000-8000-000000000001',
      }),
    });
    expect(res.status).toBe(202);
    await fetch(`${h.emulator.url}/__control/webhooks/flush`, { method: 'POST' });
    expect(events()).toEqual([
      expect.objectContaining({
        eventCategory: 'INVOICE',
        eventType: 'UPDATE',
        resourceId: 'ad5b5a1e-0000-4000-8000-000000000001',
        tenantId: UK,
      }),
    ]);
  });

  it('runs the intent-to-receive check with good and bad signatures', async () => {
    const passed = await h.emulator.control.intentToReceive(3, 3);
    expect(passed.passed).toBe(true);
    expect(passed.results.map((r) => [r.signed, r.status])).toEqual([
      ['good', 200],
      ['bad', 401],
      ['good', 200],
      ['bad', 401],
      ['good', 200],
      ['bad', 401],
    ]);
    receiver.state.ignoreSignature = true;
    try {
      const res = await fetch(`${h.emulator.url}/__control/webhooks/intent-to-receive`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"good":1,"bad":1}',
      });
      expect(((await res.json()) as { passed: boolean }).passed).toBe(false);
    } finally {
      receiver.state.ignoreSignature = false;
    }
  });
});
