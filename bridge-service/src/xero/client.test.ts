import { EU, harness, teardown, UK, US, type Harness } from './__fixtures__/client-harness';
import { MAX_BATCH, toXeroApiError, XeroClient, XeroRequestInvalid } from './client';
import { XeroApiError, XeroReauthorisationRequired } from './errors';
import { parseBillingEntities } from '../domain/billing-entity';
import { mapDocument, type SourceLine } from '../domain/invoice-mapping';
import type { NewInvoice } from './wire';

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
const TAX_RATES = [
  { taxType: 'OUTPUT2', effectiveRate: 20 },
  // active as far as the bridge knows; the Xero organisation has no such rate
  { taxType: 'NOPE99', effectiveRate: 0 },
];
const LINES: SourceLine[] = [
  { description: 'Platform licence', quantity: '12', unitPrice: '25.0625' },
  { description: 'Onboarding', quantity: '1', unitPrice: '500.00', discountPercent: '10' },
];

/** A draft invoice as the domain makes it (OPP-0001: 12 × 25.0625 + 500.00 less 10%, VAT 20%). */
const draft = (
  contactId: string,
  overrides: { reference?: string; lines?: SourceLine[]; status?: 'AUTHORISED' } = {},
): NewInvoice => ({
  document: mapDocument({
    type: 'ACCREC',
    entity: ukLtd!,
    contact: { contactId },
    currencyCode: 'GBP',
    date: '2026-01-15',
    reference: overrides.reference ?? 'OPP-0001',
    lines: overrides.lines ?? LINES,
    taxRates: TAX_RATES,
  }),
  ...(overrides.status ? { status: overrides.status } : {}),
});

