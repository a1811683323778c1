import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { runMain, type CreateBridge } from '../../src/server/main';
import { makeFakes } from '../helper';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 1024,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

const env = () => ({
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'info',
  SF_CLIENT_ID: 'sf-client',
  SF_USERNAME: 'bridge@example.com',
  SF_PRIVATE_KEY: privateKey,
  XERO_CLIENT_ID: 'xero-client',
  XERO_CLIENT_SECRET: 'xero-secret',
  XERO_REDIRECT_URI: 'http://localhost:3000/connect/xero/callback',
  XERO_WEBHOOK_KEY: 'webhook-key',
  ADMIN_TOKEN: 'a'.repeat(40),
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
});

function capture() {
  const lines: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { logDestination, text: () => lines.join('') };
}

describe('runMain', () => {
  const exitCode = process.exitCode;
  afterEach(() => {
    process.exitCode = exitCode;
  });

  it('boots from configuration: bridge built, server listening, intake started after listen; close runs the shutdown', async () => {
    const fakes = makeFakes();
    const events: string[] = [];
    const createBridge: CreateBridge = jest.fn(async (config, { metrics }) => {
      expect(config.server.port).toBe(0);
      expect(metrics.registry).toBeDefined();
      return {
        deps: {
          jobs: fakes.jobs,
          readiness: fakes.readiness,
          billingEntities: fakes.billingEntities,
          xeroConnect: fakes.xeroConnect,
          acceptWebhook: fakes.acceptWebhook,
          shutdown: fakes.shutdown,
        },
        start: async () => {
          events.push('start');
        },
      };
    });
    const log = capture();
    const app = await runMain(createBridge, { env: env(), logDestination: log.logDestination });
    expect(app).toBeDefined();
    expect(events).toEqual(['start']);
    const address = app!.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    const health = await fetch(`http://127.0.0.1:${address.port}/health`);
    expect(health.status).toBe(200);
    const listeners = process.listenerCount('SIGTERM');
    await app!.close();
    expect(fakes.order).toEqual(['stop subscriber', 'stop poller', 'drain workers', 'close store']);
    expect(process.listenerCount('SIGTERM')).toBe(listeners - 1);
    expect(log.text()).toContain('bridge running');
    expect(log.text()).not.toContain('a'.repeat(40));
  });

  it('refuses to start on bad configuration, listing every problem, without building the bridge', async () => {
    const createBridge = jest.fn();
    const log = capture();
    const app = await runMain(createBridge, { env: { PORT: 'eighty' }, logDestination: log.logDestination });
    expect(app).toBeUndefined();
    expect(process.exitCode).toBe(1);
    expect(createBridge).not.toHaveBeenCalled();
    expect(log.text()).toContain('PORT');
    expect(log.text()).toContain('XERO_WEBHOOK_KEY');
  });

  it('exits 1 when the bridge cannot be built', async () => {
    const log = capture();
    const app = await runMain(
      async () => {
        throw new Error('store file is locked');
      },
      { env: env(), logDestination: log.logDestination },
    );
    expect(app).toBeUndefined();
    expect(process.exitCode).toBe(1);
    expect(log.text()).toContain('store file is locked');
  });
});
