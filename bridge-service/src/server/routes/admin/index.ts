import type { FastifyInstance } from 'fastify';
import { JOB_STATES, type Job, type JobFilter, type JobState } from '../../../store/types';
import type { JobsAdmin } from '../../deps';
import { ConflictError, errorRef, NotFoundError } from '../../errors';

export interface AdminRoutesOptions {
  jobs: JobsAdmin;
}

const MAX_LIMIT = 200;
const DEFAULT_LIMIT = 50;
const STATE_LIST = new RegExp(`^(${JOB_STATES.join('|')})(,(${JOB_STATES.join('|')}))*$`);

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

const nullableString = { type: ['string', 'null'] } as const;
const jobSummaryProperties = {
  id: { type: 'integer' },
  key: { type: 'string' },
  action: { type: 'string' },
  tenantId: nullableString,
  state: { type: 'string', enum: JOB_STATES },
  attempts: { type: 'integer' },
  nextRunAt: nullableString,
  lastError: nullableString,
  leaseOwner: nullableString,
  leaseExpiresAt: nullableString,
  createdAt: nullableString,
  updatedAt: nullableString,
} as const;
const jobSummarySchema = {
  type: 'object',
  required: ['id', 'key', 'action', 'state', 'attempts'],
  properties: jobSummaryProperties,
} as const;
const jobDetailSchema = {
  type: 'object',
  required: ['id', 'key', 'action', 'state', 'attempts'],
  // payload and result are whatever the job handler stored: any JSON
  properties: { ...jobSummaryProperties, payload: {}, result: {} },
} as const;

const pageQuery = {
  action: { type: 'string', minLength: 1, maxLength: 64, description: 'Action__c, e.g. CREATE_DRAFT' },
  tenant: { type: 'string', minLength: 1, maxLength: 64, description: 'Xero tenant id' },
  limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  cursor: { type: 'string', pattern: '^[1-9][0-9]{0,15}$', description: 'nextCursor of the previous page' },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

interface PageQuery {
  action?: string;
  tenant?: string;
  limit: number;
  cursor?: string;
}

const authErrors = { 401: errorRef, '5xx': errorRef } as const;

/**
 * Admin API, all behind the admin bearer token: list/filter jobs, one job, retry, dead letters.
 * Listings are newest first; pass `nextCursor` back as `cursor` for the next page.
 */
export default async function adminRoutes(app: FastifyInstance, opts: AdminRoutesOptions): Promise<void> {
  const { jobs } = opts;
  app.addHook('onRequest', app.verifyAdmin);

  async function page(filter: Omit<JobFilter, 'limit' | 'beforeId'>, query: PageQuery) {
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

  app.get<{ Querystring: PageQuery & { state?: string } }>(
    '/admin/jobs',
    {
      schema: {
        summary: 'List jobs, newest first, filtered by state (comma-separated), action and tenant',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: {
              type: 'string',
              pattern: STATE_LIST.source,
              description: `comma-separated: ${JOB_STATES.join(', ')}`,
            },
            ...pageQuery,
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['jobs', 'nextCursor'],
            properties: { jobs: { type: 'array', items: jobSummarySchema }, nextCursor: nullableString },
          },
          400: errorRef,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const states = request.query.state ? ([...new Set(request.query.state.split(','))] as JobState[]) : undefined;
      const { items, nextCursor } = await page(states ? { states } : {}, request.query);
      return { jobs: items.map(jobSummary), nextCursor };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/admin/jobs/:id',
    {
      schema: {
        summary: 'One job with its payload, result and last error',
        params: idParams,
        response: {
          200: { type: 'object', required: ['job'], properties: { job: jobDetailSchema } },
          400: errorRef,
          404: errorRef,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const job = await jobs.getJob(request.params.id);
      if (!job) throw new NotFoundError('JOB_NOT_FOUND', `No job with id ${request.params.id}`);
      return { job: jobDetail(job) };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/admin/jobs/:id/retry',
    {
      schema: {
        summary: 'Queue a failed or dead job again, due now',
        params: idParams,
        response: {
          200: { type: 'object', required: ['job'], properties: { job: jobDetailSchema } },
          400: errorRef,
          404: errorRef,
          409: errorRef,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
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

  app.get<{ Querystring: PageQuery }>(
    '/admin/dead-letters',
    {
      schema: {
        summary: 'Jobs that gave up (state dead), newest first, with their last error',
        querystring: { type: 'object', additionalProperties: false, properties: pageQuery },
        response: {
          200: {
            type: 'object',
            required: ['deadLetters', 'nextCursor'],
            properties: { deadLetters: { type: 'array', items: jobSummarySchema }, nextCursor: nullableString },
          },
          400: errorRef,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { items, nextCursor } = await page({ states: ['dead'] }, request.query);
      return { deadLetters: items.map(jobSummary), nextCursor };
    },
  );
}
