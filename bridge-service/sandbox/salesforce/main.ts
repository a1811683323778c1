/**
 * CLI: `npm run sandbox:salesforce -- --port 8443 [--namespace ldgr] [--data-dir .sandbox/sf] [--seed file.json]
 * [--jwt-consumer-key KEY --jwt-certificate bridge.crt [--jwt-permission-set Ledgerline_Integration ...]]`.
 */
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
      'jwt-certificate': { type: 'string' },
      'jwt-permission-set': { type: 'string', multiple: true, default: ['Ledgerline_Integration'] },
      'daily-api-limit': { type: 'string' },
    },
  });
  // The bridge's External Client App: consumer key, the certificate uploaded to it, the pre-authorised permission sets.
  const externalClientApp =
    values['jwt-consumer-key'] && values['jwt-certificate']
      ? {
          consumerKey: values['jwt-consumer-key'],
          certificatePem: readFileSync(values['jwt-certificate'], 'utf8'),
          permissionSets: values['jwt-permission-set'],
        }
      : undefined;
  const emulator = await startSalesforceEmulator({
    port: Number(values.port),
    host: values.host,
    namespace: values.namespace,
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values['force-app'] ? { forceAppDir: values['force-app'] } : {}),
    ...(values['daily-api-limit'] ? { dailyApiLimit: Number(values['daily-api-limit']) } : {}),
    seed: readSeed(values.seed),
    ...(externalClientApp ? { externalClientApp } : {}),
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
