import type { Clock } from '../../lib/clock';
import type { XeroLimits } from '../scheduler';

/**
 * A stand-in Xero that enforces the same limits with its own rolling windows (no margin) and answers with
 * the remaining-count headers, as the real API does. `externalPerMinute` simulates quota used by someone else.
 */
export class FakeXero {
  starts: { tenant: string; at: number }[] = [];
  inFlight = new Map<string, number>();
  maxInFlight = new Map<string, number>();
  rejected429 = 0;
  problems: string[] = [];
  external: { tenant: string; at: number }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly limits: Pick<XeroLimits, 'tenantPerMinute' | 'tenantPerDay' | 'appPerMinute'> & {
      minuteMs: number;
      dayMs: number;
    },
  ) {}

  private used(tenant: string | null, span: number, now: number): number {
    const all = [...this.starts, ...this.external];
    return all.filter((s) => (tenant === null || s.tenant === tenant) && s.at > now - span).length;
  }

  async call(
    tenant: string,
    durationMs = 50,
  ): Promise<{ response: { status: number; headers: Record<string, string> } }> {
    const now = this.clock.now();
    const minuteUsed = this.used(tenant, this.limits.minuteMs, now);
    const dayUsed = this.used(tenant, this.limits.dayMs, now);
    const appUsed = this.used(null, this.limits.minuteMs, now);
    const concurrent = this.inFlight.get(tenant) ?? 0;
    let problem: string | undefined;
    if (concurrent >= 5) problem = 'concurrent';
    else if (minuteUsed >= this.limits.tenantPerMinute) problem = 'minute';
    else if (dayUsed >= this.limits.tenantPerDay) problem = 'day';
    else if (appUsed >= this.limits.appPerMinute) problem = 'appminute';
    if (problem) {
      this.rejected429 += 1;
      this.problems.push(`${problem} at ${now} minuteUsed=${minuteUsed} concurrent=${concurrent}`);
      throw Object.assign(new Error('429'), {
        status: 429,
        headers: { 'retry-after': '1', 'x-rate-limit-problem': problem },
      });
    }
    this.starts.push({ tenant, at: now });
    this.inFlight.set(tenant, concurrent + 1);
    this.maxInFlight.set(tenant, Math.max(this.maxInFlight.get(tenant) ?? 0, concurrent + 1));
    await this.clock.sleep(durationMs);
    this.inFlight.set(tenant, (this.inFlight.get(tenant) ?? 1) - 1);
    const after = this.clock.now();
    return {
      response: {
        status: 200,
        headers: {
          'x-minlimit-remaining': String(this.limits.tenantPerMinute - this.used(tenant, this.limits.minuteMs, after)),
          'x-daylimit-remaining': String(this.limits.tenantPerDay - this.used(tenant, this.limits.dayMs, after)),
          'x-appminlimit-remaining': String(this.limits.appPerMinute - this.used(null, this.limits.minuteMs, after)),
        },
      },
    };
  }

  /** The most calls one tenant started in any rolling minute. */
  maxPerRollingMinute(tenant: string | null): number {
    const times = this.starts.filter((s) => tenant === null || s.tenant === tenant).map((s) => s.at);
    let max = 0;
    for (let i = 0; i < times.length; i += 1) {
      const inWindow = times.filter((t) => t > times[i]! - this.limits.minuteMs && t <= times[i]!).length;
      max = Math.max(max, inWindow);
    }
    return max;
  }
}
