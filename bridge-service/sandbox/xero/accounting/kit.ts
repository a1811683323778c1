/**
 * What the Accounting API's routes share: the emulator's parts, each request's call record and tenant, Xero's
 * envelope, batch writes with per-element results (summarizeErrors), and paged listings with where/order and
 * If-Modified-Since.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../shared/clock';
import type { IdentityServer } from '../auth';
import type { CallLog, CallRecord } from '../call-log';
import type { ElementResult } from '../documents';
import type { FaultPlan } from '../faults';
import type { IdempotencyStore } from '../idempotency';
import type { RateLimiter } from '../rate-limiter';
import type { Tenant, XeroStore } from '../store';
import { compileOrder, compileWhere } from '../where';
import { msDate, toJson, ZERO_GUID } from '../wire';

export interface AccountingDeps {
  store: XeroStore;
  identity: IdentityServer;
  limiter: RateLimiter;
  faults: FaultPlan;
  idempotency: IdempotencyStore;
  calls: CallLog;
  clock: Clock;
  recordBodies: boolean;
  providerName: string;
  rawBodies: WeakMap<object, string>;
  /** Resolvers of hung requests, released on close. */
  hangs: Set<() => void>;
}

export interface CallContext {
  record: CallRecord;
  started: number;
  tenantId?: string;
  release?: () => void;
  idem?: { complete: (r: { status: number; contentType: string; body: string }) => void };
  dropAfterCommit?: boolean;
}

// Route schemas: query values stay strings (xero-node sends them as text); bodies are checked with zod per
// element so one bad element cannot fail its siblings.
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;
export const allocationParams = {
  type: 'object',
  required: ['id', 'allocationId'],
  properties: { id: { type: 'string', minLength: 1 }, allocationId: { type: 'string', minLength: 1 } },
} as const;
const flag = { type: 'string', enum: ['true', 'false'] } as const;
export const writeQuery = {
  type: 'object',
  properties: { summarizeErrors: flag, unitdp: { type: 'string', enum: ['2', '4'] }, allowBackorders: flag },
} as const;
export const listQuery = {
  type: 'object',
  properties: {
    where: { type: 'string' },
    order: { type: 'string' },
    page: { type: 'string', pattern: '^[0-9]+$' },
    pageSize: { type: 'string', pattern: '^[0-9]+$' },
    unitdp: { type: 'string', enum: ['2', '4'] },
    IDs: { type: 'string' },
    InvoiceNumbers: { type: 'string' },
    ContactIDs: { type: 'string' },
    Statuses: { type: 'string' },
    includeArchived: flag,
    createdByMyApp: flag,
    summaryOnly: flag,
    searchTerm: { type: 'string' },
  },
} as const;

export const NOT_FOUND_TEXT = "The resource you're looking for cannot be found";

export type Query = Record<string, string | undefined>;

export function query(req: FastifyRequest): Query {
  const out: Query = {};
  for (const [key, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : undefined;
  }
  return out;
}

export function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
}

export function problem(status: number, title: string, detail: string): Record<string, unknown> {
  return { Type: null, Title: title, Status: status, Detail: detail, Instance: randomUUID(), Extensions: {} };
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(toJson(body));
}

export function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('text/plain; charset=utf-8').send(NOT_FOUND_TEXT);
}

export function unitdp(q: Query): 2 | 4 {
  return q.unitdp === '4' ? 4 : 2;
}

