/**
 * The poller's pacing (poller.ts): how long each resource of a tenant waits between polls, and what wakes it. Pure
 * state and arithmetic; the poller's loops act on it.
 */

/**
 * In the order polled: invoices before credit notes, so a credit note allocated to an invoice raised in Xero just
 * before it finds that invoice's mirror (a credit note written without it keeps no link to its invoice).
 */
export const POLLED_RESOURCES = ['Invoices', 'CreditNotes', 'Payments', 'Overpayments', 'Prepayments'] as const;
export type PolledResource = (typeof POLLED_RESOURCES)[number];

/** The wait after a poll that found nothing fresh: double the last, at most the cap. */
export function nextIdleWait(waitMs: number, intervalMs: number, idleMaxMs: number): number {
  return Math.min(Math.max(waitMs, intervalMs) * 2, Math.max(idleMaxMs, intervalMs));
}

/**
 * How many polls a tenant that stays idle makes in `windowMs` from its last change (its first poll finding nothing
 * at 0): the daily budget of an idle tenant, and what the egress bench multiplies a poll's bytes by.
 */
export function idlePollsIn(windowMs: number, intervalMs: number, idleMaxMs: number): number {
  let polls = 0;
  let waitMs = intervalMs;
  for (let at = 0; at < windowMs; at += waitMs) {
    polls += 1;
    waitMs = nextIdleWait(waitMs, intervalMs, idleMaxMs);
  }
  return polls;
}

/** A resource's polling pace: how long it waits after its next poll, and when that poll is due. */
export interface ResourcePace {
  waitMs: number;
  dueAt: number;
  /** Something said the resource is active since its last poll ended: the next wait is the interval. */
  active: boolean;
}

/** A tenant's polling pace: each resource's, and the sleep of its loop. */
export interface Pace {
  resources: Record<PolledResource, ResourcePace>;
  /** Ends the loop's sleep early when a due time moves forward. */
  interrupt?: AbortController;
}

/** What wakes which resources (see the header). */
export const WAKES = {
  all: POLLED_RESOURCES,
  created: ['Invoices', 'CreditNotes'],
  bridgeWrote: ['Invoices'],
} as const satisfies Record<string, readonly PolledResource[]>;

/** Resources due this close together are polled at once (they stay in step, and a poll is one Xero minute's turn). */
export const IN_STEP_MS = 1_000;

export const nextDue = (pace: Pace): number => Math.min(...POLLED_RESOURCES.map((r) => pace.resources[r].dueAt));

/** A tenant's pace when its loop starts: every resource at the interval, due now. */
export function newPace(now: number, intervalMs: number): Pace {
  const resource = (): ResourcePace => ({ waitMs: intervalMs, dueAt: now, active: false });
  return {
    resources: {
      Invoices: resource(),
      CreditNotes: resource(),
      Payments: resource(),
      Overpayments: resource(),
      Prepayments: resource(),
    },
  };
}
