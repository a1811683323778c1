/**
 * The whole system on one machine with no credentials: the Salesforce emulator, the Xero emulator, and the real
 * bridge (createBridge + the Fastify app) wired to them through configuration only, exactly as it would be
 * wired to the real services. Used by the integration tests, the chaos suite, the benchmarks and `npm start`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createBridge, type BridgeOverrides } from '../src/bridge';
import { DEFAULT_XERO_SCOPES, loadConfig, type Config } from '../src/config';
import type { Logger } from '../src/lib/logger';
import { buildApp, type BridgeApp } from '../src/server/app';
import { createMetrics } from '../src/server/metrics';
import { openStore } from '../src/store';
import type { Store } from '../src/store/types';
import { selfSignedCertificate } from './salesforce/certificate';
import { bridgeClockOf, type ScaledClock } from './shared/clock';
import { startSalesforceEmulator, type EmulatorOptions, type SalesforceEmulator } from './salesforce/server';
import { startXeroEmulator, type XeroEmulator, type XeroEmulatorOptions } from './xero/emulator';

export const INTEGRATION_USER = 'integration@ledgerline.example';
/** The permission sets the sandbox's External Client App pre-authorises, as install step 6 has the admin do. */
export const BRIDGE_APP_PERMISSION_SETS = ['Ledgerline_Integration'];
const CONSUMER_KEY = '3MVG9-ledgerline-sandbox-consumer';

export interface SandboxOptions {
  /** Where the bridge keeps its store; a temp folder by default (removed on close). */
  dataDir?: string;
  namespace?: '' | 'ldgr';
  salesforce?: EmulatorOptions;
  xero?: XeroEmulatorOptions;
  bridge?: BridgeOverrides;
  logger?: Logger;
  /** Port for the bridge's HTTP server (0 picks one). */
  port?: number;
  /** Bridge environment variables set over the sandbox's own (e.g. XERO_SCOPES). */
  env?: Record<string, string>;
  /** The scopes the stored Xero token was granted, when not the ones configured (a consent older than the list). */
  xeroGrantedScopes?: readonly string[];
  /**
   * One calendar for the emulators, the bridge and its store (dated jobs fall due by it): a test or the demo moves it
   * forward to an instalment's date. Default: each runs on real time.
   */
  clock?: ScaledClock;
}

export interface Sandbox {
  sf: SalesforceEmulator;
  xero: XeroEmulator;
  config: Config;
  app: BridgeApp;
  store: Store;
  /** The bridge's base URL. */
  url: string;
  /** Stops the bridge (as SIGTERM would) but keeps the emulators, so a new bridge can take over. */
  stopBridge(): Promise<void>;
  /** Starts a bridge again on the same store and emulators. */
  startBridge(): Promise<void>;
  close(): Promise<void>;
}

/** The two emulators plus the bridge's environment pointing at them: what a bridge process is started with. */
export interface EmulatedSystems {
  sf: SalesforceEmulator;
  xero: XeroEmulator;
  /** Environment variables for a bridge (in this process via loadConfig, or a child process). */
  env: Record<string, string>;
  config: Config;
  dataDir: string;
  close(): Promise<void>;
}

export type EmulatedSystemsOptions = Pick<
  SandboxOptions,
  'dataDir' | 'namespace' | 'salesforce' | 'xero' | 'port' | 'env'
> & {
  /** The emulators' logger (silent by default). */
  logger?: Logger;
};

