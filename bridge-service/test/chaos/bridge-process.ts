/**
 * The bridge as its own operating-system process (`src/index.ts`, configured only through its environment), so
 * the chaos suite can kill it with SIGKILL the way a crash or an OOM kill would: no shutdown hooks, no drain.
 * Every line it logs is appended to one file, so the secrets scan sees everything every incarnation wrote.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ENTRY = join(__dirname, '..', '..', 'src', 'index.ts');

/** A port free right now; the bridge keeps it across restarts so Xero's webhook URL stays valid. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export class BridgeProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  /** How many times the process has been started. */
  starts = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  /** Its BRIDGE_INSTANCE_ID (lease owner in the store). */
  get instanceId(): string | undefined {
    return this.env.BRIDGE_INSTANCE_ID;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the bridge and resolves once /health answers (the server listens before intake starts). */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.child) throw new Error('the bridge is already running');
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
      cwd: join(__dirname, '..', '..', '..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.starts += 1;
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        if (this.child === child) this.child = undefined;
        resolve();
      }),
    );
    const record = (chunk: Buffer) => appendFileSync(this.logFile, chunk);
    child.stdout!.on('data', record);
    child.stderr!.on('data', record);

    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child !== child) throw new Error(`the bridge exited during start; see ${this.logFile}`);
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the bridge did not answer /health within ${timeoutMs} ms; see ${this.logFile}`);
  }

  /** SIGKILL: no graceful shutdown, whatever was in flight is cut off. */
  async kill(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the graceful path (drain, save, close). */
  async stop(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }
}
