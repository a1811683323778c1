import { ManualClock } from '../../lib/clock';
import type { Job, JobRepository, NewJob } from '../../store/types';
import { createBillingTriggers } from './triggers';

function setup(start = Date.parse('2026-03-31T10:00:20Z')) {
  const clock = new ManualClock(start);
  const stored = new Map<string, NewJob>();
  const wake = jest.fn();
  const jobs: Pick<JobRepository, 'enqueueJob'> = {
    async enqueueJob<P>(job: NewJob<P>) {
      const created = !stored.has(job.key);
      if (created) stored.set(job.key, job);
      const at = job.runAt ?? clock.now();
      const saved: Job<P> = {
        id: stored.size,
        key: job.key,
        action: job.action,
        payload: job.payload,
        tenantId: null,
        state: 'queued',
        attempts: 0,
        nextRunAt: at,
        lastError: null,
        result: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        createdAt: clock.now(),
        updatedAt: clock.now(),
      };
      return { job: saved, created };
    },
  };
  return { clock, stored, wake, triggers: createBillingTriggers({ jobs, clock, wake }) };
}

describe('billing work as stored jobs with run-at times', () => {
  it('re-plans a changed deal a minute later, once for every change in that minute', async () => {
    const { triggers, stored, clock } = setup();
    await triggers.planSoon(['006000000000001AAA', '006000000000001AAA']);
    await clock.advance(20_000);
    await triggers.planSoon(['006000000000001AAA']);
    expect([...stored.values()].map((j) => [j.action, j.runAt])).toEqual([
      ['PLAN_BILLING', Date.parse('2026-03-31T10:01:20Z')],
    ]);
    await clock.advance(60_000);
    await triggers.planSoon(['006000000000001AAA']);
    expect(stored.size).toBe(2);
  });

  it('re-plans a write-back’s deals in jobs of up to 200, not one job per deal', async () => {
    const { triggers, stored } = setup();
    const deals = Array.from({ length: 450 }, (_, i) => `006${String(i).padStart(12, '0')}AAA`);
    await triggers.planSoon([...deals, ...deals.slice(0, 10)]);
    const jobs = [...stored.values()];
    expect(jobs.map((j) => (j.payload as { opportunityIds: string[] }).opportunityIds.length)).toEqual([200, 200, 50]);
    expect(new Set(jobs.flatMap((j) => (j.payload as { opportunityIds: string[] }).opportunityIds))).toEqual(
      new Set(deals),
    );
    // The same write-back seen again in the minute (a replayed batch) asks for nothing new.
    await triggers.planSoon(deals);
    expect(stored.size).toBe(3);
  });

  it('raises an instalment at 06:00 on its issue date in its entity’s time zone, keyed by the instalment', async () => {
    const { triggers, stored, wake } = setup();
    const due = await triggers.raise([
      {
        key: '006000000000001AAA:abc:2026-04-01',
        dealId: '006000000000001AAA',
        issueDate: '2026-04-01',
        timeZone: 'Europe/London',
      },
      {
        key: '006000000000001AAA:abc:2026-01-01',
        dealId: '006000000000001AAA',
        issueDate: '2026-01-01',
        timeZone: 'Europe/London',
      },
    ]);
    expect(stored.get('006000000000001AAA:abc:2026-04-01')).toMatchObject({
      action: 'RAISE_INSTALMENT',
      runAt: Date.parse('2026-04-01T05:00:00Z'), // 06:00 BST
      payload: {
        requestKey: '006000000000001AAA:abc:2026-04-01',
        opportunityId: '006000000000001AAA',
        issueDate: '2026-04-01',
      },
    });
    // One was due already (a deal won after its first period began): the worker is woken for it.
    expect(due).toBe(1);
    expect(wake).toHaveBeenCalledTimes(1);
    expect(
      await triggers.raise([
        {
          key: '006000000000001AAA:abc:2026-01-01',
          dealId: '006000000000001AAA',
          issueDate: '2026-01-01',
          timeZone: 'Europe/London',
        },
      ]),
    ).toBe(0);
  });

  it('re-plans each time zone daily at 01:00 there, and a late run does not make 30 more', async () => {
    const { triggers, stored, clock } = setup(Date.parse('2026-03-31T10:00:00Z'));
    await triggers.ensureDaily('America/New_York');
    expect(stored.get('REPLAN_DAILY:America/New_York:2026-03-31')).toMatchObject({
      runAt: Date.parse('2026-03-31T05:00:00Z'),
      payload: { date: '2026-03-31', timeZone: 'America/New_York' },
    });
    await triggers.nextDaily('America/New_York', '2026-03-31');
    expect(stored.has('REPLAN_DAILY:America/New_York:2026-04-01')).toBe(true);
    // The bridge was down for a month: the 1 April re-plan runs on 2 May and asks for 3 May's, not 2 April's.
    await clock.advance(31 * 86_400_000);
    await triggers.nextDaily('America/New_York', '2026-04-01');
    expect(stored.has('REPLAN_DAILY:America/New_York:2026-04-02')).toBe(false);
    expect(stored.has('REPLAN_DAILY:America/New_York:2026-05-02')).toBe(true);
  });

  it('plans a closing batch at once, as one job per 200 deals, the same batch again being the same job', async () => {
    const { triggers, stored, wake } = setup();
    const ids = Array.from({ length: 250 }, (_, i) => `006${String(i).padStart(12, '0')}AAA`);
    await triggers.planNow(ids, 'closed', 'CREATE_DRAFT:batch');
    await triggers.planNow(ids, 'closed', 'CREATE_DRAFT:batch');
    expect([...stored.values()].map((j) => (j.payload as { opportunityIds: string[] }).opportunityIds.length)).toEqual([
      200, 50,
    ]);
    expect(wake).toHaveBeenCalled();
  });
});
