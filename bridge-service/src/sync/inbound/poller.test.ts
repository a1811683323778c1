import pino from 'pino';
import type { Watermark } from '../../store/types';
import type { XeroPage } from '../../xero/types';
import { createXeroPoller, type PollerDeps } from './poller';

const applied: { resource: string; ids: string[] }[] = [];

/** Records what would be written back, by resource, instead of writing it. */
const record =
  <T>(resource: string, id: (item: T) => string | undefined) =>
  async (_tenant: string, items: readonly T[]) => {
    applied.push({ resource, ids: items.map((i) => String(id(i))) });
    return { changed: [], stale: 0, awaitingMirror: [], errors: [], allocatedInvoiceIds: [] };
  };

const T = Date.parse('2026-03-01T10:00:00Z');
const page = <I>(items: I[], pageNo: number, hasMore: boolean): XeroPage<I> => ({
  items,
  page: pageNo,
  pageSize: 2,
  hasMore,
});

function setup(invoicePages: { invoiceID: string; updatedDateUTC: Date }[][]) {
  const watermarks = new Map<string, Watermark>();
  const asked: { modifiedSince?: Date; page?: number }[] = [];
  const deps: PollerDeps = {
    apply: {
      applyInvoices: record('Invoices', (i) => i.invoiceID),
      applyCreditNotes: record('CreditNotes', (n) => n.creditNoteID),
      applyPayments: record('Payments', (p) => p.paymentID),
      applyCustomerCredits: async () => ({ changed: [], stale: 0, awaitingMirror: [], errors: [] }),
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
      getInvoicesModifiedSince: async (_tenant: string, query: { modifiedSince?: Date; page?: number }) => {
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
    pageSize: 2,
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

  it('start and stop: a stopped poller polls no more', async () => {
    const { poller } = setup([[]]);
    poller.start();
    await poller.stop();
    const polls = poller.stats.polls;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(poller.stats.polls).toBe(polls);
  });
});
