import pino from 'pino';
import type { XeroCreditNote, XeroInvoice } from '../../xero/types';
import type { JobOf } from '../handler';
import { getCreditNotesByIds, XERO_CHANGE_BURST, xeroChangeHandler, type XeroChangeDeps } from './xero-change-handler';

const awaiting: string[] = [];
const appliedInvoices: { tenant: string; ids: string[] }[] = [];

/** Records the invoices that would be written back, and says which still wait for their mirror. */
const apply: XeroChangeDeps['apply'] = {
  applyCreditNotes: async () => ({
    changed: [],
    stale: 0,
    unchanged: 0,
    awaitingMirror: [],
    errors: [],
    allocatedInvoiceIds: [],
  }),
  // No mirror holds any of them here: every invoice named is read, then written back.
  applyInvoiceEvents: async (tenant, events, readFull) => {
    const invoices = await readFull(events.map((e) => e.invoiceId));
    appliedInvoices.push({ tenant, ids: invoices.map((i) => String(i.invoiceID)) });
    return { changed: [], stale: 0, unchanged: 0, awaitingMirror: [...awaiting], errors: [] };
  },
};

const INV1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const INV2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const UK = '11111111-1111-4111-8111-111111111111';
const US = '22222222-2222-4222-8222-222222222222';

function job(
  id: number,
  tenantId: string,
  resourceId: string,
  eventType = 'UPDATE',
  attempts = 1,
): JobOf<'XERO_CHANGE'> {
  return {
    id,
    key: `k${id}`,
    action: 'XERO_CHANGE',
    payload: { tenantId, resourceId, eventCategory: 'INVOICE', eventType },
    tenantId,
    state: 'running',
    attempts,
    nextRunAt: 0,
    lastError: null,
    result: null,
    leaseOwner: 'me',
    leaseExpiresAt: null,
    createdAt: 0,
    updatedAt: 0,
  };
}

function deps(getInvoicesByIds: (tenant: string, ids: readonly string[]) => Promise<XeroInvoice[]>): XeroChangeDeps {
  return {
    apply,
    xeroResults: { madeByBridge: async () => new Set() },
    log: pino({ level: 'silent' }),
    clock: { now: () => now },
    xero: { getInvoicesByIds, getCreditNotes: async () => ({ items: [], page: 1, pageSize: 100, hasMore: false }) },
  };
}

/** The handler's clock: each test starts far from any earlier read. */
let now = 0;

beforeEach(() => {
  now += 60_000;
  awaiting.splice(0);
  appliedInvoices.splice(0);
});