export function tryParse(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The parts every route module uses, made once per emulator. */
export function createKit(deps: AccountingDeps) {
  const { store, clock } = deps;
  const contexts = new WeakMap<FastifyRequest, CallContext>();
  const ctxOf = (req: FastifyRequest) => contexts.get(req) as CallContext;
  const tenantOf = (req: FastifyRequest) => store.tenant(ctxOf(req).tenantId as string) as Tenant;

  const envelope = (extra: Record<string, unknown>) => ({
    Id: randomUUID(),
    Status: 'OK',
    ProviderName: deps.providerName,
    DateTimeUTC: msDate(clock.now()),
    ...extra,
  });

  /** The elements of a body: `{Collection:[...]}` or a single element object. */
  function elements(req: FastifyRequest, collection: string): unknown[] | undefined {
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
    const items = body[collection];
    if (Array.isArray(items)) return items;
    if (items !== undefined) return undefined;
    return Object.keys(body).length > 0 ? [body] : [];
  }

  function badBody(reply: FastifyReply, collection: string): FastifyReply {
    return sendJson(reply, 400, {
      ErrorNumber: 14,
      Type: 'PostDataInvalidException',
      Message: `The request body must contain ${collection}`,
    });
  }

  /**
   * Xero's batch semantics: each element stands alone. summarizeErrors absent/true -> 400 listing only
   * the failures while the successes stay saved; false -> 200 with every element and its status.
   */
  function batch(
    req: FastifyRequest,
    reply: FastifyReply,
    collection: string,
    idKey: string,
    items: unknown[],
    write: (item: unknown) => ElementResult,
    view: (id: string) => Record<string, unknown>,
  ): FastifyReply {
    const summarize = query(req).summarizeerrors !== 'false';
    const results = items.map((item) => ({ item, result: write(item) }));
    const echo = (item: unknown, errors: string[]) => ({
      ...(item !== null && typeof item === 'object' ? (item as Record<string, unknown>) : {}),
      [idKey]: ZERO_GUID,
      ...(idKey === 'ContactID' ? { HasValidationErrors: true } : { HasErrors: true }),
      ValidationErrors: errors.map((Message) => ({ Message })),
    });
    if (summarize) {
      const failed = results.filter((r) => !r.result.ok);
      if (failed.length > 0) {
        return sendJson(reply, 400, {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Message: 'A validation exception occurred',
          Elements: failed.map((r) => echo(r.item, r.result.ok ? [] : r.result.errors)),
        });
      }
      return sendJson(
        reply,
        200,
        envelope({ [collection]: results.map((r) => (r.result.ok ? view(r.result.id) : {})) }),
      );
    }
    return sendJson(
      reply,
      200,
      envelope({
        [collection]: results.map(({ item, result }) => {
          if (!result.ok) return { ...echo(item, result.errors), StatusAttributeString: 'ERROR' };
          const warned = result.warnings.length > 0;
          return {
            ...view(result.id),
            StatusAttributeString: warned ? 'WARNING' : 'OK',
            ...(warned ? { Warnings: result.warnings.map((Message) => ({ Message })) } : {}),
          };
        }),
      }),
    );
  }

  interface ListOptions<T> {
    records: T[];
    updatedAt: (record: T) => number;
    view: (record: T, paged: boolean) => Record<string, unknown>;
    keep?: (record: T, q: Query) => boolean;
    collection: string;
    pageable: boolean;
  }

  function listing<T>(req: FastifyRequest, reply: FastifyReply, options: ListOptions<T>): FastifyReply {
    const q = query(req);
    const header = req.headers['if-modified-since'];
    let since: number | undefined;
    if (typeof header === 'string' && header !== '') {
      const parsed = Date.parse(header);
      if (Number.isNaN(parsed)) {
        return sendJson(reply, 400, {
          ErrorNumber: 14,
          Type: 'PostDataInvalidException',
          Message: `If-Modified-Since '${header}' is not a date`,
        });
      }
      since = Math.floor(parsed / 1000) * 1000;
    }
    const page = q.page !== undefined ? Number(q.page) : undefined;
    if (page !== undefined && (!Number.isInteger(page) || page < 1)) {
      return sendJson(reply, 400, {
        ErrorNumber: 10,
        Type: 'ValidationException',
        Message: 'page must be a positive integer',
      });
    }
    const paged = options.pageable && page !== undefined;
    const where = q.where ? compileWhere(q.where) : undefined;
    const order = q.order ? compileOrder(q.order) : undefined;
    let views = options.records
      .filter((record) => since === undefined || Math.floor(options.updatedAt(record) / 1000) * 1000 >= since)
      .filter((record) => !options.keep || options.keep(record, q))
      .map((record) => options.view(record, paged))
      .filter((view) => !where || where(view));
    if (order) views = [...views].sort(order);
    const extra: Record<string, unknown> = {};
    if (paged && page !== undefined) {
      const requested = q.pagesize !== undefined ? Number(q.pagesize) : 100;
      const pageSize = Number.isInteger(requested) && requested >= 1 ? Math.min(requested, 1000) : 100;
      const itemCount = views.length;
      extra.pagination = { page, pageSize, pageCount: Math.ceil(itemCount / pageSize), itemCount };
      views = views.slice((page - 1) * pageSize, page * pageSize);
    }
    return sendJson(reply, 200, envelope({ ...extra, [options.collection]: views }));
  }

  const viewOptions = (q: Query, withLines: boolean) => ({ unitdp: unitdp(q), withLines, rounding: store.rounding });

  return { deps, contexts, ctxOf, tenantOf, envelope, elements, badBody, batch, listing, viewOptions };
}

export type Kit = ReturnType<typeof createKit>;
