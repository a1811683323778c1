/**
 * startSalesforceEmulator: a stateful Salesforce org over HTTP for the real jsforce client. OAuth token endpoint,
 * REST (sObjects, Collections, Composite, SOQL), CometD platform events with replay, the package's Apex behaviour (org/), and a
 * control API for tests and demos (approvals, invoice actions, faults, time).
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import { AuthService, type AuthOptions, type UserAccess } from './auth';
import { systemClock, HOUR, type Clock } from './clock';
import { OAuthError, SalesforceError, invalidSession } from './errors';
import { Faults, RowLockFaults, type RowLockContention, type ServerErrorBurst } from './faults';
import { ApprovalProcesses, loadProcessConfigs, projectSourceDirs, type ApprovalInput } from './org/approval-process';
import { creditNoteTriggerHandler } from './org/credit-note-trigger-handler';
import { monthEndCloseTriggerHandler } from './org/month-end-close-trigger-handler';
import { loadLabels } from './org/custom-labels';
import { goLiveControllers, type GoLiveControllers } from './org/golive-controllers';
import { invoiceActions, type ActionRequest, type InvoiceActions } from './org/invoice-actions';
import { invoiceTriggerHandler } from './org/invoice-trigger-handler';
import { opportunityTriggerHandler } from './org/opportunity-trigger-handler';
import { registerCompositeRoute } from './rest/composite-routes';
import { registerIdentityRoutes } from './rest/identity-routes';
import { registerSObjectRoutes, type RequestContext } from './rest/sobject-routes';
import { formatDateTime } from './field-values';
import { SalesforceOrg } from './salesforce-org';
import { loadSchema } from './schema/metadata-loader';
import { applySeed, readSeed, type Seed } from './seed';
import { RecordStore, type StoredEvent } from './store';
import { CometdServer } from './streaming/cometd-server';

export const DEFAULT_FORCE_APP_DIR = join(__dirname, '..', '..', '..', 'force-app');
/** Every REST API version a current org serves: 31.0 (Summer '14, the oldest still supported) to 68.0 (Winter '27, the package's sourceApiVersion). */
export const API_VERSIONS = Array.from({ length: 68 - 31 + 1 }, (_, i) => `${31 + i}.0`);

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
  forceAppDir: z.string().default(DEFAULT_FORCE_APP_DIR),
  namespace: z
    .enum(['', 'ldgr'])
    .or(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,14}$/))
    .default(''),
  dataDir: z.string().optional(),
  dailyApiLimit: z.number().int().positive().default(15000),
  queryBatchSize: z.number().int().positive().default(2000),
  cometdTimeoutSeconds: z.number().positive().default(110),
  /**
   * Platform event deliveries to CometD clients in any 24 hours (all clients together, empApi pages and the bridge's
   * own subscription alike). 25,000: an Enterprise org without the add-on.
   */
  eventDeliveriesPerDay: z.number().int().positive().default(25_000),
  sessionTtlMs: z.number().int().positive().optional(),
  /** false: a single-currency org (no CurrencyIsoCode, no CurrencyType); the seed drops its currency fields */
  multiCurrency: z.boolean().default(true),
  /** the package's active validation rules refuse saves, as in an org; false only says so in a warning */
  enforceValidationRules: z.boolean().default(true),
  /**
   * REST calls are held to the caller's object permissions and field-level security, as in an org, for users whose
   * profile the emulator models (the integration user, System Administrator); false only for a test that needs a
   * lenient org
   */
  enforceUserAccess: z.boolean().default(true),
});

export interface EmulatorOptions extends Partial<z.input<typeof optionsSchema>> {
  seed?: Seed;
  clock?: Clock;
  /** the bridge's External Client App as the admin set it up: consumer key, certificate, policy (JWT bearer) */
  externalClientApp?: AuthOptions['externalClientApp'];
  clientCredentials?: AuthOptions['clientCredentials'];
  logger?: Logger;
}

