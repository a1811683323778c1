import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../shared/clock';
import { ScaledClock } from '../shared/clock';
import type { IdentityServer, TokenResponse } from './auth';
import type { CallLog, CallRecord } from './call-log';
import { goLiveControl, registerGoLiveControl, type GoLiveControl } from './control-golive';
import { findDocument } from './documents';
import type { ActiveFault, FaultPlan, FaultSpec } from './faults';
import type { IdempotencyStore } from './idempotency';
import { setLockDates, type LockDates } from './lock-dates';
import { writePayment } from './payments';
import type { RateLimiter, RateLimitProblem, RateLimitSettings } from './rate-limiter';
import type { EventCategory, EventType, XeroStore } from './store';
import { baseAmounts, outstanding, paymentView } from './store';
import type { DeliveryRecord, WebhookDispatcher, WebhookFaults, WebhookSettings } from './webhooks';
import { toJson } from './wire';

export interface CustomerPayment {
  tenantId: string;
  invoiceId?: string;
  invoiceNumber?: string;
  /** Decimal string, e.g. "120.00". */
  amount: string;
  /** YYYY-MM-DD; default today on the emulator clock. */
  date?: string;
  /** Bank account code (default: the organisation's first BANK account). */
  accountCode?: string;
  reference?: string;
  currencyRate?: string;
}

/** Test and demo hooks, also served as JSON under /__control. */
export interface XeroControl {
  readonly clock: Clock;
  now(): number;
  advanceClock(ms: number): number;
  setClockScale(scale: number): void;
  issueTokens(options?: { userId?: string; scope?: string }): TokenResponse;
  recordCustomerPayment(payment: CustomerPayment): Record<string, unknown>;
  calls(filter?: { sinceSeq?: number; tenantId?: string; path?: string }): CallRecord[];
  clearCalls(): void;
  addFault(spec: FaultSpec): ActiveFault;
  faults(): ActiveFault[];
  clearFaults(): void;
  setRateLimits(settings: Partial<RateLimitSettings>): RateLimitSettings;
  forceRateLimit(problem: RateLimitProblem, count?: number, tenantId?: string): void;
  resetRateLimits(): void;
  inFlight(tenantId: string): number;
  peakInFlight(tenantId: string): number;
  setIdempotencyWindow(ms: number): void;
  setRefreshGrace(ms: number): void;
  configureWebhooks(settings: Partial<WebhookSettings>): void;
  setWebhookFaults(faults: Partial<WebhookFaults>): void;
  sendQueuedWebhooks(): Promise<void>;
  flushWebhooks(): Promise<void>;
  intentToReceive(good?: number, bad?: number): ReturnType<WebhookDispatcher['intentToReceive']>;
  webhookDeliveries(): DeliveryRecord[];
  webhookStatus(): 'OK' | 'DISABLED';
  /** Queues an event as if the resource had changed (e.g. to replay a notification). */
  emitWebhookEvent(event: {
    tenantId: string;
    category: EventCategory;
    eventType: EventType;
    resourceId: string;
  }): void;
  /** Documents with their base-currency amounts, for assertions and the demo. */
  snapshot(tenantId: string): Record<string, unknown>;
  /** Go-live: a tenant with history, and changes made by hand in Xero (control-golive.ts). */
  goLive: GoLiveControl;
  /** Sets (a YYYY-MM-DD date) or clears (null) an organisation's lock dates, as an adviser does in Xero's settings. */
  setLockDates(
    tenantId: string,
    dates: { periodLockDate?: string | null; endOfYearLockDate?: string | null },
  ): LockDates;
}

interface ControlDeps {
  store: XeroStore;
  identity: IdentityServer;
  limiter: RateLimiter;
  faults: FaultPlan;
  idempotency: IdempotencyStore;
  calls: CallLog;
  clock: Clock;
  webhooks: WebhookDispatcher;
  apiUrl: () => string;
  /** User that tokens are minted for when none is named. */
  defaultUserId: string;
}

function scaled(clock: Clock): ScaledClock {
  if (!(clock instanceof ScaledClock))
    throw new Error('the emulator clock is not a ScaledClock; it cannot be advanced or scaled');
  return clock;
}

const plain = (value: unknown): Record<string, unknown> => JSON.parse(toJson(value)) as Record<string, unknown>;

