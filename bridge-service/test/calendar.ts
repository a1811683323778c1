/**
 * The sandbox's shared calendar in end-to-end tests: its date, and moving it forward the way days pass, a few days a
 * step, letting the bridge finish what falls due at each step (revenue, close and KPI tests share it).
 */
import type { ScaledClock } from '../sandbox/shared/clock';
import { waitForNoJobDue } from './wait-for';

const DAY = 86_400_000;

export function calendar(
  /** The bridge's jobs (read when needed: the sandbox may start after the calendar is made). */
  jobs: () => Parameters<typeof waitForNoJobDue>[0],
  clock: ScaledClock,
  options: { stepDays?: number; timeoutMs?: number } = {},
) {
  const stepMs = (options.stepDays ?? 20) * DAY;
  const today = () => new Date(clock.now()).toISOString().slice(0, 10);
  /** Nothing due is waiting or running (later work, such as tomorrow's re-plan, may wait). */
  const settled = () => waitForNoJobDue(jobs(), { now: () => clock.now(), timeoutMs: options.timeoutMs ?? 30_000 });
  async function to(iso: string): Promise<void> {
    const target = Date.parse(iso);
    while (clock.now() < target) {
      clock.set(Math.min(target, clock.now() + stepMs));
      await settled();
    }
  }
  return { today, to, settled };
}
