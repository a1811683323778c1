/**
 * Issue 19, many orgs: one bridge process (runMain with the host, exactly as src/index.ts runs it) serves several
 * Salesforce orgs, each with its own Xero app and organisations, settings and credentials. Org A is configured by
 * environment ('default'); orgs B, C and D are added through the admin API and kept in the store.
 *
 * Kept apart: the two orgs share tenant ids (their Xero apps differ), record ids and names, so a mix-up would show.
 * No job, token, webhook or log line of one org reaches the other. Misbehaving orgs do not slow the others: B's
 * tenant at its daily limit, C's Xero credentials refused, D's Salesforce login refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Connection } from 'jsforce';
import { createHost } from '../src/host/host';
import { DEFAULT_XERO_SCOPES } from '../src/config';
import { runMain } from '../src/server/main';
import type { BridgeApp } from '../src/server/app';
import { openStore } from '../src/store';
import type { OrgProfile, OrgSecrets, Store } from '../src/store/types';
import { xeroSignature } from '../src/server/routes/webhooks';
import { connectXeroOrganisations, startEmulatedSystems, type EmulatedSystems } from '../sandbox/sandbox-bridge';
import { connect } from '../sandbox/salesforce/test-helpers';
import { loadSeed, type SeedInput } from '../sandbox/xero/seed';
import { waitFor } from './wait-for';

const SALES = 'sam.seller@ledgerline.example';
const UK = '11111111-1111-4111-8111-111111111111';
type Row = Record<string, unknown>;

let dir: string;
let a: EmulatedSystems;
let b: EmulatedSystems;
let c: EmulatedSystems;
let app: BridgeApp | undefined;
let hostUrl: string;
let store: Store;
const lines: string[] = [];

/** A Xero emulator seeded with its own app (client id, secret, webhook key): another customer's Xero app. */
function xeroSeed(name: string): SeedInput {
  const seed = loadSeed();
  return {
    ...seed,
    app: {
      ...seed.app,
      name: `Ledgerline (${name})`,
      clientId: `LEDGERLINE-${name.toUpperCase()}-CLIENT`,
      clientSecret: `${name}-client-secret-0123456789`,
      webhookKey: `${name}-webhook-key-0123456789`,
    },
  };
}

/** What an admin sends to add the org whose emulators are `systems`. */
function orgInput(systems: EmulatedSystems, name: string, overrides: Partial<OrgProfile['salesforce']> = {}) {
  const env = systems.env;
  const profile: OrgProfile = {
    displayName: `Org ${name}`,
    status: 'active',
    salesforce: {
      loginUrl: env.SF_LOGIN_URL!,
      audience: env.SF_AUDIENCE!,
      apiVersion: env.SF_API_VERSION!,
      clientId: env.SF_CLIENT_ID!,
      username: env.SF_USERNAME!,
      namespacePrefix: '',
      ...overrides,
    },
    xero: {
      clientId: env.XERO_CLIENT_ID!,
      scopes: DEFAULT_XERO_SCOPES.split(' '),
      redirectUri: env.XERO_REDIRECT_URI!,
      dailyCallLimit: 1_000,
      endpoints: {
        apiBaseUrl: env.XERO_API_BASE_URL!,
        tokenUrl: env.XERO_TOKEN_URL!,
        authorizeUrl: env.XERO_AUTHORIZE_URL!,
        connectionsUrl: env.XERO_CONNECTIONS_URL!,
      },
    },
    settings: { prorationMethod: 'daily', pollIntervalMs: 60_000 },
  };
  const secrets: OrgSecrets = {
    salesforcePrivateKey: env.SF_PRIVATE_KEY!,
    xeroClientSecret: env.XERO_CLIENT_SECRET!,
    xeroWebhookKey: env.XERO_WEBHOOK_KEY!,
  };
  return { profile, secrets };
}

