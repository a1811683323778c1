/**
 * The Composite resource (`POST /services/data/vXX.X/composite`): a series of REST subrequests in one call, which
 * counts as ONE request toward the API limit. Subrequests go to the same handlers as direct calls (validation,
 * triggers, faults), in order, as the same user. Salesforce's rules:
 * - at most 25 subrequests, of which at most 5 are sObject Collections or query operations; past either limit the
 *   answer is one LIMIT_EXCEEDED result and nothing runs;
 * - `@{referenceId.field}` / `@{referenceId.records[0].Id}` in a url or body reads an earlier subrequest's answer;
 *   a reference with no value (or to a failed subrequest) fails that subrequest with PROCESSING_HALTED;
 * - allOrNone true: the first failure (a collection with any refused record counts, and collections inherit the
 *   flag) rolls everything back; the failed subrequest keeps its error, every other one answers PROCESSING_HALTED;
 * - allOrNone false: a failed subrequest is undone alone and the rest go on.
 * Platform events published by subrequests go out when the whole composite commits.
 * Injected faults (faults.ts): a 5xx burst matching a subrequest fails the whole call, as an unavailable instance
 * does; a 4xx one (or one asked for `inComposite: 'subrequest'`) fails that subrequest alone.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SalesforceError } from '../errors';
import type { SalesforceOrg } from '../salesforce-org';
import type { RequestContext, RestCall, RestReply, RestRoute } from './sobject-routes';

export const MAX_SUBREQUESTS = 25;
export const MAX_COLLECTIONS_OR_QUERIES = 5;

export interface CompositeDeps {
  org: SalesforceOrg;
  /** the routes subrequests may reach (sObjects, Collections, query) */
  routes: readonly RestRoute[];
  context(req: FastifyRequest): RequestContext;
  /** the injected fault that fails the whole call, matched against its subrequests' paths (consumes it) */
  callFault(subrequestPaths: readonly string[]): SalesforceError | undefined;
  /** the injected fault this subrequest answers alone, if any (consumes it) */
  subrequestFault(path: string): SalesforceError | undefined;
  apiVersions: readonly string[];
  /** told what a Composite call holds (`METHOD url`, then the records' object for a Collection), for the request log */
  onSubrequests?(req: FastifyRequest, subrequests: string[]): void;
}

export interface SubrequestResult {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string | null;
}

const subrequestSchema = z.object({
  method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE'], {
    error: "'method' must be one of GET, POST, PATCH, PUT, DELETE.",
  }),
  url: z.string({ error: "'url' is a required field." }).min(1, "'url' is a required field."),
  referenceId: z.string({ error: "'referenceId' is a required field." }),
  body: z.unknown().optional(),
  httpHeaders: z.record(z.string(), z.string()).optional(),
});
const compositeSchema = z.object({
  allOrNone: z.boolean().optional().default(false),
  collateSubrequests: z.boolean().optional(),
  compositeRequest: z.array(subrequestSchema, { error: "'compositeRequest' is a required field." }).min(1),
});
type Subrequest = z.infer<typeof subrequestSchema>;

/** The object of a Collection's records (`records[0].attributes.type`), when the body is one. */
function collectionType(body: unknown): string | undefined {
  const records = (body as { records?: { attributes?: { type?: unknown } }[] } | undefined)?.records;
  const type = Array.isArray(records) ? records[0]?.attributes?.type : undefined;
  return typeof type === 'string' ? type : undefined;
}

const REFERENCE_ID = /^[A-Za-z0-9_]+$/;
const REFERENCE = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;
const COUNTED = /^\/services\/data\/v[^/]+\/(?:composite\/sobjects|query|queryAll)(?:\/|$)/;
const HALTED = 'The transaction was rolled back since another operation in the same transaction failed.';

const failure = (referenceId: string | null, err: SalesforceError): SubrequestResult => ({
  body: [err.toRest()],
  httpHeaders: {},
  httpStatusCode: err.status,
  referenceId,
});

/** A subrequest failed: an error status, or (under allOrNone) a collection with a refused record. */
function failed(result: SubrequestResult, allOrNone: boolean): boolean {
  if (result.httpStatusCode >= 400) return true;
  return (
    allOrNone &&
    Array.isArray(result.body) &&
    result.body.some((r) => typeof r === 'object' && r !== null && (r as { success?: unknown }).success === false)
  );
}

