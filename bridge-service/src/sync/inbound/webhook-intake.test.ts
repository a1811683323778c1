import pino from 'pino';
import { storedJob } from '../../store/__fixtures__/jobs';
import type { NewJob } from '../../store/types';
import { createWebhookIntake, webhookJobKey, XERO_CHANGE } from './webhook-intake';

const event = {
  resourceUrl: 'https://api.xero.com/api.xro/2.0/Invoices/A1B2C3D4-0000-4000-8000-000000000001',
  resourceId: 'A1B2C3D4-0000-4000-8000-000000000001',
  eventDateUtc: '2026-03-01T10:00:00.123',
  eventType: 'UPDATE',
  eventCategory: 'INVOICE',
  tenantId: '11111111-1111-4111-8111-111111111111',
  tenantType: 'ORGANISATION',
};

function fakeStore() {
  const jobs = new Map<string, NewJob>();
  return {
    jobs,
    async enqueueJob<P>(job: NewJob<P>) {
      const created = !jobs.has(job.key);
      if (created) jobs.set(job.key, job as NewJob);
      return { job: storedJob(job, jobs.size), created };
    },
  };
}

describe('webhook intake', () => {
  it('keys a job by tenant, category, resource and event time', () => {
    expect(webhookJobKey(event, 0)).toBe(
      'XERO:11111111-1111-4111-8111-111111111111:INVOICE:a1b2c3d4-0000-4000-8000-000000000001:2026-03-01T10:00:00.123',
    );
  });

  it('stores each event once, however often it is delivered, and wakes the worker for new work only', async () => {
    const store = fakeStore();
    const onAccepted = jest.fn();
    const intake = createWebhookIntake({ jobs: store, log: pino({ level: 'silent' }), onAccepted });
    const later = { ...event, eventDateUtc: '2026-03-01T10:00:07.000' };
    await intake.accept({ events: [event, event, later] });
    await intake.accept({ events: [event] });
    expect([...store.jobs.values()].map((j) => [j.action, j.tenantId])).toEqual([
      [XERO_CHANGE, event.tenantId],
      [XERO_CHANGE, event.tenantId],
    ]);
    expect(intake.stats).toEqual({ accepted: 2, duplicates: 2, ignored: 0 });
    expect(onAccepted).toHaveBeenCalledTimes(1);
  });

  it('acknowledges contact and subscription events without storing them; an intent-to-receive probe stores nothing', async () => {
    const store = fakeStore();
    const intake = createWebhookIntake({ jobs: store, log: pino({ level: 'silent' }) });
    await intake.accept({ events: [{ ...event, eventCategory: 'CONTACT' }] });
    await intake.accept({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'X' });
    expect(store.jobs.size).toBe(0);
    expect(intake.stats.ignored).toBe(1);
  });

  it('says a webhook was heard once per connected tenant in a delivery, repeats and contacts included; wakes nothing', async () => {
    const store = fakeStore();
    const onHeard = jest.fn();
    const other = { ...event, tenantId: '22222222-2222-4222-8222-222222222222' };
    const intake = createWebhookIntake({
      jobs: store,
      log: pino({ level: 'silent' }),
      onHeard,
      xeroConnections: {
        listXeroTenants: async () =>
          [event.tenantId, other.tenantId].map((tenantId) => ({
            tenantId,
            connectionId: `c-${tenantId}`,
            tenantName: null,
            tenantType: null,
            updatedAt: 0,
          })),
      },
    });
    const paid = { ...event, eventDateUtc: '2026-03-01T10:05:00.000' };
    await intake.accept({ events: [event, paid, other] });
    expect(onHeard.mock.calls).toEqual([[event.tenantId], [other.tenantId]]);

    // a repeat (the bridge's own approval echoed back, delivered twice) and a contact event still prove webhooks on:
    // what changed is the XERO_CHANGE job's to say (xero-change-handler.ts), not the intake's
    onHeard.mockClear();
    await intake.accept({
      events: [event, { ...event, eventCategory: 'CONTACT', eventDateUtc: '2026-03-01T11:00:00' }],
    });
    expect(onHeard.mock.calls).toEqual([[event.tenantId]]);

    // a tenant no connection reaches, and the app's own subscription events, are no tenant heard
    onHeard.mockClear();
    await intake.accept({ events: [{ ...event, tenantId: '33333333-3333-4333-8333-333333333333' }] });
    await intake.accept({ events: [{ ...event, eventCategory: 'SUBSCRIPTION', tenantType: 'APPLICATION' }] });
    expect(onHeard).not.toHaveBeenCalled();
  });
});
