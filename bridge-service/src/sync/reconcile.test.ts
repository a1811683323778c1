import pino from 'pino';
import { storedJob } from '../store/__fixtures__/jobs';
import { createReconciler } from './reconcile';

const OPP_A = '006000000000001AAA';
const OPP_B = '006000000000002AAA';

function setup(autoDraftOnClose = true) {
  const keys = new Set<string>([`CREATE_DRAFT:${OPP_B}:1`]);
  const enqueued: unknown[] = [];
  const reconciler = createReconciler({
    queries: { wonWithoutInvoice: async () => [OPP_A, OPP_B] },
    jobs: {
      enqueueJob: async (job) => {
        const created = !keys.has(job.key);
        keys.add(job.key);
        if (created) enqueued.push(job);
        return { job: storedJob(job, keys.size), created };
      },
    },
    reference: { settings: async () => ({ autoDraftOnClose, readOnly: false }) },
    log: pino({ level: 'silent' }),
  });
  return { reconciler, enqueued };
}

describe('reconcile after an event gap', () => {
  it('queues CREATE_DRAFT under the Apex key rule for won opportunities without an invoice, once', async () => {
    const { reconciler, enqueued } = setup();
    expect(await reconciler.reconcile()).toBe(1);
    expect(enqueued).toEqual([
      {
        key: `CREATE_DRAFT:${OPP_A}:1`,
        action: 'CREATE_DRAFT',
        payload: { action: 'CREATE_DRAFT', requestKey: `CREATE_DRAFT:${OPP_A}:1`, opportunityId: OPP_A },
      },
    ]);
    expect(await reconciler.reconcile()).toBe(0);
  });

  it('queues nothing when auto-draft on close is off', async () => {
    const { reconciler, enqueued } = setup(false);
    expect(await reconciler.reconcile()).toBe(0);
    expect(enqueued).toEqual([]);
  });
});
