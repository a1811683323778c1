import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  orgIdSchema,
  orgProfileInputSchema,
  orgProfileSchema,
  orgSecretsSchema,
  type OrgSecrets,
} from '../../../store/types';
import type { OrgAdmin, OrgView } from '../../deps';
import { errorResponse, NotFoundError } from '../../errors';

export interface OrgRoutesOptions {
  orgAdmin: OrgAdmin;
}

const SECRET_NAMES = Object.keys(orgSecretsSchema.shape) as (keyof OrgSecrets)[];

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** An org as the API answers: which secrets are set, never what they are. */
function orgBody(org: OrgView) {
  return {
    orgId: org.orgId,
    source: org.source,
    profile: org.profile,
    secretsSet: org.secrets,
    status: { ...org.status, since: iso(org.status.since) },
    createdAt: iso(org.createdAt),
    updatedAt: iso(org.updatedAt),
  };
}

const orgSchema = z.object({
  orgId: z.string(),
  source: z.enum(['env', 'store']).describe('env: configured by environment variables; store: by this API'),
  profile: orgProfileSchema.nullable(),
  secretsSet: z.object(Object.fromEntries(SECRET_NAMES.map((name) => [name, z.boolean()]))),
  status: z.object({
    orgId: z.string(),
    state: z.enum(['starting', 'running', 'failed', 'disabled', 'stopped']),
    message: z.string().nullable(),
    since: z.string().nullable(),
  }),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});

const params = z.object({ orgId: orgIdSchema });
const errors = { 400: errorResponse, 401: errorResponse, 404: errorResponse, '5xx': errorResponse } as const;

/**
 * The orgs a deployment serves, behind the admin token: list, read, add or change (PUT, zod-validated, secrets
 * sealed in the store and never echoed), disable and enable. A change starts, restarts or stops the org's bridge
 * in this process at once, and in the other bridge processes within ORG_REFRESH_INTERVAL_MS. Also re-sealing the
 * stored secrets after an encryption key rotation.
 */
const orgRoutes: FastifyPluginAsyncZod<OrgRoutesOptions> = async (app, opts) => {
  const { orgAdmin } = opts;
  app.addHook('onRequest', app.verifyAdmin);

  app.get(
    '/admin/orgs',
    {
      schema: {
        summary: 'Every org this deployment serves, with its state in this process',
        response: { 200: z.object({ orgs: z.array(orgSchema) }), ...errors },
      },
    },
    async () => ({ orgs: (await orgAdmin.listOrgs()).map(orgBody) }),
  );

  app.get(
    '/admin/orgs/:orgId',
    {
      schema: {
        summary: 'One org: profile, which secrets are set, state',
        params,
        response: { 200: z.object({ org: orgSchema }), ...errors },
      },
    },
    async (request) => {
      const org = await orgAdmin.getOrg(request.params.orgId);
      if (!org) throw new NotFoundError('ORG_NOT_FOUND', `No org ${request.params.orgId}`);
      return { org: orgBody(org) };
    },
  );

  app.put(
    '/admin/orgs/:orgId',
    {
      schema: {
        summary:
          'Add an org (every secret required) or change one (the whole profile; only the secrets given are replaced)',
        params,
        body: z.object({
          profile: orgProfileInputSchema,
          secrets: orgSecretsSchema.partial().optional(),
        }),
        response: {
          200: z.object({ org: orgSchema }),
          201: z.object({ org: orgSchema }),
          409: errorResponse,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      const { created, org } = await orgAdmin.saveOrg(orgId, request.body);
      request.log.info(
        { orgId, created, secretsGiven: Object.keys(request.body.secrets ?? {}) },
        created ? 'org added' : 'org changed',
      );
      return reply.code(created ? 201 : 200).send({ org: orgBody(org) });
    },
  );

  for (const [action, status] of [
    ['disable', 'suspended'],
    ['enable', 'active'],
  ] as const) {
    app.post(
      `/admin/orgs/:orgId/${action}`,
      {
        schema: {
          summary:
            action === 'disable'
              ? 'Suspend an org: its bridge stops in every process (its data stays)'
              : 'Reactivate a suspended org: its bridge starts again',
          params,
          response: { 200: z.object({ org: orgSchema }), 409: errorResponse, ...errors },
        },
      },
      async (request) => {
        const org = await orgAdmin.setOrgStatus(request.params.orgId, status);
        if (!org) throw new NotFoundError('ORG_NOT_FOUND', `No org ${request.params.orgId}`);
        request.log.info({ orgId: org.orgId, status }, `org ${action}d`);
        return { org: orgBody(org) };
      },
    );
  }

  const counts = z.object({ resealed: z.number().int(), current: z.number().int(), unreadable: z.array(z.string()) });
  app.post(
    '/admin/secrets/reseal',
    {
      schema: {
        summary:
          'Key rotation: seal every stored secret (Xero token sets, org credentials) with TOKEN_ENCRYPTION_KEY again',
        response: {
          200: z.object({ xeroTokenSets: counts, orgSecrets: counts }),
          401: errorResponse,
          '5xx': errorResponse,
        },
      },
    },
    async (request) => {
      const report = await orgAdmin.resealSecrets();
      request.log.info(
        {
          xeroTokenSets: { ...report.xeroTokenSets, unreadable: report.xeroTokenSets.unreadable.length },
          orgSecrets: { ...report.orgSecrets, unreadable: report.orgSecrets.unreadable.length },
        },
        'stored secrets re-sealed with the current key',
      );
      return report;
    },
  );
};

export default orgRoutes;
