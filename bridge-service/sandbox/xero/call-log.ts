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
