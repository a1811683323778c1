/**
 * The HTTP side of many orgs, on fakes: /orgs/:orgId/… reaches that org's endpoints (404 for an org not served,
 * 503 for one not running), each org's webhooks need its own key (or, during a rotation, its previous one), the
 * admin token's previous value works during a rotation, and the OpenAPI document stays valid with every route.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { GoLiveAdmin, OrgAdmin, OrgDirectory, OrgEndpoints, OrgView } from '../../src/server/deps';
import type { ImportRun } from '../../src/store/types';
import { OrgUnavailableError } from '../../src/server/org-scope';
import { xeroSignature } from '../../src/server/routes/webhooks';
import { ADMIN_TOKEN, auth, build, makeFakes, testConfig, WEBHOOK_KEY, type Fakes } from '../helper';
import { NotFoundError } from '../../src/server/errors';

const PREVIOUS_ADMIN_TOKEN = 'previous-admin-token-0123456789-abcdefgh';

function orgOf(orgId: string, fakes: Fakes, webhookKey: string, webhookKeyPrevious?: string): OrgEndpoints {
  return {
    orgId,
    xero: { ...testConfig.xero, clientId: `client-${orgId}`, webhookKey, webhookKeyPrevious },
    jobs: fakes.jobs,
    readiness: fakes.readiness,
    billingEntities: fakes.billingEntities,
    xeroConnect: fakes.xeroConnect,
    acceptWebhook: fakes.acceptWebhook,
  };
}

/** A go-live admin that knows its entities and records the imports asked of it. */
function goLiveOf(entities: string[]): GoLiveAdmin & { started: string[] } {
  const started: string[] = [];
  const run = (entity: string, since: string): ImportRun => ({
    runKey: `IMPORT:${entity}:${since}`,
    entity,
    tenantId: 'tenant-1',
    since,
    status: 'running',
    step: 0,
    cursor: {},
    counts: {},
    errors: [],
    startedAt: 0,
    updatedAt: 0,
    finishedAt: null,
  });
  return {
    started,
    entities: async () => entities,
    startImport: async (entity, since) => {
      started.push(`${entity}:${since}`);
      return { run: run(entity, since), created: true };
    },
    resumeImport: async () => null,
    listImports: async () => [],
    getImport: async () => null,
    requestDriftCheck: async (entity) => ({ key: `DRIFT_CHECK:${entity}` }),
    latestDrift: () => undefined,
  };
}

function setup() {
  const a = makeFakes();
  const b = makeFakes();
  a.jobs.add({ action: 'CREATE_DRAFT', key: 'job-of-a' });
  b.jobs.add({ action: 'CREATE_DRAFT', key: 'job-of-b' });
  const orgs: Record<string, OrgEndpoints> = {
    default: orgOf('default', a, WEBHOOK_KEY),
    'org-b': {
      ...orgOf('org-b', b, 'org-b-webhook-key', 'org-b-old-webhook-key'),
      goLive: goLiveOf(['UK_Ltd']),
    },
  };
  const directory: OrgDirectory = {
    endpoints: (orgId) => {
      if (orgId === 'org-starting') throw new OrgUnavailableError(orgId, 'starting');
      const org = orgs[orgId];
      if (!org) throw new NotFoundError('ORG_NOT_FOUND', `This deployment serves no org ${orgId}`);
      return org;
    },
    hasDefaultOrg: () => true,
    statuses: () => [],
    storeReady: async () => undefined,
  };
  const saved: unknown[] = [];
  const view: OrgView = {
    orgId: 'org-b',
    source: 'store',
    profile: null,
    secrets: {
      salesforcePrivateKey: true,
      xeroClientSecret: true,
      xeroWebhookKey: true,
      xeroWebhookKeyPrevious: false,
    },
    status: { orgId: 'org-b', state: 'running', message: null, since: 0 },
    createdAt: 0,
    updatedAt: 0,
  };
  const orgAdmin: OrgAdmin = {
    listOrgs: async () => [view],
    getOrg: async (orgId) => (orgId === 'org-b' ? view : null),
    saveOrg: async (orgId, input) => {
      saved.push({ orgId, input });
      return { created: true, org: view };
    },
    setOrgStatus: async () => view,
    resealSecrets: async () => ({
      xeroTokenSets: { resealed: 2, current: 0, unreadable: [] },
      orgSecrets: { resealed: 1, current: 0, unreadable: [] },
    }),
  };
  return { a, b, directory, orgAdmin, saved };
}

async function app() {
  const s = setup();
  const built = await build((deps) => ({
    ...deps,
    config: { ...deps.config, adminTokenPrevious: PREVIOUS_ADMIN_TOKEN },
    orgs: s.directory,
    orgAdmin: s.orgAdmin,
  }));
  return { ...built, ...s };
}

const webhookBody = JSON.stringify({ events: [], firstEventSequence: 1, lastEventSequence: 1, entropy: 'ABC' });
const signed = (key: string) => ({
  'content-type': 'application/json',
  'x-xero-signature': xeroSignature(Buffer.from(webhookBody), key),
});