const admin = () => ({ authorization: `Bearer ${a.env.ADMIN_TOKEN}` });

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Row }> {
  const res = await fetch(`${hostUrl}${path}`, {
    method,
    headers: body === undefined ? admin() : { ...admin(), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Row) : {} };
}

/** A new deal in the org: an account and an opportunity with one line, open, named after the org. */
async function newDeal(sf: Connection, name: string): Promise<string> {
  const [entry] = (
    await sf.query<Row>("SELECT Id, UnitPrice FROM PricebookEntry WHERE CurrencyIsoCode = 'GBP' LIMIT 1")
  ).records;
  const account = await sf
    .sobject('Account')
    .create({ Name: `${name} Customer`, BillingCountry: 'GB', BillingCity: 'London', CurrencyIsoCode: 'GBP' });
  const opp = await sf.sobject('Opportunity').create({
    Name: name,
    AccountId: account.id!,
    StageName: 'Negotiation/Review',
    CloseDate: '2026-11-20',
    CurrencyIsoCode: 'GBP',
  });
  await sf.sobject('OpportunityLineItem').create({
    OpportunityId: opp.id!,
    PricebookEntryId: entry!.Id as string,
    Quantity: 2,
    UnitPrice: 150.25,
  });
  return opp.id!;
}

async function invoiceOf(sf: Connection, opportunityId: string): Promise<Row | undefined> {
  const { records } = await sf.query<Row>(
    'SELECT Id, Sync_Status__c, Sync_Message__c, Xero_Invoice_Id__c, Xero_Tenant_Id__c, Amount_Paid__c, ' +
      `(SELECT Amount__c FROM Payments__r) FROM Invoice__c WHERE Opportunity__c = '${opportunityId}'`,
  );
  return records[0];
}

/** Closes the deals and waits until each has a synced Invoice__c; returns how long that took (ms). */
async function closeAndSync(sf: Connection, ids: string[]): Promise<number> {
  const started = Date.now();
  await sf.sobject('Opportunity').update(ids.map((Id) => ({ Id, StageName: 'Closed Won' })));
  for (const id of ids) {
    await waitFor(`the invoice of ${id}`, async () =>
      (await invoiceOf(sf, id))?.Sync_Status__c === 'Synced' ? true : undefined,
    );
  }
  return Date.now() - started;
}

/** The Salesforce records a Xero's invoices link back to (each carries its source URL: instance and id). */
const xeroSources = (systems: EmulatedSystems) =>
  (systems.xero.control.snapshot(UK).invoices as { url: string | null }[]).map((i) => i.url ?? '');

const portOf = (url: string) => new URL(url).port;

jest.setTimeout(180_000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledgerline-orgs-'));
  [a, b, c] = await Promise.all([
    startEmulatedSystems({ dataDir: join(dir, 'a') }),
    startEmulatedSystems({ dataDir: join(dir, 'b'), xero: { seed: xeroSeed('b') } }),
    startEmulatedSystems({ dataDir: join(dir, 'c'), xero: { seed: xeroSeed('c') } }),
  ]);
  const env = {
    ...a.env,
    STORE_PATH: join(dir, 'host.sqlite'),
    PORT: '0',
    LOG_LEVEL: 'debug',
    ORG_REFRESH_INTERVAL_MS: '1000',
  };
  // Xero connected for each org, as /connect/xero would: A and B reach their organisations; C's refresh token
  // is one its Xero does not know (expired credentials).
  store = await openStore({
    store: {
      kind: 'sqlite',
      path: env.STORE_PATH,
      encryptionKey: a.config.store.encryptionKey,
      previousEncryptionKeys: [],
    },
  });
  await connectXeroOrganisations(store, a.xero);
  await connectXeroOrganisations(store.forOrg('org-b'), b.xero);
  await store.forOrg('org-c').xeroConnections.saveXeroTokenSet('c-connection', {
    accessToken: 'c-access-token-expired',
    refreshToken: 'c-refresh-token-revoked',
    expiresAt: Date.now() - 60_000,
  });
  await store.forOrg('org-c').xeroConnections.saveXeroTenants('c-connection', [{ tenantId: UK, tenantName: 'C UK' }]);

  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  app = await runMain(createHost, { env, logDestination: sink });
  if (!app) throw new Error(`the host did not start:\n${lines.join('\n')}`);
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  hostUrl = `http://127.0.0.1:${address.port}`;
  a.xero.control.configureWebhooks({ url: `${hostUrl}/webhooks/xero`, batchDelayMs: 20 });
  b.xero.control.configureWebhooks({ url: `${hostUrl}/orgs/org-b/webhooks/xero`, batchDelayMs: 20 });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await Promise.all([a, b, c].map((s) => s?.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('one deployment, several orgs', () => {
  let baselineMs = 0;

  it('adds an org through the admin API: validated, secrets sealed and never echoed, its bridge started', async () => {
    const input = orgInput(b, 'B');
    const refused = await api('PUT', '/admin/orgs/org-b', { profile: { ...input.profile, xero: { scopes: [] } } });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    const missingSecrets = await api('PUT', '/admin/orgs/org-b', { profile: input.profile });
    expect(missingSecrets.status).toBe(400);
    expect(missingSecrets.json.error).toMatchObject({ code: 'ORG_SECRETS_REQUIRED' });
    expect((await api('PUT', '/admin/orgs/default', input)).status).toBe(409);

    const added = await api('PUT', '/admin/orgs/org-b', input);
    expect(added.status).toBe(201);
    const text = JSON.stringify(added.json);
    for (const secret of Object.values(input.secrets)) expect(text).not.toContain(secret.slice(0, 40));
    expect(added.json.org).toMatchObject({
      orgId: 'org-b',
      source: 'store',
      secretsSet: { salesforcePrivateKey: true, xeroClientSecret: true, xeroWebhookKey: true },
    });
    await waitFor('org B running', async () => {
      const { json } = await api('GET', '/admin/orgs/org-b');
      return (json.org as Row).status && ((json.org as Row).status as Row).state === 'running' ? true : undefined;
    });
    const listed = (await api('GET', '/admin/orgs')).json.orgs as Row[];
    expect(listed.map((o) => [o.orgId, o.source, (o.status as Row).state])).toEqual([
      ['default', 'env', 'running'],
      ['org-b', 'store', 'running'],
    ]);
    expect((await fetch(`${hostUrl}/orgs/org-b/ready`)).status).toBe(200);
    expect((await fetch(`${hostUrl}/orgs/nobody/ready`)).status).toBe(404);
  });

  it('turns each org’s deals into invoices in its own Xero only, and keeps their jobs apart', async () => {
    const sfA = connect(a.sf, SALES);
    const sfB = connect(b.sf, SALES);
    const dealsA = [await newDeal(sfA, 'Alpha One'), await newDeal(sfA, 'Alpha Two')];
    const dealsB = [await newDeal(sfB, 'Bravo One'), await newDeal(sfB, 'Bravo Two')];
    const [msA] = await Promise.all([closeAndSync(sfA, dealsA), closeAndSync(sfB, dealsB)]);
    baselineMs = msA;

    // Each Xero holds its own org's invoices, linked to its own org's records, and nothing of the other's.
    const sourcesA = xeroSources(a);
    const sourcesB = xeroSources(b);
    expect(sourcesA).toHaveLength(2);
    expect(sourcesB).toHaveLength(2);
    for (const id of dealsA)
      expect(sourcesA.filter((u) => u.includes(id) && u.includes(`:${portOf(a.sf.url)}`))).toHaveLength(1);
    for (const id of dealsB)
      expect(sourcesB.filter((u) => u.includes(id) && u.includes(`:${portOf(b.sf.url)}`))).toHaveLength(1);
    expect(sourcesA.some((u) => u.includes(`:${portOf(b.sf.url)}`))).toBe(false);
    expect(sourcesB.some((u) => u.includes(`:${portOf(a.sf.url)}`))).toBe(false);
    // Each org's jobs are its own: through the API and in the store.
    const jobsOf = async (path: string) =>
      ((await api('GET', path)).json.jobs as Row[]).filter((j) => j.action === 'CREATE_DRAFT').map((j) => j.key);
    const keysA = await jobsOf('/admin/jobs');
    const keysB = await jobsOf('/orgs/org-b/admin/jobs');
    expect(keysA).toHaveLength(2);
    expect(keysB).toHaveLength(2);
    expect((await store.jobs.listJobs({ action: 'CREATE_DRAFT' })).map((j) => j.key).sort()).toEqual([...keysA].sort());
    expect((await store.forOrg('org-b').jobs.listJobs({ action: 'CREATE_DRAFT' })).map((j) => j.key).sort()).toEqual(
      [...keysB].sort(),
    );
    // Each org called its own Xero with its own tokens: neither Xero saw a token it did not issue.
    const tokenA = (await store.xeroConnections.getXeroConnection('sandbox-connection'))?.tokenSet?.accessToken;
    const tokenB = (await store.forOrg('org-b').xeroConnections.getXeroConnection('sandbox-connection'))?.tokenSet
      ?.accessToken;
    expect(tokenA).toBeDefined();
    expect(tokenA).not.toBe(tokenB);
    for (const systems of [a, b])
      expect(systems.xero.control.calls().filter((call) => call.status === 401)).toEqual([]);
  });

  it('takes each org’s webhooks with its own key only, and applies them to that org', async () => {
    const sfB = connect(b.sf, SALES);
    const oppB = (await sfB.query<Row>("SELECT Id FROM Opportunity WHERE Name = 'Bravo One'")).records[0]!;
    const invoiceB = (await invoiceOf(sfB, oppB.Id as string))!;
    // A webhook signed with A's key is refused by B's receiver, and the other way round.
    const body = JSON.stringify({ events: [], firstEventSequence: 1, lastEventSequence: 1, entropy: 'X' });
    const post = (path: string, key: string) =>
      fetch(`${hostUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-xero-signature': xeroSignature(Buffer.from(body), key) },
        body,
      });
    expect((await post('/orgs/org-b/webhooks/xero', a.env.XERO_WEBHOOK_KEY!)).status).toBe(401);
    expect((await post('/webhooks/xero', b.env.XERO_WEBHOOK_KEY!)).status).toBe(401);
    expect((await post('/orgs/org-b/webhooks/xero', b.env.XERO_WEBHOOK_KEY!)).status).toBe(200);

    // Finance approves B's invoice in B's org; a payment in B's Xero then reaches it by B's webhook, and A's
    // org sees nothing of it.
    b.sf.control.approvals.submit(invoiceB.Id as string, { user: SALES });
    b.sf.control.approvals.approve(invoiceB.Id as string, { user: 'fran.finance@ledgerline.example' });
    await waitFor('B’s invoice authorised in B’s Xero', async () => {
      const doc = (b.xero.control.snapshot(UK).invoices as Row[]).find((x) => x.id === invoiceB.Xero_Invoice_Id__c);
      return doc?.status === 'AUTHORISED' ? doc : undefined;
    });
    const jobsA = (await store.jobs.countJobsByState()).done;
    b.xero.control.recordCustomerPayment({
      tenantId: UK,
      invoiceId: invoiceB.Xero_Invoice_Id__c as string,
      amount: '100.00',
    });
    await b.xero.control.flushWebhooks();
    await waitFor('the payment on B’s invoice', async () => {
      const row = await invoiceOf(sfB, oppB.Id as string);
      return ((row?.Payments__r as { records?: Row[] } | null)?.records ?? []).length === 1 ? row : undefined;
    });
    expect((await store.jobs.countJobsByState()).done).toBe(jobsA);
    const sfA = connect(a.sf, SALES);
    const paidInA = await sfA.query<Row>('SELECT Id FROM Payment__c');
    expect(paidInA.records).toEqual([]);
  });

  it('keeps misbehaving orgs from slowing the others: a tenant at its daily limit, refused credentials', async () => {
    // C: its Xero refresh token is refused (expired credentials). D: its Salesforce login is refused.
    const addedC = await api('PUT', '/admin/orgs/org-c', orgInput(c, 'C'));
    expect(addedC.status).toBe(201);
    const addedD = await api('PUT', '/admin/orgs/org-d', orgInput(c, 'D', { username: 'departed@ledgerline.example' }));
    expect(addedD.status).toBe(201);
    await waitFor('org D marked failed', async () => {
      const { json } = await api('GET', '/admin/orgs/org-d');
      return ((json.org as Row).status as Row).state === 'failed' ? json : undefined;
    });
    expect((await fetch(`${hostUrl}/orgs/org-d/ready`)).status).toBe(503);
    expect((await fetch(`${hostUrl}/ready`)).status).toBe(200); // the default org's readiness is its own

    // B: its tenant is at its daily limit for the next hour of calls.
    b.xero.control.forceRateLimit('day', 1_000, UK);
    const sfB = connect(b.sf, SALES);
    const sfC = connect(c.sf, SALES);
    const stuckB = await newDeal(sfB, 'Bravo Three');
    const refusedC = await newDeal(sfC, 'Charlie One');
    await sfB.sobject('Opportunity').update({ Id: stuckB, StageName: 'Closed Won' });
    await sfC.sobject('Opportunity').update({ Id: refusedC, StageName: 'Closed Won' });
    await waitFor('B at its daily limit and C refused by Xero', async () => {
      const b429 = b.xero.control.calls({ tenantId: UK }).some((call) => call.status === 429);
      const cConnection = await store.forOrg('org-c').xeroConnections.getXeroConnection('c-connection');
      return b429 && cConnection?.status === 'reauthorisation_required' ? true : undefined;
    });

    // Meanwhile A's deals go through as fast as before.
    const sfA = connect(a.sf, SALES);
    const dealsA = [await newDeal(sfA, 'Alpha Three'), await newDeal(sfA, 'Alpha Four')];
    const msA = await closeAndSync(sfA, dealsA);
    process.stderr.write(`orgs: A synced 2 deals in ${baselineMs} ms alone, ${msA} ms beside B, C and D\n`);
    expect(msA).toBeLessThan(Math.max(3 * baselineMs, baselineMs + 5_000));

    // B's deal waits for its limit (nothing lost, and Xero is not hammered: its tenant is paused for Retry-After);
    // C's shows why on its record; D is tried again.
    const jobB = (await store.forOrg('org-b').jobs.listJobs({ action: 'CREATE_DRAFT' })).find(
      (j) => j.state !== 'done',
    );
    expect(jobB?.state).toMatch(/^(queued|running|failed)$/);
    expect(b.xero.control.calls({ tenantId: UK }).filter((call) => call.status === 429).length).toBeLessThanOrEqual(2);
    await waitFor('C’s error on its record', async () => {
      const row = await invoiceOf(sfC, refusedC);
      return row?.Sync_Status__c === 'Error' ? row : undefined;
    });
    const d = (await api('GET', '/admin/orgs/org-d')).json.org as Row;
    expect(d.status).toMatchObject({ state: 'failed' });
  });

  it('disables and enables an org: its bridge stops and starts, the others carry on', async () => {
    const disabled = await api('POST', '/admin/orgs/org-d/disable');
    expect(disabled.status).toBe(200);
    expect((disabled.json.org as Row).status).toMatchObject({ state: 'disabled' });
    expect((await fetch(`${hostUrl}/orgs/org-d/ready`)).status).toBe(503);
    const enabled = await api('POST', '/admin/orgs/org-d/enable');
    expect(((enabled.json.org as Row).status as Row).state).not.toBe('disabled');
    expect((await fetch(`${hostUrl}/orgs/org-b/ready`)).status).toBe(200);
  });

  it('logs every org’s lines with its org id, and no line of one org carries another’s systems or secrets', () => {
    const parsed = lines.map((line) => JSON.parse(line) as Row);
    const ports = {
      default: [portOf(a.sf.url), portOf(a.xero.url)],
      'org-b': [portOf(b.sf.url), portOf(b.xero.url)],
    } as const;
    const byOrg = (orgId: string) => lines.filter((_, i) => parsed[i]!.orgId === orgId);
    expect(byOrg('default').length).toBeGreaterThan(10);
    expect(byOrg('org-b').length).toBeGreaterThan(10);
    for (const line of byOrg('default')) for (const port of ports['org-b']) expect(line).not.toContain(`:${port}`);
    for (const line of byOrg('org-b')) for (const port of ports.default) expect(line).not.toContain(`:${port}`);
    // The bridges' own lines all say which org (the host's and the HTTP server's lines name none or theirs).
    const started = parsed.filter((p) => p.msg === 'bridge started');
    expect(started.map((p) => p.orgId).sort()).toEqual(expect.arrayContaining(['default', 'org-b', 'org-c']));
    // No secret of any org in any line.
    const secrets = [b, c].flatMap((s) => [s.env.XERO_CLIENT_SECRET!, s.env.XERO_WEBHOOK_KEY!]);
    for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);
    expect(lines.some((l) => l.includes('PRIVATE KEY'))).toBe(false);
  });
});