export interface Control {
  /** a session for a user without going through OAuth (counts as a login, not an API call) */
  login(username: string): { accessToken: string; instanceUrl: string; userId: string };
  authorizationCode(username: string): string;
  expireSessions(): void;
  revokeSession(token: string): void;
  serverErrors(burst: ServerErrorBurst): void;
  /**
   * The next REST writes of an object's records (or of those matching `where`) fail with UNABLE_TO_LOCK_ROW, each as
   * its own record's failure (faults.ts). Cleared by clearFaults.
   */
  unableToLockRow(rule: RowLockContention): void;
  /**
   * Holds every REST write to `sobject` (sObject rows, Collections, Composite subrequests) for `ms` real ms before
   * it is applied, optionally only a user's writes and only the next `count` of them: a slow write-back, so a test
   * can catch a reader that does not wait for the state it reports. Cleared by clearFaults.
   */
  delayWrites(rule: WriteDelay): void;
  clearFaults(): void;
  exhaustRequestLimit(): void;
  setDailyApiLimit(limit: number): void;
  apiUsage(): { used: number; limit: number };
  /** The latest REST requests counted toward the API limit (oldest first, up to 10,000), for tests and benchmarks. */
  apiRequests(): ApiRequest[];
  disconnectStreaming(): number;
  /** Platform event deliveries in the last 24 hours against the allocation (DailyDeliveredPlatformEvents). */
  eventDeliveries(): { used: number; max: number; refusedConnects: number };
  setEventDeliveryAllocation(max: number): void;
  refuseStreaming(on: boolean): void;
  events(channel?: string): StoredEvent[];
  approvals: {
    submit(recordId: string, input: ApprovalInput): void;
    approve(recordId: string, input: ApprovalInput): void;
    reject(recordId: string, input: ApprovalInput): void;
    recall(recordId: string, input: ApprovalInput): void;
  };
  invoiceActions: InvoiceActions;
  /** the go-live Apex controllers: finance's contact match decisions, a rep's partial invoices */
  goLive: GoLiveControllers;
  /** sets the org-wide Ledgerline_Settings__c (package names without namespace) */
  setOrgSettings(values: Record<string, unknown>): void;
  integrationUserId: string;
}

export interface WriteDelay {
  /** API name as written by the client, e.g. `Opportunity` (case-insensitive) */
  sobject: string;
  ms: number;
  /** only writes by this username */
  user?: string;
  /** only the next N matching writes (default: all) */
  count?: number;
  /**
   * Called when a write is held, before it is applied (programmatic control only): a test changes the org under a
   * write the client prepared from an earlier read, e.g. closes a month while a billing plan is being written.
   */
  onHold?: () => void;
}

export interface ApiRequest {
  method: string;
  /** without the query string */
  path: string;
  /** a query's SOQL */
  soql?: string;
  /** a Composite call's subrequests, as `METHOD url` (query string included), then a Collection's object */
  subrequests?: string[];
}

export interface SalesforceEmulator {
  url: string;
  port: number;
  org: SalesforceOrg;
  control: Control;
  close(): Promise<void>;
}

const VERSION_PATTERN = /^v(\d+\.\d)$/;

/** The permission sets and profile of each user (org.access), which an External Client App's policy admits or not. */
function orgUserAccess(org: SalesforceOrg): UserAccess {
  return (userId) => org.access.assignment(String(org.resolveUser(userId).Username));
}

/**
 * Every org has one Organization row, its Id the org id; the API cannot create or change it. Written directly, as
 * on a fresh org, and for a data dir saved before the emulator had the object.
 */
function ensureOrganizationRow(org: SalesforceOrg, integrationUserId: string): void {
  if (org.store.get('Organization', org.orgId)) return;
  const now = formatDateTime(org.clock.now());
  org.store.put('Organization', {
    Id: org.orgId,
    Name: 'Ledgerline Sandbox',
    InstanceName: 'EMU1',
    IsSandbox: false,
    TrialExpirationDate: null,
    NamespacePrefix: null,
    OrganizationType: 'Enterprise Edition',
    Country: 'GB',
    DefaultLocaleSidKey: 'en_GB',
    LanguageLocaleKey: 'en_US',
    TimeZoneSidKey: 'Europe/London',
    IsDeleted: false,
    CreatedDate: now,
    CreatedById: integrationUserId,
    LastModifiedDate: now,
    LastModifiedById: integrationUserId,
    SystemModstamp: now,
  });
  org.store.commit();
}

