import pino from 'pino';
import type { Watermark } from '../../store/types';
import type { XeroInvoice, XeroPage } from '../../xero/types';
import { XeroApiError } from '../../xero/errors';
import { XeroScheduler } from '../../xero/scheduler';
import { createXeroPoller, type PollerDeps } from './poller';

const applied: { resource: string; ids: string[] }[] = [];

/** Records what would be written back, by resource, instead of writing it. */
const record =
  <T>(resource: string, id: (item: T) => string | undefined) =>
  async (_tenant: string, items: readonly T[]) => {
    applied.push({ resource, ids: items.map((i) => String(id(i))) });
    return { changed: [], stale: 0, unchanged: 0, awaitingMirror: [], errors: [], allocatedInvoiceIds: [] };
  };

const T = Date.parse('2026-03-01T10:00:00Z');
const page = <I>(items: I[], pageNo: number, hasMore: boolean): XeroPage<I> => ({
  items,
  page: pageNo,
  pageSize: 2,
  hasMore,
});

function setup(
  invoicePages: { invoiceID: string; updatedDateUTC: Date }[][],
  sizes: { pageSize?: number; summaryPageSize?: number } = { pageSize: 2, summaryPageSize: 2 },
) {
  const watermarks = new Map<string, Watermark>();
  const asked: { modifiedSince?: Date; page?: number; pageSize?: number; summaryOnly?: boolean }[] = [];
  const deps: PollerDeps = {
    apply: {
      applyInvoices: record('Invoices', (i) => i.invoiceID),
      applyInvoiceSummaries: (tenant, items) => record<XeroInvoice>('Invoices', (i) => i.invoiceID)(tenant, items),
      applyCreditNotes: record('CreditNotes', (n) => n.creditNoteID),
      applyPayments: record('Payments', (p) => p.paymentID),
      applyCustomerCredits: async () => ({ changed: [], stale: 0, unchanged: 0, awaitingMirror: [], errors: [] }),
    },
    ledger: {
      getOverpayments: async () => ({ ...page([], 1, false), pageCount: 1, itemCount: 0 }),
      getPrepayments: async () => ({ ...page([], 1, false), pageCount: 1, itemCount: 0 }),
    },
    log: pino({ level: 'silent' }),
    clock: { now: () => T + 60_000 },
    xeroConnections: {
      listXeroTenants: async () => [
        { tenantId: 'tenant-1', connectionId: 'c1', tenantName: null, tenantType: null, updatedAt: 0 },
      ],
    },
    watermarks: {
      getWatermark: async (tenant: string, resource: string) => watermarks.get(`${tenant}/${resource}`) ?? null,
      saveWatermark: async (tenant: string, resource: string, wm: Watermark) => {
        watermarks.set(`${tenant}/${resource}`, wm);
      },
    },
    xero: {
      getInvoicesModifiedSince: async (
        _tenant: string,
        query: { modifiedSince?: Date; page?: number; pageSize?: number; summaryOnly?: boolean },
      ) => {
        asked.push(query);
        const n = query.page ?? 1;
        return page(invoicePages[n - 1] ?? [], n, n < invoicePages.length);
      },
      getCreditNotes: async () => page([], 1, false),
      getPayments: async () => page([], 1, false),
      getInvoicesByIds: async () => [],
    },
  };
  const poller = createXeroPoller(deps, {
    intervalMs: 1_000,
    ...sizes,
    skewMs: 5_000,
    clock: { now: () => T + 60_000, sleep: async () => undefined },
  });
  return { poller, watermarks, asked };
}

beforeEach(() => applied.splice(0));

describe('Xero poller', () => {
  it('pages through changes, saves the watermark, and never repeats or skips equal timestamps', async () => {
    const a = { invoiceID: 'a', updatedDateUTC: new Date(T) };
    const b = { invoiceID: 'b', updatedDateUTC: new Date(T + 1_000) };
    const c = { invoiceID: 'c', updatedDateUTC: new Date(T + 1_000) };
    const { poller, watermarks, asked } = setup([[a, b], [c]]);
    await poller.pollOnce();
    expect(applied.filter((x) => x.resource === 'Invoices').flatMap((x) => x.ids)).toEqual(['a', 'b', 'c']);
    expect(watermarks.get('tenant-1/Invoices')).toEqual({ at: T + 1_000, idsAtTimestamp: ['b', 'c'] });
    // First poll: from the look-back; both pages asked with the same If-Modified-Since.
    expect(asked.map((q) => q.page)).toEqual([1, 2]);
    expect(asked[0]!.modifiedSince).toEqual(asked[1]!.modifiedSince);

    // The next poll asks from a little before the watermark and writes nothing it already wrote.
    applied.splice(0);
    asked.splice(0);
    await poller.pollOnce();
    expect(asked[0]!.modifiedSince).toEqual(new Date(T + 1_000 - 5_000));
    expect(applied.filter((x) => x.resource === 'Invoices')).toEqual([]);
  });

  it('a record changed at the watermark second under a new id is still written', async () => {
    const b = { invoiceID: 'b', updatedDateUTC: new Date(T + 1_000) };
    const d = { invoiceID: 'd', updatedDateUTC: new Date(T + 1_000) };
    const { poller, watermarks } = setup([[b, d]]);
    watermarks.set('tenant-1/Invoices', { at: T + 1_000, idsAtTimestamp: ['b'] });
    await poller.pollOnce();
    expect(applied.filter((x) => x.resource === 'Invoices').flatMap((x) => x.ids)).toEqual(['d']);
    expect(watermarks.get('tenant-1/Invoices')).toEqual({ at: T + 1_000, idsAtTimestamp: ['b', 'd'] });
  });

  it('lists invoices as summaries, 1,000 a page unless told', async () => {
    const { poller, asked } = setup([[{ invoiceID: 'a', updatedDateUTC: new Date(T) }]]);
    await poller.pollOnce();
    expect(asked[0]).toMatchObject({ summaryOnly: true, pageSize: 2 });
    const byDefault = setup([[]], {});
    await byDefault.poller.pollOnce();
    expect(byDefault.asked[0]).toMatchObject({ summaryOnly: true, pageSize: 1_000 });
  });

  it('start and stop: a stopped poller polls no more', async () => {
    const { poller } = setup([[]]);
    poller.start();
    await poller.stop();
    const polls = poller.stats.polls;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(poller.stats.polls).toBe(polls);
  });
});

