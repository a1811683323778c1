import pino from 'pino';
import { ManualClock } from '../../lib/clock';
import type { Watermark } from '../../store/types';
import type { XeroCreditNote, XeroInvoice, XeroPage } from '../../xero/types';
import { XeroApiError } from '../../xero/errors';
import { XeroScheduler } from '../../xero/scheduler';
import { createXeroCall } from '../../xero/calls';
import { idlePollsIn } from './poll-pace';
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

type Listed = { invoiceID: string; updatedDateUTC: Date };
type InvoiceQuery = { modifiedSince?: Date; page?: number; pageSize?: number; summaryOnly?: boolean };

/**
 * Xero's listing of these invoices as it is at each call: changed at or after If-Modified-Since, oldest change first,
 * the asked page of it. A test changes an invoice's UpdatedDateUTC to move it, as Xero does.
 */
const listingOf =
  (invoices: readonly Listed[]) =>
  (query: InvoiceQuery): XeroPage<Listed> => {
    const since = query.modifiedSince?.getTime() ?? 0;
    const size = query.pageSize ?? 100;
    const n = query.page ?? 1;
    const changed = invoices
      .filter((i) => i.updatedDateUTC.getTime() >= since)
      .sort((a, b) => a.updatedDateUTC.getTime() - b.updatedDateUTC.getTime());
    const items = changed.slice((n - 1) * size, n * size);
    return { items, page: n, pageSize: size, hasMore: items.length >= size };
  };