describe('many orgs over HTTP', () => {
  it("routes /orgs/:orgId/… to that org's endpoints, and the plain paths to the default org", async () => {
    const { app: server, logs } = await app();
    const ownJobs = await server.inject({ method: 'GET', url: '/admin/jobs', headers: auth });
    expect(ownJobs.json().jobs.map((j: { key: string }) => j.key)).toEqual(['job-of-a']);
    const bJobs = await server.inject({ method: 'GET', url: '/orgs/org-b/admin/jobs', headers: auth });
    expect(bJobs.json().jobs.map((j: { key: string }) => j.key)).toEqual(['job-of-b']);
    const connect = await server.inject({ method: 'GET', url: '/orgs/org-b/connect/xero', headers: auth });
    expect(new URL(connect.headers.location as string).searchParams.get('client_id')).toBe('client-org-b');

    expect((await server.inject({ method: 'GET', url: '/orgs/nobody/admin/jobs', headers: auth })).statusCode).toBe(
      404,
    );
    const starting = await server.inject({ method: 'GET', url: '/orgs/org-starting/admin/jobs', headers: auth });
    expect(starting.statusCode).toBe(503);
    expect(starting.json().error.code).toBe('ORG_NOT_RUNNING');
    expect((await server.inject({ method: 'GET', url: '/orgs/org-starting/ready' })).statusCode).toBe(503);
    expect((await server.inject({ method: 'GET', url: '/orgs/bad%20id/admin/jobs', headers: auth })).statusCode).toBe(
      400,
    );
    // Every line of a request under /orgs/:orgId names the org.
    const bLines = logs().filter((l) => typeof l.path === 'string' && (l.path as string).startsWith('/orgs/org-b'));
    expect(bLines.length).toBeGreaterThan(0);
    for (const line of bLines) expect(line.orgId).toBe('org-b');
  });

  it("reaches each org's own go-live admin, and says so when an org's bridge serves none", async () => {
    const { app: server, directory } = await app();
    const body = { entity: 'UK_Ltd', since: '2025-01-01' };
    const started = await server.inject({
      method: 'POST',
      url: '/orgs/org-b/admin/imports',
      headers: auth,
      payload: body,
    });
    expect(started.statusCode).toBe(202);
    expect(started.json().run.runKey).toBe('IMPORT:UK_Ltd:2025-01-01');
    expect((directory.endpoints('org-b').goLive as ReturnType<typeof goLiveOf>).started).toEqual(['UK_Ltd:2025-01-01']);
    const unknownEntity = await server.inject({
      method: 'POST',
      url: '/orgs/org-b/admin/drift-checks',
      headers: auth,
      payload: { entity: 'US_Inc' },
    });
    expect(unknownEntity.statusCode).toBe(404);
    // The default org of this app has no go-live admin: 404 with a reason, never another org's.
    const none = await server.inject({ method: 'POST', url: '/admin/imports', headers: auth, payload: body });
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe('GO_LIVE_NOT_SERVED');
  });

  it("takes each org's webhooks with its own key, or its previous one during a rotation, and no other", async () => {
    const { app: server, a, b } = await app();
    const post = (url: string, key: string) =>
      server.inject({ method: 'POST', url, headers: signed(key), payload: webhookBody });
    expect((await post('/orgs/org-b/webhooks/xero', WEBHOOK_KEY)).statusCode).toBe(401);
    expect((await post('/webhooks/xero', 'org-b-webhook-key')).statusCode).toBe(401);
    expect((await post('/orgs/org-b/webhooks/xero', 'org-b-webhook-key')).statusCode).toBe(200);
    expect((await post('/orgs/org-b/webhooks/xero', 'org-b-old-webhook-key')).statusCode).toBe(200);
    expect((await post('/webhooks/xero', WEBHOOK_KEY)).statusCode).toBe(200);
    expect([a.webhooks.length, b.webhooks.length]).toEqual([1, 2]);
  });

  it('accepts the previous admin token during a rotation, and nothing else', async () => {
    const { app: server } = await app();
    const as = (token: string) =>
      server.inject({ method: 'GET', url: '/admin/orgs', headers: { authorization: `Bearer ${token}` } });
    expect((await as(ADMIN_TOKEN)).statusCode).toBe(200);
    expect((await as(PREVIOUS_ADMIN_TOKEN)).statusCode).toBe(200);
    expect((await as(`${ADMIN_TOKEN}x`)).statusCode).toBe(401);
  });

  it('manages orgs behind the admin token, validating the body and naming every bad field', async () => {
    const { app: server, saved } = await app();
    expect((await server.inject({ method: 'GET', url: '/admin/orgs' })).statusCode).toBe(401);
    const bad = await server.inject({
      method: 'PUT',
      url: '/admin/orgs/org-b',
      headers: auth,
      payload: { profile: { displayName: '' }, secrets: { xeroClientSecret: 'TOP-SECRET-VALUE' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    expect(bad.body).not.toContain('TOP-SECRET-VALUE');
    expect(saved).toEqual([]);
    const reseal = await server.inject({ method: 'POST', url: '/admin/secrets/reseal', headers: auth });
    expect(reseal.json()).toMatchObject({ xeroTokenSets: { resealed: 2 }, orgSecrets: { resealed: 1 } });
    expect((await server.inject({ method: 'GET', url: '/admin/orgs/nobody', headers: auth })).statusCode).toBe(404);
  });

  it('publishes a valid OpenAPI document with the org routes', async () => {
    const { app: server } = await app();
    const doc = (await server.inject({ method: 'GET', url: '/admin/openapi.json', headers: auth })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/orgs/{orgId}/connect/xero',
        '/orgs/{orgId}/webhooks/xero',
        '/orgs/{orgId}/admin/jobs/{id}/retry',
        '/orgs/{orgId}/ready',
        '/admin/orgs/{orgId}',
        '/admin/secrets/reseal',
      ]),
    );
    const child = promisify(execFile)(
      process.execPath,
      [
        '-e',
        `let t='';process.stdin.on('data',c=>t+=c).on('end',()=>require('@apidevtools/swagger-parser').validate(JSON.parse(t)).then(()=>process.stdout.write('valid'),e=>{process.stderr.write(String(e&&e.message));process.exit(1)}))`,
      ],
      { cwd: __dirname },
    );
    child.child.stdin?.end(JSON.stringify(doc));
    expect((await child).stdout).toBe('valid');
  });
});