describe('XERO_CHANGE handler', () => {
  it('fetches each tenant’s changed invoices once, however many events name them', async () => {
    const fetched: string[][] = [];
    const handler = xeroChangeHandler(
      deps(async (_tenant, ids) => {
        fetched.push([...ids]);
        return ids.map((invoiceID) => ({ invoiceID }));
      }),
    );
    const outcomes = await handler.run([job(1, UK, INV1), job(2, UK, INV1.toUpperCase()), job(3, US, INV2)]);
    expect(fetched).toEqual([[INV1], [INV2]]);
    expect([...outcomes.values()].map((o) => o.kind)).toEqual(['done', 'done', 'done']);
  });

  it('a Xero failure retries the tenant’s events; other tenants are done', async () => {
    const handler = xeroChangeHandler(
      deps(async (tenant, ids) => {
        if (tenant === UK) throw Object.assign(new Error('Xero is down'), { status: 503 });
        return ids.map((invoiceID) => ({ invoiceID }));
      }),
    );
    const outcomes = await handler.run([job(1, UK, INV1), job(2, US, INV2)]);
    expect(outcomes.get(1)).toMatchObject({ kind: 'retry' });
    expect(outcomes.get(2)).toMatchObject({ kind: 'done' });
  });

  it('an update of a bridge-made invoice without its mirror yet waits a little; its CREATE event does not', async () => {
    awaiting.push(INV1);
    const handler = xeroChangeHandler(deps(async (_t, ids) => ids.map((invoiceID) => ({ invoiceID }))));
    const outcomes = await handler.run([
      job(1, UK, INV1, 'UPDATE'),
      job(2, UK, INV1, 'CREATE'),
      job(3, UK, INV1, 'UPDATE', 3),
    ]);
    expect(outcomes.get(1)).toMatchObject({ kind: 'retry', delayMs: expect.any(Number) });
    expect(outcomes.get(2)).toMatchObject({ kind: 'done' });
    expect(outcomes.get(3)).toMatchObject({ kind: 'done' });
  });

  it("gathers a tenant's changes: a burst of reads at once, then one every 2 s, the waiting events held uncounted", async () => {
    const fetched: string[][] = [];
    const handler = xeroChangeHandler(
      deps(async (_tenant, ids) => {
        fetched.push([...ids]);
        return ids.map((invoiceID) => ({ invoiceID }));
      }),
    );
    const invoice = (n: number) => `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
    for (let n = 1; n <= XERO_CHANGE_BURST; n += 1) {
      expect((await handler.run([job(n, UK, invoice(n))])).get(n)).toMatchObject({ kind: 'done' });
      now += 100;
    }
    // 100 ms after the burst's last read, UK waits for its next read at the 2 s pace; US, read never, is read at once
    const soon = await handler.run([job(90, UK, INV2), job(91, US, INV2)]);
    const waitMs = 2_000 - XERO_CHANGE_BURST * 100;
    expect(soon.get(90)).toEqual({ kind: 'hold', reason: expect.stringContaining('every 2 s'), delayMs: waitMs });
    expect(soon.get(91)).toMatchObject({ kind: 'done' });
    now += waitMs;
    const gathered = await handler.run([job(90, UK, INV2), job(92, UK, INV1)]);
    expect([...gathered.values()].map((o) => o.kind)).toEqual(['done', 'done']);
    expect(fetched.at(-1)).toEqual([INV2, INV1]);
    expect(fetched).toHaveLength(XERO_CHANGE_BURST + 2);
  });

  it('events that needed no read from Xero (echoes the mirrors hold) spend nothing', async () => {
    const fetched: string[][] = [];
    const mirrored = new Set([INV1]); // its mirror holds the version the event names: the bridge's own approval
    const handler = xeroChangeHandler({
      ...deps(async (_tenant, ids) => {
        fetched.push([...ids]);
        return ids.map((invoiceID) => ({ invoiceID }));
      }),
      apply: {
        ...apply,
        applyInvoiceEvents: async (_tenant, events, readFull) => {
          const toRead = events.map((e) => e.invoiceId).filter((id) => !mirrored.has(id));
          if (toRead.length > 0) await readFull(toRead);
          return { changed: [], stale: 0, unchanged: events.length - toRead.length, awaitingMirror: [], errors: [] };
        },
      },
    });
    for (let id = 1; id <= XERO_CHANGE_BURST; id += 1) {
      expect((await handler.run([job(id, UK, INV1)])).get(id)).toMatchObject({ kind: 'done' });
      now += 10;
    }
    // a burst of echoes, then a burst of reads at once: none held
    for (let id = 1; id <= XERO_CHANGE_BURST; id += 1) {
      expect((await handler.run([job(10 + id, UK, INV2)])).get(10 + id)).toMatchObject({ kind: 'done' });
      now += 10;
    }
    expect(fetched).toHaveLength(XERO_CHANGE_BURST);
    expect((await handler.run([job(99, UK, INV2)])).get(99)).toMatchObject({ kind: 'hold' });
  });
});

describe('credit notes by id', () => {
  it('asks 40 guids a call and refuses anything that is not a guid', async () => {
    const wheres: string[] = [];
    const ids = Array.from({ length: 45 }, (_, i) => `bbbbbbbb-0000-4000-8000-${String(i).padStart(12, '0')}`);
    await getCreditNotesByIds(
      {
        getCreditNotes: async (_tenant, query) => {
          wheres.push(query?.where ?? '');
          return { items: [], page: 1, pageSize: 100, hasMore: false };
        },
      },
      UK,
      [...ids, 'x") OR Total>0 OR ("'],
    );
    expect(wheres).toHaveLength(2);
    expect(wheres[0]!.split(' OR ')).toHaveLength(40);
    expect(wheres[0]).toMatch(/^CreditNoteID==Guid\("bbbbbbbb-0000-4000-8000-000000000000"\) OR /);
    expect(wheres.join(' ')).not.toContain('Total');
  });
});

describe('an invoice raised in Xero and a credit note allocated to it, read together', () => {
  const NOTE = 'cccccccc-0000-4000-8000-000000000001';
  const noteJob = (id: number): JobOf<'XERO_CHANGE'> => {
    const base = job(id, UK, NOTE);
    return { ...base, payload: { ...base.payload, eventCategory: 'CREDITNOTE' } };
  };

  /**
   * A fake Salesforce behind the apply: an invoice written gets its mirror; a credit note is linked to the invoice
   * its allocation names only if that invoice has a mirror when the note is written. Every Xero read is recorded.
   */
  function linking() {
    const reads: string[] = [];
    const mirrored = new Set<string>();
    const links: { note: string; invoice: string | null }[] = [];
    const note = {
      creditNoteID: NOTE,
      type: 'ACCRECCREDIT',
      allocations: [{ allocationID: 'allocation-1', amount: 10, invoice: { invoiceID: INV1 } }],
    } as XeroCreditNote;
    const readInvoices = async (_tenant: string, ids: readonly string[]) => {
      reads.push(`invoices ${ids.join(',')}`);
      return ids.map((invoiceID) => ({ invoiceID }));
    };
    const handler = xeroChangeHandler({
      ...deps(readInvoices),
      xero: {
        getInvoicesByIds: readInvoices,
        getCreditNotes: async () => {
          reads.push('credit notes');
          return { items: [note], page: 1, pageSize: 100, hasMore: false };
        },
      },
      apply: {
        applyInvoiceEvents: async (_tenant, events, readFull) => {
          for (const invoice of await readFull(events.map((e) => e.invoiceId))) mirrored.add(String(invoice.invoiceID));
          return { changed: [], stale: 0, unchanged: 0, awaitingMirror: [], errors: [] };
        },
        applyCreditNotes: async (_tenant, notes) => {
          const allocated = notes.flatMap((n) => (n.allocations ?? []).map((a) => String(a.invoice?.invoiceID)));
          for (const n of notes) {
            const invoice = allocated.find((id) => mirrored.has(id)) ?? null;
            links.push({ note: String(n.creditNoteID), invoice });
          }
          return {
            changed: [],
            stale: 0,
            unchanged: 0,
            awaitingMirror: [],
            errors: [],
            allocatedInvoiceIds: allocated,
          };
        },
      },
    });
    return { handler, reads, links };
  }

  it('writes the invoice before the credit note, so the note and its allocation keep their invoice', async () => {
    const { handler, reads, links } = linking();
    const outcomes = await handler.run([job(1, UK, INV1, 'CREATE'), noteJob(2)]);
    expect(links).toEqual([{ note: NOTE, invoice: INV1 }]);
    // The invoice is read once, after the note: it holds what the note's allocation credited.
    expect(reads).toEqual(['credit notes', `invoices ${INV1}`]);
    expect([...outcomes.values()].map((o) => o.kind)).toEqual(['done', 'done']);
  });

  it('a credit note alone: the invoice its allocation names is read and mirrored first', async () => {
    const { handler, reads, links } = linking();
    await handler.run([noteJob(1)]);
    expect(links).toEqual([{ note: NOTE, invoice: INV1 }]);
    expect(reads).toEqual(['credit notes', `invoices ${INV1}`]);
  });
});

describe('XERO_CHANGE and the poller', () => {
  /** A handler whose apply writes the invoices named in `changes` (a change made in Xero), and nothing else. */
  function writing(changes: Set<string>, unsure: string[] = [], madeByBridge = new Set<string>()) {
    const woken: [string, string][] = [];
    const handler = xeroChangeHandler({
      ...deps(async (_tenant, ids) => ids.map((invoiceID) => ({ invoiceID }))),
      apply: {
        ...apply,
        applyInvoiceEvents: async (_tenant, events) => ({
          changed: events
            .filter((e) => changes.has(e.invoiceId))
            .map((e) => ({ id: e.invoiceId, opportunityId: null, accountId: null, change: 'PAYMENT' as const })),
          stale: 0,
          unchanged: events.filter((e) => !changes.has(e.invoiceId)).length,
          awaitingMirror: [],
          errors: [],
          unsure,
        }),
      },
      xeroResults: { madeByBridge: async () => madeByBridge },
      onChanged: (tenantId, change) => woken.push([tenantId, change]),
    });
    return { handler, woken };
  }

  it('wakes the tenant’s poller only when it wrote a change, not for echoes of the bridge’s own writes', async () => {
    const { handler, woken } = writing(new Set([INV2]));
    // the bridge's own approval and email, echoed: the mirror holds them, nothing written, nothing woken
    await handler.run([job(1, UK, INV1), job(2, UK, INV1, 'UPDATE')]);
    expect(woken).toEqual([]);
    // a payment made in Xero changed an invoice of the US tenant: its poller wakes (payments have no webhooks)
    now += 60_000;
    await handler.run([job(3, US, INV2), job(4, UK, INV1)]);
    expect(woken).toEqual([[US, 'updated']]);
  });

  it('a change that only created documents wakes with `created` (no payment on them yet)', async () => {
    const { handler, woken } = writing(new Set([INV2]));
    await handler.run([job(1, US, INV2, 'CREATE')]);
    expect(woken).toEqual([[US, 'created']]);
  });

  it('an event left unread on a guess (same second as the mirror) wakes as a change: the poll compares fields', async () => {
    const { handler, woken } = writing(new Set(), [INV1]);
    await handler.run([job(1, UK, INV1)]);
    expect(woken).toEqual([[UK, 'updated']]);
  });

  it('but not for the creation of a draft the bridge made (an invoice is created once)', async () => {
    const { handler, woken } = writing(new Set(), [INV1], new Set([INV1]));
    await handler.run([job(1, UK, INV1, 'CREATE')]);
    expect(woken).toEqual([]);
  });
});
