import { ScaledClock } from '../shared/clock';
import type { Harness, XeroFailure } from './test-helpers';
import { EU, failure, startHarness, UK, US } from './test-helpers';

const MINUTE = 60_000;

describe('xero emulator: rate limits', () => {
  describe('on a clock where a minute lasts 2 s', () => {
    let h: Harness;
    let clock: ScaledClock;
    beforeAll(async () => {
      clock = new ScaledClock({ scale: 30 });
      h = await startHarness({ clock, rateLimits: { enabled: true } });
    });
    afterAll(() => h.close());

    it('lets 100 concurrent calls through at most 5 in flight and at most 60 in any minute', async () => {
      // Each call holds its slot for 5 ms real (0.15 s emulated) so that concurrency really builds up.
      h.emulator.control.addFault({ kind: 'slow', delayMs: 5, share: 1 });
      const problems = new Map<string, number>();
      const call = async (): Promise<void> => {
        for (let attempt = 0; ; attempt++) {
          try {
            await h.xero.accountingApi.getInvoices(UK);
            return;
          } catch (err) {
            const response = (JSON.parse(err as string) as { response: XeroFailure }).response;
            if (response.statusCode !== 429) throw err;
            const problem = response.headers['x-rate-limit-problem'] as string;
            problems.set(problem, (problems.get(problem) ?? 0) + 1);
            // Honour Retry-After (emulated seconds) with jitter, backing off on repeated concurrency refusals.
            const backoff = problem === 'concurrent' ? Math.min(2 ** attempt, 4) : 1;
            const seconds = Number(response.headers['retry-after']) * backoff * (1 + Math.random() / 2);
            await new Promise((resolve) => setTimeout(resolve, clock.toRealMs(seconds * 1000)));
          }
        }
      };
      const started = Date.now();
      await Promise.all(Array.from({ length: 100 }, call));
      h.emulator.control.clearFaults();

      const accepted = h.emulator.control.calls({ tenantId: UK }).filter((c) => c.status === 200);
      expect(accepted).toHaveLength(100);
      expect(h.emulator.control.peakInFlight(UK)).toBeLessThanOrEqual(5);
      expect(h.emulator.control.peakInFlight(UK)).toBe(5);
      const times = accepted.map((c) => c.admittedAt as number).sort((a, b) => a - b);
      let worst = 0;
      for (let i = 0; i < times.length; i++) {
        let j = i;
        while (j < times.length && (times[j] as number) < (times[i] as number) + MINUTE) j++;
        worst = Math.max(worst, j - i);
      }
      expect(worst).toBeLessThanOrEqual(60);
      expect(problems.get('concurrent')).toBeGreaterThan(0);
      expect(problems.get('minute')).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  });

  describe('on a frozen clock', () => {
    let h: Harness;
    let clock: ScaledClock;
    beforeEach(async () => {
      clock = new ScaledClock({ start: Date.UTC(2026, 5, 1), scale: 0 });
      h = await startHarness({ clock, rateLimits: { enabled: true } });
    });
    afterEach(() => h.close());

    it('reports the remaining allowances on every response', async () => {
      const first = await h.xero.accountingApi.getOrganisations(UK);
      expect(first.response.headers).toMatchObject({
        'x-minlimit-remaining': '59',
        'x-daylimit-remaining': '4999',
        'x-appminlimit-remaining': '9999',
      });
      const other = await h.xero.accountingApi.getOrganisations(US);
      expect(other.response.headers).toMatchObject({ 'x-minlimit-remaining': '59', 'x-appminlimit-remaining': '9998' });
      const notFound = await failure(h.xero.accountingApi.getInvoice(UK, 'INV-404'));
      expect(notFound.headers).toMatchObject({ 'x-minlimit-remaining': '58', 'x-daylimit-remaining': '4998' });
    });

    it('refuses the 61st call in a rolling minute with 429 minute and a Retry-After, then recovers', async () => {
      for (let i = 0; i < 60; i++) {
        await h.xero.accountingApi.getOrganisations(UK);
        clock.advance(500);
      }
      const refused = await failure(h.xero.accountingApi.getOrganisations(UK));
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['x-rate-limit-problem']).toBe('minute');
      expect(refused.body === '' || refused.body === undefined).toBe(true);
      expect(Number(refused.headers['retry-after'])).toBe(30);
      expect((await h.xero.accountingApi.getOrganisations(US)).response.status).toBe(200);
      clock.advance(30_000);
      expect((await h.xero.accountingApi.getOrganisations(UK)).response.status).toBe(200);
    });

    it('enforces the daily and app-wide limits with their own problem names', async () => {
      h.emulator.control.setRateLimits({ perDay: 3, appPerMinute: 5 });
      for (let i = 0; i < 3; i++) await h.xero.accountingApi.getOrganisations(UK);
      const day = await failure(h.xero.accountingApi.getOrganisations(UK));
      expect([day.statusCode, day.headers['x-rate-limit-problem']]).toEqual([429, 'day']);
      await h.xero.accountingApi.getOrganisations(US);
      await h.xero.accountingApi.getOrganisations(EU);
      const app = await failure(h.xero.accountingApi.getOrganisations(EU));
      expect([app.statusCode, app.headers['x-rate-limit-problem'], app.headers['x-appminlimit-remaining']]).toEqual([
        429,
        'appminute',
        '0',
      ]);
      clock.advance(MINUTE);
      expect((await h.xero.accountingApi.getOrganisations(EU)).response.status).toBe(200);
      expect((await failure(h.xero.accountingApi.getOrganisations(UK))).headers['x-rate-limit-problem']).toBe('day');
      clock.advance(24 * 60 * MINUTE);
      expect((await h.client().accountingApi.getOrganisations(UK)).response.status).toBe(200);
    });

    it('forces a 429 of any kind on demand, over HTTP too', async () => {
      h.emulator.control.forceRateLimit('concurrent', 1, UK);
      const concurrent = await failure(h.xero.accountingApi.getOrganisations(UK));
      expect([
        concurrent.statusCode,
        concurrent.headers['x-rate-limit-problem'],
        concurrent.headers['retry-after'],
      ]).toEqual([429, 'concurrent', '1']);
      const res = await fetch(`${h.emulator.url}/__control/rate-limits/force`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ problem: 'appminute', count: 2 }),
      });
      expect(res.status).toBe(204);
      expect((await failure(h.xero.accountingApi.getOrganisations(US))).headers['x-rate-limit-problem']).toBe(
        'appminute',
      );
      expect((await failure(h.xero.accountingApi.getOrganisations(EU))).headers['x-rate-limit-problem']).toBe(
        'appminute',
      );
      expect((await h.xero.accountingApi.getOrganisations(EU)).response.status).toBe(200);
      const off = await fetch(`${h.emulator.url}/__control/rate-limits`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: false }),
      });
      expect(((await off.json()) as { enabled: boolean }).enabled).toBe(false);
    });
  });
});
