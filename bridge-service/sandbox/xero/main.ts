/* Command-line entry: `npm run sandbox:xero -- --port 4010 [--host 127.0.0.1] [--seed file.json]
   [--scale 100] [--webhook-url http://...] [--no-rate-limits] [--app-created YYYY-MM-DD]`. Prints the base URLs and runs until
   interrupted. */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ScaledClock } from '../shared/clock';
import { startXeroEmulator } from './emulator';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string' },
      scale: { type: 'string', default: '1' },
      'webhook-url': { type: 'string' },
      'no-rate-limits': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'app-created': { type: 'string' },
    },
  });
  const port = Number(values.port);
  const scale = Number(values.scale);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}: not a port number`);
  if (!Number.isFinite(scale) || scale < 0) throw new Error(`--scale ${values.scale}: need a number >= 0`);
  const logger = pino({ level: values.quiet ? 'warn' : 'info', name: 'xero-emulator' });
  const emulator = await startXeroEmulator({
    port,
    host: values.host,
    seed: values.seed,
    clock: new ScaledClock({ scale }),
    logger,
    rateLimits: values['no-rate-limits'] ? { enabled: false } : {},
    webhook: values['webhook-url'] ? { url: values['webhook-url'] } : {},
    ...(values['app-created'] ? { appCreatedAt: values['app-created'] } : {}),
  });
  const app = emulator.seed.app;
  process.stdout.write(
    [
      `Xero emulator listening on ${emulator.url}`,
      `  accounting:  ${emulator.apiUrl}`,
      `  token:       ${emulator.identityUrl}/connect/token`,
      `  authorize:   ${emulator.identityUrl}/identity/connect/authorize`,
      `  connections: ${emulator.url}/connections`,
      `  control:     ${emulator.url}/__control`,
      `  client id:   ${app.clientId}`,
      `  tenants:     ${emulator.seed.organisations.map((o) => `${o.tenantId} (${o.name}, ${o.baseCurrency})`).join(', ')}`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`xero emulator failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
