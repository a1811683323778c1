import type { LeaseFence } from './leases';

/**
 * How far a poll of one resource has got: the newest change timestamp processed and every id processed at
 * exactly that timestamp, so a later poll from the same timestamp skips those and nothing else.
 */
export interface Watermark {
  at: number;
  idsAtTimestamp: string[];
}

/** Poll watermarks per tenant and resource (Invoices, CreditNotes, Payments). */
export interface WatermarkRepository {
  getWatermark(tenantId: string, resource: string): Promise<Watermark | null>;
  saveWatermark(tenantId: string, resource: string, watermark: Watermark): Promise<void>;
  /**
   * Saves the watermark only while `fence` (the tenant's poller lease) is still held under its token, so a poller
   * that lost its lease cannot move the watermark. Returns whether it saved.
   */
  saveFencedWatermark(tenantId: string, resource: string, watermark: Watermark, fence: LeaseFence): Promise<boolean>;
}

export interface Stamped {
  id: string;
  /** The record's change time (Xero UpdatedDateUTC), epoch ms. */
  updatedAt: number;
}

/**
 * Splits a polled batch into records not yet processed and the watermark to save once they are.
 * A record is new if it changed after the watermark, or at exactly the watermark time under an id not
 * yet seen there: equal timestamps never skip a record, and re-polling from the watermark (Xero's
 * If-Modified-Since is second-accurate) repeats nothing.
 */
export function advanceWatermark<T extends Stamped>(
  current: Watermark | null,
  batch: readonly T[],
): { fresh: T[]; next: Watermark | null } {
  const seen = new Set(current?.idsAtTimestamp ?? []);
  const fresh = batch.filter((record) => {
    if (!current) return true;
    if (record.updatedAt > current.at) return true;
    return record.updatedAt === current.at && !seen.has(record.id);
  });
  if (fresh.length === 0) return { fresh, next: current };
  const newest = Math.max(current?.at ?? -Infinity, ...fresh.map((r) => r.updatedAt));
  const ids = new Set(current && current.at === newest ? current.idsAtTimestamp : []);
  for (const record of fresh) if (record.updatedAt === newest) ids.add(record.id);
  return { fresh, next: { at: newest, idsAtTimestamp: [...ids].sort() } };
}