function setup(
  invoices: Listed[][] | ((query: InvoiceQuery) => XeroPage<Listed>),
  sizes: { pageSize?: number; summaryPageSize?: number } = { pageSize: 2, summaryPageSize: 2 },
  creditNotes: XeroCreditNote[] = [],
) {
  const pageOf =
    typeof invoices === 'function'
      ? invoices
      : (query: InvoiceQuery) => {
          const n = query.page ?? 1;
          return page(invoices[n - 1] ?? [], n, n < invoices.length);
        };
  const watermarks = new Map<string, Watermark>();
  const asked: InvoiceQuery[] = [];
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
      getInvoicesModifiedSince: async (_tenant: string, query: InvoiceQuery) => {
        asked.push(query);
        return pageOf(query);
      },
      getCreditNotes: async () => page(creditNotes, 1, false),
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
    const { poller, watermarks, asked } = setup(listingOf([a, b, c]));
    await poller.pollOnce();
    expect(applied.filter((x) => x.resource === 'Invoices').flatMap((x) => x.ids)).toEqual(['a', 'b', 'c']);
    expect(watermarks.get('tenant-1/Invoices')).toEqual({ at: T + 1_000, idsAtTimestamp: ['b', 'c'] });
    // First page from the look-back; then from the watermark, where a and b (written) fill page 1, so page 2 follows.
    expect(asked.map((q) => [q.page, q.modifiedSince])).toEqual([
      [1, new Date(T + 60_000 - 24 * 60 * 60_000)],
      [1, new Date(T + 1_000 - 5_000)],
      [2, new Date(T + 1_000 - 5_000)],
    ]);

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

  it('a document changed while a page is written moves the rest a place back: the next page misses none of them', async () => {
    // Changed a minute apart, far more than the skew: each listing from the watermark starts at the watermark's own.
    const invoices = [1, 2, 3, 4].map((n) => ({
      invoiceID: `inv-${n}`,
      updatedDateUTC: new Date(T - (5 - n) * 60_000),
    }));
    const listing = listingOf(invoices);
    let listings = 0;
    const { poller, watermarks, asked } = setup((query) => {
      listings += 1;
      // While page 1 is written, inv-1 is changed (finance, or the bridge's own approval): it moves to the end.
      if (listings === 2) invoices[0]!.updatedDateUTC = new Date(T);
      return listing(query);
    });
    await poller.pollOnce();
    // From the first listing, page 2 would now be inv-4 and inv-1: inv-3 slid onto page 1, already read.
    expect(applied.filter((x) => x.resource === 'Invoices').flatMap((x) => x.ids)).toEqual([
      'inv-1',
      'inv-2',
      'inv-3',
      'inv-4',
      'inv-1',
    ]);
    expect(watermarks.get('tenant-1/Invoices')).toEqual({ at: T, idsAtTimestamp: ['inv-1'] });
    // One listing a page of fresh documents, each from the watermark the page before saved; a short page ends it.
    expect(asked.map((q) => [q.page, q.modifiedSince?.getTime()])).toEqual([
      [1, T + 60_000 - 24 * 60 * 60_000],
      [1, T - 3 * 60_000 - 5_000],
      [1, T - 2 * 60_000 - 5_000],
      [1, T - 60_000 - 5_000],
      [1, T - 5_000],
    ]);
  });

  it('more documents at one time than a page holds: each page of them once more at most, and the poll ends', async () => {
    const burst = ['a', 'b', 'c', 'd', 'e'].map((invoiceID) => ({ invoiceID, updatedDateUTC: new Date(T) }));
    const { poller, watermarks, asked } = setup(listingOf(burst));
    await poller.pollOnce();
    expect(applied.filter((x) => x.resource === 'Invoices').flatMap((x) => x.ids)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(watermarks.get('tenant-1/Invoices')).toEqual({ at: T, idsAtTimestamp: ['a', 'b', 'c', 'd', 'e'] });
    // Page 1 again finds a and b written, so page 2; then page 2 again (c, d written), so page 3, short: the end.
    expect(asked.map((q) => q.page)).toEqual([1, 1, 2, 2, 3]);

    // A poll that finds them all written pages through them once and ends.
    applied.splice(0);
    asked.splice(0);
    await poller.pollOnce();
    expect(applied.filter((x) => x.resource === 'Invoices')).toEqual([]);
    expect(asked.map((q) => q.page)).toEqual([1, 2, 3]);
  });

  it('a burst of changes filling pages within the skew is read again a page at a time, not from page 1 each time', async () => {
    const burst = Array.from({ length: 10 }, (_, n) => ({
      invoiceID: `inv-${n}`,
      updatedDateUTC: new Date(T + n * 100),
    }));
    const { poller, asked } = setup(listingOf(burst));
    await poller.pollOnce();
    expect(applied.filter((x) => x.resource === 'Invoices').flatMap((x) => x.ids)).toEqual(
      burst.map((i) => i.invoiceID),
    );
    // Each page once from the last watermark (all written, the page is full), then the next; the empty page 6 ends it.
    expect(asked.map((q) => q.page)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
  });

  it('polls invoices before credit notes: a credit note finds the mirror of the invoice it is allocated to', async () => {
    const invoice = { invoiceID: 'raised-in-xero', updatedDateUTC: new Date(T) };
    const note = {
      creditNoteID: 'credit-for-it',
      updatedDateUTC: new Date(T + 1_000),
      allocations: [{ allocationID: 'allocation-1', amount: 10, invoice: { invoiceID: 'raised-in-xero' } }],
    } as XeroCreditNote;
    const { poller } = setup([[invoice]], { pageSize: 2, summaryPageSize: 2 }, [note]);
    await poller.pollOnce();
    expect(applied).toEqual([
      { resource: 'Invoices', ids: ['raised-in-xero'] },
      { resource: 'CreditNotes', ids: ['credit-for-it'] },
    ]);
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
            operation: 'getInvoices',
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

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * Tenants on a fake clock against a fake Xero whose invoices each test changes: every listing is recorded with its
 * time and If-Modified-Since, every invoice written back with its tenant.
 */
function idleSetup(
  tenantIds: string[],
  {
    intervalMs = MINUTE,
    idleMaxMs = 15 * MINUTE,
    changedInXero = false as boolean | ((invoiceID: string) => boolean),
  } = {},
) {
  const clock = new ManualClock(T);
  const invoices = new Map<string, { invoiceID: string; updatedDateUTC: Date }[]>(tenantIds.map((t) => [t, []]));
  const listings: { tenantId: string; resource: string; at: number; modifiedSince?: Date }[] = [];
  const written: { tenantId: string; id: string }[] = [];
  const watermarks = new Map<string, Watermark>();
  const none = { changed: [], stale: 0, unchanged: 0, awaitingMirror: [], errors: [], allocatedInvoiceIds: [] };
  const listed =
    (resource: string) =>
    async (tenantId: string, query: { modifiedSince?: Date } = {}) => {
      listings.push({
        tenantId,
        resource,
        at: clock.now(),
        ...(query.modifiedSince && { modifiedSince: query.modifiedSince }),
      });
      return { ...page([], 1, false), pageCount: 1, itemCount: 0 };
    };
  const deps: PollerDeps = {
    apply: {
      applyInvoices: async () => none,
      applyInvoiceSummaries: async (tenantId, items) => {
        written.push(...items.map((i) => ({ tenantId, id: i.invoiceID! })));
        // `changedInXero`: the summaries (all, or those it picks) were newer than their mirrors (someone changed
        // them in Xero); the rest are echoes of the bridge's own writes, which their mirrors already hold
        const changed = items
          .filter((i) => (typeof changedInXero === 'function' ? changedInXero(String(i.invoiceID)) : changedInXero))
          .map((i) => ({ id: String(i.invoiceID), opportunityId: null, accountId: null, change: 'STATUS' as const }));
        return { ...none, changed };
      },
      applyCreditNotes: async () => none,
      applyPayments: async () => none,
      applyCustomerCredits: async () => none,
    },
    ledger: { getOverpayments: listed('Overpayments'), getPrepayments: listed('Prepayments') },
    log: pino({ level: 'silent' }),
    clock,
    xeroConnections: {
      listXeroTenants: async () =>
        tenantIds.map((tenantId) => ({
          tenantId,
          connectionId: `c-${tenantId}`,
          tenantName: null,
          tenantType: null,
          updatedAt: 0,
        })),
    },
    watermarks: {
      getWatermark: async (tenant, resource) => watermarks.get(`${tenant}/${resource}`) ?? null,
      saveWatermark: async (tenant, resource, wm) => {
        watermarks.set(`${tenant}/${resource}`, wm);
      },
    },
    xero: {
      getInvoicesModifiedSince: async (tenantId, query = {}) => {
        await listed('Invoices')(tenantId, query);
        const since = query.modifiedSince?.getTime() ?? 0;
        return page(
          (invoices.get(tenantId) ?? []).filter((i) => i.updatedDateUTC.getTime() >= since),
          1,
          false,
        );
      },
      getCreditNotes: listed('CreditNotes'),
      getPayments: listed('Payments'),
      getInvoicesByIds: async () => [],
    },
  };
  const poller = createXeroPoller(deps, { intervalMs, idleMaxMs, clock });
  /** When each poll of the tenant began (its Invoices listing). */
  const pollsOf = (tenantId: string) =>
    listings.filter((l) => l.tenantId === tenantId && l.resource === 'Invoices').map((l) => l.at - T);
  /** An invoice changed in Xero now. */
  const change = (tenantId: string, invoiceID: string) =>
    invoices.get(tenantId)!.push({ invoiceID, updatedDateUTC: new Date(clock.now()) });
  return { poller, clock, listings, written, watermarks, pollsOf, change };
}

/** Starts the poller (each tenant's first poll at the start), runs `body`, and stops the poller whatever happens. */
async function whileRunning(setup: ReturnType<typeof idleSetup>, body: () => Promise<void>): Promise<void> {
  setup.poller.start();
  await setup.clock.advance(0);
  try {
    await body();
  } finally {
    await setup.poller.stop();
  }
}

describe('idle backoff', () => {
  it("an idle tenant's wait doubles from the interval to the cap: 495 calls in a day, well under Xero's 5,000", async () => {
    const setup = idleSetup(['tenant-1']);
    const { clock, listings, pollsOf } = setup;
    await whileRunning(setup, async () => {
      await clock.advance(DAY - 1);
    });
    const polls = pollsOf('tenant-1');
    // waits of 2, 4, 8, then 15 minutes (the cap): 99 polls of five listings, against 1,440 polls (7,200 calls) before
    expect(polls.slice(0, 6)).toEqual([0, 2, 6, 14, 29, 44].map((m) => m * MINUTE));
    expect(polls).toHaveLength(99);
    expect(idlePollsIn(DAY, MINUTE, 15 * MINUTE)).toBe(99);
    expect(listings).toHaveLength(5 * 99);
    expect(listings.length).toBeLessThan(5_000 / 10);
  });

  it('a change made while the tenant waits is read by its next poll, from the same watermark; then the interval again', async () => {
    const setup = idleSetup(['tenant-1']);
    const { poller, clock, written, watermarks, pollsOf, change, listings } = setup;
    change('tenant-1', 'a');
    await whileRunning(setup, async () => {
      await clock.advance(2 * 60 * MINUTE); // backed off to the cap since
      expect(written).toEqual([{ tenantId: 'tenant-1', id: 'a' }]);
      const mark = watermarks.get('tenant-1/Invoices');
      expect(mark).toEqual({ at: T, idsAtTimestamp: ['a'] });
      expect(poller.pace('tenant-1', 'Invoices')?.waitMs).toBe(15 * MINUTE);

      const due = poller.pace('tenant-1', 'Invoices')!.dueAt;
      await clock.advance(MINUTE);
      change('tenant-1', 'b'); // in Xero, with no webhook: nothing polls it before the tenant's next poll is due
      const pollsBefore = pollsOf('tenant-1').length;
      await clock.advance(due - clock.now() - 1);
      expect(pollsOf('tenant-1')).toHaveLength(pollsBefore);
      await clock.advance(1);
      expect(written.map((w) => w.id)).toEqual(['a', 'b']);
      // asked from the watermark less the skew, as every poll does: nothing between the two is skipped
      const asked = listings.filter((l) => l.resource === 'Invoices').at(-1)!;
      expect(asked.modifiedSince).toEqual(new Date(T - 5_000));
      expect(watermarks.get('tenant-1/Invoices')?.idsAtTimestamp).toEqual(['b']);
      // fresh invoices: Invoices is active, its next poll an interval later
      expect(poller.pace('tenant-1', 'Invoices')).toEqual({ waitMs: MINUTE, dueAt: due + MINUTE });
      await clock.advance(MINUTE);
      expect(pollsOf('tenant-1').at(-1)).toBe(due + MINUTE - T);
    });
  });

  it('a Xero webhook polls a backed-off tenant within seconds and brings it back to the interval', async () => {
    const setup = idleSetup(['tenant-1']);
    const { poller, clock, pollsOf } = setup;
    await whileRunning(setup, async () => {
      await clock.advance(60 * MINUTE);
      const polls = pollsOf('tenant-1').length;
      const now = clock.now() - T;
      poller.xeroChanged('TENANT-1'); // webhooks may spell the tenant id in upper case
      // 5 s for the webhook's own job to write the invoice and its payments first (the poll then reads nothing twice)
      await clock.advance(5_000 - 1);
      expect(pollsOf('tenant-1')).toHaveLength(polls);
      await clock.advance(1);
      expect(pollsOf('tenant-1')).toEqual([...pollsOf('tenant-1').slice(0, polls), now + 5_000]);
      // nothing fresh this time, yet the webhook said the tenant is active: the interval, not a doubled wait
      expect(poller.pace('tenant-1')).toEqual({ waitMs: MINUTE, dueAt: clock.now() + MINUTE });
      // at the interval already, a second webhook does not poll again at once: the next poll is within a minute anyway
      poller.xeroChanged('tenant-1');
      await clock.advance(MINUTE - 1);
      expect(pollsOf('tenant-1')).toHaveLength(polls + 1);
      await clock.advance(1);
      expect(pollsOf('tenant-1')).toHaveLength(polls + 2);
    });
  });

  it("the bridge's own write brings a backed-off tenant's next poll within the interval", async () => {
    const setup = idleSetup(['tenant-1']);
    const { poller, clock, pollsOf } = setup;
    await whileRunning(setup, async () => {
      await clock.advance(60 * MINUTE);
      expect(poller.pace('tenant-1')?.waitMs).toBe(15 * MINUTE);
      const polls = pollsOf('tenant-1').length;
      const wroteAt = clock.now();
      poller.bridgeWrote('tenant-1');
      expect(poller.pace('tenant-1')).toEqual({ waitMs: MINUTE, dueAt: wroteAt + MINUTE });
      await clock.advance(MINUTE);
      expect(pollsOf('tenant-1').slice(polls)).toEqual([wroteAt + MINUTE - T]);
    });
  });

  it('tenants back off independently: a busy tenant polls every interval, an idle one backs off, a wake-up is its own', async () => {
    const setup = idleSetup(['busy', 'idle']);
    const { poller, clock, pollsOf, change } = setup;
    change('busy', 'busy-start');
    await whileRunning(setup, async () => {
      for (let minute = 0; minute < 120; minute += 1) {
        change('busy', `busy-${minute}`);
        await clock.advance(MINUTE);
      }
      expect(pollsOf('busy')).toHaveLength(121);
      expect(pollsOf('idle')).toHaveLength(idlePollsIn(120 * MINUTE + 1, MINUTE, 15 * MINUTE));
      expect(poller.pace('idle')?.waitMs).toBe(15 * MINUTE);
      const busyPolls = pollsOf('busy').length;
      poller.xeroChanged('idle');
      await clock.advance(5_000);
      expect(pollsOf('idle').at(-1)).toBe(clock.now() - T);
      expect(pollsOf('busy')).toHaveLength(busyPolls);
    });
  });

  it('a tenant the bridge keeps writing to polls Invoices every interval; the rest back off as if it were idle', async () => {
    const setup = idleSetup(['tenant-1']);
    const { poller, clock, listings } = setup;
    await whileRunning(setup, async () => {
      for (let minute = 0; minute < 120; minute += 1) {
        poller.bridgeWrote('tenant-1'); // a draft or an approval each minute, all day
        await clock.advance(MINUTE);
      }
      const count = (resource: string) => listings.filter((l) => l.resource === resource).length;
      expect(count('Invoices')).toBe(121);
      const idle = idlePollsIn(120 * MINUTE + 1, MINUTE, 15 * MINUTE);
      for (const resource of ['CreditNotes', 'Payments', 'Overpayments', 'Prepayments'])
        expect(count(resource)).toBe(idle);
      expect(poller.pace('tenant-1', 'Payments')?.waitMs).toBe(15 * MINUTE);
      // a day of it: 1,440 Invoices polls and 4 × 99 others, where every resource every minute made 7,200
      expect(1_440 + 4 * idlePollsIn(DAY, MINUTE, 15 * MINUTE)).toBe(1_836);
    });
  });

  /** A draft or an approval by the bridge each minute: a new document in Xero (its mirror holds it) and the wake. */
  async function bridgeWritesEachMinute(
    setup: ReturnType<typeof idleSetup>,
    minutes: number,
    also?: () => void,
    echoed?: () => void,
  ) {
    for (let minute = 0; minute < minutes; minute += 1) {
      setup.change('tenant-1', `own-${minute}`);
      setup.poller.bridgeWrote('tenant-1');
      echoed?.();
      if (minute === 3) also?.();
      await setup.clock.advance(MINUTE);
    }
  }

  it("with webhooks, listings of only the bridge's own writes count as nothing: Invoices backs off", async () => {
    const setup = idleSetup(['tenant-1']);
    const { poller, written, pollsOf } = setup;
    poller.xeroChanged('tenant-1'); // a webhook came from the tenant: it has webhooks
    await whileRunning(setup, async () => {
      await bridgeWritesEachMinute(setup, 10);
      // each poll lists the new drafts (and the poller writes them back: the mirrors hold them, nothing changes)
      expect(written.map((w) => w.id)).toEqual([0, 1, 2, 3, 4, 5].map((m) => `own-${m}`));
      // waits of 2 and 4 minutes, as on an idle tenant, where every poll of Invoices came a minute apart before
      expect(pollsOf('tenant-1')).toEqual([0, 2, 6].map((m) => m * MINUTE));
      expect(poller.pace('tenant-1', 'Invoices')?.waitMs).toBe(8 * MINUTE);
    });
  });

  it('with webhooks, one document of a listing changed in Xero keeps the tenant at the interval', async () => {
    const setup = idleSetup(['tenant-1'], { changedInXero: (id) => id === 'edited-in-xero' });
    const { poller, pollsOf, change } = setup;
    poller.xeroChanged('tenant-1');
    await whileRunning(setup, async () => {
      // among the bridge's drafts, finance edits an invoice in Xero at minute 3: the poll at 6 writes it
      await bridgeWritesEachMinute(setup, 10, () => change('tenant-1', 'edited-in-xero'));
      // at the interval after the poll that wrote it (every resource: payments come with such changes), then back off
      expect(pollsOf('tenant-1')).toEqual([0, 2, 6, 7, 9].map((m) => m * MINUTE));
    });
  });

  it('without webhooks, Invoices keeps the interval while the bridge writes: a payment after an approval shows', async () => {
    const setup = idleSetup(['tenant-1']);
    const { poller, pollsOf } = setup;
    await whileRunning(setup, async () => {
      await bridgeWritesEachMinute(setup, 10);
      expect(pollsOf('tenant-1')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((m) => m * MINUTE));
      expect(poller.pace('tenant-1', 'Invoices')?.waitMs).toBe(MINUTE);
    });
  });

  it('without the bridge writing, fresh documents keep a tenant without webhooks at the interval', async () => {
    const setup = idleSetup(['tenant-1']);
    const { pollsOf, change, clock } = setup;
    await whileRunning(setup, async () => {
      // a document new to the watermark each minute that changes no mirror (the bridge's, from another replica)
      for (let minute = 0; minute < 5; minute += 1) {
        change('tenant-1', `elsewhere-${minute}`);
        await clock.advance(MINUTE);
      }
      // the first poll after the start found nothing (2 minutes); then each finds one: the interval
      expect(pollsOf('tenant-1')).toEqual([0, 2, 3, 4, 5].map((m) => m * MINUTE));
    });
  });

  it('webhooks stopped: the idle cap after the last one, the tenant is back on the rules without them', async () => {
    const setup = idleSetup(['tenant-1']);
    const { poller, clock, pollsOf } = setup;
    poller.xeroChanged('tenant-1');
    await whileRunning(setup, async () => {
      await clock.advance(10 * MINUTE); // the last webhook at 0; none since
      const waiting = poller.pace('tenant-1', 'Invoices');
      expect(waiting).toEqual({ waitMs: 8 * MINUTE, dueAt: T + 14 * MINUTE });
      poller.bridgeWrote('tenant-1'); // within the cap of a webhook: its own webhook will say more
      expect(poller.pace('tenant-1', 'Invoices')).toEqual(waiting);
      await clock.advance(5 * MINUTE + 1);
      const polls = pollsOf('tenant-1').length;
      const wroteAt = clock.now();
      poller.bridgeWrote('tenant-1'); // the last webhook more than 15 minutes ago: the wake is back
      expect(poller.pace('tenant-1', 'Invoices')).toEqual({ waitMs: MINUTE, dueAt: wroteAt + MINUTE });
      await clock.advance(MINUTE);
      expect(pollsOf('tenant-1').slice(polls)).toEqual([wroteAt + MINUTE - T]);
    });
  });

  it("the webhooks of the bridge's own approvals and emails (heard, nothing written) wake nothing: Invoices backs off", async () => {
    const setup = idleSetup(['tenant-1']);
    const { poller, pollsOf, clock } = setup;
    poller.webhookHeard('tenant-1'); // the tenant has webhooks
    await whileRunning(setup, async () => {
      // an approval a minute, each followed by its email: two webhooks each, whose XERO_CHANGE jobs write nothing
      // (the mirror holds the approval, the email is known for the bridge's own: own-writes.ts), so only heard
      await bridgeWritesEachMinute(setup, 10, undefined, () => {
        poller.webhookHeard('tenant-1');
        poller.webhookHeard('TENANT-1');
      });
      expect(pollsOf('tenant-1')).toEqual([0, 2, 6].map((m) => m * MINUTE));
      expect(poller.pace('tenant-1', 'Payments')?.waitMs).toBe(8 * MINUTE);
      // a webhook whose job wrote a change (a payment made in Xero) wakes every resource within seconds
      const at = clock.now();
      poller.xeroChanged('tenant-1');
      expect(poller.pace('tenant-1', 'Payments')).toEqual({ waitMs: MINUTE, dueAt: at + 5_000 });
    });
  });

  it('a webhook that only created documents wakes Invoices and CreditNotes; an update wakes every resource', async () => {
    const setup = idleSetup(['tenant-1']);
    const { poller, clock } = setup;
    await whileRunning(setup, async () => {
      await clock.advance(60 * MINUTE);
      poller.xeroChanged('tenant-1', 'created');
      expect(poller.pace('tenant-1', 'Invoices')?.waitMs).toBe(MINUTE);
      expect(poller.pace('tenant-1', 'CreditNotes')?.waitMs).toBe(MINUTE);
      expect(poller.pace('tenant-1', 'Payments')?.waitMs).toBe(15 * MINUTE);
      poller.xeroChanged('tenant-1', 'updated');
      for (const resource of ['Payments', 'Overpayments', 'Prepayments'] as const) {
        expect(poller.pace('tenant-1', resource)).toEqual({ waitMs: MINUTE, dueAt: clock.now() + 5_000 });
      }
    });
  });

  it('an Invoices poll that wrote a change made in Xero wakes every resource: payments and credits come with it', async () => {
    const setup = idleSetup(['tenant-1'], { changedInXero: true });
    const { poller, clock, change } = setup;
    await whileRunning(setup, async () => {
      await clock.advance(60 * MINUTE);
      expect(poller.pace('tenant-1', 'Payments')?.waitMs).toBe(15 * MINUTE);
      change('tenant-1', 'edited-in-xero');
      await clock.advance(poller.pace('tenant-1', 'Invoices')!.dueAt - clock.now());
      expect(poller.pace('tenant-1', 'Payments')?.waitMs).toBe(MINUTE);
      expect(poller.pace('tenant-1', 'Prepayments')?.dueAt).toBeLessThanOrEqual(clock.now() + MINUTE);
    });
  });

  it('without a cap (or one below the interval) the poller polls every interval, as before', () => {
    expect(idlePollsIn(DAY, MINUTE, MINUTE)).toBe(1_440);
    expect(idlePollsIn(DAY, 5 * MINUTE, MINUTE)).toBe(288);
  });

  it("reports the bridge's writes to a tenant as they are made, so their own webhooks find the tenant active", async () => {
    const setup = idleSetup(['tenant-1']);
    const { poller, clock, pollsOf } = setup;
    const order: string[] = [];
    let answer = (): void => undefined;
    // The real call path (calls.ts) with a scheduler that runs at once and a token store that always has a token.
    const call = createXeroCall({
      basePath: 'http://xero.invalid/api.xro/2.0',
      timeoutMs: 5_000,
      tokens: {
        connectionIdForTenant: async () => 'conn-1',
        getAccessToken: async () => 'token',
        refresh: async () => {
          throw new Error('this test never refreshes a token');
        },
      },
      scheduler: { schedule: (_tenantId, run) => run() },
      maxRetryAfterMs: 60_000,
      onTenantWrite: (tenantId) => {
        order.push(`wrote ${tenantId}`);
        poller.bridgeWrote(tenantId);
      },
    });
    const client = {
      createInvoices: (tenantId: string, ids: string[]) =>
        call(tenantId, 'createInvoices', () => {
          order.push(`sent ${tenantId}`);
          return new Promise<{ body: string[] }>((resolve) => (answer = () => resolve({ body: ids })));
        }),
      getInvoices: (tenantId: string) => call(tenantId, 'getInvoices', async () => ({ body: [tenantId] })),
    };
    await whileRunning(setup, async () => {
      await clock.advance(60 * MINUTE); // backed off to the cap
      const polls = pollsOf('tenant-1').length;
      const created = client.createInvoices('tenant-1', ['a']);
      await new Promise((resolve) => setImmediate(resolve)); // the call reaches Xero
      expect(order).toEqual(['wrote tenant-1', 'sent tenant-1']);
      // Xero's webhook for the draft arrives before its answer: the tenant is active, so no poll is brought forward
      poller.xeroChanged('tenant-1');
      answer();
      await expect(created).resolves.toEqual(['a']);
      await clock.advance(MINUTE - 1);
      expect(pollsOf('tenant-1')).toHaveLength(polls);
      await clock.advance(1);
      expect(pollsOf('tenant-1')).toHaveLength(polls + 1);
      expect(await client.getInvoices('tenant-1')).toEqual(['tenant-1']);
      expect(order).toHaveLength(2); // reads are not writes
    });
  });
});
