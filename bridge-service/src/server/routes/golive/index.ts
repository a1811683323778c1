import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ImportRun } from '../../../store/types';
import type { GoLiveAdmin } from '../../deps';
import { errorResponse, NotFoundError } from '../../errors';
import { bindOrgToLogs, type OrgScope } from '../../org-scope';

export interface GoLiveRoutesOptions {
  /** Whose imports and drift checks: the default org's (/admin/imports) or the org in the path (/orgs/:orgId/…). */
  scope: OrgScope;
}

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD')
  .refine(
    (day) =>
      !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day,
    {
      message: 'is not a calendar day',
    },
  );
const entityName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, 'must be a Billing_Entity__mdt DeveloperName');

const runSchema = z.object({
  runKey: z.string(),
  entity: z.string(),
  tenantId: z.string(),
  since: z.string(),
  status: z.enum(['running', 'completed', 'failed', 'cancelled']),
  step: z.number().int(),
  cursor: z.record(z.string(), z.unknown()),
  counts: z.record(z.string(), z.number()),
  errors: z.array(z.string()),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});

const view = (run: ImportRun): z.infer<typeof runSchema> => ({
  ...run,
  startedAt: new Date(run.startedAt).toISOString(),
  updatedAt: new Date(run.updatedAt).toISOString(),
  finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
});

const findingSchema = z.object({
  key: z.string(),
  document: z.string(),
  xeroId: z.string(),
  salesforceId: z.string().optional(),
  field: z.string(),
  salesforceValue: z.string().optional(),
  xeroValue: z.string().optional(),
  currencyCode: z.string().optional(),
  amountDifference: z.string().optional(),
  cause: z.string(),
  causeText: z.string(),
  fix: z.string(),
});

const runKeyParams = { runKey: z.string().min(1).max(120) };
const authErrors = { 401: errorResponse, '5xx': errorResponse } as const;

/**
 * Go-live admin API (behind the admin token): start, watch and resume historical imports; ask for a drift check and
 * read its latest result. Every input checked by zod.
 */
const goLiveRoutes: FastifyPluginAsyncZod<GoLiveRoutesOptions> = async (app, opts) => {
  const { scope } = opts;
  const base = scope.base;
  bindOrgToLogs(app, scope);
  app.addHook('onRequest', app.verifyAdmin);
  /** The org's go-live admin; an org whose bridge offers none answers 404. */
  const goLiveOf = (request: FastifyRequest): GoLiveAdmin => {
    const { goLive } = scope.endpoints(request);
    if (!goLive) throw new NotFoundError('GO_LIVE_NOT_SERVED', 'This bridge serves no go-live admin API');
    return goLive;
  };

  app.post(
    `${base}/admin/imports`,
    {
      schema: {
        summary:
          "Start the historical import of one billing entity's Xero organisation since a day (nothing is written to Xero)",
        params: scope.params({}),
        body: z.object({ entity: entityName, since: isoDay }).strict(),
        response: {
          202: z.object({ run: runSchema, created: z.boolean() }),
          400: errorResponse,
          404: errorResponse,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const goLive = goLiveOf(request);
      const { entity, since } = request.body;
      if (!(await goLive.entities()).includes(entity)) {
        throw new NotFoundError('ENTITY_NOT_FOUND', `No billing entity ${entity} in Billing_Entity__mdt`);
      }
      const { run, created } = await goLive.startImport(entity, since);
      request.log.info({ runKey: run.runKey, created }, 'import requested');
      return reply.code(202).send({ run: view(run), created });
    },
  );

  app.get(
    `${base}/admin/imports`,
    {
      schema: {
        summary: 'Historical imports, newest first, with their progress',
        params: scope.params({}),
        response: { 200: z.object({ imports: z.array(runSchema) }), ...authErrors },
      },
    },
    async (request) => ({ imports: (await goLiveOf(request).listImports()).map(view) }),
  );

  app.get(
    `${base}/admin/imports/:runKey`,
    {
      schema: {
        summary: 'One import: phase, cursor, counts, errors',
        params: scope.params(runKeyParams),
        response: { 200: z.object({ run: runSchema }), 400: errorResponse, 404: errorResponse, ...authErrors },
      },
    },
    async (request) => {
      const run = await goLiveOf(request).getImport(request.params.runKey);
      if (!run) throw new NotFoundError('IMPORT_NOT_FOUND', `No import ${request.params.runKey}`);
      return { run: view(run) };
    },
  );

  app.post(
    `${base}/admin/imports/:runKey/resume`,
    {
      schema: {
        summary: 'Resume a failed import from where it stopped',
        params: scope.params(runKeyParams),
        response: { 202: z.object({ run: runSchema }), 400: errorResponse, 404: errorResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      const run = await goLiveOf(request).resumeImport(request.params.runKey);
      if (!run) throw new NotFoundError('IMPORT_NOT_FOUND', `No import ${request.params.runKey}`);
      return reply.code(202).send({ run: view(run) });
    },
  );

  app.post(
    `${base}/admin/drift-checks`,
    {
      schema: {
        summary: "Check one billing entity's mirrors against Xero now (results as Reconciliation_Result__c records)",
        params: scope.params({}),
        body: z.object({ entity: entityName }).strict(),
        response: { 202: z.object({ key: z.string() }), 400: errorResponse, 404: errorResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      const goLive = goLiveOf(request);
      if (!(await goLive.entities()).includes(request.body.entity)) {
        throw new NotFoundError('ENTITY_NOT_FOUND', `No billing entity ${request.body.entity} in Billing_Entity__mdt`);
      }
      return reply.code(202).send(await goLive.requestDriftCheck(request.body.entity));
    },
  );

  app.get(
    `${base}/admin/drift/:entity`,
    {
      schema: {
        summary: 'The latest drift check of a billing entity: open differences, resolved count, reconciliation',
        params: scope.params({ entity: entityName }),
        response: {
          200: z.object({
            entity: z.string(),
            tenantId: z.string(),
            checkedAt: z.string(),
            since: z.string().nullable(),
            documents: z.object({ invoices: z.number(), credits: z.number(), readInFull: z.number() }),
            open: z.array(findingSchema),
            resolved: z.number(),
            reconciliation: z.array(z.record(z.string(), z.unknown())),
            reconciliationDifferences: z.array(z.record(z.string(), z.string())),
          }),
          400: errorResponse,
          404: errorResponse,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const report = goLiveOf(request).latestDrift(request.params.entity);
      if (!report)
        throw new NotFoundError('DRIFT_NOT_CHECKED', `No drift check of ${request.params.entity} yet in this bridge`);
      return report;
    },
  );
};

export default goLiveRoutes;
