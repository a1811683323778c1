/**
 * Newer version wins: a mirror is only overwritten by a Xero version (UpdatedDateUTC) at least as new as the one
 * it holds, so duplicated, reordered or late events and polls can never regress a record.
 */
import { shouldOverwrite, xeroTimestamp } from '../../domain/receivables';
import type { XeroDate } from '../../xero/types';

/** A Xero UpdatedDateUTC (Date from xero-node, `/Date(ms)/` or ISO text) as epoch ms; undefined if absent. */
export function xeroVersion(value: XeroDate | undefined | null): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  try {
    return xeroTimestamp(value);
  } catch {
    return undefined;
  }
}

/**
 * A Xero version (epoch ms) as a mirror's Xero_Updated__c holds it: Salesforce keeps a DateTime to the second, so a
 * version written as 10:00:00.250 reads back as 10:00:00.000. Compare a Xero version with a stored one only through
 * this, or the bridge's own writes never look held (every echo read again, every poll rewritten).
 */
export const asStored = (version: number): number => Math.floor(version / 1000) * 1000;

/**
 * True when Xero's version may overwrite the stored one (same version included, so a repeat is harmless; with the
 * stored one to the second, so is another version of that same second). A Xero document without a version only
 * fills a mirror that has none.
 */
export function isNewer(incoming: XeroDate | undefined, stored: string | null | undefined): boolean {
  const storedText = stored === undefined || stored === '' ? null : stored;
  const version = xeroVersion(incoming);
  if (version === undefined) return storedText === null;
  try {
    return shouldOverwrite(version, storedText);
  } catch {
    return true; // an unreadable stored version is no version
  }
}

/** One document per id: the newest version when a batch holds several (a poll page and a webhook may overlap). */
export function latestOf<T extends { updatedDateUTC?: XeroDate }>(items: readonly T[], id: (item: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const item of items) {
    const key = id(item).toLowerCase();
    const held = byId.get(key);
    if (!held || (xeroVersion(item.updatedDateUTC) ?? 0) >= (xeroVersion(held.updatedDateUTC) ?? 0))
      byId.set(key, item);
  }
  return [...byId.values()];
}
