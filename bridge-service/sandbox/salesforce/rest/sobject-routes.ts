/** sObject rows, upsert by external id, sObject Collections, describe and query (with queryMore cursors). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../clock';
import { SalesforceError } from '../errors';
import { makeId } from '../ids';
import type { DmlContext, SalesforceOrg } from '../salesforce-org';
import { runSoql } from '../soql/executor';
import { describeObject, globalEntry } from './describe';

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

const MAX_COLLECTION = 200;
const CURSOR_TTL_MS = 15 * 60_000;

const collectionBody = z.object({
  allOrNone: z.boolean().optional().default(false),
  records: z.array(z.record(z.string(), z.unknown())),
});

interface Cursor {
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

export function registerSObjectRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { org } = deps;
  const cursors = new Map<string, Cursor>();
  let cursorSeq = 0;

  const dml = (req: FastifyRequest): DmlContext => {
    const c = deps.context(req);
    return c.defaultNamespace ? { userId: c.userId, defaultNamespace: c.defaultNamespace } : { userId: c.userId };
  };
  const objectOf = (req: FastifyRequest, type: string) => org.object(type, deps.context(req).defaultNamespace);

  const present = (req: FastifyRequest, type: string, id: string, fields?: string): Record<string, unknown> => {
    const def = objectOf(req, type);
    const record = org.get(def, id);
    if (!record) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const wanted = fields
      ? fields.split(',').map((name) => {
          const f = org.findField(def, name.trim(), deps.context(req).defaultNamespace);
          if (!f)
            throw new SalesforceError(
              400,
              'INVALID_FIELD',
              `No such column '${name.trim()}' on sobject of type ${def.name}`,
            );
          return f;
        })
      : [...def.fields.values()];
    const out: Record<string, unknown> = {
      attributes: {
        type: def.name,
        url: `/services/data/v${deps.context(req).apiVersion}/sobjects/${def.name}/${record.Id}`,
      },
    };
    for (const f of wanted) out[f.name] = org.valueOf(def, record, f);
    return out;
  };

  // ---- describe ----
  app.get('/services/data/:version/sobjects', async (req) => ({
    encoding: 'UTF-8',
    maxBatchSize: MAX_COLLECTION,
    sobjects: [...org.schema.objects.values()].map((d) => globalEntry(d, deps.context(req).apiVersion)),
  }));
  app.get<{ Params: { type: string } }>('/services/data/:version/sobjects/:type/describe', async (req) =>
    describeObject(org, objectOf(req, req.params.type), deps.context(req).apiVersion),
  );
  app.get<{ Params: { type: string } }>('/services/data/:version/sobjects/:type', async (req) => ({
    objectDescribe: globalEntry(objectOf(req, req.params.type), deps.context(req).apiVersion),
    recentItems: [],
  }));

  // ---- rows ----
  app.post<{ Params: { type: string }; Body: Record<string, unknown> }>(
    '/services/data/:version/sobjects/:type',
    async (req, reply) => {
      const body = z.record(z.string(), z.unknown()).parse(req.body ?? {});
      if ('Id' in body || 'id' in body)
        throw new SalesforceError(400, 'INVALID_FIELD', 'Record ID: cannot specify Id in an insert call', ['Id']);
      const id = org.insert(req.params.type, body, dml(req));
      return reply.code(201).send({ id, success: true, errors: [] });
    },
  );
  app.get<{ Params: { type: string; id: string }; Querystring: { fields?: string } }>(
    '/services/data/:version/sobjects/:type/:id',
    async (req) => present(req, req.params.type, req.params.id, req.query.fields),
  );
  app.patch<{ Params: { type: string; id: string }; Body: Record<string, unknown> }>(
    '/services/data/:version/sobjects/:type/:id',
    async (req, reply) => {
      const body = z.record(z.string(), z.unknown()).parse(req.body ?? {});
      org.update(req.params.type, req.params.id, body, dml(req));
      return reply.code(204).send();
    },
  );
  app.delete<{ Params: { type: string; id: string } }>(
    '/services/data/:version/sobjects/:type/:id',
    async (req, reply) => {
      org.delete(req.params.type, req.params.id, dml(req));
      return reply.code(204).send();
    },
  );

  // ---- by external id ----
  app.get<{ Params: { type: string; field: string; value: string } }>(
    '/services/data/:version/sobjects/:type/:field/:value',
    async (req) => {
      const def = objectOf(req, req.params.type);
      const field = org.findField(def, req.params.field, deps.context(req).defaultNamespace);
      if (!field || !field.externalId)
        throw new SalesforceError(
          404,
          'NOT_FOUND',
          `Provided external ID field does not exist or is not accessible: ${req.params.field}`,
        );
      const matches = org
        .records(def)
        .filter((r) => String(r[field.name] ?? '').toLowerCase() === req.params.value.toLowerCase());
      if (!matches[0]) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
      return present(req, def.name, matches[0].Id);
    },
  );
  app.patch<{
    Params: { type: string; field: string; value: string };
    Querystring: { updateOnly?: string };
    Body: Record<string, unknown>;
  }>('/services/data/:version/sobjects/:type/:field/:value', async (req, reply) => {
    const body = z.record(z.string(), z.unknown()).parse(req.body ?? {});
    const def = objectOf(req, req.params.type);
    if (req.query.updateOnly === 'true') {
      const field = org.findField(def, req.params.field, deps.context(req).defaultNamespace);
      if (
        field &&
        !org.records(def).some((r) => String(r[field.name] ?? '').toLowerCase() === req.params.value.toLowerCase())
      ) {
        throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
      }
    }
    try {
      const res = org.upsert(def.name, req.params.field, req.params.value, body, dml(req));
      return reply.code(res.created ? 201 : 200).send({ id: res.id, success: true, errors: [], created: res.created });
    } catch (err) {
      const matches = (err as { matches?: string[] }).matches;
      if (matches) {
        const v = deps.context(req).apiVersion;
        return reply.code(300).send(matches.map((id) => `/services/data/v${v}/sobjects/${def.name}/${id}`));
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
    org.transaction(() => {
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

  app.post('/services/data/:version/composite/sobjects', async (req) => {
    const { allOrNone, records } = parseCollection(req.body);
    const ctx = dml(req);
    return runCollection(
      allOrNone,
      records.map((rec) => () => {
        const { attributes: _a, ...fields } = rec;
        if ('Id' in fields || 'id' in fields)
          throw new SalesforceError(400, 'INVALID_FIELD', 'Record ID: cannot specify Id in an insert call', ['Id']);
        return { id: org.insert(typeOf(rec), fields, ctx), success: true, errors: [] };
      }),
      (_i, e) => ({ success: false, errors: [e.toResult()] }),
    );
  });

  app.patch('/services/data/:version/composite/sobjects', async (req) => {
    const { allOrNone, records } = parseCollection(req.body);
    const ctx = dml(req);
    return runCollection(
      allOrNone,
      records.map((rec) => () => {
        const { attributes: _a, id, Id, ...fields } = rec;
        const recordId = (id ?? Id) as string | undefined;
        if (!recordId) throw new SalesforceError(400, 'MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
        org.update(typeOf(rec), recordId, fields, ctx);
        return { id: recordId, success: true, errors: [] };
      }),
      (i, e) => ({
        id: ((records[i]?.id ?? records[i]?.Id) as string | undefined) ?? null,
        success: false,
        errors: [e.toResult()],
      }),
    );
  });

  app.patch<{ Params: { type: string; field: string } }>(
    '/services/data/:version/composite/sobjects/:type/:field',
    async (req) => {
      const { allOrNone, records } = parseCollection(req.body);
      const ctx = dml(req);
      const def = objectOf(req, req.params.type);
      const extField = org.findField(def, req.params.field, ctx.defaultNamespace);
      if (!extField || !extField.externalId)
        throw new SalesforceError(
          404,
          'NOT_FOUND',
          `Provided external ID field does not exist or is not accessible: ${req.params.field}`,
        );
      return runCollection(
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
      );
    },
  );

  // retrieve many: one record (or null) per id, in order
  const retrieveMany = (
    req: FastifyRequest,
    type: string,
    ids: string[],
    fields: string[],
  ): (Record<string, unknown> | null)[] => {
    if (ids.length > 2000)
      throw new SalesforceError(400, 'EXCEEDED_ID_LIMIT', 'Number of ids in the request exceeds the limit of 2000');
    return ids.map((id) => {
      try {
        return present(req, type, id, fields.join(','));
      } catch (err) {
        if (err instanceof SalesforceError && err.status === 404) return null;
        throw err;
      }
    });
  };
  app.post<{ Params: { type: string } }>('/services/data/:version/composite/sobjects/:type', async (req) => {
    const body = z
      .object({ ids: z.array(z.string()).min(1), fields: z.array(z.string()).min(1) })
      .parse(req.body ?? {});
    return retrieveMany(req, req.params.type, body.ids, body.fields);
  });
  app.get<{ Params: { type: string }; Querystring: { ids?: string; fields?: string } }>(
    '/services/data/:version/composite/sobjects/:type',
    async (req) => {
      const split = (v?: string): string[] => (v ?? '').split(',').filter(Boolean);
      if (!split(req.query.ids).length || !split(req.query.fields).length)
        throw new SalesforceError(400, 'MISSING_ARGUMENT', 'ids and fields are required');
      return retrieveMany(req, req.params.type, split(req.query.ids), split(req.query.fields));
    },
  );

  app.delete<{ Querystring: { ids?: string; allOrNone?: string } }>(
    '/services/data/:version/composite/sobjects',
    async (req) => {
      const ids = (req.query.ids ?? '').split(',').filter(Boolean);
      if (!ids.length) throw new SalesforceError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
      if (ids.length > MAX_COLLECTION)
        throw new SalesforceError(
          400,
          'EXCEEDED_ID_LIMIT',
          `Number of records in the request exceeds the limit of ${MAX_COLLECTION}`,
        );
      const ctx = dml(req);
      return runCollection(
        req.query.allOrNone === 'true',
        ids.map((id) => () => {
          const found = org.getAny(id);
          if (!found) throw new SalesforceError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
          org.delete(found.def.name, id, ctx);
          return { id: found.record.Id, success: true, errors: [] };
        }),
        (i, e) => ({ id: ids[i] ?? null, success: false, errors: [e.toResult()] }),
      );
    },
  );

  // ---- query ----
  const batchSizeOf = (req: FastifyRequest): number => {
    const header = req.headers['sforce-query-options'];
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

  const query = (
    req: FastifyRequest<{ Querystring: { q?: string } }>,
    includeDeleted: boolean,
  ): Record<string, unknown> => {
    const c = deps.context(req);
    const q = req.query.q;
    if (!q || !q.trim()) throw new SalesforceError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const result = runSoql(q, {
      org,
      apiVersion: c.apiVersion,
      includeDeleted,
      ...(c.defaultNamespace ? { defaultNamespace: c.defaultNamespace } : {}),
    });
    const cursorId = makeId('01g', ++cursorSeq).slice(0, 15);
    const cursor: Cursor = {
      records: result.records,
      totalSize: result.totalSize,
      batchSize: batchSizeOf(req),
      expiresAt: deps.clock.now() + CURSOR_TTL_MS,
    };
    if (result.records.length > cursor.batchSize) cursors.set(cursorId, cursor);
    return page(c.apiVersion, cursorId, cursor, 0);
  };
  const more = (req: FastifyRequest<{ Params: { locator: string } }>): Record<string, unknown> => {
    const m = /^(.+)-(\d+)$/.exec(req.params.locator);
    const cursor = m ? cursors.get(m[1]!) : undefined;
    if (!m || !cursor || cursor.expiresAt <= deps.clock.now())
      throw new SalesforceError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return page(deps.context(req).apiVersion, m[1]!, cursor, Number(m[2]));
  };

  app.get<{ Querystring: { q?: string } }>('/services/data/:version/query', async (req) => query(req, false));
  app.get<{ Querystring: { q?: string } }>('/services/data/:version/queryAll', async (req) => query(req, true));
  app.get<{ Params: { locator: string } }>('/services/data/:version/query/:locator', async (req) => more(req));
  app.get<{ Params: { locator: string } }>('/services/data/:version/queryAll/:locator', async (req) => more(req));
}
