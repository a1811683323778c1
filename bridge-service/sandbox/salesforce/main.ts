/** CLI: `npm run sandbox:salesforce -- --port 8443 [--namespace ldgr] [--data-dir .sandbox/sf] [--seed file.json]`. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sfLoginCommand } from './rest/identity-routes';
import { readSeed } from './seed';
import { startSalesforceEmulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8443' },
      host: { type: 'string', default: '127.0.0.1' },
      namespace: { type: 'string', default: '' },
      'data-dir': { type: 'string' },
      seed: { type: 'string' },
      'force-app': { type: 'string' },
      'jwt-consumer-key': { type: 'string' },
      'jwt-public-key': { type: 'string', description: 'PEM file: certificate or public key of the connected app' },
      'daily-api-limit': { type: 'string' },
    },
  });
  const jwt =
    values['jwt-consumer-key'] && values['jwt-public-key']
      ? { consumerKey: values['jwt-consumer-key'], publicKeyPem: readFileSync(values['jwt-public-key'], 'utf8') }
      : undefined;
  const emulator = await startSalesforceEmulator({
    port: Number(values.port),
    host: values.host,
    namespace: values.namespace,
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values['force-app'] ? { forceAppDir: values['force-app'] } : {}),
    ...(values['daily-api-limit'] ? { dailyApiLimit: Number(values['daily-api-limit']) } : {}),
    seed: readSeed(values.seed),
    ...(jwt ? { jwt } : {}),
  });
  const login = emulator.control.login('integration@ledgerline.example');
  process.stdout.write(
    `Salesforce emulator at ${emulator.url}\n` +
      `  demo session (integration user): ${login.accessToken}\n` +
      `  control: POST ${emulator.url}/__emulator/{login,faults,approvals/:id/:action,invoices/:id/actions}\n` +
      `  Salesforce CLI: ${sfLoginCommand(emulator.url, login.accessToken)}\n`,
  );
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
