/** The Xero emulator's call log read as the egress section's figures: bytes, the poller's listings, what a call was. */
import { billedBytes, wireBytes, type CallRecord } from '../sandbox/xero/call-log';
import { POLLED_RESOURCES } from '../src/sync/inbound/poll-pace';
import { xeroEndpoint } from './common';

/** Every collection one poll cycle lists (GET without an id; poll-pace.ts POLLED_RESOURCES). */
export const POLL_CYCLE = new RegExp(`^/api\\.xro/2\\.0/(${POLLED_RESOURCES.join('|')})$`, 'i');
const EMAIL = /^\/api\.xro\/2\.0\/Invoices\/[^/]+\/Email$/i;
const STATUS_BATCH = /^\/api\.xro\/2\.0\/Invoices$/i;

export interface Bytes {
  calls: number;
  /** As Xero would bill them: headers plus the gzipped body where the client accepts gzip. */
  billed: number;
  /** As the emulator sent them (uncompressed). */
  wire: number;
  headers: number;
  body: number;
}

export function bytes(calls: readonly CallRecord[]): Bytes {
  const out: Bytes = { calls: calls.length, billed: 0, wire: 0, headers: 0, body: 0 };
  for (const call of calls) {
    if (!call.egress) continue;
    out.billed += billedBytes(call.egress);
    out.wire += wireBytes(call.egress);
    out.headers += call.egress.headerBytes;
    out.body += call.egress.bodyBytes;
  }
  return out;
}

/** Bytes by label, largest (billed) first. */
export function bytesBy(calls: readonly CallRecord[], label: (call: CallRecord) => string): Record<string, Bytes> {
  const groups = Map.groupBy(calls, label);
  return Object.fromEntries(
    [...groups].map(([k, v]) => [k, bytes(v)] as const).sort((a, b) => b[1].billed - a[1].billed),
  );
}

/** Calls by endpoint (`POST Invoices/{id}/Email`), most first. */
export function countBy(calls: readonly CallRecord[], label: (call: CallRecord) => string): Record<string, number> {
  const groups = Map.groupBy(calls, label);
  return Object.fromEntries([...groups].map(([k, v]) => [k, v.length] as const).sort((a, b) => b[1] - a[1]));
}

/**
 * A listing the poller makes (GET of a whole collection, not a read by IDs): one page of a changed-since poll. A read
 * by IDs (`GET Invoices?IDs=…`: the poller's full read of summaries it is behind on, the authorise flow's read of
 * refused invoices) is not one.
 */
export function isListing(call: Pick<CallRecord, 'method' | 'path' | 'query'>): boolean {
  return call.method === 'GET' && POLL_CYCLE.test(call.path) && !new URLSearchParams(call.query).has('IDs');
}

/**
 * The documents a GET of a polled collection answered with, as `id@UpdatedDateUTC`, sorted; undefined for any other
 * call, or one Xero did not answer. Reads by IDs are included, as the egress figures have always counted them.
 */
export function listed(call: CallRecord): string | undefined {
  const m = POLL_CYCLE.exec(call.path);
  if (call.method !== 'GET' || !m || call.status !== 200) return undefined;
  const body = call.responseBody as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') throw new Error('egress: the call log kept no response bodies');
  // The answer's collection and id field as Xero names them: Invoices[].InvoiceID, Prepayments[].PrepaymentID, ...
  const resource = POLLED_RESOURCES.find((r) => r.toLowerCase() === m[1]!.toLowerCase())!;
  const items = body[resource];
  if (!Array.isArray(items)) return undefined;
  const idField = `${resource.slice(0, -1)}ID`;
  return (items as Record<string, unknown>[])
    .map((d) => `${String(d[idField])}@${String(d.UpdatedDateUTC)}`)
    .sort()
    .join(',');
}

/**
 * Listings that told the bridge nothing new: the same documents, at the same versions, as the previous listing of
 * the same tenant, collection and page (an empty one included). The poller asks from a little before its watermark,
 * so once something has changed, every poll reads the newest documents again until something newer changes: that
 * is the idle cost, counted in (b), not in an invoice's life.
 */
export function idleListings(calls: readonly CallRecord[]): Set<CallRecord> {
  const previous = new Map<string, string>();
  const idle = new Set<CallRecord>();
  for (const call of calls) {
    const content = listed(call);
    if (content === undefined) continue;
    const page = new URLSearchParams(call.query).get('page') ?? '1';
    const key = `${call.tenantId ?? ''} ${call.path.toLowerCase()} ${page}`;
    if (content === '' || previous.get(key) === content) idle.add(call);
    previous.set(key, content);
  }
  return idle;
}

/** What an approval phase's Xero calls were, by the part of the flow that made them. */
export interface ApprovalCalls {
  /** Every call, emails included. */
  all: number;
  /** Every call but the emails: what issue 20 holds to 30 for 1,000 approvals. */
  besidesEmails: number;
  /** `POST Invoices/{id}/Email`: one per invoice emailed, Xero's design. */
  emails: number;
  /** `POST Invoices`: the status batches (up to 50 invoices each). */
  statusBatches: number;
  /** The poller's listings, whether or not they learnt anything. */
  listings: number;
  /** Anything else (reads of refused invoices, contacts, …): named in `byEndpoint`. */
  other: number;
  /** Answered 429 (counted above too: a refused call is still a call). */
  rateLimited: number;
  byEndpoint: Record<string, number>;
}

/** Classifies the calls an approval phase made (one tenant's, or all of them). */
export function approvalCalls(calls: readonly CallRecord[]): ApprovalCalls {
  const emails = calls.filter((c) => c.method === 'POST' && EMAIL.test(c.path)).length;
  const statusBatches = calls.filter((c) => c.method === 'POST' && STATUS_BATCH.test(c.path)).length;
  const listings = calls.filter(isListing).length;
  return {
    all: calls.length,
    besidesEmails: calls.length - emails,
    emails,
    statusBatches,
    listings,
    other: calls.length - emails - statusBatches - listings,
    rateLimited: calls.filter((c) => c.status === 429).length,
    byEndpoint: countBy(calls, xeroEndpoint),
  };
}