export function buildControl(deps: ControlDeps): XeroControl {
  const { store, identity, limiter, faults, idempotency, calls, clock, webhooks } = deps;
  return {
    clock,
    now: () => clock.now(),
    advanceClock(ms) {
      scaled(clock).advance(ms);
      return clock.now();
    },
    setClockScale(scale) {
      scaled(clock).setScale(scale);
    },
    issueTokens(options = {}) {
      return identity.issue(options.userId ?? deps.defaultUserId, options.scope);
    },
    recordCustomerPayment(payment) {
      const tenant = store.tenant(payment.tenantId.toLowerCase());
      if (!tenant) throw new Error(`unknown tenant ${payment.tenantId}`);
      const invoice = findDocument(tenant, 'invoice', payment.invoiceId ?? payment.invoiceNumber ?? '');
      if (!invoice) throw new Error('invoice not found');
      const bank = payment.accountCode ?? tenant.org.accounts.find((a) => a.Type === 'BANK')?.Code;
      const result = writePayment(store, tenant.org.tenantId, {
        Invoice: { InvoiceID: invoice.id },
        Account: { Code: bank },
        Amount: payment.amount,
        Date: payment.date,
        Reference: payment.reference,
        CurrencyRate: payment.currencyRate,
        IsReconciled: true,
      });
      if (!result.ok) throw new Error(result.errors.join(' '));
      return plain(
        paymentView(
          tenant,
          tenant.payments.get(result.id) as NonNullable<ReturnType<typeof tenant.payments.get>>,
          store.rounding,
        ),
      );
    },
    calls: (filter) => calls.list(filter),
    clearCalls: () => calls.clear(),
    addFault: (spec) => faults.add(spec),
    faults: () => faults.list(),
    clearFaults: () => faults.clear(),
    setRateLimits(settings) {
      limiter.settings = { ...limiter.settings, ...settings };
      return limiter.settings;
    },
    forceRateLimit: (problem, count = 1, tenantId) => limiter.force(problem, count, tenantId),
    resetRateLimits: () => limiter.reset(),
    inFlight: (tenantId) => limiter.inFlight(tenantId),
    peakInFlight: (tenantId) => limiter.peakInFlight(tenantId),
    setIdempotencyWindow(ms) {
      idempotency.windowMs = ms;
    },
    setRefreshGrace(ms) {
      identity.settings = { ...identity.settings, refreshGraceMs: ms };
    },
    configureWebhooks(settings) {
      webhooks.settings = { ...webhooks.settings, ...settings };
    },
    setWebhookFaults(next) {
      webhooks.faults = { ...webhooks.faults, ...next };
    },
    sendQueuedWebhooks: () => webhooks.sendQueued(),
    flushWebhooks: () => webhooks.flush(),
    intentToReceive: (good, bad) => webhooks.intentToReceive(good, bad),
    webhookDeliveries: () => [...webhooks.deliveries],
    webhookStatus: () => webhooks.status,
    emitWebhookEvent(event) {
      const collection =
        event.category === 'INVOICE' ? 'Invoices' : event.category === 'CONTACT' ? 'Contacts' : 'CreditNotes';
      webhooks.enqueue({
        resourceUrl: `${deps.apiUrl()}/${collection}/${event.resourceId}`,
        resourceId: event.resourceId,
        eventType: event.eventType,
        eventCategory: event.category,
        tenantId: event.tenantId,
      });
    },
    goLive: goLiveControl(store),
    snapshot(tenantId) {
      const tenant = store.tenant(tenantId.toLowerCase());
      if (!tenant) throw new Error(`unknown tenant ${tenantId}`);
      const docs = (kind: 'invoices' | 'creditNotes') =>
        [...tenant[kind].values()].map((doc) => ({
          id: doc.id,
          number: doc.number,
          type: doc.type,
          status: doc.status,
          currencyCode: doc.currencyCode,
          currencyRate: doc.currencyRate.toString(),
          reference: doc.reference ?? null,
          url: doc.url ?? null,
          subTotal: doc.subTotal.toFixed(2),
          totalTax: doc.totalTax.toFixed(2),
          total: doc.total.toFixed(2),
          amountPaid: doc.amountPaid.toFixed(2),
          outstanding: outstanding(doc).toFixed(2),
          base: baseAmounts(tenant, doc, store.rounding),
        }));
      return {
        tenantId: tenant.org.tenantId,
        baseCurrency: tenant.org.baseCurrency,
        contacts: tenant.contacts.size,
        invoices: docs('invoices'),
        creditNotes: docs('creditNotes'),
        payments: [...tenant.payments.values()].map((p) => ({
          id: p.id,
          documentId: p.documentId,
          amount: p.amount.toFixed(2),
          status: p.status,
          date: p.date,
        })),
        emailsSent: tenant.emailsSent.map((e) => ({ ...e })),
        manualJournals: [...tenant.manualJournals.values()].map((j) => ({
          id: j.id,
          narration: j.narration,
          date: j.date,
          status: j.status,
          lines: j.lines.map((l) => ({ accountCode: l.AccountCode ?? null, lineAmount: l.LineAmount.toFixed(2) })),
        })),
      };
    },
    setLockDates(tenantId, dates) {
      const tenant = store.tenant(tenantId.toLowerCase());
      if (!tenant) throw new Error(`unknown tenant ${tenantId}`);
      return setLockDates(tenant.org, dates);
    },
  };
}

