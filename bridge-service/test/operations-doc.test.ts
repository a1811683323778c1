/**
 * docs/operations.md tells operators what to alert on: every metric it names must exist in what /metrics serves,
 * and every route and setting it names must exist too, or an alert would watch nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_XERO_SCOPES, ENV_KEYS } from '../src/config';
import { orgProfileSchema } from '../src/store/orgs';
import { createMetrics } from '../src/server/metrics';
import { DONE_JOBS_KEPT } from '../src/sync/housekeeping/prune-jobs';
import { JOB_KINDS } from '../src/sync/job-kinds';
import { build } from './helper';

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');

describe('docs/operations.md', () => {
  it('covers every topic of the runbook (issue 19)', () => {
    const headings = [...doc.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]!);
    for (const topic of [
      /The Xero app/,
      /External Client App/,
      /^PostgreSQL$/,
      /Hosting: TLS/,
      /Orgs: one or many/,
      /Replicas/,
      /Backups and restore/,
      /Rotating secrets/,
      /Upgrades and migrations/,
      /Monitoring/,
      /Xero's limits and pricing tiers/,
      /Incidents/,
    ]) {
      expect(headings.filter((h) => topic.test(h))).toHaveLength(1);
    }
    // Both External Client App paths, and why the integration user holds Modify All.
    expect(doc).toMatch(/local External Client App/);
    expect(doc).toMatch(/packaged External Client App/);
    expect(doc).toMatch(/Modify All[\s\S]{0,400}locks the record/);
    expect(doc).toMatch(/Intent to Receive/);
  });

  it("gives the bridge's default Xero scopes, in the app's setup and in the org profile example", () => {
    const defaults = DEFAULT_XERO_SCOPES.split(' ');
    const setup = /\*\*Scopes\*\*: the bridge asks for the granular set by default, `([^`]+)`/.exec(doc)?.[1];
    expect(setup?.split(/\s+/)).toEqual(defaults);
    const example = /"scopes": (\[[^\]]*\])/.exec(doc)?.[1];
    expect(JSON.parse(example ?? 'null')).toEqual(defaults);
    // and the example profile as a whole is one the bridge accepts
    const profile = /"profile": (\{[\s\S]*?\n  \}),\n  "secrets"/.exec(doc)?.[1]?.replaceAll('…', '');
    expect(orgProfileSchema.safeParse(JSON.parse(profile ?? 'null')).error?.issues ?? []).toEqual([]);
  });

  it('alerts only on metrics /metrics serves', async () => {
    const served = new Set(
      (await createMetrics().registry.getMetricsAsJSON()).flatMap((m) =>
        m.type.toString() === 'histogram' ? [`${m.name}_count`, `${m.name}_sum`, `${m.name}_bucket`] : [m.name],
      ),
    );
    const named = [...new Set([...doc.matchAll(/\b((?:ledgerline|process)_[a-z_]+)\b/g)].map((m) => m[1]!))];
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((name) => !served.has(name))).toEqual([]);
  });

  it('names only settings the bridge reads', () => {
    const settings = [...new Set([...doc.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=[^`]*)?`/g)].map((m) => m[1]!))];
    expect(settings.length).toBeGreaterThan(10);
    // Error codes, job kinds and the retention's kept kinds the runbook quotes are not settings (and must exist).
    const errorCodes = ['STORE_SCHEMA_TOO_NEW', 'ENTITY_IS_LOCKED', 'ORG_SECRETS_REQUIRED'];
    const codeNames: readonly string[] = [...errorCodes, ...JOB_KINDS, 'DONE_JOBS_KEPT'];
    expect(Object.keys(DONE_JOBS_KEPT).length).toBeGreaterThan(0);
    expect(
      settings.filter((name) => !(ENV_KEYS as readonly string[]).includes(name) && !codeNames.includes(name)),
    ).toEqual([]);
  });

  it('names only admin routes the bridge serves', async () => {
    const { app } = await build((deps) => ({
      ...deps,
      orgs: {
        endpoints: () => {
          throw new Error('not used');
        },
        hasDefaultOrg: () => true,
        statuses: () => [],
        storeReady: async () => undefined,
      },
      orgAdmin: {
        listOrgs: async () => [],
        getOrg: async () => null,
        saveOrg: async () => {
          throw new Error('not used');
        },
        setOrgStatus: async () => null,
        resealSecrets: async () => ({
          xeroTokenSets: { resealed: 0, current: 0, unreadable: [] },
          orgSecrets: { resealed: 0, current: 0, unreadable: [] },
        }),
      },
    }));
    const routes = app.printRoutes({ commonPrefix: false });
    const paths = [
      ...new Set([...doc.matchAll(/`(?:(?:GET|POST|PUT) )?(\/(?:admin|orgs)\/[^`\s]*)`/g)].map((m) => m[1]!)),
    ];
    expect(paths.length).toBeGreaterThan(5);
    const pattern = (path: string) =>
      path
        .replace(/\/orgs\/(<orgId>|\*|acme-emea)/, '/orgs/:orgId')
        .replace(/<id>/, ':id')
        .replace(/<orgId>|<org>/g, ':orgId');
    const unknown = paths
      .filter((path) => !path.endsWith('…'))
      .filter((path) => {
        const wanted = pattern(path).replace(/\/\*$/, '');
        return (
          !app.hasRoute({ method: 'GET', url: wanted }) &&
          !app.hasRoute({ method: 'POST', url: wanted }) &&
          !app.hasRoute({ method: 'PUT', url: wanted }) &&
          !routes.includes(wanted)
        );
      });
    expect(unknown).toEqual([]);
  });
});
