import type { Harness } from './test-helpers';
import { failure, startHarness, UK, US } from './test-helpers';
import { seededRandom } from './faults';

describe('xero emulator: injected faults', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ random: seededRandom(7) });
  });
  afterEach(() => h.emulator.control.clearFaults());
  afterAll(() => h.close());

  it('answers the next N calls with 500 or 503, then recovers', async () => {
    h.emulator.control.addFault({ kind: 'status', status: 503, count: 2 });
    const first = await failure(h.xero.accountingApi.getInvoices(UK));
    expect(first.statusCode).toBe(503);
    expect(first.body).toMatchObject({ Status: 503, Title: 'Service Unavailable' });
    expect((await failure(h.xero.accountingApi.getContacts(US))).statusCode).toBe(503);
    expect((await h.xero.accountingApi.getInvoices(UK)).response.status).toBe(200);
    h.emulator.control.addFault({ kind: 'status', status: 500, path: '/Contacts' });
    expect((await h.xero.accountingApi.getInvoices(UK)).response.status).toBe(200);
    expect((await failure(h.xero.accountingApi.getContacts(UK))).statusCode).toBe(500);
  });

  it('fails a share of calls, reproducibly with a seeded random source', async () => {
    h.emulator.control.addFault({ kind: 'status', status: 500, share: 0.5 });
    let failed = 0;
    for (let i = 0; i < 40; i++) {
      try {
        await h.xero.accountingApi.getOrganisations(UK);
      } catch {
        failed++;
      }
    }
    expect(failed).toBeGreaterThan(8);
    expect(failed).toBeLessThan(32);
  });

  it('answers slowly on demand', async () => {
    h.emulator.control.addFault({ kind: 'slow', delayMs: 200 });
    const started = Date.now();
    await h.xero.accountingApi.getOrganisations(UK);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('hangs a call until the client gives up, and frees its concurrency slot', async () => {
    h.emulator.control.addFault({ kind: 'hang' });
    const tokens = h.emulator.control.issueTokens();
    const hung = fetch(`${h.emulator.apiUrl}/Organisation`, {
      headers: { authorization: `Bearer ${tokens.access_token}`, 'xero-tenant-id': UK },
      signal: AbortSignal.timeout(200),
    });
    await expect(hung).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.emulator.control.inFlight(UK)).toBe(0);
    const record = h.emulator.control.calls({ path: '/Organisation' }).at(-1);
    expect(record).toMatchObject({ fault: 'hang', outcome: 'aborted', status: 0 });
  });

  it('commits a write and then drops the connection', async () => {
    h.emulator.control.addFault({ kind: 'drop-after-commit' });
    const dropped = await failure(
      h.xero.accountingApi.createContacts(UK, { contacts: [{ name: 'Dropped But Saved' }] }),
    );
    expect(dropped.statusCode).toBe(0);
    const found = await h.xero.accountingApi.getContacts(UK, undefined, 'Name=="Dropped But Saved"');
    expect(found.body.contacts).toHaveLength(1);
  });

  it('is driven over HTTP too: set faults, list calls, clear', async () => {
    const post = await fetch(`${h.emulator.url}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'status', status: 503, count: 1, method: 'GET', path: '/Invoices' }),
    });
    expect(post.status).toBe(200);
    expect(((await (await fetch(`${h.emulator.url}/__control/faults`)).json()) as unknown[]).length).toBe(1);
    const since = h.emulator.control.calls().at(-1)?.seq ?? 0;
    expect((await failure(h.xero.accountingApi.getInvoices(UK))).statusCode).toBe(503);
    const calls = (await (await fetch(`${h.emulator.url}/__control/calls?sinceSeq=${since}`)).json()) as Record<
      string,
      unknown
    >[];
    expect(calls[0]).toMatchObject({
      method: 'GET',
      path: '/api.xro/2.0/Invoices',
      tenantId: UK,
      status: 503,
      fault: 'status 503',
      outcome: 'answered',
    });
    expect(typeof calls[0]?.ms).toBe('number');
    expect(calls[0]?.responseBody).toBeUndefined();
    const bad = await fetch(`${h.emulator.url}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'explode' }),
    });
    expect(bad.status).toBe(400);
    expect((await fetch(`${h.emulator.url}/__control/faults`, { method: 'DELETE' })).status).toBe(204);
  });

  it('matches resource paths case-insensitively, as Xero does', async () => {
    const tokens = h.emulator.control.issueTokens();
    const res = await fetch(`${h.emulator.apiUrl}/invoices?page=1`, {
      headers: { authorization: `Bearer ${tokens.access_token}`, 'xero-tenant-id': UK },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { Invoices: unknown[] }).Invoices).toEqual([]);
  });

  it('moves the clock over HTTP', async () => {
    const before = ((await (await fetch(`${h.emulator.url}/__control/clock`)).json()) as { now: number }).now;
    const res = await fetch(`${h.emulator.url}/__control/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: 3_600_000 }),
    });
    expect(((await res.json()) as { now: number }).now).toBeGreaterThanOrEqual(before + 3_600_000);
  });
});
