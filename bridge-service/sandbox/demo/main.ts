/**
 * `npm start`. With no credentials configured: the sandbox demo (both emulators, the real bridge, a narrated
 * scenario). With credentials (SF_CLIENT_ID in the environment or bridge-service/.env): the bridge, for real.
 * `npm start -- --once` plays the demo and exits 0 when both systems agree (for CI).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sfLoginCommand } from '../salesforce/rest/identity-routes';
import { INTEGRATION_USER, startSandbox } from '../sandbox-bridge';
import { ScaledClock } from '../shared/clock';
import { playBillingScenario } from './billing-demo';
import { playCloseScenario } from './close-demo';
import { playScenario } from './demo';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function demo(once: boolean): Promise<number> {
  const started = Date.now();
  say('Ledgerline sandbox: no Salesforce org or Xero organisation needed.');
  // One calendar for both emulators and the bridge, running at real speed: the billing-plan part moves it forward.
  const clock = new ScaledClock({ scale: 1 });
  const sandbox = await startSandbox({ port: once ? 0 : 3000, clock, bridge: { workerIdleMs: 100 } });
  sandbox.xero.control.configureWebhooks({ url: `${sandbox.url}/webhooks/xero`, batchDelayMs: 50 });
  say(`  Salesforce emulator  ${sandbox.sf.url}`);
  say(`  Xero emulator        ${sandbox.xero.url}`);
  say(`  Bridge               ${sandbox.url}`);
  try {
    const result = await playScenario(sandbox, say);
    say(`\n${result.ok ? 'Both systems agree on every invoice.' : 'The systems DISAGREE: see the table above.'}`);
    await playBillingScenario(sandbox, clock, say);
    await playCloseScenario(sandbox, clock, say);
    say(
      `\nThe sandbox's calendar now reads ${new Date(clock.now()).toISOString().slice(0, 10)}. (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    say('\nWhere to look next:');
    say(
      `  ${sandbox.url}/metrics                 Prometheus metrics (jobs by state, Xero calls and 429s by tenant, event lag)`,
    );
    say(
      `  ${sandbox.url}/admin/jobs              the job list; send "Authorization: Bearer ${sandbox.config.adminToken}"`,
    );
    say(`  ${sandbox.xero.url}/__control/calls    every call the bridge made to Xero`);
    say('  the Salesforce emulator with the Salesforce CLI, as the integration user (then sf data query, ...):');
    say(`    ${sfLoginCommand(sandbox.sf.url, sandbox.sf.control.login(INTEGRATION_USER).accessToken)}`);
    if (once) return result.ok ? 0 : 1;
    say('\nThe sandbox keeps running; press Ctrl+C to stop.');
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    return 0;
  } finally {
    await sandbox.close();
  }
}

async function main(): Promise<void> {
  const once = process.argv.includes('--once');
  const envFile = join(__dirname, '..', '..', '.env');
  const configured = Boolean(process.env.SF_CLIENT_ID) || existsSync(envFile);
  if (configured && !process.argv.includes('--sandbox')) {
    // Never switch modes silently: say what was found and how to get the demo instead.
    say(
      `Running the bridge for real: ${process.env.SF_CLIENT_ID ? 'SF_CLIENT_ID is set' : `${envFile} exists`}. ` +
        '`npm start -- --sandbox` plays the sandbox demo instead.',
    );
    // As `npm run -w bridge-service dev` does: from bridge-service/ (relative STORE_PATH and key files resolve the
    // same way) with --env-file-if-exists=.env (the environment wins over the file).
    process.chdir(join(__dirname, '..', '..'));
    if (existsSync(envFile)) process.loadEnvFile(envFile);
    await import('../../src/index.js');
    return;
  }
  process.exitCode = await demo(once);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
