/**
 * The Xero emulator's call log, and what each call cost the client in bytes (egress: since March 2026 Xero prices
 * apps by the data they read from its APIs).
 */
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * What the client read for one call. The emulator never compresses; real Xero gzips a response when the client asks
 * (xero-node's axios sends `Accept-Encoding: gzip, compress, deflate, br`), so the body is also measured gzipped:
 * the bytes Xero would put on the wire, and bill as egress.
 */
export interface CallEgress {
  /** Status line and headers, as the emulator wrote them. */
  headerBytes: number;
  /** The body as sent (uncompressed). */
  bodyBytes: number;
  /** The request's Accept-Encoding. */
  acceptEncoding?: string;
  /** The body gzipped (zlib level 6), when the client accepts gzip and there is a body. */
  gzipBodyBytes?: number;
}

/** `content-encoding: gzip` and its line end: the header a compressed answer carries on top. */
const GZIP_HEADER_BYTES = 'content-encoding: gzip\r\n'.length;

/** Bytes on the wire as Xero would send them: compressed when the client asked for it. */
export function billedBytes(egress: CallEgress): number {
  return egress.gzipBodyBytes === undefined
    ? egress.headerBytes + egress.bodyBytes
    : egress.headerBytes + GZIP_HEADER_BYTES + egress.gzipBodyBytes;
}

/** Bytes on the wire as the emulator sent them (uncompressed). */
export function wireBytes(egress: CallEgress): number {
  return egress.headerBytes + egress.bodyBytes;
}

/** One call the emulator answered (or dropped), for the control API and the conformance test. */
export interface CallRecord {
  seq: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  tenantId?: string;
  /** HTTP status sent; 0 when the connection was dropped or aborted before an answer. */
  status: number;
  /** Real milliseconds from arrival to the end of the exchange. */
  ms: number;
  /** Emulated time of arrival (epoch ms). */
  at: number;
  /** Emulated time the rate limiter admitted the call (absent when it was refused before that). */
  admittedAt?: number;
  idempotencyKey?: string;
  outcome: 'pending' | 'answered' | 'dropped-after-commit' | 'aborted';
  fault?: string;
  rateLimitProblem?: string;
  requestBody?: unknown;
  responseBody?: unknown;
  /** What the answer cost the client in bytes; absent when nothing was sent (hung or hijacked). */
  egress?: CallEgress;
}

/** Bounded in-memory log of calls, newest last. */
export class CallLog {
  private records: CallRecord[] = [];
  private seq = 0;

  constructor(private readonly capacity = 20_000) {}

  start(record: Omit<CallRecord, 'seq' | 'status' | 'ms' | 'outcome'>): CallRecord {
    const full: CallRecord = { ...record, seq: ++this.seq, status: 0, ms: 0, outcome: 'pending' };
    this.records.push(full);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
    return full;
  }

  list(filter: { sinceSeq?: number; tenantId?: string; path?: string } = {}): CallRecord[] {
    return this.records.filter(
      (r) =>
        (filter.sinceSeq === undefined || r.seq > filter.sinceSeq) &&
        (filter.tenantId === undefined || r.tenantId === filter.tenantId) &&
        (filter.path === undefined || r.path.toLowerCase().includes(filter.path.toLowerCase())),
    );
  }

  clear(): void {
    this.records = [];
  }
}

/**
 * Measures every answer's bytes into its call record (`egress`): the bytes the socket carried for the answer
 * (status line, headers, body), and the body gzipped where the client accepts gzip. Register it after the hook that
 * starts the record; `recordOf` finds the record of a request.
 */
export function registerEgressMeter(
  app: FastifyInstance,
  recordOf: (req: FastifyRequest) => CallRecord | undefined,
): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const record = recordOf(req);
    const socket = req.raw.socket as typeof req.raw.socket | null;
    if (!record || !socket) return payload;
    // Nothing of this answer is written yet: the socket's count so far belongs to earlier answers on the connection.
    const before = socket.bytesWritten;
    const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : undefined;
    const header = req.headers['accept-encoding'];
    const acceptEncoding = Array.isArray(header) ? header.join(', ') : header;
    reply.raw.once('close', () => {
      const wire = socket.bytesWritten - before;
      const bodyBytes = Math.min(wire, body === undefined ? 0 : Buffer.byteLength(body));
      const egress: CallEgress = { headerBytes: wire - bodyBytes, bodyBytes };
      if (acceptEncoding !== undefined) egress.acceptEncoding = acceptEncoding;
      if (body !== undefined && bodyBytes > 0 && /\bgzip\b/i.test(acceptEncoding ?? ''))
        egress.gzipBodyBytes = gzipSync(body).length;
      record.egress = egress;
    });
    return payload;
  });
}
