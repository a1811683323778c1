/**
 * What the HTTP server needs from the rest of the bridge, as narrow interfaces. The real store, Salesforce
 * and Xero modules satisfy them (see main.ts for the wiring); tests pass small in-memory fakes.
 */
import type { Config } from '../config';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { ImportRun, JobRepository, OrgProfile, OrgSecrets, ResealReport, XeroTokenSet } from '../store/types';
import type { BridgeMetrics } from './metrics';
import type { PendingAuthorizations } from './pkce';

/** One org's Xero app, as /connect/xero and the webhook receiver use it. */
export type OrgXeroSettings = Pick<
  Config['xero'],
  'clientId' | 'authorizeUrl' | 'redirectUri' | 'scopes' | 'webhookKey'
> & {
  /** The webhook key being replaced, accepted too during a rotation. */
  webhookKeyPrevious?: string | undefined;
};

/** The configuration the server reads: the admin token(s) and, for a single-org app, its Xero app settings. */
export interface ServerConfig {
  adminToken: Config['adminToken'];
  /** The admin token being replaced, accepted too during a rotation. */
  adminTokenPrevious?: string | undefined;
  /** The default org's Xero app; an app with an org directory (`orgs`) takes each org's from there. */
  xero?: OrgXeroSettings;
}

/** Jobs as the admin API sees them. Dead letters are jobs in state `dead`. */
export type JobsAdmin = Pick<JobRepository, 'listJobs' | 'getJob' | 'retryJob' | 'countOpenJobsByState'>;

/** One Billing_Entity__mdt record's Xero tenant, as ops configured it in Salesforce. */
export interface BillingEntityTenant {
  developerName: string;
  xeroTenantId: string;
}

/** One organisation a Xero token can reach (an entry of GET /connections). */
export interface XeroTenant {
  tenantId: string;
  tenantName?: string | null;
  tenantType?: string | null;
}

/** Checks behind GET /ready. Each one rejects (or times out) when its dependency is not usable. */
export interface ReadinessDeps {
  /** The store answers (e.g. `store.ping()`). */
  store: () => Promise<void>;
  /** Salesforce answers for the integration user (e.g. a cheap REST call). */
  salesforce: () => Promise<void>;
  /**
   * Xero answers and these are the organisations the stored token sets reach (e.g. GET /connections for
   * every active connection). An empty list means nothing is connected yet.
   */
  xeroTenants: () => Promise<XeroTenant[]>;
}

/** The authorization-code half of connecting Xero (GET /connect/xero/callback). */
export interface XeroConnectDeps {
  /** POST the code and PKCE verifier to the token endpoint; resolves to the new token set. */
  exchangeCode: (args: { code: string; codeVerifier: string; redirectUri: string }) => Promise<XeroTokenSet>;
  /** Persists the token set (encrypted) and returns the connection id it is stored under. */
  saveTokenSet: (tokenSet: XeroTokenSet) => Promise<{ connectionId: string }>;
  /** GET /connections with the new access token. */
  listTenants: (tokenSet: XeroTokenSet) => Promise<XeroTenant[]>;
  /** Links the tenants to the stored connection (e.g. `store.saveXeroTenants`). */
  saveTenants: (connectionId: string, tenants: XeroTenant[]) => Promise<void>;
}

/** The Xero webhook body (§10): thin events, to be fetched later. */
export interface XeroWebhookEvent {
  resourceUrl?: string;
  resourceId: string;
  eventDateUtc?: string;
  eventType: string;
  eventCategory: string;
  tenantId: string;
  tenantType?: string;
  [key: string]: unknown;
}

export interface XeroWebhookPayload {
  events: XeroWebhookEvent[];
  firstEventSequence?: number;
  lastEventSequence?: number;
  entropy?: string;
  [key: string]: unknown;
}

/**
 * Ordered shutdown, run from one onClose hook after the HTTP server stopped taking requests:
 * 1. every `intake` stops together (CometD subscriber, Xero poller, webhook processor): no new work;
 * 2. every `inFlight` drains together (job workers finish what they hold), bounded by `drainTimeoutMs`;
 * 3. every `resources` entry closes in the order given (the store last).
 * A failing step is logged and the next step still runs, so the store is always closed.
 */
export interface ShutdownDeps {
  intake: { name: string; stop: () => Promise<void> }[];
  inFlight: { name: string; drain: () => Promise<void> }[];
  resources: { name: string; close: () => Promise<void> }[];
}

/** A drift check's latest report as the admin API shows it (amounts as decimal strings). */
export interface DriftReportView {
  entity: string;
  tenantId: string;
  checkedAt: string;
  since: string | null;
  documents: { invoices: number; credits: number; readInFull: number };
  open: {
    key: string;
    document: string;
    xeroId: string;
    salesforceId?: string;
    field: string;
    salesforceValue?: string;
    xeroValue?: string;
    currencyCode?: string;
    amountDifference?: string;
    cause: string;
    causeText: string;
    fix: string;
  }[];
  resolved: number;
  reconciliation: Record<string, unknown>[];
  reconciliationDifferences: Record<string, string>[];
}

/** Go-live: historical imports and the drift check (routes/golive). */
export interface GoLiveAdmin {
  /** Billing_Entity__mdt DeveloperNames. */
  entities(): Promise<string[]>;
  startImport(entity: string, since: string): Promise<{ run: ImportRun; created: boolean }>;
  resumeImport(runKey: string): Promise<ImportRun | null>;
  listImports(): Promise<ImportRun[]>;
  getImport(runKey: string): Promise<ImportRun | null>;
  requestDriftCheck(entity: string): Promise<{ key: string }>;
  latestDrift(entity: string): DriftReportView | undefined;
}

