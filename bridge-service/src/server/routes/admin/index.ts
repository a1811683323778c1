import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { JOB_STATES, type Job, type JobFilter, type JobState } from '../../../store/types';
import type { JobsAdmin } from '../../deps';
import { ConflictError, errorResponse, NotFoundError } from '../../errors';
import { bindOrgToLogs, type OrgScope } from '../../org-scope';

export interface AdminRoutesOptions {
  /** Whose jobs: the default org's (/admin/jobs) or the org in the path (/orgs/:orgId/admin/jobs). */
  scope: OrgScope;
}

const MAX_LIMIT = 200;
const DEFAULT_LIMIT = 50;
const STATE_LIST = new RegExp(`^(${JOB_STATES.join('|')})(,(${JOB_STATES.join('|')}))*$`);

const isJobState = (value: string): value is JobState => JOB_STATES.some((state) => state === value);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A job as the admin API shows it in lists (no payload or result). */
export function jobSummary(job: Job) {
  return {
    id: job.id,
    key: job.key,
    action: job.action,
    tenantId: job.tenantId,
    state: job.state,
    attempts: job.attempts,
    nextRunAt: iso(job.nextRunAt),
    lastError: job.lastError,
    leaseOwner: job.leaseOwner,
    leaseExpiresAt: iso(job.leaseExpiresAt),
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
  };
}

export function jobDetail(job: Job) {
  return { ...jobSummary(job), payload: job.payload ?? null, result: job.result ?? null };
}

const nullableString = z.string().nullable();
const jobSummarySchema = z.object({
  id: z.number().int(),
  key: z.string(),
  action: z.string(),
  tenantId: nullableString,
  state: z.enum(JOB_STATES),
  attempts: z.number().int(),
  nextRunAt: nullableString,
  lastError: nullableString,
  leaseOwner: nullableString,
  leaseExpiresAt: nullableString,
  createdAt: nullableString,
  updatedAt: nullableString,
});
// payload and result are whatever the job handler stored: any JSON
const jobDetailSchema = jobSummarySchema.extend({ payload: z.unknown(), result: z.unknown() });

const pageQuery = {
  action: z.string().min(1).max(64).optional().describe('Action__c, e.g. CREATE_DRAFT'),
  tenant: z.string().min(1).max(64).optional().describe('Xero tenant id'),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/)
    .optional()
    .describe('nextCursor of the previous page'),
};

const idParam = { id: z.coerce.number().int().min(1) };

interface PageQuery {
  action?: string | undefined;
  tenant?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

const authErrors = { 401: errorResponse, 404: errorResponse, '5xx': errorResponse } as const;

/**
 * Admin API, all behind the admin bearer token: list/filter jobs, one job, retry, dead letters.
 * Listings are newest first; pass `nextCursor` back as `cursor` for the next page.
 */
const adminRoutes: FastifyPluginAsyncZod<AdminRoutesOptions> = async (app, opts) => {
  const { scope } = opts;
  const base = scope.base;
  bindOrgToLogs(app, scope);
  app.addHook('onRequest', app.verifyAdmin);

  async function page(jobs: JobsAdmin, filter: Omit<JobFilter, 'limit' | 'beforeId'>, query: PageQuery) {
    const list = await jobs.listJobs({
      ...filter,
      ...(query.action ? { action: query.action } : {}),
      ...(query.tenant ? { tenantId: query.tenant } : {}),
      ...(query.cursor ? { beforeId: Number(query.cursor) } : {}),
      // one extra row tells whether another page exists
      limit: query.limit + 1,
    });
    const items = list.slice(0, query.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: list.length > query.limit && last ? String(last.id) : null };
  }

  app.get(
    `${base}/admin/jobs`,
    {
      schema: {
        summary: 'List jobs, newest first, filtered by state (comma-separated), action and tenant',
        params: scope.params({}),
        querystring: z.object({
          state: z
            .string()
            .regex(STATE_LIST)
            .optional()
            .describe(`comma-separated: ${JOB_STATES.join(', ')}`),
          ...pageQuery,
        }),
        response: {
          200: z.object({ jobs: z.array(jobSummarySchema), nextCursor: nullableString }),
          400: errorResponse,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const states = request.query.state ? [...new Set(request.query.state.split(','))].filter(isJobState) : undefined;
      const { jobs } = scope.endpoints(request);
      const { items, nextCursor } = await page(jobs, states ? { states } : {}, request.query);
      return { jobs: items.map(jobSummary), nextCursor };
    },
  );

  app.get(
    `${base}/admin/jobs/:id`,
    {
      schema: {
        summary: 'One job with its payload, result and last error',
        params: scope.params(idParam),
        response: {
          200: z.object({ job: jobDetailSchema }),
          400: errorResponse,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { jobs } = scope.endpoints(request);
      const job = await jobs.getJob(request.params.id);
      if (!job) throw new NotFoundError('JOB_NOT_FOUND', `No job with id ${request.params.id}`);
      return { job: jobDetail(job) };
    },
  );

  app.post(
    `${base}/admin/jobs/:id/retry`,
    {
      schema: {
        summary: 'Queue a failed or dead job again, due now',
        params: scope.params(idParam),
        response: {
          200: z.object({ job: jobDetailSchema }),
          400: errorResponse,
          409: errorResponse,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { jobs } = scope.endpoints(request);
      const existing = await jobs.getJob(id);
      if (!existing) throw new NotFoundError('JOB_NOT_FOUND', `No job with id ${id}`);
      const retried = await jobs.retryJob(id);
      if (!retried) {
        throw new ConflictError(
          'JOB_NOT_RETRYABLE',
          `Job ${id} is ${existing.state}; only failed or dead jobs can be retried`,
        );
      }
      request.log.info({ jobId: id, key: retried.key, previousState: existing.state }, 'job retried by admin');
      return { job: jobDetail(retried) };
    },
  );

  app.get(
    `${base}/admin/dead-letters`,
    {
      schema: {
        summary: 'Jobs that gave up (state dead), newest first, with their last error',
        params: scope.params({}),
        querystring: z.object(pageQuery),
        response: {
          200: z.object({ deadLetters: z.array(jobSummarySchema), nextCursor: nullableString }),
          400: errorResponse,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { items, nextCursor } = await page(scope.endpoints(request).jobs, { states: ['dead'] }, request.query);
      return { deadLetters: items.map(jobSummary), nextCursor };
    },
  );
};

export default adminRoutes;
