/**
 * Server-side timing of the emulators' HTTP work, without touching the emulators: Node's `http.server.*`
 * diagnostics channels see every request an in-process server answers, with the port it arrived on. The bench uses
 * this for "how long did the emulators spend serving" (bridge time = end-to-end − emulator time) and for a count of
 * Salesforce REST calls by endpoint.
 */
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

interface ServerMessage {
  request: IncomingMessage;
  response: ServerResponse;
}

/** One answered request: where it went, when it started and how long the server took (real ms). */
export interface TimedRequest {
  port: number;
  method: string;
  path: string;
  /** The raw query string (without "?"), e.g. for SOQL. */
  query: string;
  start: number;
  ms: number;
}

/** Records every request answered by servers listening on `ports` (added later with `watch`). */
export class HttpTimer {
  readonly done: TimedRequest[] = [];
  private readonly ports = new Set<number>();
  private readonly open = new WeakMap<IncomingMessage, { port: number; start: number }>();
  private readonly onStart = (message: unknown) => {
    const { request } = message as ServerMessage;
    const port = request.socket.localPort;
    if (port !== undefined && this.ports.has(port)) this.open.set(request, { port, start: performance.now() });
  };
  private readonly onFinish = (message: unknown) => {
    const { request } = message as ServerMessage;
    const started = this.open.get(request);
    if (!started) return;
    this.open.delete(request);
    const url = request.url ?? '';
    const q = url.indexOf('?');
    this.done.push({
      port: started.port,
      method: request.method ?? 'GET',
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? '' : url.slice(q + 1),
      start: started.start,
      ms: performance.now() - started.start,
    });
  };

  constructor() {
    diagnostics.subscribe('http.server.request.start', this.onStart);
    diagnostics.subscribe('http.server.response.finish', this.onFinish);
  }

  watch(port: number): void {
    this.ports.add(port);
  }

  /** Requests that finished since `index` (use `mark()` to take an index). */
  since(index: number, port?: number): TimedRequest[] {
    return this.done.slice(index).filter((r) => port === undefined || r.port === port);
  }

  mark(): number {
    return this.done.length;
  }

  /** Drops what was recorded (keeps watching). */
  clear(): void {
    this.done.length = 0;
  }

  close(): void {
    diagnostics.unsubscribe('http.server.request.start', this.onStart);
    diagnostics.unsubscribe('http.server.response.finish', this.onFinish);
  }
}

/** Sum of the time covered by the requests' [start, start + ms] intervals (overlaps counted once), in ms. */
export function busyMs(requests: readonly TimedRequest[], from = -Infinity, to = Infinity): number {
  const spans = requests
    .map((r) => [Math.max(r.start, from), Math.min(r.start + r.ms, to)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/**
 * A Salesforce REST request as an endpoint label: `query <Object>` (outer FROM of the SOQL), `queryMore`,
 * `collections <verb> [<Object>]`, `sobject <verb> <Object>`, or `METHOD path`. Only /services/data calls count
 * against the API limit; anything else (OAuth, CometD) returns undefined.
 */
export function salesforceEndpoint(r: Pick<TimedRequest, 'method' | 'path' | 'query'>): string | undefined {
  const m = /^\/services\/data\/v[\d.]+(\/.*)?$/.exec(r.path);
  if (!m) return undefined;
  const rest = m[1] ?? '/';
  if (/^\/query(All)?\/?$/.test(rest)) {
    const soql = new URLSearchParams(r.query).get('q') ?? '';
    // The outer FROM: drop parenthesised subqueries first.
    let flat = soql;
    for (let prev = ''; prev !== flat;) {
      prev = flat;
      flat = flat.replace(/\([^()]*\)/g, '');
    }
    const from = /\bFROM\s+(\w+)/i.exec(flat)?.[1] ?? '?';
    return `query ${from}`;
  }
  if (/^\/query(All)?\/[^/]+$/.test(rest)) return 'queryMore';
  const collection = /^\/composite\/sobjects(?:\/(\w+)(?:\/\w+)?)?\/?$/.exec(rest);
  if (collection) {
    const verb =
      r.method === 'POST' ? 'create' : r.method === 'PATCH' ? (collection[1] ? 'upsert' : 'update') : r.method;
    return `collections ${verb}${collection[1] ? ` ${collection[1]}` : ''}`;
  }
  const sobject = /^\/sobjects\/(\w+)/.exec(rest);
  if (sobject) return `sobject ${r.method} ${sobject[1]}`;
  return `${r.method} ${rest}`;
}

/** Counts by label, largest first. */
export function countBy<T>(items: readonly T[], label: (item: T) => string | undefined): Record<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const key = label(item);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}
