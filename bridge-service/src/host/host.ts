/**
 * The host: one bridge process serving every org of a deployment. It opens the store once, and builds one bridge
 * per org (createOrgBridge with `store.forOrg(orgId)`): the org configured by environment ('default', unless
 * DEFAULT_ORG=none) and every active org kept in the store. Each org has its own Salesforce connection, Xero
 * clients, scheduler, worker, subscriber and pollers, and logs with `{ orgId }`; they share only the process and
 * the store.
 *
 * Orgs stay apart when one misbehaves: each starts on its own (an org whose Salesforce login fails is marked failed
 * and retried with backoff while the others run), has its own worker and scheduler (one org's Xero tenant at its
 * daily limit holds only that org's calls), and its HTTP routes answer 503 for it alone.
 *
 * Orgs are read from the store at start, every ORG_REFRESH_INTERVAL_MS, and at once after a change through this
 * process's admin API: a new active org is started, a changed one restarted, a suspended one stopped. Every replica
 * does the same, so all of them serve every org (their singleton roles decide who subscribes and polls).
 */
import { isSecureEndpoint, missingXeroScopes, SECURE_ENDPOINT_RULE, type Config, type HostConfig } from '../config';
import { createOrgBridge, type BridgeOverrides, type OrgBridge } from '../bridge';
import { systemClock, type Clock } from '../lib/clock';
import { describeError } from '../lib/errors';
import { scrubString, type Logger } from '../lib/logger';
import type { OrgAdmin, OrgDirectory, OrgEndpoints, OrgStatus, OrgView, ShutdownDeps } from '../server/deps';
import { BadRequestError, ConflictError, NotFoundError } from '../server/errors';
import type { Bridge, BridgeContext } from '../server/main';
import { OrgUnavailableError } from '../server/org-scope';
import { storePendingAuthorizations } from '../server/adapters';
import { openStore } from '../store';
import {
  DEFAULT_ORG_ID,
  InvalidOrgConfigError,
  orgSecretsSchema,
  type Org,
  type OrgProfile,
  type OrgSecrets,
  type Store,
} from '../store/types';
import { orgConfig } from './org-config';

export interface HostOptions {
  /** Knobs for every org's bridge (tests). */
  bridge?: BridgeOverrides;
  /** A store owned by the caller (it stays open when the host shuts down). */
  store?: Store;
  /** Backoff between start attempts of a failing org: first wait and longest wait (default 5 s and 5 minutes). */
  retry?: { firstMs?: number; maxMs?: number };
  /** How long stopping one org waits for its in-flight work (default 8 s). */
  drainTimeoutMs?: number;
  /** How long an admin change waits for the org's bridge to start before answering (default 5 s). */
  applyWaitMs?: number;
}

interface Slot {
  orgId: string;
  source: 'env' | 'store';
  /** The store's updatedAt of the configuration running (or last tried); null for the env org. */
  version: number | null;
  status: OrgStatus;
  bridge: OrgBridge | undefined;
  /** Start, stop and restart of one org run one after another. */
  chain: Promise<void>;
  retry: AbortController | undefined;
  attempts: number;
}

const SECRET_NAMES = Object.keys(orgSecretsSchema.shape) as (keyof OrgSecrets)[];
const REQUIRED_SECRETS = SECRET_NAMES.filter((name) => !orgSecretsSchema.shape[name].safeParse(undefined).success);

/**
 * Where an org's bridge sends its secrets and the tokens they earn, as it runs (profile over the deployment's
 * defaults): the JWT assertion signed with salesforcePrivateKey (for `audience`, posted to `loginUrl`), the session
 * it buys (`instanceUrl`), the Basic client credentials and refresh tokens (`tokenUrl`), the access tokens
 * (`apiBaseUrl`, `connectionsUrl`), and the OAuth state and PKCE challenge (`authorizeUrl`). The webhook keys go
 * nowhere (they check what Xero sends), and `redirectUri` receives only a code that is useless without the PKCE
 * verifier and client secret, both kept by the bridge.
 */
const SECRET_DESTINATIONS: [name: string, of: (c: Config) => string | undefined][] = [
  ['salesforce.loginUrl', (c) => c.salesforce.loginUrl],
  ['salesforce.instanceUrl', (c) => c.salesforce.instanceUrl],
  ['salesforce.audience', (c) => c.salesforce.audience],
  ['xero.endpoints.tokenUrl', (c) => c.xero.tokenUrl],
  ['xero.endpoints.apiBaseUrl', (c) => c.xero.apiBaseUrl],
  ['xero.endpoints.connectionsUrl', (c) => c.xero.connectionsUrl],
  ['xero.endpoints.authorizeUrl', (c) => c.xero.authorizeUrl],
];
/** The destinations the stored Xero token sets go to: they were issued by (and are for) these servers only. */
const XERO_TOKEN_DESTINATIONS = new Set([
  'xero.endpoints.tokenUrl',
  'xero.endpoints.apiBaseUrl',
  'xero.endpoints.connectionsUrl',
]);