describe('tenants apart', () => {
  it('a 429 with a long Retry-After on one tenant delays neither other tenant', async () => {
    const scheduler = new XeroScheduler();
    const listings = new Map<string, number>();
    let refused = false;
    /** Every poll call through the real scheduler; tenant-2's first call is refused for an hour (daily limit). */
    const call = <R>(tenantId: string, answer: R) =>
      scheduler.schedule(tenantId, async () => {
        if (tenantId === 'tenant-2' && !refused) {
          refused = true;
          throw new XeroApiError({
            status: 429,
            body: 'Rate limit exceeded',
            headers: { 'retry-after': '3600', 'x-rate-limit-problem': 'day' },
            operation: 'getCreditNotes',
            tenantId,
          });
        }
        listings.set(tenantId, (listings.get(tenantId) ?? 0) + 1);
        return answer;
      });
    const empty = page([], 1, false);
    const tenants = ['tenant-1', 'tenant-2', 'tenant-3'].map((tenantId) => ({
      tenantId,
      connectionId: `c-${tenantId}`,
      tenantName: null,
      tenantType: null,
      updatedAt: 0,
    }));
    const deps: PollerDeps = {
      apply: {
        applyInvoices: record('Invoices', (i) => i.invoiceID),
        applyInvoiceSummaries: (tenant, items) => record<XeroInvoice>('Invoices', (i) => i.invoiceID)(tenant, items),
        applyCreditNotes: record('CreditNotes', (n) => n.creditNoteID),
        applyPayments: record('Payments', (p) => p.paymentID),
        applyCustomerCredits: async () => ({ changed: [], stale: 0, unchanged: 0, awaitingMirror: [], errors: [] }),
      },
      ledger: {
        getOverpayments: (tenantId) => call(tenantId, { ...empty, pageCount: 1, itemCount: 0 }),
        getPrepayments: (tenantId) => call(tenantId, { ...empty, pageCount: 1, itemCount: 0 }),
      },
      log: pino({ level: 'silent' }),
      clock: { now: () => T },
      xeroConnections: { listXeroTenants: async () => tenants },
      watermarks: { getWatermark: async () => null, saveWatermark: async () => undefined },
      xero: {
        getInvoicesModifiedSince: (tenantId) => call(tenantId, empty),
        getCreditNotes: (tenantId) => call(tenantId, empty),
        getPayments: (tenantId) => call(tenantId, empty),
        getInvoicesByIds: async () => [],
      },
    };
    const poller = createXeroPoller(deps, {
      intervalMs: 5,
      clock: {
        now: () => T,
        sleep: (ms, signal) =>
          new Promise((r) => {
            const t = setTimeout(r, ms);
            signal?.addEventListener('abort', () => {
              clearTimeout(t);
              r(undefined);
            });
          }),
      },
    });
    poller.start();
    try {
      // tenant-2 is paused for an hour after its first call; the others keep polling, five calls a poll
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && !((listings.get('tenant-1') ?? 0) >= 15 && (listings.get('tenant-3') ?? 0) >= 15))
        await new Promise((r) => setTimeout(r, 10));
      expect(listings.get('tenant-1')).toBeGreaterThanOrEqual(15);
      expect(listings.get('tenant-3')).toBeGreaterThanOrEqual(15);
      expect(listings.get('tenant-2') ?? 0).toBe(0);
      expect(scheduler.snapshot('tenant-2').pausedUntil).not.toBeNull();
    } finally {
      // closing the scheduler ends tenant-2's waiting call, so the poller can stop
      await scheduler.close();
      await poller.stop();
    }
  });
});
