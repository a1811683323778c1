/**
 * sObject rows, upsert by external id, sObject Collections, describe and query (with queryMore cursors).
 *
 * Each route is a synchronous handler over a plain call (params, query, body, headers, the caller's context), kept
 * in a table: Fastify serves them over HTTP, and the Composite resource dispatches its subrequests to the same
 * handlers, so a subrequest gets exactly the validation, triggers and answers of a direct call.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../clock';
import { notFound, SalesforceError } from '../errors';
import { makeId } from '../ids';
import { REST_EXTERNAL_ID } from '../record-keys';
import type { DmlContext, SalesforceOrg } from '../salesforce-org';
import type { FieldDef, ObjectDef } from '../schema/types';
import { runSoql } from '../soql/executor';
import { describeObject, globalEntry } from './describe';
import { queryColumns } from './query-columns';

export interface RequestContext {
  userId: string;
  apiVersion: string;
  defaultNamespace?: string;
}

export interface RouteDeps {
  org: SalesforceOrg;
  clock: Clock;
  context(req: FastifyRequest): RequestContext;
  /** default query batch size (Salesforce: 2000; `Sforce-Query-Options: batchSize=` may lower it to 200) */
  queryBatchSize: number;
}

/** One REST call as a route handler sees it. */
export interface RestCall {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  /** lower-case names */
  headers: Record<string, string | string[] | undefined>;
  context: RequestContext;
}

export interface RestReply {
  status: number;
  body?: unknown;
}

export type RestMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RestRoute {
  method: RestMethod;
  /** Fastify pattern, e.g. `/services/data/:version/sobjects/:type/:id` */
  url: string;
  handle(call: RestCall): RestReply;
}

const MAX_COLLECTION = 200;
const CURSOR_TTL_MS = 15 * 60_000;

const collectionBody = z.object({
  allOrNone: z.boolean().optional().default(false),
  records: z.array(z.record(z.string(), z.unknown())),
});

interface Cursor {
  /** the query the cursor pages through (the API log names a queryMore by it) */
  soql: string;
  records: Record<string, unknown>[];
  totalSize: number;
  batchSize: number;
  expiresAt: number;
}

type RecordResult = { id?: string | null; success: boolean; errors: unknown[]; created?: boolean };

function asSalesforceError(err: unknown): SalesforceError {
  if (err instanceof SalesforceError) return err;
  throw err;
}

const ok = (body: unknown): RestReply => ({ status: 200, body });