/** What the routes reach in one org's bridge. */
export interface OrgEndpoints {
  orgId: string;
  xero: OrgXeroSettings;
  jobs: JobsAdmin;
  readiness: ReadinessDeps;
  /** The Billing_Entity__mdt records' tenant ids (read from Salesforce); used by /ready and the callback. */
  billingEntities: () => Promise<BillingEntityTenant[]>;
  xeroConnect: XeroConnectDeps;
  /**
   * Stores the events of a verified webhook and returns; must be quick (Xero wants the answer within 5 s).
   * Dedupe and fetching the changed resources happen later, off the request.
   */
  acceptWebhook: (payload: XeroWebhookPayload) => Promise<void>;
  /** Go-live admin routes (imports, drift checks); absent, they answer 404. */
  goLive?: GoLiveAdmin | undefined;
}

/** Where an org's bridge stands in this process. */
export type OrgRunState = 'starting' | 'running' | 'failed' | 'disabled' | 'stopped';

export interface OrgStatus {
  orgId: string;
  state: OrgRunState;
  /** Why it is not running (failed: the error, for a person; disabled: by whom it was suspended). */
  message: string | null;
  /** Since when (epoch ms). */
  since: number;
}

/**
 * The orgs one deployment serves (several Salesforce orgs), looked up per request. Routes under /orgs/:orgId/…
 * reach their org through it; the unprefixed routes (/connect/xero, /webhooks/xero, /admin/jobs, /ready) are the
 * default org's.
 */
export interface OrgDirectory {
  /**
   * A running org's endpoints. Throws NotFoundError for an org this deployment does not serve, and HttpError 503
   * while it is not running (starting, failed, disabled), naming why.
   */
  endpoints(orgId: string): OrgEndpoints;
  /** Whether an org 'default' is served (DEFAULT_ORG=env). */
  hasDefaultOrg(): boolean;
  /** Every org's run state in this process. */
  statuses(): OrgStatus[];
  /** The store answers (the deployment's own readiness when it has no default org). */
  storeReady(): Promise<void>;
}

/** An org as the admin API shows it: its profile and run state, which secrets are set, never their values. */
export interface OrgView {
  orgId: string;
  /** env: configured by environment variables (read-only here); store: added through this API. */
  source: 'env' | 'store';
  profile: OrgProfile | null;
  secrets: Record<keyof OrgSecrets, boolean>;
  status: OrgStatus;
  createdAt: number | null;
  updatedAt: number | null;
}

/** A new org, or a change: the whole profile, and the secrets to set (all of them for a new org). */
export interface OrgInput {
  profile: OrgProfile;
  secrets?: Partial<OrgSecrets> | undefined;
}

/** Adding, changing and suspending orgs, and re-sealing stored secrets after an encryption key rotation. */
export interface OrgAdmin {
  listOrgs(): Promise<OrgView[]>;
  getOrg(orgId: string): Promise<OrgView | null>;
  /** Validates, stores (secrets sealed) and (re)starts the org's bridge; `created` when it is new. */
  saveOrg(orgId: string, input: OrgInput): Promise<{ created: boolean; org: OrgView }>;
  /** Suspends (stops its bridge) or reactivates an org; null if there is none. */
  setOrgStatus(orgId: string, status: 'active' | 'suspended'): Promise<OrgView | null>;
  resealSecrets(): Promise<ResealReport>;
}

/** What a single-org app serves; an app with an org directory may leave these out. */
export interface SingleOrgDeps {
  jobs: JobsAdmin;
  readiness: ReadinessDeps;
  billingEntities: () => Promise<BillingEntityTenant[]>;
  xeroConnect: XeroConnectDeps;
  acceptWebhook: (payload: XeroWebhookPayload) => Promise<void>;
  /** Go-live admin routes (imports, drift checks); absent, they answer 404. */
  goLive?: GoLiveAdmin | undefined;
}

/** Everything `buildApp` is given. */
export interface AppDeps extends Partial<SingleOrgDeps> {
  config: ServerConfig;
  logger: Logger;
  /** Time source for authorization-state expiry (default: system clock). */
  clock?: Pick<Clock, 'now'>;
  /**
   * Shared with the Xero scheduler and the event subscriber, which record calls, 429s and event lag on it.
   * Created (with its own registry) when absent.
   */
  metrics?: BridgeMetrics;
  shutdown: ShutdownDeps;
  /** Where /connect/xero keeps state → PKCE verifier until the callback (default: in memory). */
  pendingAuthorizations?: PendingAuthorizations;
  /** Many orgs: every org's endpoints (the default org's too), and /orgs/:orgId/… routes. */
  orgs?: OrgDirectory;
  /** The /admin/orgs API (with `orgs`). */
  orgAdmin?: OrgAdmin;
}

export interface AppOptions {
  /** Largest accepted request body, in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Largest accepted webhook body, in bytes (default 256 KiB). */
  webhookBodyLimit?: number;
  /** Each /ready check fails after this long (default 2,000 ms). */
  readyTimeoutMs?: number;
  /** How long a /connect/xero state stays usable (default 10 minutes). */
  authorizationTtlMs?: number;
  /** A webhook whose events are not stored within this gets 503 (Xero's limit is 5 s; default 4,000 ms). */
  webhookAcceptTimeoutMs?: number;
  /** How long shutdown waits for in-flight work before closing resources anyway (default 8,000 ms). */
  drainTimeoutMs?: number;
}
