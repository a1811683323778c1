import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock';
import { ScaledClock } from '../shared/clock';
import { registerAccounting } from './accounting-routes';
import type { MidpointRounding } from './arithmetic';
import type { AuthSettings } from './auth';
import { IdentityServer, XERO_AUTH } from './auth';
import { CallLog } from './call-log';
import { buildControl, registerControl } from './control';
import type { XeroControl } from './control';
import { FaultPlan } from './faults';
import { DEFAULT_IDEMPOTENCY_WINDOW_MS, IdempotencyStore } from './idempotency';
import { registerIdentity } from './identity-routes';
import type { RateLimitSettings } from './rate-limiter';
import { RateLimiter } from './rate-limiter';
import type { Seed, SeedInput } from './seed';
import { loadSeed, parseSeed } from './seed';
import { registerScopeCheck } from './scopes';
import { XeroStore } from './store';
import type { WebhookSettings } from './webhooks';
import { WebhookDispatcher } from './webhooks';
import { parseJson } from './wire';

export interface XeroEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Seed object or path to a seed JSON file (default: sandbox/xero/seed.json). */
  seed?: SeedInput | string;
  /** Emulated time (default: a ScaledClock at real speed, which the control API can speed up or jump). */
  clock?: Clock;
  /** A pino logger, or `true` for an info-level one. Silent by default. */
  logger?: Logger | boolean;
  /** Midpoint rule for 2-dp rounding (default half-up = away from zero, as Xero's examples show). */
  rounding?: MidpointRounding;
  /** Idempotency-Key replay window in emulated ms (default 6 minutes). */
  idempotencyWindowMs?: number;
  /** Token lifetimes and refresh grace, in emulated ms (defaults: Xero's). */
  auth?: Partial<AuthSettings>;
  /**
   * The day the Xero app was created (YYYY-MM-DD; default 2026-03-02, a new app). Apps created before then may
   * still ask for the broad scopes (accounting.transactions); newer ones only for the granular ones.
   */
  appCreatedAt?: string;
  /** Rate limits (defaults: Xero's; `enabled: false` switches them off). */
  rateLimits?: Partial<RateLimitSettings>;
  /** Webhook receiver and delivery tuning; the key defaults to the seeded app's webhook key. */
  webhook?: Partial<WebhookSettings>;
  /** User approved by the authorize endpoint (default: the first seeded user). */
  autoApproveUserId?: string;
  /** Keep request/response bodies in the call log (default true; the conformance test reads them). */
  recordBodies?: boolean;
  /** Random source for fault shares (default Math.random). */
  random?: () => number;
  /** Base of OnlineInvoiceUrl (default https://in.xero.com). */
  onlineInvoiceBase?: string;
  /** Refuse invoice lines whose ItemCode is not an item of the organisation, as Xero does (default true). */
  validateItemCodes?: boolean;
  /**
   * Refuse an invoice or credit note approved, voided or re-dated, and a payment or allocation made or deleted, on or
   * before a lock date, as Xero does (default true; manual journals are held to the lock dates either way).
   */
  enforceLockDates?: boolean;
}

export interface XeroEmulator {
  /** Root URL, e.g. http://127.0.0.1:4010 (connections and control live here). */
  url: string;
  /** Accounting API base for `xero.accountingApi.basePath`. */
  apiUrl: string;
  /** Identity base: token endpoint is `${identityUrl}/connect/token`. */
  identityUrl: string;
  seed: Seed;
  state: XeroStore;
  identity: IdentityServer;
  control: XeroControl;
  app: FastifyInstance;
  close(): Promise<void>;
}

const silent = pino({ level: 'silent' });

/** The largest request body the emulator takes, as Xero: 3.5 MB (xero-api.md §4). */
export const XERO_BODY_LIMIT = 3.5 * 1024 * 1024;

