import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LedgerlineError } from '../../../lib/errors';
import { withTimeout } from '../../../lib/retry';
import type { BillingEntityTenant, OrgDirectory, XeroTenant } from '../../deps';
import { errorResponse } from '../../errors';
import { bindOrgToLogs, OrgUnavailableError, type OrgScope } from '../../org-scope';

export interface HealthRoutesOptions {
  /** Whose readiness: the default org's (/ready) or the org in the path (/orgs/:orgId/ready). */
  scope: OrgScope;
  /** With no default org, /ready is the deployment's: its store, and each org's state. */
  orgs: Pick<OrgDirectory, 'hasDefaultOrg' | 'statuses' | 'storeReady'>;
  readyTimeoutMs: number;
}

export interface ReadyCheck {
  name: 'store' | 'salesforce' | 'xero' | 'billing_entities' | 'orgs' | 'org';
  ok: boolean;
  message: string;
}

export interface ReadyBody {
  status: 'ready' | 'not_ready';
  checks: ReadyCheck[];
  /** Billing_Entity__mdt records whose Xero tenant no stored connection reaches. */
  missingTenants: BillingEntityTenant[];
}

const readySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), message: z.string() })),
  missingTenants: z.array(z.object({ developerName: z.string(), xeroTenantId: z.string() })),
});

class CheckTimeout extends LedgerlineError {
  constructor(ms: number) {
    super('TIMEOUT', `no answer within ${ms} ms`);
  }
}

/** What /ready (unauthenticated) says about a failure: a code, never the error text. */
function reason(err: unknown): string {
  if (err instanceof CheckTimeout) return `unreachable: ${err.message}`;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? `unreachable (${code})` : 'unreachable';
}

const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async (app, opts) => {
  const { scope, readyTimeoutMs } = opts;
  bindOrgToLogs(app, scope);
  const run = <T>(fn: () => Promise<T>) =>
    withTimeout(Promise.resolve().then(fn), readyTimeoutMs, () => new CheckTimeout(readyTimeoutMs));

  if (scope.base === '') {
    app.get(
      '/health',
      {
        schema: {
          summary: 'Liveness: 200 while the process runs',
          response: { 200: z.object({ status: z.literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );
  }

  app.get(
    `${scope.base}/ready`,
    {
      schema: {
        summary:
          scope.base === ''
            ? 'Readiness: store, Salesforce and Xero reachable; every billing entity tenant connected (the default ' +
              'org; with no default org, the store and each org’s state)'
            : 'The org’s readiness: store, its Salesforce and Xero reachable; every billing entity tenant connected',
        params: scope.params({}),
        response: { 200: readySchema, 503: readySchema, '5xx': errorResponse },
      },
    },
    async (request, reply) => {
      if (scope.base === '' && !opts.orgs.hasDefaultOrg()) {
        // A deployment of many orgs is ready when it can serve them: one org's trouble must not take every
        // org's webhooks out of the load balancer. Each org's own readiness is at /orgs/:orgId/ready.
        const store = await run(opts.orgs.storeReady).then(
          () => ({ ok: true, message: 'ok' }),
          (err: unknown) => ({ ok: false, message: reason(err) }),
        );
        const statuses = opts.orgs.statuses();
        const notRunning = statuses.filter((s) => s.state !== 'running');
        const checks: ReadyCheck[] = [
          { name: 'store', ...store },
          {
            name: 'orgs',
            ok: true,
            message:
              `${statuses.length - notRunning.length} of ${statuses.length} running` +
              (notRunning.length > 0 ? `; ${notRunning.map((s) => `${s.orgId} ${s.state}`).join(', ')}` : ''),
          },
        ];
        const body: ReadyBody = { status: store.ok ? 'ready' : 'not_ready', checks, missingTenants: [] };
        return reply.code(store.ok ? 200 : 503).send(body);
      }
      let org;
      try {
        org = scope.endpoints(request);
      } catch (err) {
        // Served, but its bridge is not running (starting, failed, disabled): not ready, and no error to log.
        if (!(err instanceof OrgUnavailableError)) throw err;
        const body: ReadyBody = {
          status: 'not_ready',
          checks: [{ name: 'org', ok: false, message: err.message }],
          missingTenants: [],
        };
        return reply.code(503).send(body);
      }
      const { readiness, billingEntities } = org;
      const [store, salesforce, xero, entities] = await Promise.allSettled([
        run(readiness.store),
        run(readiness.salesforce),
        run(readiness.xeroTenants),
        run(billingEntities),
      ]);
      const failed = (name: string, result: PromiseSettledResult<unknown>) => {
        if (result.status === 'rejected')
          request.log.warn({ err: result.reason, check: name }, 'readiness check failed');
      };
      failed('store', store);
      failed('salesforce', salesforce);
      failed('xero', xero);
      failed('billing_entities', entities);

      const checks: ReadyCheck[] = [
        {
          name: 'store',
          ok: store.status === 'fulfilled',
          message: store.status === 'fulfilled' ? 'ok' : reason(store.reason),
        },
        {
          name: 'salesforce',
          ok: salesforce.status === 'fulfilled',
          message: salesforce.status === 'fulfilled' ? 'ok' : reason(salesforce.reason),
        },
      ];
      const tenants: XeroTenant[] = xero.status === 'fulfilled' ? xero.value : [];
      checks.push({
        name: 'xero',
        ok: xero.status === 'fulfilled',
        message: xero.status === 'fulfilled' ? `ok (${tenants.length} organisation(s) connected)` : reason(xero.reason),
      });

      let missingTenants: BillingEntityTenant[] = [];
      if (entities.status === 'rejected') {
        checks.push({
          name: 'billing_entities',
          ok: false,
          message: `cannot read Billing_Entity__mdt: ${reason(entities.reason)}`,
        });
      } else if (entities.value.length === 0) {
        checks.push({ name: 'billing_entities', ok: false, message: 'no Billing_Entity__mdt records' });
      } else if (xero.status === 'rejected') {
        checks.push({ name: 'billing_entities', ok: false, message: 'cannot check tenants while Xero is unreachable' });
      } else {
        const connected = new Set(tenants.map((t) => t.tenantId));
        missingTenants = entities.value
          .filter((e) => !connected.has(e.xeroTenantId))
          .map((e) => ({ developerName: e.developerName, xeroTenantId: e.xeroTenantId }));
        checks.push({
          name: 'billing_entities',
          ok: missingTenants.length === 0,
          message:
            missingTenants.length === 0
              ? `ok (${entities.value.length} entit${entities.value.length === 1 ? 'y' : 'ies'} connected)`
              : `not connected in Xero: ${missingTenants.map((m) => `${m.developerName} (${m.xeroTenantId})`).join(', ')}; connect them at /connect/xero`,
        });
      }

      const ready = checks.every((c) => c.ok);
      const body: ReadyBody = { status: ready ? 'ready' : 'not_ready', checks, missingTenants };
      return reply.code(ready ? 200 : 503).send(body);
    },
  );
};

export default healthRoutes;