/** Registers the routes with Fastify and returns them, for the Composite resource to dispatch to. */
export function registerSObjectRoutes(
  app: FastifyInstance,
  deps: RouteDeps,
): { routes: RestRoute[]; soqlOfLocator(locator: string): string | undefined } {
  const { org } = deps;
  const cursors = new Map<string, Cursor>();
  let cursorSeq = 0;
  const routes: RestRoute[] = [];

  const route = (method: RestMethod, url: string, handle: (call: RestCall) => RestReply): void => {
    routes.push({ method, url, handle });
    app.route({
      method,
      url,
      handler: async (req, reply) => {
        const result = handle({
          params: (req.params ?? {}) as Record<string, string>,
          query: (req.query ?? {}) as Record<string, string | undefined>,
          body: req.body,
          headers: req.headers,
          context: deps.context(req),
        });
        return reply.code(result.status).send(result.body);
      },
    });
  };

  const dml = (c: RequestContext): DmlContext =>
    c.defaultNamespace
      ? { userId: c.userId, defaultNamespace: c.defaultNamespace, api: true }
      : { userId: c.userId, api: true };
  const objectOf = (c: RequestContext, type: string) => org.object(type, c.defaultNamespace);
  /** An object the caller reads: one they cannot read is not there for them, as an unknown type. */
  const readableObjectOf = (c: RequestContext, type: string) => {
    const def = objectOf(c, type);
    if (org.apiAccess(c.userId)?.object(def).read === false) throw notFound();
    return def;
  };
  /** Whether field-level security lets the caller read a field (always, where the API holds them to none). */
  const readable = (c: RequestContext, def: ObjectDef, field: FieldDef): boolean =>
    org.apiAccess(c.userId)?.field(def, field).read !== false;
  /** The external id field named in a URL, or Salesforce's 404 for a field that is missing or not an external id. */
  const externalIdField = (c: RequestContext, def: ReturnType<typeof objectOf>, name: string) => {
    const field = org.findField(def, name, c.defaultNamespace);
    if (!field || !field.externalId || !readable(c, def, field))
      throw new SalesforceError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${name}`,
      );
    return field;
  };

  const present = (c: RequestContext, type: string, id: string, fields?: string): Record<string, unknown> => {
    const def = readableObjectOf(c, type);
    const record = org.get(def, id);
    if (!record) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const wanted = fields
      ? fields.split(',').map((name) => {
          const f = org.findField(def, name.trim(), c.defaultNamespace);
          if (!f || !readable(c, def, f))
            throw new SalesforceError(
              400,
              'INVALID_FIELD',
              `No such column '${name.trim()}' on sobject of type ${def.name}`,
            );
          return f;
        })
      : [...def.fields.values()].filter((f) => readable(c, def, f));
    const out: Record<string, unknown> = {
      attributes: {
        type: def.name,
        url: `/services/data/v${c.apiVersion}/sobjects/${def.name}/${record.Id}`,
      },
    };
    for (const f of wanted) out[f.name] = org.valueOf(def, record, f);
    return out;
  };

  // ---- describe ----
  route('GET', '/services/data/:version/sobjects', ({ context }) =>
    ok({
      encoding: 'UTF-8',
      maxBatchSize: MAX_COLLECTION,
      sobjects: [...org.schema.objects.values()].map((d) => globalEntry(d, context.apiVersion)),
    }),
  );
  route('GET', '/services/data/:version/sobjects/:type/describe', ({ params, context }) =>
    ok(describeObject(org, objectOf(context, params.type!), context.apiVersion)),
  );
  route('GET', '/services/data/:version/sobjects/:type', ({ params, context }) =>
    ok({ objectDescribe: globalEntry(objectOf(context, params.type!), context.apiVersion), recentItems: [] }),
  );

  // ---- rows ----
  route('POST', '/services/data/:version/sobjects/:type', ({ params, body: raw, context }) => {
    const body = z.record(z.string(), z.unknown()).parse(raw ?? {});
    if ('Id' in body || 'id' in body)
      throw new SalesforceError(400, 'INVALID_FIELD', 'Record ID: cannot specify Id in an insert call', ['Id']);
    const id = org.insert(params.type!, body, dml(context));
    return { status: 201, body: { id, success: true, errors: [] } };
  });
  route('GET', '/services/data/:version/sobjects/:type/:id', ({ params, query, context }) =>
    ok(present(context, params.type!, params.id!, query.fields)),
  );
  route('PATCH', '/services/data/:version/sobjects/:type/:id', ({ params, body: raw, context }) => {
    const body = z.record(z.string(), z.unknown()).parse(raw ?? {});
    org.update(params.type!, params.id!, body, dml(context));
    return { status: 204 };
  });
  route('DELETE', '/services/data/:version/sobjects/:type/:id', ({ params, context }) => {
    org.delete(params.type!, params.id!, dml(context));
    return { status: 204 };
  });

  // ---- by external id ----
  route('GET', '/services/data/:version/sobjects/:type/:field/:value', ({ params, context }) => {
    const def = readableObjectOf(context, params.type!);
    const field = externalIdField(context, def, params.field!);
    const value = params.value!.toLowerCase();
    const matches = org
      .recordsByKey(def, field.name, REST_EXTERNAL_ID, [value])
      .filter((r) => String(r[field.name] ?? '').toLowerCase() === value);
    if (!matches[0]) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return ok(present(context, def.name, matches[0].Id));
  });
  route('PATCH', '/services/data/:version/sobjects/:type/:field/:value', ({ params, query, body: raw, context }) => {
    const body = z.record(z.string(), z.unknown()).parse(raw ?? {});
    const def = objectOf(context, params.type!);
    if (query.updateOnly === 'true') {
      const field = org.findField(def, params.field!, context.defaultNamespace);
      const value = params.value!.toLowerCase();
      const exists =
        field &&
        org
          .recordsByKey(def, field.name, REST_EXTERNAL_ID, [value])
          .some((r) => String(r[field.name] ?? '').toLowerCase() === value);
      if (field && !exists) {
        throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
      }
    }
    try {
      const res = org.upsert(def.name, params.field!, params.value!, body, dml(context));
      return { status: res.created ? 201 : 200, body: { id: res.id, success: true, errors: [], created: res.created } };
    } catch (err) {
      const matches = (err as { matches?: string[] }).matches;
      if (matches) {
        const v = context.apiVersion;
        return { status: 300, body: matches.map((id) => `/services/data/v${v}/sobjects/${def.name}/${id}`) };
      }
      throw err;
    }
  });

  // ---- sObject Collections ----
  const runCollection = (
    allOrNone: boolean,
    items: (() => RecordResult)[],
    failed: (i: number, e: SalesforceError) => RecordResult,
  ): RecordResult[] =>
    // One DML of up to 200 records: the package's triggers run once over them (their events go out together).
    org.dmlChunk(() => {
      const start = org.savepoint();
      const results = items.map((run, i) => {
        const sp = org.savepoint();
        try {
          return run();
        } catch (err) {
          org.rollbackTo(sp);
          return failed(i, asSalesforceError(err));
        }
      });
      if (allOrNone && results.some((r) => !r.success)) {
        org.rollbackTo(start);
        return results.map((r) =>
          r.success
            ? {
                id: r.id ?? null,
                success: false,
                errors: [
                  {
                    statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                    message:
                      'Record rolled back because not all records were valid and the request was using AllOrNone header',
                    fields: [],
                  },
                ],
              }
            : r,
        );
      }
      return results;
    });

  const parseCollection = (body: unknown): z.infer<typeof collectionBody> => {
    const parsed = collectionBody.safeParse(body);
    if (!parsed.success)
      throw new SalesforceError(
        400,
        'JSON_PARSER_ERROR',
        `The request body is not a valid sObject collection: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    if (parsed.data.records.length > MAX_COLLECTION) {
      throw new SalesforceError(
        400,
        'EXCEEDED_ID_LIMIT',
        `Number of records in the request exceeds the limit of ${MAX_COLLECTION}`,
      );
    }
    return parsed.data;
  };
  const typeOf = (rec: Record<string, unknown>): string => {
    const t = (rec.attributes as { type?: unknown } | undefined)?.type;
    if (typeof t !== 'string') throw new SalesforceError(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
    return t;
  };

  route('POST', '/services/data/:version/composite/sobjects', ({ body, context }) => {
    const { allOrNone, records } = parseCollection(body);
    const ctx = dml(context);
    return ok(
      runCollection(
        allOrNone,
        records.map((rec) => () => {
          const { attributes: _a, ...fields } = rec;
          if ('Id' in fields || 'id' in fields)
            throw new SalesforceError(400, 'INVALID_FIELD', 'Record ID: cannot specify Id in an insert call', ['Id']);
          return { id: org.insert(typeOf(rec), fields, ctx), success: true, errors: [] };
        }),
        (_i, e) => ({ success: false, errors: [e.toResult()] }),
      ),
    );
  });

  route('PATCH', '/services/data/:version/composite/sobjects', ({ body, context }) => {
    const { allOrNone, records } = parseCollection(body);
    const ctx = dml(context);
    return ok(
      runCollection(
        allOrNone,
        records.map((rec) => () => {
          const { attributes: _a, id, Id, ...fields } = rec;
          const recordId = (id ?? Id) as string | undefined;
          if (!recordId)
            throw new SalesforceError(400, 'MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
          org.update(typeOf(rec), recordId, fields, ctx);
          return { id: recordId, success: true, errors: [] };
        }),
        (i, e) => ({
          id: ((records[i]?.id ?? records[i]?.Id) as string | undefined) ?? null,
          success: false,
          errors: [e.toResult()],
        }),
      ),
    );
  });

  route('PATCH', '/services/data/:version/composite/sobjects/:type/:field', ({ params, body, context }) => {
    const { allOrNone, records } = parseCollection(body);
    const ctx = dml(context);
    const def = objectOf(context, params.type!);
    const extField = externalIdField(context, def, params.field!);
    return ok(
      runCollection(
        allOrNone,
        records.map((rec) => () => {
          const { attributes: _a, ...fields } = rec;
          const key = Object.keys(fields).find(
            (k) =>
              k.toLowerCase() === extField.name.toLowerCase() ||
              org.findField(def, k, ctx.defaultNamespace) === extField,
          );
          const value = key ? fields[key] : undefined;
          if (value === undefined || value === null || value === '') {
            throw new SalesforceError(400, 'INVALID_FIELD', `${extField.name} not specified`, [extField.name]);
          }
          try {
            const res = org.upsert(def.name, extField.name, value, fields, ctx);
            return { id: res.id, success: true, errors: [], created: res.created };
          } catch (err) {
            if ((err as { matches?: string[] }).matches)
              throw new SalesforceError(300, 'DUPLICATE_EXTERNAL_ID', (err as Error).message, [extField.name]);
            throw err;
          }
        }),
        (_i, e) => ({ id: null, success: false, errors: [e.toResult()] }),
      ),
    );
  });

  // retrieve many: one record (or null) per id, in order
  const retrieveMany = (
    c: RequestContext,
    type: string,
    ids: string[],
    fields: string[],
  ): (Record<string, unknown> | null)[] => {
    if (ids.length > 2000)
      throw new SalesforceError(400, 'EXCEEDED_ID_LIMIT', 'Number of ids in the request exceeds the limit of 2000');
    return ids.map((id) => {
      try {
        return present(c, type, id, fields.join(','));
      } catch (err) {
        if (err instanceof SalesforceError && err.status === 404) return null;
        throw err;
      }
    });
  };
  route('POST', '/services/data/:version/composite/sobjects/:type', ({ params, body: raw, context }) => {
    const body = z.object({ ids: z.array(z.string()).min(1), fields: z.array(z.string()).min(1) }).parse(raw ?? {});
    return ok(retrieveMany(context, params.type!, body.ids, body.fields));
  });
  route('GET', '/services/data/:version/composite/sobjects/:type', ({ params, query, context }) => {
    const split = (v?: string): string[] => (v ?? '').split(',').filter(Boolean);
    if (!split(query.ids).length || !split(query.fields).length)
      throw new SalesforceError(400, 'MISSING_ARGUMENT', 'ids and fields are required');
    return ok(retrieveMany(context, params.type!, split(query.ids), split(query.fields)));
  });

  route('DELETE', '/services/data/:version/composite/sobjects', ({ query, context }) => {
    const ids = (query.ids ?? '').split(',').filter(Boolean);
    if (!ids.length) throw new SalesforceError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
    if (ids.length > MAX_COLLECTION)
      throw new SalesforceError(
        400,
        'EXCEEDED_ID_LIMIT',
        `Number of records in the request exceeds the limit of ${MAX_COLLECTION}`,
      );
    const ctx = dml(context);
    return ok(
      runCollection(
        query.allOrNone === 'true',
        ids.map((id) => () => {
          const found = org.getAny(id);
          if (!found) throw new SalesforceError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
          org.delete(found.def.name, id, ctx);
          return { id: found.record.Id, success: true, errors: [] };
        }),
        (i, e) => ({ id: ids[i] ?? null, success: false, errors: [e.toResult()] }),
      ),
    );
  });

  // ---- query ----
  const batchSizeOf = (headers: RestCall['headers']): number => {
    const header = headers['sforce-query-options'];
    const m = typeof header === 'string' ? /batchSize=(\d+)/i.exec(header) : null;
    return m ? Math.min(2000, Math.max(200, Number(m[1]))) : deps.queryBatchSize;
  };

  const page = (version: string, cursorId: string, cursor: Cursor, offset: number): Record<string, unknown> => {
    const records = cursor.records.slice(offset, offset + cursor.batchSize);
    const next = offset + cursor.batchSize;
    const done = next >= cursor.records.length;
    if (done) cursors.delete(cursorId);
    return {
      totalSize: cursor.totalSize,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${version}/query/${cursorId}-${next}` }),
      records,
    };
  };

  const query = (call: RestCall, includeDeleted: boolean): RestReply => {
    const c = call.context;
    const q = call.query.q;
    if (!q || !q.trim()) throw new SalesforceError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const result = runSoql(q, {
      org,
      access: org.apiAccess(c.userId),
      apiVersion: c.apiVersion,
      includeDeleted,
      ...(c.defaultNamespace ? { defaultNamespace: c.defaultNamespace } : {}),
    });
    const cursorId = makeId('01g', ++cursorSeq).slice(0, 15);
    const cursor: Cursor = {
      soql: q,
      records: result.records,
      totalSize: result.totalSize,
      batchSize: batchSizeOf(call.headers),
      expiresAt: deps.clock.now() + CURSOR_TTL_MS,
    };
    // the CLI's `columns=true`: the query is checked (and run) as usual, then its columns are answered instead
    if (call.query.columns === 'true') return ok(queryColumns(org, q, c.defaultNamespace));
    if (result.records.length > cursor.batchSize) cursors.set(cursorId, cursor);
    return ok(page(c.apiVersion, cursorId, cursor, 0));
  };
  const more = (call: RestCall): RestReply => {
    const m = /^(.+)-(\d+)$/.exec(call.params.locator ?? '');
    const cursor = m ? cursors.get(m[1]!) : undefined;
    if (!m || !cursor || cursor.expiresAt <= deps.clock.now())
      throw new SalesforceError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return ok(page(call.context.apiVersion, m[1]!, cursor, Number(m[2])));
  };

  route('GET', '/services/data/:version/query', (call) => query(call, false));
  route('GET', '/services/data/:version/queryAll', (call) => query(call, true));
  route('GET', '/services/data/:version/query/:locator', more);
  route('GET', '/services/data/:version/queryAll/:locator', more);

  return { routes, soqlOfLocator: (locator) => cursors.get(locator.replace(/-\d+$/, ''))?.soql };
}