export async function createHost(
  config: HostConfig,
  context: BridgeContext,
  options: HostOptions = {},
): Promise<Bridge> {
  const clock: Clock = options.bridge?.clock ?? systemClock;
  const log = context.logger;
  const store =
    options.store ??
    (await openStore(config, {
      clock,
      applicationName: config.instanceId,
      onIdleError: (err) => log.warn({ err }, 'store: an idle database connection failed; it will be replaced'),
    }));
  const firstRetryMs = options.retry?.firstMs ?? 5_000;
  const maxRetryMs = options.retry?.maxMs ?? 5 * 60_000;
  const drainTimeoutMs = options.drainTimeoutMs ?? 8_000;
  const slots = new Map<string, Slot>();
  let closing = false;
  let refreshing: AbortController | undefined;
  let refreshLoop: Promise<void> | undefined;

  // A restarted process ends the Xero permits its previous incarnation held (same BRIDGE_INSTANCE_ID), once for all
  // orgs: a permit's owner is the process, not the org.
  try {
    const released = await store.rateLimits.releaseOwnerPermits(config.instanceId);
    if (released > 0) log.info({ released }, 'ended the Xero rate-limit permits this instance held before it stopped');
  } catch (err) {
    if (!options.store) await store.close();
    throw err;
  }

  const orgLog = (orgId: string): Logger => log.child({ orgId });
  const setStatus = (slot: Slot, state: OrgStatus['state'], message: string | null = null) => {
    slot.status = { orgId: slot.orgId, state, message, since: clock.now() };
    // A stopped or disabled org's series go once its bridge has stopped (stopSlot).
    if (state === 'starting' || state === 'running' || state === 'failed') {
      context.metrics.forOrg(slot.orgId).setOrgUp(state === 'running');
    }
  };
  const serial = (slot: Slot, fn: () => Promise<void>): Promise<void> => {
    const next = slot.chain.then(fn);
    slot.chain = next.catch(() => undefined);
    return next;
  };

  /** The org's configuration as it is now: from the environment, or read (and decrypted) from the store. */
  async function configOf(slot: Slot): Promise<Config> {
    if (slot.source === 'env') {
      if (!config.defaultOrg) throw new Error('no org is configured by environment');
      return config.defaultOrg;
    }
    const org = await store.orgs.getOrg(slot.orgId);
    if (!org) throw new Error(`org ${slot.orgId} is no longer in the store`);
    slot.version = org.updatedAt;
    return orgConfig(config, org);
  }

  async function startSlot(slot: Slot): Promise<void> {
    if (closing || slot.bridge) return;
    slot.retry?.abort();
    slot.retry = undefined;
    setStatus(slot, 'starting');
    const slotLog = orgLog(slot.orgId);
    let bridge: OrgBridge | undefined;
    try {
      const orgConfigNow = await configOf(slot);
      // The admin API checks every URL on save; a profile stored before that rule (or by hand) is checked here, so
      // no secret or token goes out in the clear. The org stays failed until its profile is saved again.
      const insecure = SECRET_DESTINATIONS.filter(([, of]) => {
        const url = of(orgConfigNow);
        return url !== undefined && !isSecureEndpoint(url);
      }).map(([name]) => name);
      if (insecure.length > 0) {
        throw new Error(
          `its profile's ${insecure.join(', ')} ${SECURE_ENDPOINT_RULE}: save the profile again with them`,
        );
      }
      const lacking = missingXeroScopes(orgConfigNow.xero.scopes);
      if (lacking.length > 0) {
        // A profile saved before these scopes were needed: the org runs; the calls that need them will be refused.
        slotLog.warn(
          { lacking },
          `the org's Xero scopes lack ${lacking.join(', ')}: update its profile's xero.scopes and connect Xero again`,
        );
      }
      bridge = await createOrgBridge(
        orgConfigNow,
        { logger: slotLog, metrics: context.metrics.forOrg(slot.orgId), store, orgId: slot.orgId },
        options.bridge,
      );
      if (closing) {
        await bridge.stop(drainTimeoutMs);
        return;
      }
      await bridge.start();
      slot.bridge = bridge;
      slot.attempts = 0;
      setStatus(slot, 'running');
    } catch (err) {
      await bridge?.stop(drainTimeoutMs).catch(() => undefined);
      slot.attempts += 1;
      const waitMs = Math.min(maxRetryMs, firstRetryMs * 2 ** (slot.attempts - 1)) * (0.8 + 0.4 * Math.random());
      setStatus(slot, 'failed', scrubString(describeError(err)));
      slotLog.error(
        { err, attempt: slot.attempts, retryInMs: Math.round(waitMs) },
        'org bridge could not start; the other orgs run on, and this one is tried again',
      );
      scheduleRetry(slot, waitMs);
    }
  }

  function scheduleRetry(slot: Slot, waitMs: number): void {
    if (closing) return;
    const retry = new AbortController();
    slot.retry = retry;
    void clock.sleep(waitMs, retry.signal).then(() => {
      if (retry.signal.aborted || closing || slot.retry !== retry) return;
      slot.retry = undefined;
      void serial(slot, () => startSlot(slot));
    });
  }

  async function stopSlot(slot: Slot, state: 'disabled' | 'stopped', message: string | null = null): Promise<void> {
    slot.retry?.abort();
    slot.retry = undefined;
    const bridge = slot.bridge;
    slot.bridge = undefined;
    setStatus(slot, state, message);
    try {
      if (bridge) await bridge.stop(drainTimeoutMs);
    } finally {
      // After the stop, which releases the org's roles (and so sets them to 0): an org stopped on purpose (suspended,
      // removed, or restarting on a new configuration) exports nothing an alert for a failed org reads.
      context.metrics.forOrg(slot.orgId).forget();
    }
  }

  function slotFor(orgId: string, source: Slot['source']): Slot {
    let slot = slots.get(orgId);
    if (!slot) {
      slot = {
        orgId,
        source,
        version: null,
        status: { orgId, state: 'stopped', message: null, since: clock.now() },
        bridge: undefined,
        chain: Promise.resolve(),
        retry: undefined,
        attempts: 0,
      };
      slots.set(orgId, slot);
    }
    return slot;
  }

  /** Brings one store org's bridge in line with its stored configuration. */
  function apply(orgId: string, stored: { status: 'active' | 'suspended'; updatedAt: number } | null): Promise<void> {
    if (orgId === DEFAULT_ORG_ID && config.defaultOrg) return Promise.resolve(); // the environment's org wins
    const slot = slotFor(orgId, 'store');
    return serial(slot, async () => {
      if (closing) return;
      if (!stored) {
        await stopSlot(slot, 'stopped', 'removed from the store');
        slots.delete(orgId);
        return;
      }
      if (stored.status === 'suspended') {
        if (slot.status.state !== 'disabled') await stopSlot(slot, 'disabled', 'suspended through the admin API');
        slot.version = stored.updatedAt;
        return;
      }
      const changed = slot.version !== stored.updatedAt;
      if (changed && slot.bridge) {
        orgLog(orgId).info('org configuration changed: restarting its bridge');
        await stopSlot(slot, 'stopped');
      }
      // A failed org is retried on its own schedule, unless its configuration changed (then at once).
      if (!slot.bridge && (changed || slot.status.state === 'disabled' || slot.status.state === 'stopped')) {
        await startSlot(slot);
      }
    });
  }

  async function refresh(): Promise<void> {
    const stored = await store.orgs.listOrgs();
    const seen = new Set(stored.map((o) => o.orgId));
    await Promise.all([
      ...stored.map((o) => apply(o.orgId, { status: o.profile.status, updatedAt: o.updatedAt })),
      ...[...slots.values()].filter((s) => s.source === 'store' && !seen.has(s.orgId)).map((s) => apply(s.orgId, null)),
    ]);
  }

  async function runRefreshLoop(): Promise<void> {
    while (!closing) {
      refreshing = new AbortController();
      await clock.sleep(config.orgRefreshIntervalMs, refreshing.signal);
      if (closing) break;
      await refresh().catch((err: unknown) => log.warn({ err }, 'could not read the orgs from the store'));
    }
  }

  // ── what the routes and the admin API see ───────────────────────────────────────────────────────────────

  const directory: OrgDirectory = {
    endpoints(orgId: string): OrgEndpoints {
      const slot = slots.get(orgId);
      if (!slot) throw new NotFoundError('ORG_NOT_FOUND', `This deployment serves no org ${orgId}`);
      if (!slot.bridge || slot.status.state !== 'running') throw new OrgUnavailableError(orgId, slot.status.state);
      return slot.bridge.endpoints;
    },
    hasDefaultOrg: () => config.defaultOrg !== null,
    statuses: () => [...slots.values()].map((s) => s.status).sort((a, b) => a.orgId.localeCompare(b.orgId)),
    storeReady: () => store.ping(),
  };

  const secretsSet = (secrets: Partial<OrgSecrets> | null): Record<keyof OrgSecrets, boolean> =>
    Object.fromEntries(SECRET_NAMES.map((name) => [name, secrets === null || secrets[name] !== undefined])) as Record<
      keyof OrgSecrets,
      boolean
    >;

  const storeView = (org: Org): OrgView => ({
    orgId: org.orgId,
    source: 'store',
    profile: org.profile,
    secrets: secretsSet(org.secrets),
    status: slots.get(org.orgId)?.status ?? { orgId: org.orgId, state: 'stopped', message: null, since: clock.now() },
    createdAt: org.createdAt,
    updatedAt: org.updatedAt,
  });
  const envView = (): OrgView | null => {
    const slot = slots.get(DEFAULT_ORG_ID);
    if (!config.defaultOrg || !slot) return null;
    return {
      orgId: DEFAULT_ORG_ID,
      source: 'env',
      profile: null,
      secrets: { ...secretsSet(null), xeroWebhookKeyPrevious: config.defaultOrg.xero.webhookKeyPrevious !== undefined },
      status: slot.status,
      createdAt: null,
      updatedAt: null,
    };
  };
  const isEnvOrg = (orgId: string) => orgId === DEFAULT_ORG_ID && config.defaultOrg !== null;
  const refuseEnvOrg = (orgId: string) => {
    if (isEnvOrg(orgId)) {
      throw new ConflictError(
        'ORG_CONFIGURED_BY_ENVIRONMENT',
        "Org 'default' is configured by environment variables (DEFAULT_ORG=env): change those and restart",
      );
    }
  };
  /** Applies a change now, waiting a few seconds for the bridge to start so the answer can say how it went. */
  const applyNow = async (orgId: string) => {
    const org = await store.orgs.listOrgs().then((all) => all.find((o) => o.orgId === orgId));
    const applied = apply(orgId, org ? { status: org.profile.status, updatedAt: org.updatedAt } : null);
    const waited = new AbortController();
    await Promise.race([applied.catch(() => undefined), clock.sleep(options.applyWaitMs ?? 5_000, waited.signal)]);
    waited.abort();
  };

  /** The destinations (SECRET_DESTINATIONS) a new profile changes from the stored one's. */
  const movedDestinations = (stored: Pick<Org, 'profile'>, next: OrgProfile): string[] => {
    const secrets = { salesforcePrivateKey: '', xeroClientSecret: '', xeroWebhookKey: '' };
    const before = orgConfig(config, { profile: stored.profile, secrets });
    const after = orgConfig(config, { profile: next, secrets });
    return SECRET_DESTINATIONS.filter(([, of]) => of(before) !== of(after)).map(([name]) => name);
  };
  /** The stored profile alone (when its secrets no longer open), or null for a new org. */
  const storedProfileOf = async (orgId: string): Promise<OrgProfile | null> =>
    (await store.orgs.listOrgs()).find((o) => o.orgId === orgId)?.profile ?? null;
  /** Every Xero connection of the org waits for a new consent: its tokens are not sent to the new endpoints. */
  const holdXeroConnections = async (orgId: string): Promise<void> => {
    const connections = store.forOrg(orgId).xeroConnections;
    for (const { connectionId, status } of await connections.listXeroConnections()) {
      if (status === 'reauthorisation_required') continue;
      await connections.setXeroConnectionStatus(
        connectionId,
        'reauthorisation_required',
        "the org's Xero endpoints changed: connect Xero again (its tokens are not sent to the new endpoints)",
      );
    }
  };

  const orgAdmin: OrgAdmin = {
    async listOrgs() {
      const stored = await Promise.all((await store.orgs.listOrgs()).map((o) => store.orgs.getOrg(o.orgId)));
      const views = stored.filter((o): o is Org => o !== null && !isEnvOrg(o.orgId)).map(storeView);
      const env = envView();
      return env ? [env, ...views] : views;
    },
    async getOrg(orgId) {
      if (isEnvOrg(orgId)) return envView();
      const org = await store.orgs.getOrg(orgId);
      return org ? storeView(org) : null;
    },
    async saveOrg(orgId, input) {
      refuseEnvOrg(orgId);
      let existing: Org | null;
      try {
        existing = await store.orgs.getOrg(orgId);
      } catch (err) {
        // Its stored secrets do not open (key rotated without them): only a complete set of secrets replaces them.
        if (REQUIRED_SECRETS.some((name) => input.secrets?.[name] === undefined)) throw err;
        existing = null;
      }
      const given = Object.fromEntries(Object.entries(input.secrets ?? {}).filter(([, v]) => v !== undefined));
      const missing = REQUIRED_SECRETS.filter((name) => given[name] === undefined);
      // Stored secrets are write-only: they are kept for a change only while they still go where they went. A
      // change of where they go needs them all again, or the admin token alone could send them to any server.
      const moved = existing ? movedDestinations(existing, input.profile) : [];
      if (missing.length > 0 && (existing === null || moved.length > 0)) {
        throw new BadRequestError(
          'ORG_SECRETS_REQUIRED',
          existing === null
            ? `A new org needs every secret; missing: ${missing.join(', ')}`
            : `Changing where secrets are sent (${moved.join(', ')}) needs every secret sent again in the same ` +
                `request; missing: ${missing.join(', ')}`,
        );
      }
      const secrets = { ...existing?.secrets, ...given };
      // The org's Xero token sets were issued by its old Xero servers: none is sent to new ones. Marked before the
      // new profile is stored, so no bridge running it finds one usable; connecting Xero again stores new ones.
      const storedProfile = existing?.profile ?? (await storedProfileOf(orgId));
      if (
        storedProfile &&
        movedDestinations({ profile: storedProfile }, input.profile).some((name) => XERO_TOKEN_DESTINATIONS.has(name))
      ) {
        await holdXeroConnections(orgId);
      }
      try {
        await store.orgs.saveOrg(orgId, input.profile, orgSecretsSchema.parse(secrets));
      } catch (err) {
        if (err instanceof InvalidOrgConfigError) throw new BadRequestError('INVALID_ORG_CONFIG', err.message);
        throw err;
      }
      await applyNow(orgId);
      const saved = await store.orgs.getOrg(orgId);
      if (!saved) throw new NotFoundError('ORG_NOT_FOUND', `Org ${orgId} vanished while it was saved`);
      return { created: existing === null, org: storeView(saved) };
    },
    async setOrgStatus(orgId, status) {
      refuseEnvOrg(orgId);
      if (!(await store.orgs.setOrgStatus(orgId, status))) return null;
      await applyNow(orgId);
      const org = await store.orgs.getOrg(orgId);
      return org ? storeView(org) : null;
    },
    resealSecrets: () => store.resealSecrets(),
  };

  // ── shutdown: every org's intake, then every org's in-flight work, then their resources and the store ─────

  const running = () => [...slots.values()].flatMap((s) => (s.bridge ? [s.bridge] : []));
  const shutdown: ShutdownDeps = {
    intake: [
      {
        name: 'orgs',
        stop: async () => {
          closing = true;
          refreshing?.abort();
          await refreshLoop;
          for (const slot of slots.values()) slot.retry?.abort();
          // A start in progress finishes (and, seeing `closing`, stops again) before the orgs are stopped.
          await Promise.all([...slots.values()].map((s) => s.chain));
          await Promise.all(running().flatMap((b) => b.shutdown.intake.map((step) => step.stop())));
        },
      },
    ],
    inFlight: [
      {
        name: 'orgs',
        drain: async () => {
          await Promise.all(running().flatMap((b) => b.shutdown.inFlight.map((step) => step.drain())));
        },
      },
    ],
    resources: [
      {
        name: 'orgs',
        close: async () => {
          for (const bridge of running()) for (const resource of bridge.shutdown.resources) await resource.close();
        },
      },
      ...(options.store ? [] : [{ name: 'store', close: () => store.close() }]),
    ],
  };

  return {
    deps: {
      orgs: directory,
      orgAdmin,
      pendingAuthorizations: storePendingAuthorizations(store.oauthStates),
      shutdown,
    },
    async start() {
      const first: Promise<void>[] = [];
      if (config.defaultOrg) {
        const slot = slotFor(DEFAULT_ORG_ID, 'env');
        first.push(serial(slot, () => startSlot(slot)));
      }
      first.push(refresh().catch((err: unknown) => log.error({ err }, 'could not read the orgs from the store')));
      await Promise.all(first);
      refreshLoop = runRefreshLoop();
      const statuses = directory.statuses();
      log.info(
        { orgs: statuses.map((s) => ({ orgId: s.orgId, state: s.state })) },
        `serving ${statuses.filter((s) => s.state === 'running').length} of ${statuses.length} org(s)`,
      );
    },
  };
}
