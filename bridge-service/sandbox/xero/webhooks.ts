import { createHmac, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock';
import type { EventCategory, EventType } from './store';

export interface WebhookEvent {
  resourceUrl: string;
  resourceId: string;
  eventDateUtc: string;
  eventType: EventType;
  eventCategory: EventCategory;
  tenantId: string;
  tenantType: 'ORGANISATION';
  data?: Record<string, string>;
}

export interface WebhookSettings {
  /** Receiver URL; no URL means events are queued but not sent. */
  url?: string;
  /** Signing key (the app's "webhook key"). */
  key: string;
  /** Real ms to gather events into one batch. */
  batchDelayMs: number;
  /** Most events per delivery. */
  maxBatchSize: number;
  /** Real ms before each retry of a failed delivery; its length is the retry count. */
  retryDelaysMs: number[];
  /** Real ms the receiver has to answer (Xero: 5 s). */
  timeoutMs: number;
  /**
   * Batches given up (all retries failed) before the subscription is disabled, as Xero disables a
   * webhook after a day of failures. 0 (default) never disables. A passing intent-to-receive re-enables.
   */
  disableAfterGiveUps: number;
}

export interface WebhookFaults {
  /** Batches to drop silently. */
  drop: number;
  /** Batches to deliver twice. */
  duplicate: number;
  /** Batches to hold back and deliver after the next one. */
  reorder: number;
}

export interface DeliveryRecord {
  kind: 'batch' | 'intent-to-receive';
  firstEventSequence: number;
  lastEventSequence: number;
  events: number;
  attempt: number;
  status: number;
  outcome: 'delivered' | 'failed' | 'dropped' | 'gave-up';
  signed?: 'good' | 'bad';
}

interface Batch {
  body: string;
  first: number;
  last: number;
  events: number;
}

const MAX_QUEUED = 10_000;

/** base64(HMAC-SHA256(raw body, key)) - the `x-xero-signature` header. */
export function signWebhook(body: string, key: string): string {
  return createHmac('sha256', key).update(body).digest('base64');
}

/** Signed, batched, retried webhook deliveries with drop/duplicate/reorder faults. */
export class WebhookDispatcher {
  settings: WebhookSettings;
  faults: WebhookFaults = { drop: 0, duplicate: 0, reorder: 0 };
  /** DISABLED after too many given-up batches; events are then discarded until re-enabled. */
  status: 'OK' | 'DISABLED' = 'OK';
  private givenUp = 0;
  readonly deliveries: DeliveryRecord[] = [];
  private queue: WebhookEvent[] = [];
  private sequence = 0;
  private timer: NodeJS.Timeout | undefined;
  private heldTimer: NodeJS.Timeout | undefined;
  private held: Batch | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    settings: Partial<WebhookSettings> & { key: string },
    private readonly log: Logger,
  ) {
    this.settings = {
      batchDelayMs: 50,
      maxBatchSize: 50,
      retryDelaysMs: [100, 300, 1000],
      timeoutMs: 5000,
      disableAfterGiveUps: 0,
      ...settings,
    };
  }

  enqueue(event: Omit<WebhookEvent, 'eventDateUtc' | 'tenantType'>): void {
    if (this.closed || this.status === 'DISABLED') return;
    const stamp = new Date(this.clock.now()).toISOString().slice(0, 23);
    this.queue.push({ ...event, eventDateUtc: stamp, tenantType: 'ORGANISATION' });
    // With no receiver configured the queue is kept for a later flush, but bounded.
    if (this.queue.length > MAX_QUEUED) this.queue.splice(0, this.queue.length - MAX_QUEUED);
    if (!this.timer && this.settings.url) this.timer = setTimeout(() => this.drain(), this.settings.batchDelayMs);
  }

  pending(): number {
    return this.queue.length;
  }

  private drain(): void {
    this.timer = undefined;
    if (!this.settings.url) return;
    while (this.queue.length > 0) {
      const events = this.queue.splice(0, this.settings.maxBatchSize);
      const first = this.sequence + 1;
      this.sequence += events.length;
      const body = JSON.stringify({
        events,
        firstEventSequence: first,
        lastEventSequence: this.sequence,
        entropy: randomBytes(10).toString('hex').toUpperCase(),
      });
      this.route({ body, first, last: this.sequence, events: events.length });
    }
    if (this.held && !this.heldTimer) {
      // A held batch waits for the next one, but not forever: it must still arrive eventually.
      this.heldTimer = setTimeout(() => this.releaseHeld(), Math.max(1000, this.settings.batchDelayMs * 10));
    }
  }

  private releaseHeld(): void {
    if (this.heldTimer) clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    if (!this.held) return;
    const held = this.held;
    this.held = undefined;
    this.track(this.send(held, 1));
  }

  private route(batch: Batch): void {
    if (this.faults.drop > 0) {
      this.faults.drop--;
      this.deliveries.push({
        kind: 'batch',
        firstEventSequence: batch.first,
        lastEventSequence: batch.last,
        events: batch.events,
        attempt: 0,
        status: 0,
        outcome: 'dropped',
      });
      return;
    }
    if (this.faults.reorder > 0 && !this.held) {
      this.faults.reorder--;
      this.held = batch;
      return;
    }
    const held = this.held;
    this.held = undefined;
    if (held && this.heldTimer) clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    // A held batch goes out only after the newer one has been delivered, so the receiver really sees them out of order.
    this.track(this.send(batch, 1).then(() => (held ? this.send(held, 1) : undefined)));
    if (this.faults.duplicate > 0) {
      this.faults.duplicate--;
      this.track(this.send(batch, 1));
    }
  }

  private track(promise: Promise<void>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private async post(body: string, signature: string): Promise<number> {
    const url = this.settings.url;
    if (!url) return 0;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-xero-signature': signature },
        body,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      await response.arrayBuffer();
      return response.status;
    } catch (err) {
      this.log.debug({ err }, 'webhook delivery failed');
      return 0;
    }
  }

  private async send(batch: Batch, attempt: number): Promise<void> {
    if (this.closed) return;
    const status = await this.post(batch.body, signWebhook(batch.body, this.settings.key));
    const ok = status === 200;
    const base = {
      kind: 'batch' as const,
      firstEventSequence: batch.first,
      lastEventSequence: batch.last,
      events: batch.events,
      attempt,
      status,
    };
    if (ok) {
      this.deliveries.push({ ...base, outcome: 'delivered' });
      this.givenUp = 0;
      return;
    }
    const delay = this.settings.retryDelaysMs[attempt - 1];
    if (delay === undefined || this.closed) {
      this.deliveries.push({ ...base, outcome: 'gave-up' });
      this.givenUp++;
      if (this.settings.disableAfterGiveUps > 0 && this.givenUp >= this.settings.disableAfterGiveUps)
        this.status = 'DISABLED';
      return;
    }
    this.deliveries.push({ ...base, outcome: 'failed' });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        resolve();
      }, delay);
      this.retryTimers.add(timer);
    });
    await this.send(batch, attempt + 1);
  }

  /** Sends what is queued now (a reorder-held batch stays held) and waits for those deliveries. */
  async sendQueued(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.drain();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Sends whatever is queued now and waits for every delivery, retries included. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.drain();
    this.releaseHeld();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Xero's intent-to-receive check: empty payloads, some correctly and some incorrectly signed. The
   * receiver passes if it answers 200 to every good one and 401 to every bad one.
   */
  async intentToReceive(
    good = 3,
    bad = 3,
  ): Promise<{ passed: boolean; results: { signed: 'good' | 'bad'; status: number }[] }> {
    const plan: ('good' | 'bad')[] = [];
    for (let i = 0; i < Math.max(good, bad); i++) {
      if (i < good) plan.push('good');
      if (i < bad) plan.push('bad');
    }
    const results: { signed: 'good' | 'bad'; status: number }[] = [];
    for (const signed of plan) {
      const body = JSON.stringify({
        events: [],
        firstEventSequence: 0,
        lastEventSequence: 0,
        entropy: randomBytes(10).toString('hex').toUpperCase(),
      });
      const key =
        signed === 'good' ? this.settings.key : `${this.settings.key}-wrong-${randomBytes(4).toString('hex')}`;
      const status = await this.post(body, signWebhook(body, key));
      results.push({ signed, status });
      this.deliveries.push({
        kind: 'intent-to-receive',
        firstEventSequence: 0,
        lastEventSequence: 0,
        events: 0,
        attempt: 1,
        status,
        outcome: status === 0 ? 'failed' : 'delivered',
        signed,
      });
    }
    const passed = results.every((r) => (r.signed === 'good' ? r.status === 200 : r.status === 401));
    if (passed) {
      this.status = 'OK';
      this.givenUp = 0;
    }
    return { passed, results };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heldTimer) clearTimeout(this.heldTimer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.queue = [];
  }
}