describe('XeroClient against the Xero emulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => teardown(h));

  it('reads the organisation and tax rates of each connected tenant', async () => {
    expect(await h.client.getOrganisation(UK)).toMatchObject({ name: 'Ledgerline UK Ltd', baseCurrency: 'GBP' });
    expect(await h.client.getOrganisation(US)).toMatchObject({ baseCurrency: 'USD' });
    expect((await h.client.getTaxRates(UK)).map((t) => t.taxType)).toContain('OUTPUT2');
  });

  it('creates contacts and finds them by ContactNumber', async () => {
    const [created] = await h.client.createContacts(
      UK,
      [
        {
          name: 'Acme Widgets Ltd',
          contactNumber: '001000000000001AAA',
          emailAddress: 'ap@acme.example',
          addresses: [],
        },
      ],
      'contact:001000000000001AAA',
    );
    expect(created).toMatchObject({ ok: true, status: 'OK' });
    const found = await h.client.findContactByNumber(UK, '001000000000001AAA');
    expect(found?.contactID).toBe(created!.id);
    expect(await h.client.findContactByNumber(UK, '001000000000009ZZZ')).toBeNull();
  });

  it('creates a batch with per-element results, then authorises, emails and reads invoices back', async () => {
    const contact = await h.client.findContactByNumber(UK, '001000000000001AAA');
    const contactId = contact!.contactID!;
    const seq = h.emu.control.calls().at(-1)?.seq ?? 0;
    const results = await h.client.createInvoices(
      UK,
      [
        draft(contactId),
        draft(contactId, {
          reference: 'OPP-0002',
          lines: [{ description: 'x', quantity: '1', unitPrice: '10', taxType: 'NOPE99' }],
        }),
      ],
      'opp-0001:CREATE_DRAFT:1',
    );
    expect(results[0]).toMatchObject({ index: 0, ok: true, status: 'OK' });
    expect(results[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(results[0]!.record).toMatchObject({ status: 'DRAFT', subTotal: 750.75, totalTax: 150.15, total: 900.9 });
    expect(results[1]).toMatchObject({ index: 1, ok: false, status: 'ERROR', id: null });
    expect(results[1]!.errors.join(' ')).toMatch(/NOPE99|tax/i);

    const call = h.emu.control.calls({ sinceSeq: seq, path: '/Invoices' }).find((c) => c.method === 'PUT')!;
    expect(call).toMatchObject({ tenantId: UK, idempotencyKey: 'opp-0001:CREATE_DRAFT:1', status: 200 });
    expect(call.query).toContain('summarizeErrors=false');
    expect(call.query).toContain('unitdp=4');

    const invoiceId = results[0]!.id!;
    const authorised = await h.client.updateInvoiceStatus(UK, invoiceId, 'AUTHORISED', 'opp-0001:AUTHORISE:1');
    expect(authorised).toMatchObject({ invoiceID: invoiceId, status: 'AUTHORISED' });
    expect(authorised.invoiceNumber).toBeTruthy();
    await expect(h.client.emailInvoice(UK, invoiceId, 'opp-0001:EMAIL:1')).resolves.toBeUndefined();
    expect(await h.client.getOnlineInvoiceUrl(UK, invoiceId)).toMatch(/^https:\/\//);

    const [byId] = await h.client.getInvoicesByIds(UK, [invoiceId]);
    expect(byId).toMatchObject({ invoiceID: invoiceId, status: 'AUTHORISED', sentToContact: true });
    expect(byId!.lineItems).toHaveLength(2);
    expect(byId!.lineItems![0]!.unitAmount).toBe(25.0625);

    const page = await h.client.getInvoicesModifiedSince(UK, {
      modifiedSince: new Date(Date.now() - 3_600_000),
      pageSize: 10,
    });
    expect(page.items.map((i) => i.invoiceID)).toContain(invoiceId);
    expect(page.hasMore).toBe(false);
  });

  it('creates and allocates a credit note, and lists payments', async () => {
    const contactId = (await h.client.findContactByNumber(UK, '001000000000001AAA'))!.contactID!;
    const [inv] = await h.client.createInvoices(
      UK,
      [draft(contactId, { status: 'AUTHORISED', reference: 'OPP-0003' })],
      'opp-0003:CREATE:1',
    );
    const [cn] = await h.client.createCreditNotes(
      UK,
      [
        {
          document: mapDocument({
            type: 'ACCRECCREDIT',
            entity: ukLtd!,
            contact: { contactId },
            currencyCode: 'GBP',
            date: '2026-01-20',
            reference: 'OPP-0003 goodwill',
            lines: [{ description: 'Goodwill', quantity: '1', unitPrice: '100.00' }],
            taxRates: TAX_RATES,
          }),
          status: 'AUTHORISED',
        },
      ],
      'opp-0003:CREDIT:1',
    );
    expect(cn).toMatchObject({ ok: true });
    const allocation = await h.client.allocateCreditNote(
      UK,
      cn!.id!,
      { invoiceId: inv!.id!, amount: '120.00', date: '2026-01-20' },
      'opp-0003:ALLOC:1',
    );
    expect(allocation.amount).toBe(120);
    const notes = await h.client.getCreditNotes(UK, { modifiedSince: new Date(Date.now() - 3_600_000) });
    expect(notes.items.find((n) => n.creditNoteID === cn!.id)).toMatchObject({ remainingCredit: 0 });

    h.emu.control.recordCustomerPayment({ tenantId: UK, invoiceId: inv!.id!, amount: '100.00', date: '2026-01-25' });
    const payments = await h.client.getPayments(UK, { modifiedSince: new Date(Date.now() - 3_600_000) });
    expect(payments.items.find((p) => p.invoice?.invoiceID === inv!.id)).toMatchObject({
      amount: 100,
      status: 'AUTHORISED',
    });
  });

  it('turns Xero errors into XeroApiError with status, body and message', async () => {
    const err = await h.client
      .updateInvoiceStatus(UK, '99999999-9999-4999-8999-999999999999', 'AUTHORISED', 'missing:1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XeroApiError);
    expect(err).toMatchObject({ status: 404, operation: 'updateInvoiceStatus', tenantId: UK });
  });

  it('retries a 503 and succeeds', async () => {
    h.emu.control.addFault({ kind: 'status', status: 503, count: 1, path: '/Organisation' });
    await expect(h.client.getOrganisation(UK)).resolves.toMatchObject({ baseCurrency: 'GBP' });
  });

  it('refreshes once on a 401 and retries with the new token', async () => {
    const stored = (await h.store.xeroConnections.getXeroConnection('conn-1'))!.tokenSet!;
    await h.store.xeroConnections.saveXeroTokenSet('conn-1', { ...stored, accessToken: 'revoked-or-garbage' });
    await expect(h.client.getOrganisation(US)).resolves.toMatchObject({ baseCurrency: 'USD' });
    const now = (await h.store.xeroConnections.getXeroConnection('conn-1'))!.tokenSet!;
    expect(now.accessToken).not.toBe('revoked-or-garbage');
    expect(now.refreshToken).not.toBe(stored.refreshToken);
  });

  it('fails at once, naming the scope, when the consent does not cover the call (a refresh cannot help)', async () => {
    const stored = (await h.store.xeroConnections.getXeroConnection('conn-1'))!.tokenSet!;
    // consent without accounting.contacts, as an app set up before the bridge needed it
    const narrow = h.emu.control.issueTokens({ scope: 'offline_access accounting.invoices accounting.settings.read' });
    await h.store.xeroConnections.saveXeroTokenSet('conn-1', {
      ...stored,
      accessToken: narrow.access_token,
      refreshToken: narrow.refresh_token ?? '',
    });
    try {
      h.emu.control.clearCalls();
      const refused = h.client.findContactByNumber(UK, '0015g00000XyZaAAAQ');
      await expect(refused).rejects.toMatchObject({ status: 401, insufficientScope: true });
      await expect(refused).rejects.toThrow(
        /accounting\.contacts \(or accounting\.contacts\.read\).*reconnect the organisation at \/connect\/xero/,
      );
      expect(h.emu.control.calls({ tenantId: UK }).map((c) => c.status)).toEqual([401]);
      // no refresh was spent on it
      expect((await h.store.xeroConnections.getXeroConnection('conn-1'))!.tokenSet!.refreshToken).toBe(
        narrow.refresh_token,
      );
    } finally {
      await h.store.xeroConnections.saveXeroTokenSet('conn-1', stored);
    }
  });

  it('does not retry when the refresh after a 401 says the connection needs reauthorising', async () => {
    const refresh = jest.fn(async () => {
      throw new XeroReauthorisationRequired('conn-x', 'invalid_grant');
    });
    const client = new XeroClient({
      config: { apiBaseUrl: h.emu.apiUrl, httpTimeoutMs: 5_000 },
      tokens: { connectionIdForTenant: async () => 'conn-x', getAccessToken: async () => 'garbage', refresh },
      scheduler: h.scheduler,
      retry: { baseDelayMs: 1 },
    });
    const seq = h.emu.control.calls().at(-1)?.seq ?? 0;
    await expect(client.getOrganisation(UK)).rejects.toBeInstanceOf(XeroReauthorisationRequired);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(h.emu.control.calls({ sinceSeq: seq })).toHaveLength(1);
  });

  it('hands a long Retry-After (daily limit) back to the caller instead of sleeping on it', async () => {
    h.emu.control.forceRateLimit('day', 1, EU);
    const err = await h.client.getOrganisation(EU).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XeroApiError);
    expect(err).toMatchObject({ status: 429, problem: 'day', retryAfter: 3600 });
    expect(h.scheduler.snapshot(EU).pausedUntil).toBeGreaterThan(Date.now() + 3_000_000);
    // The next call is not queued behind the hour (it would hold its worker): refused at once, Xero not called.
    const seq = h.emu.control.calls().at(-1)?.seq ?? 0;
    const started = Date.now();
    const next = await h.client.getTaxRates(EU).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(next).toBeInstanceOf(XeroApiError);
    expect((next as XeroApiError).status).toBe(429);
    expect((next as XeroApiError).retryAfterMs).toBeGreaterThan(3_500_000);
    expect(h.emu.control.calls({ sinceSeq: seq })).toHaveLength(0);
    // other tenants are not paused
    await expect(h.client.getTaxRates(UK)).resolves.not.toHaveLength(0);
  });

  it('refuses malformed requests before calling Xero', async () => {
    const many = Array.from({ length: MAX_BATCH + 1 }, () => draft('c'));
    await expect(h.client.createInvoices(UK, many, 'k')).rejects.toBeInstanceOf(XeroRequestInvalid);
    await expect(h.client.createInvoices(UK, [draft('c')], '')).rejects.toThrow(/Idempotency-Key/);
    await expect(h.client.createInvoices(UK, [draft('c')], 'x'.repeat(129))).rejects.toThrow(/Idempotency-Key/);
    const malformed = draft('c');
    malformed.document.lineItems[0]!.unitAmount = '1e3';
    await expect(h.client.createInvoices(UK, [malformed], 'k')).rejects.toThrow(/not a decimal/);
  });
});

describe('toXeroApiError', () => {
  it("parses xero-node's rejected JSON string, headers included", () => {
    const rejected = JSON.stringify({
      response: {
        statusCode: 429,
        body: '',
        headers: { 'retry-after': '17', 'x-rate-limit-problem': 'minute', 'x-minlimit-remaining': '0' },
        request: { url: {}, headers: {}, method: 'PUT' },
      },
      body: '',
    });
    const err = toXeroApiError(rejected, 'createInvoices', UK) as XeroApiError;
    expect(err).toBeInstanceOf(XeroApiError);
    expect(err).toMatchObject({ status: 429, retryAfter: 17, retryAfterMs: 17_000, problem: 'minute' });
  });

  it('reads validation messages from a summarised ValidationException', () => {
    const body = {
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: [{ ValidationErrors: [{ Message: 'Invoice # must be unique.' }] }],
    };
    const err = toXeroApiError(
      JSON.stringify({ response: { statusCode: 400, headers: {} }, body }),
      'createInvoices',
    ) as XeroApiError;
    expect(err.validationMessages).toEqual(['Invoice # must be unique.']);
    expect(err.message).toBe('Xero createInvoices rejected (400): Invoice # must be unique.');
  });

  it('treats a network failure as status 0', () => {
    const err = toXeroApiError(
      JSON.stringify({
        response: { statusCode: 0, body: 'connect ECONNREFUSED 127.0.0.1:1', headers: {} },
        body: 'connect ECONNREFUSED 127.0.0.1:1',
      }),
      'getInvoices',
    ) as XeroApiError;
    expect(err.status).toBe(0);
    expect(err.message).toMatch(/no response/);
  });
});
