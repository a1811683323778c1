import { soqlDateTime } from '../salesforce/queries';
import { storedJob } from '../store/__fixtures__/jobs';
import { createMetrics } from '../server/metrics';
import { createReconciler, MAX_LOOKBACK_MS, NOT_RECONCILED } from './reconcile';

const OPP_A = '006000000000001AAA';
const OPP_B = '006000000000002AAA';
const INV = 'a03000000000001AAA';
const CHANNEL = '/event/Invoice_Request__e';
const NOW = Date.UTC(2026, 2, 14, 9, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function setup(opts: { autoDraftOnClose?: boolean; cursorSavedAt?: number | null } = {}) {
  const keys = new Set<string>([`CREATE_DRAFT:${OPP_B}:1`]);
  const enqueued: unknown[] = [];
  const asked: number[] = [];
  const logged: { level: 'error' | 'warn'; obj: Record<string, unknown>; msg: string }[] = [];
  const metrics = createMetrics({ defaultMetrics: false });
  const reconciler = createReconciler({
    queries: {
      wonWithoutInvoice: async (since) => {
        asked.push(since);
        return [OPP_A, OPP_B];
      },
      approvedNotAuthorised: async () =>
        [{ Id: INV, Opportunity__c: OPP_B, Total__c: 1200, Xero_Updated__c: '2026-03-10T10:00:00.000+0000' }] as never,
    },
    jobs: {
      enqueueJob: async (job) => {
        const created = !keys.has(job.key);
        keys.add(job.key);
        if (created) enqueued.push(job);
        return { job: storedJob(job, keys.size), created };
      },
    },
    reference: { settings: async () => ({ autoDraftOnClose: opts.autoDraftOnClose ?? true, readOnly: false }) },
    cursors: { savedAt: async () => (opts.cursorSavedAt === undefined ? NOW - 6 * DAY : opts.cursorSavedAt) },
    metrics,
    clock: { now: () => NOW },
    log: {
      error: ((obj: Record<string, unknown>, msg: string) => logged.push({ level: 'error', obj, msg })) as never,
      warn: ((obj: Record<string, unknown>, msg: string) => logged.push({ level: 'warn', obj, msg })) as never,
    },
  });
  const gaps = async () =>
    (await metrics.registry.getSingleMetric('ledgerline_event_gaps_total')!.get()).values.map((v) => [
      v.labels,
      v.value,
    ]);
  return { reconciler, enqueued, asked, logged, gaps };
}

describe('reconcile after an event gap', () => {
  it('queues CREATE_DRAFT under the Apex key rule for won opportunities without an invoice, once', async () => {
    const { reconciler, enqueued } = setup();
    expect(await reconciler.reconcile(CHANNEL)).toMatchObject({ drafts: 1 });
    expect(enqueued).toContainEqual({
      key: `CREATE_DRAFT:${OPP_A}:1`,
      action: 'CREATE_DRAFT',
      payload: { action: 'CREATE_DRAFT', requestKey: `CREATE_DRAFT:${OPP_A}:1`, opportunityId: OPP_A },
    });
    expect(await reconciler.reconcile(CHANNEL)).toMatchObject({ drafts: 0, approvals: 0 });
  });

  it('queues no drafts when auto-draft on close is off (approvals still)', async () => {
    const { reconciler, enqueued } = setup({ autoDraftOnClose: false });
    expect(await reconciler.reconcile(CHANNEL)).toMatchObject({ drafts: 0, approvals: 1 });
    expect(enqueued.map((j) => (j as { action: string }).action)).toEqual(['AUTHORISE']);
  });

  it("looks back from the cursor's last save, less an hour: a deal closed 5 days ago, the cursor 6 days old", async () => {
    const { reconciler, asked } = setup({ cursorSavedAt: NOW - 6 * DAY });
    expect(await reconciler.reconcile(CHANNEL)).toMatchObject({ since: NOW - 6 * DAY - HOUR });
    expect(asked).toEqual([NOW - 6 * DAY - HOUR]);
  });

  it('looks back at least 4 days, and at most 30 (saying so)', async () => {
    const recent = setup({ cursorSavedAt: NOW - HOUR });
    expect((await recent.reconciler.reconcile(CHANNEL)).since).toBe(NOW - 4 * DAY);
    const old = setup({ cursorSavedAt: NOW - 90 * DAY });
    expect((await old.reconciler.reconcile(CHANNEL)).since).toBe(NOW - MAX_LOOKBACK_MS);
    const error = old.logged.find((l) => l.level === 'error')!;
    expect(error.obj).toMatchObject({ notLookedBefore: new Date(NOW - MAX_LOOKBACK_MS).toISOString() });
    expect(error.msg).toMatch(/nothing before .* \(30 days\) is looked for/);
  });

  it("queues AUTHORISE for an approval made while the bridge was away, under the trigger's key, with what was approved", async () => {
    const { reconciler, enqueued } = setup();
    expect(await reconciler.reconcile(CHANNEL)).toMatchObject({ approvals: 1 });
    expect(enqueued).toContainEqual({
      key: `AUTHORISE:${INV}:1`,
      action: 'AUTHORISE',
      payload: {
        action: 'AUTHORISE',
        requestKey: `AUTHORISE:${INV}:1`,
        invoiceId: INV,
        opportunityId: OPP_B,
        payload: { approvedTotal: '1200.00', xeroUpdated: '2026-03-10T10:00:00.000Z' }, // as the trigger's JSON
      },
    });
  });

  it('logs the gap at error level with its window and the requests not recovered, and counts it', async () => {
    const { reconciler, logged, gaps } = setup({ cursorSavedAt: NOW - 6 * DAY });
    await reconciler.reconcile(CHANNEL);
    const error = logged.find((l) => l.level === 'error');
    expect(error?.obj).toMatchObject({
      channel: CHANNEL,
      lastStoredAt: new Date(NOW - 6 * DAY).toISOString(),
      lookedBackTo: new Date(NOW - 6 * DAY - HOUR).toISOString(),
      notReconciled: NOT_RECONCILED,
    });
    expect(Object.keys(NOT_RECONCILED)).toEqual(expect.arrayContaining(['AUTHORISE_CREDIT_NOTE', 'VOID', 'CREDIT']));
    expect(error?.msg).toMatch(/platform events were lost/);
    expect(await gaps()).toEqual([[{ channel: CHANNEL }, 1]]);
  });
});

describe('the time the reconcile looks back to, in SOQL', () => {
  it('is a dateTime literal in UTC, to the second (SOQL takes no milliseconds)', () => {
    expect(soqlDateTime(Date.UTC(2026, 2, 14, 9, 0, 5, 750))).toBe('2026-03-14T09:00:05Z');
    expect(() => soqlDateTime(Number.NaN)).toThrow(TypeError);
  });
});
