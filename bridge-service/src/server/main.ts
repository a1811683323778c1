import closeWithGrace from 'close-with-grace';
import type { DestinationStream } from 'pino';
import { ConfigError, loadHostConfig, type HostConfig } from '../config';
import { createLogger, type Logger } from '../lib/logger';
import { buildApp, type BridgeApp } from './app';
import type { AppDeps, AppOptions } from './deps';
import { createMetrics, type BridgeMetrics } from './metrics';

/**
 * The running bridge minus its HTTP server: the store, Salesforce and Xero clients, subscriber, poller and
 * workers, built from the configuration: one org's (`createBridge`) or a host's of many orgs (`createHost`, whose
 * deps carry the org directory). The composition root (outside this folder) makes one; main.ts serves it.
 */
export interface Bridge {
  /** What the server needs; `config`, `logger` and `metrics` are filled in by runMain. */
  deps: Omit<AppDeps, 'config' | 'logger' | 'metrics'>;
  /** Starts intake (CometD subscriber, Xero poller, job workers). Called once the server listens. */
  start(): Promise<void>;
}

export interface BridgeContext {
  logger: Logger;
  /** Record Xero calls, 429s and event lag on this; /metrics exposes it. */
  metrics: BridgeMetrics;
}

/** Builds the bridge from configuration. Throws if something it needs at boot is unusable (e.g. the store). */
export type CreateBridge = (config: HostConfig, context: BridgeContext) => Promise<Bridge>;

export interface RunMainOptions {
  env?: Record<string, string | undefined>;
  app?: AppOptions;
  /** Grace period before close-with-grace gives up and exits (default 10 s; above the drain timeout). */
  closeDelayMs?: number;
  /** Where log lines go (tests); default stdout. */
  logDestination?: DestinationStream;
}

/**
 * Boots the bridge: configuration (every problem listed at once), logger, the bridge from `createBridge`,
 * the HTTP server, graceful shutdown on SIGINT/SIGTERM/uncaught errors, listen, then intake.
 * Returns the app (or undefined when boot failed; process.exitCode is then 1).
 *
 * The executable entry is one line in the composition root, e.g. `src/index.ts`:
 * `void runMain(createBridge);`
 */
export async function runMain(createBridge: CreateBridge, opts: RunMainOptions = {}): Promise<BridgeApp | undefined> {
  const env = opts.env ?? process.env;
  const destination = opts.logDestination;
  const bootLog = createLogger({
    level: 'info',
    base: { service: 'ledgerline-bridge' },
    ...(destination ? { destination } : {}),
  });

  let config: HostConfig;
  try {
    config = loadHostConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) bootLog.fatal({ problems: err.problems }, err.message);
    else bootLog.fatal({ err }, 'cannot load configuration');
    process.exitCode = 1;
    return undefined;
  }

  const logger = createLogger({
    level: config.logLevel,
    base: { service: 'ledgerline-bridge', instance: config.instanceId },
    ...(destination ? { destination } : {}),
  });
  const metrics = createMetrics({ onCollectError: (err) => logger.warn({ err }, 'metrics collection failed') });

  let bridge: Bridge;
  try {
    bridge = await createBridge(config, { logger, metrics });
  } catch (err) {
    logger.fatal({ err }, 'cannot start the bridge');
    process.exitCode = 1;
    return undefined;
  }

  const serverConfig = {
    adminToken: config.adminToken,
    adminTokenPrevious: config.adminTokenPrevious,
    ...(config.defaultOrg ? { xero: config.defaultOrg.xero } : {}),
  };
  const app = buildApp({ ...bridge.deps, config: serverConfig, logger, metrics }, opts.app);

  const grace = closeWithGrace({ delay: opts.closeDelayMs ?? 10_000, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'closing after an unexpected error');
    else logger.info({ signal }, 'closing');
    await app.close();
  });
  app.addHook('onClose', async () => grace.uninstall());

  try {
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    logger.fatal({ err }, 'cannot listen');
    process.exitCode = 1;
    await app.close();
    return undefined;
  }

  try {
    await bridge.start();
  } catch (err) {
    logger.fatal({ err }, 'cannot start intake');
    process.exitCode = 1;
    await app.close();
    return undefined;
  }
  logger.info({ host: config.server.host, port: config.server.port }, 'bridge running');
  return app;
}