/** Starts a stateful Xero Accounting API emulator that the real xero-node client can talk to. */
export async function startXeroEmulator(options: XeroEmulatorOptions = {}): Promise<XeroEmulator> {
  const seed =
    typeof options.seed === 'string' ? loadSeed(options.seed) : options.seed ? parseSeed(options.seed) : loadSeed();
  const clock = options.clock ?? new ScaledClock({ scale: 1 });
  if (options.appCreatedAt !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.appCreatedAt))
    throw new Error(`appCreatedAt ${options.appCreatedAt}: expected a day as YYYY-MM-DD`);
  const log =
    options.logger === true ? pino({ level: 'info', name: 'xero-emulator' }) : options.logger ? options.logger : silent;
  let baseUrl = '';

  const store = new XeroStore(seed, {
    clock,
    rounding: options.rounding ?? 'half-up',
    onlineInvoiceBase: options.onlineInvoiceBase ?? 'https://in.xero.com',
    ...(options.validateItemCodes === undefined ? {} : { validateItemCodes: options.validateItemCodes }),
    ...(options.enforceLockDates === undefined ? {} : { enforceLockDates: options.enforceLockDates }),
  });
  const identity = new IdentityServer(
    seed,
    clock,
    { ...XERO_AUTH, ...options.auth, ...(options.appCreatedAt ? { appCreatedAt: options.appCreatedAt } : {}) },
    () => baseUrl,
  );
  const limiter = new RateLimiter(clock, options.rateLimits);
  const faults = new FaultPlan(options.random ?? Math.random);
  const idempotency = new IdempotencyStore(clock, options.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS);
  const calls = new CallLog();
  const webhooks = new WebhookDispatcher(clock, { key: seed.app.webhookKey, ...options.webhook }, log);
  const autoApproveUserId = options.autoApproveUserId ?? (seed.users[0] as Seed['users'][number]).userId;
  store.addListener((tenantId, category, type, subject) => {
    const collection = category === 'INVOICE' ? 'Invoices' : category === 'CONTACT' ? 'Contacts' : 'CreditNotes';
    webhooks.enqueue({
      resourceUrl: `${baseUrl}/api.xro/2.0/${collection}/${subject.id}`,
      resourceId: subject.id,
      eventType: type,
      eventCategory: category,
      tenantId,
      ...(subject.data ? { data: subject.data } : {}),
    });
  });

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Xero resource paths are case-insensitive (/invoices works like /Invoices).
    routerOptions: { caseSensitive: false },
    forceCloseConnections: true,
    // Xero's request size limit (xero-api.md §4: 3.5 MB; "10 MB in newer notes" is unverified): 413 beyond it.
    bodyLimit: XERO_BODY_LIMIT,
  });
  const rawBodies = new WeakMap<object, string>();
  const hangs = new Set<() => void>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    rawBodies.set(req.raw, text);
    if (text.trim() === '') return done(null, undefined);
    try {
      // Accounting bodies keep exact decimals; identity and control bodies are plain JSON.
      done(null, req.url.startsWith('/api.xro/') ? parseJson(text) : JSON.parse(text));
    } catch (err) {
      (err as Error & { statusCode?: number }).statusCode = 400;
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  registerIdentity(app, identity, () => autoApproveUserId);
  await app.register(
    async (api) => {
      registerAccounting(api, {
        store,
        identity,
        limiter,
        faults,
        idempotency,
        calls,
        clock,
        recordBodies: options.recordBodies ?? true,
        providerName: seed.app.name,
        rawBodies,
        hangs,
      });
      // After the Accounting API's own checks: a bad token stays AuthenticationUnsuccessful.
      registerScopeCheck(api, identity);
    },
    { prefix: '/api.xro/2.0' },
  );
  const control = buildControl({
    store,
    identity,
    limiter,
    faults,
    idempotency,
    calls,
    clock,
    webhooks,
    apiUrl: () => `${baseUrl}/api.xro/2.0`,
    defaultUserId: autoApproveUserId,
  });
  await app.register(async (scope) => registerControl(scope, control), { prefix: '/__control' });

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api.xro/2.0`,
    identityUrl: baseUrl,
    seed,
    state: store,
    identity,
    control,
    app,
    async close() {
      webhooks.close();
      for (const release of hangs) release();
      hangs.clear();
      await app.close();
    },
  };
}