/** Whether a REST write (sObject row, Collections or Composite) touches records of `sobject`. */
function writesTo(req: FastifyRequest, sobject: string): boolean {
  const rowPath = new RegExp(`/sobjects/${sobject}(?:/|$)`, 'i');
  if (rowPath.test(req.url.split('?')[0]!)) return true;
  const body = req.body as { records?: unknown; compositeRequest?: unknown } | undefined;
  const records = Array.isArray(body?.records) ? (body.records as { attributes?: { type?: unknown } }[]) : [];
  if (records.some((r) => String(r?.attributes?.type ?? '').toLowerCase() === sobject.toLowerCase())) return true;
  const subrequests = Array.isArray(body?.compositeRequest)
    ? (body.compositeRequest as { method?: unknown; url?: unknown; body?: { records?: unknown } }[])
    : [];
  return subrequests.some(
    (sub) =>
      sub?.method !== 'GET' &&
      (rowPath.test(String(sub?.url ?? '').split('?')[0]!) ||
        (Array.isArray(sub?.body?.records) &&
          (sub.body.records as { attributes?: { type?: unknown } }[]).some(
            (r) => String(r?.attributes?.type ?? '').toLowerCase() === sobject.toLowerCase(),
          ))),
  );
}

export async function startSalesforceEmulator(input: EmulatorOptions = {}): Promise<SalesforceEmulator> {
  const opts = optionsSchema.parse(input);
  const clock = input.clock ?? systemClock;
  const logger = input.logger ?? pino({ level: process.env.JEST_WORKER_ID ? 'silent' : 'info', name: 'sf-emulator' });

  const schema = loadSchema({
    forceAppDir: opts.forceAppDir,
    namespace: opts.namespace,
    multiCurrency: opts.multiCurrency,
  });
  const approvalProcesses = loadProcessConfigs(projectSourceDirs(opts.forceAppDir));
  const store = new RecordStore(opts.dataDir);
  const fresh = !store.load();
  const org = new SalesforceOrg({
    schema,
    store,
    clock,
    enforceValidationRules: opts.enforceValidationRules,
    enforceUserAccess: opts.enforceUserAccess,
  });
  if (!opts.enforceValidationRules)
    logger.warn('validation rules are not enforced: this emulator accepts saves an org would refuse');
  if (!opts.enforceUserAccess)
    logger.warn('object permissions and field-level security are not enforced: any user reads and writes everything');
  const labels = loadLabels(opts.forceAppDir);
  org.registerTrigger(opportunityTriggerHandler(org, labels));
  org.registerTrigger(invoiceTriggerHandler(org, labels));
  org.registerTrigger(creditNoteTriggerHandler(org, labels));
  org.registerTrigger(monthEndCloseTriggerHandler(org, labels));
  const { integrationUserId } = applySeed(org, input.seed ?? readSeed(), fresh);
  ensureOrganizationRow(org, integrationUserId);
  const approvals = new ApprovalProcesses(org, approvalProcesses);
  const actions = invoiceActions(org, labels);
  const faults = new Faults();
  const rowLocks = new RowLockFaults(org);
  org.rowLockFault = (def, record, rowId) => rowLocks.take(def, record, rowId);
  let dailyLimit = opts.dailyApiLimit;

  let baseUrl = '';
  const auth = new AuthService(
    org,
    {
      ...(input.externalClientApp
        ? { externalClientApp: input.externalClientApp, userAccess: orgUserAccess(org) }
        : {}),
      ...(input.clientCredentials ? { clientCredentials: input.clientCredentials } : {}),
      ...(opts.sessionTtlMs ? { sessionTtlMs: opts.sessionTtlMs } : {}),
    },
    () => baseUrl,
  );
  const cometd = new CometdServer({
    org,
    logger,
    timeoutSeconds: opts.cometdTimeoutSeconds,
    authenticate: (t) => auth.session(t)?.userId,
    deliveriesPerDay: opts.eventDeliveriesPerDay,
    now: () => clock.now(),
  });

  const app = Fastify({
    // request logs off (warn and above only): the emulator logs what it does itself
    loggerInstance: logger.child({}, { level: 'warn' }) as FastifyBaseLogger,
    forceCloseConnections: true,
    routerOptions: { ignoreDuplicateSlashes: true },
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  const contexts = new WeakMap<FastifyRequest, RequestContext>();
  const apiRequests: ApiRequest[] = [];
  const apiRequestOf = new WeakMap<FastifyRequest, ApiRequest>();
  // Salesforce counts API requests over a rolling 24 hours; hourly buckets are close enough and stay small
  const hourNow = (): number => Math.floor(clock.now() / HOUR);
  const usage = (): { used: number; limit: number } => {
    const oldest = hourNow() - 23;
    let used = 0;
    for (const [hour, n] of Object.entries(store.apiUsage)) {
      if (Number(hour) < oldest) delete store.apiUsage[hour];
      else used += n;
    }
    return { used, limit: dailyLimit };
  };
  const countRequest = (n = 1): void => {
    const h = String(hourNow());
    store.apiUsage[h] = (store.apiUsage[h] ?? 0) + n;
  };
  const sendError = (reply: FastifyReply, err: SalesforceError): FastifyReply =>
    reply.code(err.status).send([err.toRest()]);

  app.addHook('onRequest', async (req, reply) => {
    // Salesforce ignores repeated slashes (the CLI asks for `//services/data/...`); so do the router and this hook.
    const path = req.url.split('?')[0]!.replace(/\/{2,}/g, '/');
    const m = /^\/services\/data\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) return;
    const version = VERSION_PATTERN.exec(m[1]!)?.[1];
    if (!version || !API_VERSIONS.includes(version))
      return sendError(reply, new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist'));
    // a Composite call meets a burst scoped to subrequests only through them (composite-routes.ts)
    const fault = /\/composite$/.test(path) ? faults.takeForComposite([path]) : faults.take(path);
    if (fault) return sendError(reply, fault);
    const header = req.headers.authorization;
    const token = header?.replace(/^(Bearer|OAuth)\s+/i, '');
    const session = auth.session(token);
    if (!session) return sendError(reply, invalidSession());
    const u = usage();
    if (u.used >= u.limit) {
      reply.header('Sforce-Limit-Info', `api-usage=${u.used}/${u.limit}`);
      return sendError(reply, new SalesforceError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
    }
    countRequest();
    // a queryMore is logged with the query it pages through
    const locator = /\/query(?:All)?\/([^/?]+)$/.exec(path)?.[1];
    const soql = locator ? sobjects.soqlOfLocator(locator) : (req.query as { q?: unknown } | undefined)?.q;
    const logged: ApiRequest = { method: req.method, path, ...(typeof soql === 'string' ? { soql } : {}) };
    apiRequests.push(logged);
    if (apiRequests.length > 10_000) apiRequests.splice(0, apiRequests.length - 10_000);
    apiRequestOf.set(req, logged);
    reply.header('Sforce-Limit-Info', `api-usage=${u.used + 1}/${u.limit}`);
    const callOptions = req.headers['sforce-call-options'];
    const ns = typeof callOptions === 'string' ? /defaultNamespace=([A-Za-z0-9]+)/.exec(callOptions)?.[1] : undefined;
    contexts.set(req, { userId: session.userId, apiVersion: version, ...(ns ? { defaultNamespace: ns } : {}) });
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof SalesforceError) return sendError(reply, err);
    if (err instanceof OAuthError)
      return reply.code(err.status).send({ error: err.error, error_description: err.description });
    if (err instanceof z.ZodError)
      return sendError(
        reply,
        new SalesforceError(400, 'JSON_PARSER_ERROR', err.issues.map((i) => i.message).join('; ')),
      );
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.statusCode === 400 || e.statusCode === 415 || e.code?.startsWith('FST_ERR_CTP')) {
      return sendError(
        reply,
        new SalesforceError(400, 'JSON_PARSER_ERROR', `Unexpected character in request body: ${e.message ?? ''}`),
      );
    }
    req.log.error({ err }, 'emulator error');
    return sendError(reply, new SalesforceError(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred.'));
  });
  app.setNotFoundHandler((_req, reply) =>
    sendError(reply, new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist')),
  );

  const ctxOf = (req: FastifyRequest): RequestContext => {
    const c = contexts.get(req);
    if (!c) throw invalidSession();
    return c;
  };

  const writeDelays: (WriteDelay & { userId?: string })[] = [];
  app.addHook('preHandler', async (req) => {
    if (req.method === 'GET' || writeDelays.length === 0) return;
    const userId = contexts.get(req)?.userId;
    const rule = writeDelays.find(
      (r) => r.count !== 0 && (r.userId === undefined || r.userId === userId) && writesTo(req, r.sobject),
    );
    if (!rule) return;
    if (rule.count !== undefined) rule.count -= 1;
    rule.onHold?.();
    await new Promise((resolve) => setTimeout(resolve, rule.ms));
  });

  // ---- OAuth ----
  app.post('/services/oauth2/token', async (req) => auth.token((req.body ?? {}) as Record<string, unknown>));
  app.post('/services/oauth2/revoke', async (req, reply) => {
    const token = String((req.body as Record<string, unknown> | undefined)?.token ?? '');
    auth.revoke(token);
    return reply.code(200).send();
  });
  registerIdentityRoutes(app, {
    org,
    apiVersions: API_VERSIONS,
    baseUrl: () => baseUrl,
    session: (token) => auth.session(token),
    context: ctxOf,
  });
  app.get('/services/data/:version/limits', async (req) => {
    ctxOf(req);
    const u = usage();
    return {
      DailyApiRequests: { Max: u.limit, Remaining: Math.max(0, u.limit - u.used) },
      DailyDeliveredPlatformEvents: { Max: cometd.deliveries.max, Remaining: cometd.deliveries.remaining() },
    };
  });

  const sobjects = registerSObjectRoutes(app, { org, clock, context: ctxOf, queryBatchSize: opts.queryBatchSize });
  const { routes } = sobjects;
  registerCompositeRoute(app, {
    org,
    routes,
    context: ctxOf,
    callFault: (paths) => faults.takeForComposite(paths),
    subrequestFault: (path) => faults.takeForSubrequest(path),
    apiVersions: API_VERSIONS,
    onSubrequests(req, subrequests) {
      const logged = apiRequestOf.get(req);
      if (logged) logged.subrequests = subrequests;
    },
  });

  // ---- control API over HTTP (sandbox only: lets a demo or another process drive the org) ----
  const controlBody = z.object({ user: z.string(), comment: z.string().optional() });
  app.post<{ Params: { id: string; action: string } }>('/__emulator/approvals/:id/:action', async (req) => {
    const body = controlBody.parse(req.body ?? {});
    const input: ApprovalInput = body.comment ? { user: body.user, comment: body.comment } : { user: body.user };
    const fn = {
      submit: approvals.submit,
      approve: approvals.approve,
      reject: approvals.reject,
      recall: approvals.recall,
    }[req.params.action];
    if (!fn) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    fn.call(approvals, req.params.id, input);
    return { success: true };
  });
  app.post<{ Params: { id: string } }>('/__emulator/invoices/:id/actions', async (req) => {
    const body = z
      .object({ user: z.string(), action: z.string() })
      .passthrough()
      .parse(req.body ?? {});
    const { user, ...rest } = body;
    return actions.request(
      [{ ...(rest as Omit<ActionRequest, 'invoiceId'>), invoiceId: req.params.id }],
      org.resolveUser(user).Id,
    )[0];
  });
  app.post('/__emulator/faults', async (req) => {
    const body = z
      .discriminatedUnion('type', [
        z.object({
          type: z.literal('server-errors'),
          count: z.number().int().positive(),
          status: z.number().int().min(500).max(599).optional(),
          pathIncludes: z.string().optional(),
          inComposite: z.enum(['call', 'subrequest']).optional(),
        }),
        z.object({
          type: z.literal('unable-to-lock-row'),
          sobject: z.string().min(1),
          count: z.number().int().positive().optional(),
          where: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
        }),
        z.object({
          type: z.literal('delay-writes'),
          sobject: z.string().min(1),
          ms: z.number().int().min(0).max(600_000),
          user: z.string().optional(),
          count: z.number().int().positive().optional(),
        }),
        z.object({ type: z.literal('expire-sessions') }),
        z.object({ type: z.literal('exhaust-request-limit') }),
        z.object({ type: z.literal('cometd-disconnect') }),
        z.object({ type: z.literal('clear') }),
      ])
      .parse(req.body ?? {});
    if (body.type === 'server-errors') control.serverErrors(body);
    if (body.type === 'unable-to-lock-row') control.unableToLockRow(body);
    if (body.type === 'delay-writes') control.delayWrites(body);
    if (body.type === 'expire-sessions') control.expireSessions();
    if (body.type === 'exhaust-request-limit') control.exhaustRequestLimit();
    if (body.type === 'cometd-disconnect') control.disconnectStreaming();
    if (body.type === 'clear') control.clearFaults();
    return { success: true };
  });
  app.get<{ Querystring: { channel?: string } }>('/__emulator/events', async (req) =>
    control.events(req.query.channel),
  );
  app.post('/__emulator/login', async (req) =>
    control.login(z.object({ username: z.string() }).parse(req.body ?? {}).username),
  );

  const control: Control = {
    login(username) {
      const t = auth.login(username);
      return { accessToken: t.access_token, instanceUrl: t.instance_url, userId: t.id.split('/').pop()! };
    },
    authorizationCode: (username) => auth.authorizationCode(username),
    expireSessions: () => auth.expireAll(),
    revokeSession: (token) => auth.revoke(token),
    serverErrors: (burst) => faults.serverErrors(burst),
    unableToLockRow: (rule) => rowLocks.add(rule),
    delayWrites(rule) {
      writeDelays.push({ ...rule, ...(rule.user ? { userId: org.resolveUser(rule.user).Id } : {}) });
    },
    clearFaults() {
      faults.clear();
      rowLocks.clear();
      writeDelays.length = 0;
      cometd.refuseConnections(false);
    },
    exhaustRequestLimit() {
      countRequest(Math.max(0, dailyLimit - usage().used));
      store.persist();
    },
    setDailyApiLimit(limit) {
      dailyLimit = limit;
    },
    apiUsage: usage,
    apiRequests: () => apiRequests.map((r) => ({ ...r })),
    disconnectStreaming: () => cometd.disconnectAll(),
    eventDeliveries: () => ({
      used: cometd.deliveries.used(),
      max: cometd.deliveries.max,
      refusedConnects: cometd.refusedConnects,
    }),
    setEventDeliveryAllocation: (max) => {
      cometd.deliveries.max = max;
    },
    refuseStreaming: (on) => cometd.refuseConnections(on),
    events: (channel) => (channel ? org.retainedEvents(channel) : (org.pruneEvents(), [...store.events])),
    approvals: {
      submit: (id, i) => approvals.submit(id, i),
      approve: (id, i) => approvals.approve(id, i),
      reject: (id, i) => approvals.reject(id, i),
      recall: (id, i) => approvals.recall(id, i),
    },
    invoiceActions: actions,
    goLive: goLiveControllers(org, labels),
    setOrgSettings(values) {
      const def = org.object(org.n('Ledgerline_Settings__c'));
      const body = Object.fromEntries(Object.entries(values).map(([k, v]) => [org.n(k), v]));
      const existing = org.records(def).find((r) => r.SetupOwnerId === org.orgId);
      if (existing) org.update(def.name, existing.Id, body, { userId: integrationUserId });
      else org.insert(def.name, { ...body, SetupOwnerId: org.orgId }, { userId: integrationUserId });
    },
    integrationUserId,
  };

  cometd.attach(app.server);
  await app.listen({ port: opts.port, host: opts.host });
  const port = (app.server.address() as AddressInfo).port;
  baseUrl = `http://${opts.host}:${port}`;
  logger.info({ url: baseUrl, namespace: opts.namespace || '(none)', fresh }, 'Salesforce emulator listening');

  return {
    url: baseUrl,
    port,
    org,
    control,
    async close() {
      // a grace period for messages clients queued just before (faye sends /meta/disconnect on the next tick and,
      // if the server is gone, retries it forever, which keeps the client's process alive)
      await new Promise((resolve) => setTimeout(resolve, 100));
      cometd.close();
      await app.close();
      store.persist();
    },
  };
}