export async function startEmulatedSystems(options: EmulatedSystemsOptions = {}): Promise<EmulatedSystems> {
  const log = options.logger ?? pino({ level: 'silent' });
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ledgerline-sandbox-'));
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const namespace = options.namespace ?? '';

  const sf = await startSalesforceEmulator({
    port: 0,
    logger: log,
    namespace,
    // the bridge's External Client App as install step 6 sets it up: certificate uploaded, Ledgerline Integration
    // pre-authorised
    externalClientApp: {
      consumerKey: CONSUMER_KEY,
      certificatePem: selfSignedCertificate(keys),
      permissionSets: BRIDGE_APP_PERMISSION_SETS,
    },
    ...options.salesforce,
  });
  // A half-started sandbox closes what it started: a server left listening keeps the test process alive.
  const xero = await startXeroEmulator({ port: 0, ...options.xero }).catch(async (err: unknown) => {
    await sf.close();
    throw err;
  });
  const app = xero.seed.app;

  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: String(options.port ?? 0),
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    STORE_PATH: join(dataDir, 'bridge.sqlite'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    BRIDGE_INSTANCE_ID: `sandbox-${process.pid}`,
    SF_LOGIN_URL: sf.url,
    SF_API_VERSION: '62.0',
    SF_CLIENT_ID: CONSUMER_KEY,
    SF_USERNAME: INTEGRATION_USER,
    SF_PRIVATE_KEY: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    SF_AUDIENCE: sf.url,
    SF_NAMESPACE_PREFIX: namespace ? `${namespace}__` : '',
    XERO_API_BASE_URL: xero.apiUrl,
    XERO_TOKEN_URL: `${xero.identityUrl}/connect/token`,
    XERO_AUTHORIZE_URL: `${xero.identityUrl}/connect/authorize`,
    XERO_CONNECTIONS_URL: `${xero.url}/connections`,
    XERO_CLIENT_ID: app.clientId,
    XERO_CLIENT_SECRET: app.clientSecret,
    XERO_REDIRECT_URI: app.redirectUris[0] ?? '',
    XERO_WEBHOOK_KEY: app.webhookKey,
    ...options.env,
  };
  return {
    sf,
    xero,
    env,
    config: loadConfig(env),
    dataDir,
    async close() {
      await xero.close();
      await sf.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Connects Xero as ops would after /connect/xero: one token set reaching every seeded organisation, granted the
 * scopes the bridge asks for (the emulator refuses scopes its app may not have, and every call the token's
 * scopes do not cover).
 */
export async function connectXeroOrganisations(
  store: Pick<Store, 'xeroConnections'>,
  xero: XeroEmulator,
  scopes: readonly string[] = DEFAULT_XERO_SCOPES.split(' '),
): Promise<void> {
  const tokens = xero.control.issueTokens({ scope: scopes.join(' ') });
  const connectionId = 'sandbox-connection';
  await store.xeroConnections.saveXeroTokenSet(connectionId, {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? '',
    expiresAt: xero.control.now() + tokens.expires_in * 1000,
    scope: tokens.scope,
  });
  await store.xeroConnections.saveXeroTenants(
    connectionId,
    xero.seed.organisations.map((org) => ({
      tenantId: org.tenantId,
      tenantName: org.name,
      tenantType: 'ORGANISATION',
    })),
  );
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const log = options.logger ?? pino({ level: 'silent' });
  const shared = options.clock;
  const bridgeClock = shared ? bridgeClockOf(shared) : undefined;
  const systems = await startEmulatedSystems({
    ...options,
    logger: log,
    ...(shared
      ? {
          salesforce: { ...options.salesforce, clock: shared },
          xero: { ...options.xero, clock: shared },
        }
      : {}),
  });
  const { sf, xero, config } = systems;
  // The store keeps time with the bridge: shared rate-limit windows are measured in the scheduler's minutes.
  const clock = bridgeClock ?? options.bridge?.clock;
  const store = options.bridge?.store ?? (await openStore(config, clock ? { clock } : {}));
  const bridgeOptions: BridgeOverrides = { ...options.bridge, ...(bridgeClock ? { clock: bridgeClock } : {}) };

  let server: BridgeApp | undefined;
  let url = '';
  const startBridge = async () => {
    const metrics = createMetrics();
    const bridge = await createBridge(config, { logger: log, metrics }, { ...bridgeOptions, store });
    server = buildApp({ ...bridge.deps, config, logger: log, metrics });
    url = await server.listen({ host: '127.0.0.1', port: server === undefined ? 0 : (options.port ?? 0) });
    await bridge.start();
  };
  const stopBridge = async () => {
    await server?.close();
    server = undefined;
  };
  try {
    await connectXeroOrganisations(store, xero, options.xeroGrantedScopes ?? config.xero.scopes);
    await startBridge();
  } catch (err) {
    await stopBridge();
    await store.close();
    await systems.close();
    throw err;
  }

  return {
    sf,
    xero,
    config,
    store,
    get app() {
      return server!;
    },
    get url() {
      return url;
    },
    stopBridge,
    startBridge,
    async close() {
      await stopBridge();
      await store.close();
      await systems.close();
    },
  };
}
