/**
 * The Salesforce CLI, a client nobody here wrote, against the Salesforce emulator (issue 13 item 16): what ops would
 * type to look around the sandbox. The CLI is the project's own (tools/sfcli, installed on first use); it runs with
 * a throwaway home and config directory and telemetry off, against an emulator on a free port.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SalesforceEmulator } from './server';
import { ADMIN, startTestEmulator } from './test-helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the gates' plain-JS helper installs the CLI
const { salesforceCli } = require('../../../scripts/force-app-gates/lib.js') as { salesforceCli(): string };

let em: SalesforceEmulator;
let home: string;
let sf: string;

interface CliResult<T> {
  status: number;
  result: T;
  name?: string;
  message?: string;
}

/**
 * Runs `sf <args> --json` as ops would, in the throwaway home; the access token goes in through the environment.
 * Asynchronously: the emulator answers from this process's event loop.
 */
async function run<T = Record<string, unknown>>(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult<T>> {
  const options = {
    encoding: 'utf8' as const,
    timeout: 90_000,
    env: {
      PATH: [path.dirname(sf), path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter),
      HOME: home,
      SF_DATA_DIR: path.join(home, 'data'),
      SF_CONFIG_DIR: path.join(home, 'config'),
      SF_CACHE_DIR: path.join(home, 'cache'),
      SF_DISABLE_TELEMETRY: 'true',
      SF_AUTOUPDATE_DISABLE: 'true',
      SF_SKIP_NEW_VERSION_CHECK: 'true',
      ...env,
    },
  };
  // sf exits non-zero on a failed command and still prints its JSON answer
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
    execFile(sf, [...args, '--json'], options, (_err, out, err) => resolve({ stdout: out, stderr: err })),
  );
  try {
    return JSON.parse(stdout) as CliResult<T>;
  } catch {
    throw new Error(`sf ${args.join(' ')}: no JSON\n${stdout}\n${stderr}`);
  }
}

beforeAll(async () => {
  sf = salesforceCli();
  home = mkdtempSync(path.join(tmpdir(), 'ldgr-sfcli-'));
  em = await startTestEmulator();
}, 240_000);

afterAll(async () => {
  await em?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('the Salesforce CLI against the emulator', () => {
  it('refuses a token the org did not issue', async () => {
    const login = await run(
      ['org', 'login', 'access-token', '--instance-url', em.url, '--no-prompt', '--alias', 'bad'],
      {
        SF_ACCESS_TOKEN: '00D000000000001!not-a-session',
      },
    );
    expect(login.status).not.toBe(0);
    expect(login.message).toMatch(/Bad_OAuth_Token/);
  });

  it('logs in with an access token: userinfo, the User, the versions and the Organization', async () => {
    // an administrator looks around (the bridge's user may not create an Account, as in an org)
    const token = em.control.login(ADMIN).accessToken;
    const login = await run<{ username: string; orgId: string; instanceUrl: string }>(
      ['org', 'login', 'access-token', '--instance-url', em.url, '--no-prompt', '--alias', 'sandbox'],
      { SF_ACCESS_TOKEN: token },
    );
    expect(login).toMatchObject({
      status: 0,
      result: { username: ADMIN, orgId: em.org.orgId, instanceUrl: expect.stringContaining(em.url) },
    });
    const display = await run<{ connectedStatus: string; id: string; apiVersion: string }>([
      'org',
      'display',
      '--target-org',
      'sandbox',
    ]);
    expect(display.result).toMatchObject({ connectedStatus: 'Connected', id: em.org.orgId });
  }, 60_000);

  it('queries, with parent fields and a child subquery laid out in columns', async () => {
    const query = await run<{ totalSize: number; records: Record<string, unknown>[] }>([
      'data',
      'query',
      '--target-org',
      'sandbox',
      '-q',
      'SELECT Id, Name, Owner.Name, (SELECT LastName FROM Contacts) FROM Account ORDER BY Name',
    ]);
    const accounts = em.org.records(em.org.object('Account'));
    expect(query.status).toBe(0);
    expect(query.result.totalSize).toBe(accounts.length);
    expect(query.result.records.map((r) => r.Name)).toEqual(accounts.map((a) => a.Name).sort());
    expect(query.result.records[0]).toMatchObject({ Owner: { Name: expect.any(String) } });
  }, 60_000);

  it('creates a record and reads it back by id', async () => {
    const created = await run<{ id: string; success: boolean }>([
      'data',
      'create',
      'record',
      '--target-org',
      'sandbox',
      '--sobject',
      'Account',
      '--values',
      "Name='Sandbox CLI Ltd' BillingCountry=GB",
    ]);
    expect(created).toMatchObject({ status: 0, result: { success: true, id: expect.stringMatching(/^001/) } });
    expect(em.org.get(em.org.object('Account'), created.result.id)).toMatchObject({
      Name: 'Sandbox CLI Ltd',
      BillingCountry: 'GB',
    });
    const read = await run<Record<string, unknown>>([
      'data',
      'get',
      'record',
      '--target-org',
      'sandbox',
      '--sobject',
      'Account',
      '--record-id',
      created.result.id,
    ]);
    expect(read.result).toMatchObject({ Id: created.result.id, Name: 'Sandbox CLI Ltd', BillingCountry: 'GB' });
  }, 60_000);

  it('describes a package object as force-app defines it', async () => {
    const describe = await run<{ name: string; custom: boolean; fields: { name: string; type: string }[] }>([
      'sobject',
      'describe',
      '--target-org',
      'sandbox',
      '--sobject',
      'Invoice__c',
    ]);
    expect(describe.status).toBe(0);
    expect(describe.result).toMatchObject({ name: 'Invoice__c', custom: true });
    expect(describe.result.fields.map((f) => f.name)).toEqual(
      expect.arrayContaining(['Total__c', 'Amount_Due__c', 'Xero_Invoice_Id__c', 'Opportunity__c']),
    );
  }, 60_000);
});
