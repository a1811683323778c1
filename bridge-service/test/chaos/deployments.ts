/**
 * How the chaos suite runs the bridge: one process on SQLite (as issue 8 built it), or several replicas on one
 * PostgreSQL behind a load balancer (issue 19). Either way every process is `src/index.ts`, configured only through
 * its environment, and killed with SIGKILL.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config';
import { openStore } from '../../src/store';
import type { Store } from '../../src/store/types';
import { BridgeProcess, freePort } from './bridge-process';

export interface Deployment {
  readonly name: string;
  /** How many bridge processes (replicas). */
  readonly size: number;
  /** Where Xero's webhooks go (the bridge, or the load balancer in front of the replicas). */
  readonly webhookUrl: string;
  /** The admin API of a running process. */
  adminUrl(): string;
  /** Every log file written by any process, any incarnation. */
  readonly logFiles: string[];
  /** Secrets of the deployment itself that no log line may hold (kind, value). */
  readonly secrets: [string, string][];
  /** Starts every process. */
  start(): Promise<void>;
  /**
   * One kill: SIGKILL a process chosen with `random`, and start it again, at once or (replicas, when `longDown`)
   * after long enough for its leases to expire, so another replica takes its roles over.
   */
  kill(random: () => number, longDown: boolean): Promise<void>;
  /** Waits for processes still coming back from a kill. */
  settled(): Promise<void>;
  /** Every process, gracefully (SIGTERM). */
  stop(): Promise<void>;
  /** SIGKILL every process (cleanup). */
  killAll(): Promise<void>;
  /** Process starts, all incarnations. */
  starts(): number;
  /** The store the processes share, opened by the test. */
  openStore(): Promise<Store>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One bridge process on an SQLite file: the wave-1 chaos setup. */
export async function singleProcess(env: Record<string, string>, config: Config, dir: string): Promise<Deployment> {
  const port = await freePort();
  const logFile = join(dir, 'bridge.log');
  const bridge = new BridgeProcess({ ...env, PORT: String(port) }, logFile);
  return {
    name: 'single',
    size: 1,
    webhookUrl: `${bridge.url}/webhooks/xero`,
    adminUrl: () => bridge.url,
    logFiles: [logFile],
    secrets: [],
    start: () => bridge.start(),
    async kill(random) {
      await bridge.kill();
      await sleep(Math.floor(random() * 500));
      await bridge.start();
    },
    settled: async () => undefined,
    stop: () => bridge.stop(),
    killAll: () => bridge.kill(),
    starts: () => bridge.starts,
    openStore: () => openStore(config),
    close: async () => undefined,
  };
}

/**
 * `size` replicas on one PostgreSQL database, each with its own BRIDGE_INSTANCE_ID and port, behind a small load
 * balancer (round robin over the replicas that answer) that Xero's webhooks go through.
 */
export async function replicas(
  env: Record<string, string>,
  storeUrl: string,
  dir: string,
  size: number,
): Promise<Deployment> {
  const replicaEnv: Record<string, string> = { ...env, STORE_URL: storeUrl, STORE_POOL_SIZE: '5' };
  delete replicaEnv.STORE_PATH;
  const config = loadConfig(replicaEnv);
  const processes: BridgeProcess[] = [];
  const logFiles: string[] = [];
  for (let i = 1; i <= size; i += 1) {
    const logFile = join(dir, `replica-${i}.log`);
    logFiles.push(logFile);
    processes.push(
      new BridgeProcess({ ...replicaEnv, PORT: String(await freePort()), BRIDGE_INSTANCE_ID: `replica-${i}` }, logFile),
    );
  }
  const balancer = await loadBalancer(() => processes.filter((p) => p.running).map((p) => p.url));
  /** The test's own look into the store (who holds the subscriber lease). */
  const inspect = await openStore(config);
  const restarting = new Set<Promise<void>>();
  return {
    name: `${size} replicas`,
    size,
    webhookUrl: `${balancer.url}/webhooks/xero`,
    adminUrl() {
      const live = processes.find((p) => p.running);
      if (!live) throw new Error('no replica is running');
      return live.url;
    },
    logFiles,
    secrets: [['PostgreSQL password', new URL(storeUrl).password]],
    start: async () => {
      await Promise.all(processes.map((p) => p.start()));
    },
    async kill(random, longDown) {
      // A replica that is up (or starting): every kill kills one, and starts it again once. A long kill takes the
      // event subscriber's holder, so the subscriber fails over every time.
      while (!processes.some((p) => p.running)) await sleep(100);
      const up = processes.filter((p) => p.running);
      const holder = longDown ? (await inspect.leases.getLease('salesforce-subscriber'))?.owner : undefined;
      const victim =
        up.find((p) => holder !== undefined && p.instanceId === holder) ?? up[Math.floor(random() * up.length)]!;
      await victim.kill();
      // A long time down (past the 10 s leases): its subscriber and pollers move to the other replicas. It comes
      // back in the background while the chaos goes on.
      const downMs = longDown ? 11_000 + Math.floor(random() * 5_000) : Math.floor(random() * 500);
      const back: Promise<void> = sleep(downMs)
        .then(() => victim.start())
        // Killed again while it started: that kill starts it again.
        .catch(() => undefined)
        .finally(() => restarting.delete(back));
      restarting.add(back);
      if (!longDown) await back;
    },
    async settled() {
      while (restarting.size > 0) await Promise.all(restarting);
    },
    async stop() {
      while (restarting.size > 0) await Promise.all(restarting);
      await Promise.all(processes.map((p) => p.stop()));
    },
    async killAll() {
      await Promise.allSettled(restarting);
      await Promise.all(processes.map((p) => p.kill()));
    },
    starts: () => processes.reduce((n, p) => n + p.starts, 0),
    openStore: () => openStore(config),
    close: async () => {
      await inspect.close();
      await balancer.close();
    },
  };
}

/** Forwards each request to the next replica that is up; 503 when none is (Xero then retries the webhook). */
async function loadBalancer(targets: () => string[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const server: Server = createServer((req, res) => {
    const live = targets();
    if (live.length === 0) {
      res.writeHead(503).end();
      return;
    }
    const target = new URL(live[next++ % live.length]!);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
