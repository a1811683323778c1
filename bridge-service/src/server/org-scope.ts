/**
 * Which org a request is for. The per-org routes (connect, webhooks, the jobs admin API, readiness) are registered
 * twice when the app serves several orgs: at their own paths for the default org (/connect/xero, as a single-org
 * bridge always had them) and under /orgs/:orgId/… for every org. A scope gives a route its path prefix, its params
 * schema and the org's endpoints; under /orgs/:orgId every log line of the request carries the orgId.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DEFAULT_ORG_ID, orgIdSchema } from '../store/types';
import type { OrgDirectory, OrgEndpoints, SingleOrgDeps, ServerConfig } from './deps';
import { HttpError, NotFoundError } from './errors';

export interface OrgScope {
  /** '' (the default org's paths) or '/orgs/:orgId'. */
  base: '' | '/orgs/:orgId';
  /** The org this request is for (throws 404 for an org not served, 503 for one not running). */
  endpoints(request: FastifyRequest): OrgEndpoints;
  /** A route's params schema, with the org id under /orgs/:orgId (handlers reach the org through `endpoints`). */
  params<T extends z.ZodRawShape>(shape: T): OwnParams<T>;
}

const ORG_PATH = '/orgs/:orgId' as const;

/** The org id in the request's path (/orgs/:orgId/…), if any. */
export function orgIdOf(request: FastifyRequest): string | undefined {
  const orgId = (request.params as { orgId?: unknown } | undefined)?.orgId;
  return typeof orgId === 'string' ? orgId : undefined;
}

/** A params schema typed by the route's own params: the org id, when there is one, is the scope's business. */
type OwnParams<T extends z.ZodRawShape> = z.ZodType<z.output<z.ZodObject<T>>, z.input<z.ZodObject<T>>>;

/** Under /orgs/:orgId the org id is a required path parameter (OpenAPI wants every path parameter required). */
function paramsSchema<T extends z.ZodRawShape>(shape: T, withOrg: boolean): OwnParams<T>;
function paramsSchema(shape: z.ZodRawShape, withOrg: boolean): z.ZodType {
  return withOrg ? z.object({ ...shape, orgId: orgIdSchema }) : z.object(shape);
}

const params =
  (withOrg: boolean) =>
  <T extends z.ZodRawShape>(shape: T): OwnParams<T> =>
    paramsSchema(shape, withOrg);

/** The scopes to register the per-org routes in: the default org's paths, and /orgs/:orgId/… for many orgs. */
export function orgScopes(directory: OrgDirectory, many: boolean): OrgScope[] {
  const own: OrgScope = {
    base: '',
    endpoints: () => {
      if (!directory.hasDefaultOrg()) {
        throw new NotFoundError(
          'NO_DEFAULT_ORG',
          'This deployment has no default org (DEFAULT_ORG=none): use the org’s own paths, /orgs/:orgId/…',
        );
      }
      return directory.endpoints(DEFAULT_ORG_ID);
    },
    params: params(false),
  };
  const perOrg: OrgScope = {
    base: ORG_PATH,
    endpoints: (request) => directory.endpoints(orgIdOf(request) ?? ''),
    params: params(true),
  };
  return many ? [own, perOrg] : [own];
}

/** Under /orgs/:orgId, binds the org id to the request's logger, so every line of it says which org. */
export function bindOrgToLogs(app: FastifyInstance, scope: OrgScope): void {
  if (scope.base === '') return;
  app.addHook('onRequest', async (request) => {
    const orgId = orgIdOf(request);
    if (orgId !== undefined && orgIdSchema.safeParse(orgId).success) request.log = request.log.child({ orgId });
  });
}

/** A single-org app's directory: its one org, 'default', from the app's own dependencies. */
export function singleOrgDirectory(deps: Partial<SingleOrgDeps> & { config: ServerConfig }): OrgDirectory {
  const { jobs, readiness, billingEntities, xeroConnect, acceptWebhook, goLive } = deps;
  const xero = deps.config.xero;
  if (!jobs || !readiness || !billingEntities || !xeroConnect || !acceptWebhook || !xero) {
    throw new Error('buildApp: a single-org app needs jobs, readiness, billingEntities, xeroConnect, acceptWebhook');
  }
  const endpoints: OrgEndpoints = {
    orgId: DEFAULT_ORG_ID,
    xero,
    jobs,
    readiness,
    billingEntities,
    xeroConnect,
    acceptWebhook,
    goLive,
  };
  return {
    endpoints: (orgId) => {
      if (orgId !== DEFAULT_ORG_ID) throw new NotFoundError('ORG_NOT_FOUND', `No org ${orgId} here`);
      return endpoints;
    },
    hasDefaultOrg: () => true,
    statuses: () => [{ orgId: DEFAULT_ORG_ID, state: 'running', message: null, since: 0 }],
    storeReady: () => readiness.store(),
  };
}

/** The org is served but its bridge is not running now. */
export class OrgUnavailableError extends HttpError {
  constructor(orgId: string, why: string) {
    super(503, 'ORG_NOT_RUNNING', `Org ${orgId} is not running: ${why}`);
  }
}