const clockBody = z.object({
  advanceMs: z.number().nonnegative().optional(),
  scale: z.number().nonnegative().optional(),
});
const lockDatesBody = z.object({
  tenantId: z.string(),
  periodLockDate: z.string().nullable().optional(),
  endOfYearLockDate: z.string().nullable().optional(),
});
const tokenBody = z.object({ userId: z.string().optional(), scope: z.string().optional() });
const paymentBody = z.object({
  tenantId: z.string(),
  invoiceId: z.string().optional(),
  invoiceNumber: z.string().optional(),
  amount: z.union([z.string(), z.number()]).transform(String),
  date: z.string().optional(),
  accountCode: z.string().optional(),
  reference: z.string().optional(),
  currencyRate: z.union([z.string(), z.number()]).transform(String).optional(),
});
const faultBody = z.object({
  kind: z.enum(['status', 'hang', 'slow', 'drop-after-commit']),
  status: z.number().int().min(400).max(599).optional(),
  delayMs: z.number().nonnegative().optional(),
  count: z.number().int().positive().optional(),
  share: z.number().min(0).max(1).optional(),
  method: z.string().optional(),
  path: z.string().optional(),
});
const limitsBody = z.object({
  enabled: z.boolean().optional(),
  concurrent: z.number().int().positive().optional(),
  perMinute: z.number().int().positive().optional(),
  perDay: z.number().int().positive().optional(),
  appPerMinute: z.number().int().positive().optional(),
});
const forceBody = z.object({
  problem: z.enum(['minute', 'day', 'concurrent', 'appminute']),
  count: z.number().int().positive().default(1),
  tenantId: z.string().optional(),
});
const webhookBody = z.object({
  url: z.string().optional(),
  key: z.string().optional(),
  batchDelayMs: z.number().nonnegative().optional(),
  maxBatchSize: z.number().int().positive().optional(),
  retryDelaysMs: z.array(z.number().nonnegative()).optional(),
  timeoutMs: z.number().positive().optional(),
  disableAfterGiveUps: z.number().int().nonnegative().optional(),
  faults: z
    .object({
      drop: z.number().int().nonnegative().optional(),
      duplicate: z.number().int().nonnegative().optional(),
      reorder: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
const eventBody = z.object({
  tenantId: z.string(),
  category: z.enum(['INVOICE', 'CONTACT', 'CREDITNOTE']),
  eventType: z.enum(['CREATE', 'UPDATE']),
  resourceId: z.string(),
});
const itrBody = z.object({
  good: z.number().int().nonnegative().default(3),
  bad: z.number().int().nonnegative().default(3),
});
const settingsBody = z.object({
  idempotencyWindowMs: z.number().nonnegative().optional(),
  refreshGraceMs: z.number().nonnegative().optional(),
});

function parse<T extends z.ZodType>(schema: T, body: unknown, reply: FastifyReply): z.infer<T> | undefined {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  void reply.code(400).send({ error: 'invalid control request', issues: result.error.issues });
  return undefined;
}

function fail(reply: FastifyReply, err: unknown): FastifyReply {
  return reply.code(400).send({ error: (err as Error).message });
}

/** JSON control API for tests and the demo; mirrors XeroControl. */
export function registerControl(app: FastifyInstance, control: XeroControl): void {
  app.get('/clock', async () => ({
    now: control.now(),
    iso: new Date(control.now()).toISOString(),
    scale: control.clock instanceof ScaledClock ? control.clock.scale : 1,
  }));
  app.post('/clock', async (req, reply) => {
    const body = parse(clockBody, req.body, reply);
    if (!body) return reply;
    try {
      if (body.scale !== undefined) control.setClockScale(body.scale);
      if (body.advanceMs !== undefined) control.advanceClock(body.advanceMs);
    } catch (err) {
      return fail(reply, err);
    }
    return { now: control.now(), iso: new Date(control.now()).toISOString() };
  });
  app.post('/tokens', async (req, reply) => {
    const body = parse(tokenBody, req.body, reply);
    return body ? control.issueTokens(body) : reply;
  });
  app.post('/payments', async (req, reply) => {
    const body = parse(paymentBody, req.body, reply);
    if (!body) return reply;
    try {
      return reply
        .code(201)
        .type('application/json')
        .send(JSON.stringify(control.recordCustomerPayment(body)));
    } catch (err) {
      return fail(reply, err);
    }
  });
  app.get('/calls', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const records = control.calls({
      sinceSeq: q.sinceSeq ? Number(q.sinceSeq) : undefined,
      tenantId: q.tenantId,
      path: q.path,
    });
    return q.bodies === 'true' ? records : records.map(({ requestBody: _req, responseBody: _res, ...rest }) => rest);
  });
  app.delete('/calls', async (_req, reply) => {
    control.clearCalls();
    return reply.code(204).send();
  });
  app.get('/faults', async () => control.faults());
  app.post('/faults', async (req, reply) => {
    const body = parse(faultBody, req.body, reply);
    return body ? control.addFault(body as FaultSpec) : reply;
  });
  app.delete('/faults', async (_req, reply) => {
    control.clearFaults();
    return reply.code(204).send();
  });
  app.post('/rate-limits', async (req, reply) => {
    const body = parse(limitsBody, req.body, reply);
    return body ? control.setRateLimits(body) : reply;
  });
  app.post('/rate-limits/force', async (req, reply) => {
    const body = parse(forceBody, req.body, reply);
    if (!body) return reply;
    control.forceRateLimit(body.problem, body.count, body.tenantId);
    return reply.code(204).send();
  });
  app.post('/rate-limits/reset', async (_req, reply) => {
    control.resetRateLimits();
    return reply.code(204).send();
  });
  app.post('/settings', async (req, reply) => {
    const body = parse(settingsBody, req.body, reply);
    if (!body) return reply;
    if (body.idempotencyWindowMs !== undefined) control.setIdempotencyWindow(body.idempotencyWindowMs);
    if (body.refreshGraceMs !== undefined) control.setRefreshGrace(body.refreshGraceMs);
    return reply.code(204).send();
  });
  app.post('/webhooks', async (req, reply) => {
    const body = parse(webhookBody, req.body, reply);
    if (!body) return reply;
    const { faults, ...settings } = body;
    control.configureWebhooks(Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)));
    if (faults) control.setWebhookFaults(Object.fromEntries(Object.entries(faults).filter(([, v]) => v !== undefined)));
    return reply.code(204).send();
  });
  app.post('/webhooks/flush', async (_req, reply) => {
    await control.flushWebhooks();
    return reply.code(204).send();
  });
  app.post('/webhooks/intent-to-receive', async (req, reply) => {
    const body = parse(itrBody, req.body, reply);
    return body ? control.intentToReceive(body.good, body.bad) : reply;
  });
  app.get('/webhooks/deliveries', async () => control.webhookDeliveries());
  app.get('/webhooks/status', async () => ({ status: control.webhookStatus() }));
  app.post('/webhooks/events', async (req, reply) => {
    const body = parse(eventBody, req.body, reply);
    if (!body) return reply;
    control.emitWebhookEvent(body);
    return reply.code(202).send();
  });
  registerGoLiveControl(app, control.goLive);
  app.post('/lock-dates', async (req, reply) => {
    const body = parse(lockDatesBody, req.body, reply);
    if (!body) return reply;
    try {
      const { tenantId, ...dates } = body;
      return control.setLockDates(tenantId, dates);
    } catch (err) {
      return fail(reply, err);
    }
  });
  app.get<{ Params: { tenantId: string } }>('/state/:tenantId', async (req, reply) => {
    try {
      return control.snapshot(req.params.tenantId);
    } catch (err) {
      return fail(reply, err);
    }
  });
}
