import { scaledClock } from '../lib/clock';
import { harness, teardown, UK, type Harness } from './__fixtures__/client-harness';

describe('XeroClient pacing against the emulator (scaled clock: 1 s = 50 emulated s)', () => {
  let h: Harness;
  const clock = scaledClock(50);
  beforeAll(async () => {
    h = await harness({ scale: 50, clock });
  });
  afterAll(async () => teardown(h));

  it('drains a 75-call backlog at 60 a minute with no 429s', async () => {
    const seq = h.emu.control.calls().at(-1)?.seq ?? 0;
    const t0 = clock.now();
    await Promise.all(Array.from({ length: 75 }, () => h.client.getOrganisation(UK)));
    const elapsed = clock.now() - t0;
    const calls = h.emu.control.calls({ sinceSeq: seq, tenantId: UK });
    expect(calls.filter((c) => c.status === 429)).toEqual([]);
    expect(calls).toHaveLength(75);
    expect(h.emu.control.peakInFlight(UK)).toBeLessThanOrEqual(5);
    expect(elapsed).toBeGreaterThanOrEqual(60_000);
    expect(elapsed).toBeLessThan(80_000); // not paced below the limit (50/min would need 88 s)
  }, 30_000);
});
