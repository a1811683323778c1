import type { Invoice as XeroInvoice } from 'xero-node';
import { Invoice } from 'xero-node';
import { ScaledClock } from '../shared/clock';
import type { Harness } from './test-helpers';
import { failure, startHarness, UK } from './test-helpers';

describe('xero emulator: Idempotency-Key', () => {
  let h: Harness;
  let clock: ScaledClock;
  const invoice = (reference: string): XeroInvoice => ({
    type: Invoice.TypeEnum.ACCREC,
    contact: { name: 'Idempotent Ltd' },
    reference,
    lineItems: [{ description: 'Seats', quantity: 1, unitAmount: 10, accountCode: '200' }],
  });
  const create = (reference: string, key: string, extra: XeroInvoice[] = []) =>
    h.xero.accountingApi.createInvoices(UK, { invoices: [invoice(reference), ...extra] }, false, undefined, key);
  const count = async (reference: string) =>
    (await h.xero.accountingApi.getInvoices(UK, undefined, `Reference=="${reference}"`)).body.invoices?.length;

  beforeAll(async () => {
    clock = new ScaledClock({ start: Date.UTC(2026, 6, 1), scale: 0 });
    h = await startHarness({ clock });
  });
  afterAll(() => h.close());

  it('replays the first status and body for the same key and request, creating nothing new', async () => {
    const first = await create('idem-1', 'job-1:create');
    const again = await create('idem-1', 'job-1:create');
    expect(again.response.status).toBe(200);
    expect(again.body.invoices?.[0]?.invoiceID).toBe(first.body.invoices?.[0]?.invoiceID);
    expect(JSON.stringify(again.body)).toBe(JSON.stringify(first.body));
    expect(await count('idem-1')).toBe(1);
  });

  it('refuses the same key with a different request', async () => {
    await create('idem-2', 'job-2:create');
    const other = await failure(create('idem-2-changed', 'job-2:create'));
    expect(other.statusCode).toBe(400);
    expect(JSON.stringify(other.body)).toMatch(/different request/);
    expect(await count('idem-2-changed')).toBe(0);
  });

  it('replays a summarised validation failure without creating the valid siblings twice', async () => {
    const bad: XeroInvoice = { ...invoice('idem-3-bad'), contact: {} };
    const call = () =>
      h.xero.accountingApi.createInvoices(UK, { invoices: [invoice('idem-3'), bad] }, undefined, undefined, 'job-3');
    const first = await failure(call());
    const second = await failure(call());
    expect([first.statusCode, second.statusCode]).toEqual([400, 400]);
    expect(second.body).toEqual(first.body);
    expect(await count('idem-3')).toBe(1);
  });

  it('forgets a key after the window (6 minutes by default, configurable)', async () => {
    await create('idem-4', 'job-4');
    clock.advance(5 * 60_000);
    await create('idem-4', 'job-4');
    expect(await count('idem-4')).toBe(1);
    clock.advance(6 * 60_000);
    await create('idem-4', 'job-4');
    expect(await count('idem-4')).toBe(2);

    h.emulator.control.setIdempotencyWindow(1_000);
    await create('idem-5', 'job-5');
    clock.advance(1_000);
    await create('idem-5', 'job-5');
    expect(await count('idem-5')).toBe(2);
    h.emulator.control.setIdempotencyWindow(6 * 60_000);
  });

  it('makes a retry after "dropped after commit" safe: the write happened once and the retry gets its answer', async () => {
    h.emulator.control.addFault({ kind: 'drop-after-commit', method: 'PUT', path: '/Invoices' });
    const dropped = await failure(create('idem-6', 'job-6'));
    expect(dropped.statusCode).toBe(0);
    expect(await count('idem-6')).toBe(1);
    const retry = await create('idem-6', 'job-6');
    expect(retry.response.status).toBe(200);
    expect(retry.body.invoices?.[0]?.reference).toBe('idem-6');
    expect(await count('idem-6')).toBe(1);
    const calls = h.emulator.control.calls({ path: '/Invoices' }).filter((c) => c.idempotencyKey === 'job-6');
    expect(calls.map((c) => c.outcome)).toEqual(['dropped-after-commit', 'answered']);
  });

  it('holds a duplicate that arrives while the first is still running and replays the first answer', async () => {
    h.emulator.control.addFault({ kind: 'slow', delayMs: 150, method: 'PUT', count: 1 });
    const [a, b] = await Promise.all([create('idem-7', 'job-7'), create('idem-7', 'job-7')]);
    expect(a.body.invoices?.[0]?.invoiceID).toBe(b.body.invoices?.[0]?.invoiceID);
    expect(await count('idem-7')).toBe(1);
  });

  it('does not remember a key when an injected 503 stopped the call before it reached the API', async () => {
    h.emulator.control.addFault({ kind: 'status', status: 503, method: 'PUT' });
    expect((await failure(create('idem-8', 'job-8'))).statusCode).toBe(503);
    const retry = await create('idem-8', 'job-8');
    expect(retry.body.invoices?.[0]?.reference).toBe('idem-8');
    expect(await count('idem-8')).toBe(1);
  });
});