class Halt extends Error {}

interface Match {
  route: RestRoute;
  params: Record<string, string>;
}

export function registerCompositeRoute(app: FastifyInstance, deps: CompositeDeps): void {
  const { org } = deps;
  const table = deps.routes.map((route) => ({ route, segments: route.url.split('/') }));

  /** Like Fastify's router: a static segment wins over a parameter at the first place two patterns differ. */
  function match(method: string, path: string): Match | undefined {
    const parts = path.split('/');
    let best: { match: Match; rank: string } | undefined;
    for (const { route, segments } of table) {
      if (route.method !== method || segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let rank = '';
      let fits = true;
      for (const [i, segment] of segments.entries()) {
        const part = parts[i]!;
        if (segment.startsWith(':')) {
          if (!part) fits = false;
          else params[segment.slice(1)] = decodeURIComponent(part);
          rank += 'p';
        } else {
          if (segment !== part) fits = false;
          rank += 's';
        }
        if (!fits) break;
      }
      if (fits && (!best || rank > best.rank)) best = { match: { route, params }, rank };
    }
    return best?.match;
  }

  /** The value an `@{ref.path}` names, or a PROCESSING_HALTED error. */
  function lookup(results: Map<string, SubrequestResult>, ref: string, path: string, allOrNone: boolean): unknown {
    const source = results.get(ref);
    let value: unknown = source && !failed(source, allOrNone) ? source.body : undefined;
    for (const [, name, index] of path.matchAll(/\.([A-Za-z0-9_]+)|\[(\d+)\]/g)) {
      if (value === null || typeof value !== 'object') {
        value = undefined;
        break;
      }
      value = (value as Record<string, unknown>)[name ?? Number(index)];
    }
    if (value === undefined || value === null || typeof value === 'object') {
      throw new SalesforceError(
        400,
        'PROCESSING_HALTED',
        `Invalid reference specified. No value for ${ref}${path} found in ${ref}.`,
      );
    }
    return value;
  }

  function resolve(value: unknown, results: Map<string, SubrequestResult>, allOrNone: boolean): unknown {
    if (typeof value === 'string') {
      const whole = new RegExp(`^${REFERENCE.source}$`).exec(value);
      if (whole) return lookup(results, whole[1]!, whole[2] ?? '', allOrNone);
      return value.replace(REFERENCE, (_m, ref: string, path: string) => String(lookup(results, ref, path, allOrNone)));
    }
    if (Array.isArray(value)) return value.map((v) => resolve(v, results, allOrNone));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, results, allOrNone)]));
    }
    return value;
  }

  function dispatch(
    sub: Subrequest,
    context: RequestContext,
    headers: RestCall['headers'],
    results: Map<string, SubrequestResult>,
    allOrNone: boolean,
  ): SubrequestResult {
    const url = resolve(sub.url, results, allOrNone) as string;
    const body = resolve(sub.body, results, allOrNone);
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query: Record<string, string> = Object.fromEntries(new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
    const version = /^\/services\/data\/v(\d+\.\d)(?:\/|$)/.exec(path)?.[1];
    const found = version && deps.apiVersions.includes(version) ? match(sub.method, path) : undefined;
    if (!found) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const fault = deps.subrequestFault(path);
    if (fault) throw fault;
    // under an all-or-none composite, every collection is all-or-none too
    const collection = found.route.url.includes('/composite/sobjects');
    if (allOrNone && collection && sub.method === 'DELETE') query.allOrNone = 'true';
    const input =
      allOrNone && collection && body && typeof body === 'object' && !Array.isArray(body)
        ? { ...body, allOrNone: true }
        : body;
    const lowerHeaders = Object.fromEntries(
      Object.entries(sub.httpHeaders ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const reply: RestReply = found.route.handle({
      params: found.params,
      query,
      body: input,
      headers: { ...headers, ...lowerHeaders },
      context: { ...context, apiVersion: version! },
    });
    return {
      body: reply.body ?? null,
      httpHeaders:
        reply.status === 201 && isIdResult(reply.body)
          ? { Location: `${path.split('/').slice(0, 6).join('/')}/${reply.body.id}` }
          : {},
      httpStatusCode: reply.status,
      referenceId: sub.referenceId,
    };
  }

  function run(
    subrequests: Subrequest[],
    allOrNone: boolean,
    context: RequestContext,
    headers: RestCall['headers'],
  ): SubrequestResult[] {
    const results = new Map<string, SubrequestResult>();
    const answers: SubrequestResult[] = [];
    let failedAt = -1;
    const execute = (): void => {
      for (const [i, sub] of subrequests.entries()) {
        const sp = org.savepoint();
        let result: SubrequestResult;
        try {
          result = dispatch(sub, context, headers, results, allOrNone);
        } catch (err) {
          org.rollbackTo(sp);
          result = failure(sub.referenceId, toSalesforceError(err));
        }
        answers.push(result);
        results.set(sub.referenceId, result);
        if (allOrNone && failed(result, true)) {
          failedAt = i;
          throw new Halt();
        }
      }
    };
    try {
      org.transaction(execute);
    } catch (err) {
      if (!(err instanceof Halt)) throw err;
      const halted = new SalesforceError(400, 'PROCESSING_HALTED', HALTED);
      return subrequests.map((sub, i) => (i === failedAt ? answers[i]! : failure(sub.referenceId, halted)));
    }
    return answers;
  }

  app.post('/services/data/:version/composite', async (req) => {
    const context = deps.context(req);
    const parsed = compositeSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new SalesforceError(400, 'JSON_PARSER_ERROR', parsed.error.issues[0]?.message ?? 'Invalid request body');
    }
    const { allOrNone, compositeRequest } = parsed.data;
    deps.onSubrequests?.(
      req,
      compositeRequest.map((sub) => {
        const type = collectionType(sub.body);
        return type ? `${sub.method} ${sub.url} ${type}` : `${sub.method} ${sub.url}`;
      }),
    );
    const seen = new Set<string>();
    for (const sub of compositeRequest) {
      if (!REFERENCE_ID.test(sub.referenceId))
        throw new SalesforceError(
          400,
          'INVALID_INPUT',
          `Invalid referenceId: ${sub.referenceId}. A referenceId can contain only letters, numbers and underscores.`,
        );
      if (seen.has(sub.referenceId))
        throw new SalesforceError(
          400,
          'INVALID_INPUT',
          `Duplicate referenceId provided in the request: ${sub.referenceId}`,
        );
      seen.add(sub.referenceId);
    }
    const counted = compositeRequest.filter((sub) => COUNTED.test(sub.url.split('?')[0]!)).length;
    const limit =
      compositeRequest.length > MAX_SUBREQUESTS
        ? `The request can’t contain more than ${MAX_SUBREQUESTS} operations.`
        : counted > MAX_COLLECTIONS_OR_QUERIES
          ? `The request can’t contain more than ${MAX_COLLECTIONS_OR_QUERIES} sObject Collections or query operations.`
          : undefined;
    if (limit) {
      return { compositeResponse: [failure(null, new SalesforceError(400, 'LIMIT_EXCEEDED', limit))] };
    }
    // an instance that cannot serve the call fails all of it: no subrequest runs
    const unavailable = deps.callFault(compositeRequest.map((sub) => sub.url.split('?')[0]!));
    if (unavailable) throw unavailable;
    const headers: RestCall['headers'] = {
      'sforce-call-options': req.headers['sforce-call-options'],
      'sforce-query-options': req.headers['sforce-query-options'],
    };
    return { compositeResponse: run(compositeRequest, allOrNone, context, headers) };
  });
}

function isIdResult(body: unknown): body is { id: string } {
  return typeof body === 'object' && body !== null && typeof (body as { id?: unknown }).id === 'string';
}

/** Errors a direct call would have answered in Salesforce's shape (the server's error handler does the same). */
function toSalesforceError(err: unknown): SalesforceError {
  if (err instanceof SalesforceError) return err;
  if (err instanceof z.ZodError)
    return new SalesforceError(400, 'JSON_PARSER_ERROR', err.issues.map((i) => i.message).join('; '));
  throw err;
}
