/**
 * A tenant whose day of calls is used up, as Xero's X-DayLimit-Remaining says (no 429 yet: the scheduler stops
 * first), is refused at once like a tenant Xero paused with a 429: queued until the day window frees (hours), the
 * call would hold its job, the job's batch and the worker loop, and other tenants' jobs behind it (issue 20; the
 * worker's side: test/tenant-day-limit.integration.test.ts).
 */
import { EU, harness, teardown, UK, type Harness } from './__fixtures__/client-harness';
import { XeroApiError } from './errors';

const DAY_MS = 86_400_000;

let h: Harness;
beforeEach(async () => {
  h = await harness();
  h.emu.control.setRateLimits({ perDay: 3 }); // Xero says: 3 calls a day for this app, per tenant
});
afterEach(async () => teardown(h));

/** What `p` settles to, or 'still waiting after 3 s' (queued for the day window). */
const within3s = <T>(p: Promise<T>): Promise<T | string> =>
  Promise.race([p, new Promise<string>((r) => setTimeout(() => r('still waiting after 3 s'), 3_000))]);

/** Uses up EU's day: the 3rd answer says X-DayLimit-Remaining: 0. */
async function useUpTheDay(): Promise<number> {
  for (let i = 0; i < 3; i += 1) await h.client.getTaxRates(EU);
  const at = Date.now();
  expect(h.scheduler.snapshot(EU)).toMatchObject({ usedLastDay: 5000, pausedUntil: null });
  return at;
}

it('refuses the next call at once, with a Retry-After at the end of the day window, not queued for hours', async () => {
  const usedUpAt = await useUpTheDay();
  const seq = h.emu.control.calls().at(-1)?.seq ?? 0;
  const started = Date.now();
  const err = await within3s(h.client.getTaxRates(EU).catch((e: unknown) => e));
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(err).toBeInstanceOf(XeroApiError);
  expect(err).toMatchObject({ status: 429, problem: 'day' });
  expect((err as XeroApiError).message).toMatch(/day limit is used up/);
  // The day window frees 24 h (and the margin) after the answer that filled it.
  expect((err as XeroApiError).retryAfterMs).toBeGreaterThan(DAY_MS - (Date.now() - usedUpAt) - 2_000);
  expect((err as XeroApiError).retryAfterMs).toBeLessThanOrEqual(DAY_MS + 2_000);
  expect(h.emu.control.calls({ sinceSeq: seq })).toHaveLength(0); // Xero not called
  expect(h.scheduler.snapshot(EU).queued).toBe(0);
  await expect(h.client.getTaxRates(UK)).resolves.not.toHaveLength(0); // other tenants go on
}, 20_000);

it("refuses the calls asked for beside the day's last one (several at once as the day runs out)", async () => {
  await h.client.getTaxRates(EU);
  await h.client.getTaxRates(EU);
  // Five at once: the first takes the day's last call; the others would wait for the day window.
  const outcomes = await within3s(
    Promise.all(
      Array.from({ length: 5 }, () =>
        h.client.getTaxRates(EU).then(
          () => 'ok',
          (e: unknown) => e,
        ),
      ),
    ),
  );
  expect(Array.isArray(outcomes)).toBe(true);
  const refused = (outcomes as unknown[]).filter((o) => o instanceof XeroApiError && o.status === 429);
  expect((outcomes as unknown[]).filter((o) => o === 'ok').length + refused.length).toBe(5);
  expect(refused.length).toBeGreaterThanOrEqual(4);
  for (const r of refused) expect((r as XeroApiError).retryAfterMs).toBeGreaterThan(DAY_MS - 10_000);
  expect(h.scheduler.snapshot(EU).queued).toBe(0);
}, 20_000);
