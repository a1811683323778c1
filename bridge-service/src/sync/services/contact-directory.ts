/**
 * Each tenant's contacts as matching needs them (archived included), kept in memory: read once in full (paged, 1,000 a
 * page), then only what changed since (If-Modified-Since), at most once a minute. Xero bills every byte read since
 * March 2026 (month-end.md §2), and matching needs every contact to see an ambiguity, so the directory is the one
 * full read. Full reads, not summaryOnly: Xero does not publish which fields its summary keeps, and matching needs
 * AccountNumber, TaxNumber and EmailAddress. A contact the bridge creates is added at once.
 */
import type { XeroContactSummary } from '../../domain/contact-matching';
import type { Clock } from '../../lib/clock';
import type { XeroLedgerClient } from '../../xero/ledger-client';
import { contactSummaryOf, epochOf } from '../../xero/ledger-states';

export interface ContactDirectoryOptions {
  ledger: Pick<XeroLedgerClient, 'getContacts'>;
  clock: Pick<Clock, 'now'>;
  /** How long a tenant's directory is used before asking Xero what changed (default 60 s). */
  refreshMs?: number;
  pageSize?: number;
}

interface TenantDirectory {
  byId: Map<string, XeroContactSummary>;
  /** Newest UpdatedDateUTC seen, for the next If-Modified-Since. */
  newest: number;
  checkedAt: number;
  /** A read in progress (callers share it). */
  reading?: Promise<void>;
}

/** If-Modified-Since is second-accurate: ask from a little before the newest change seen. */
const SKEW_MS = 5_000;

export function createContactDirectory(opts: ContactDirectoryOptions) {
  const refreshMs = opts.refreshMs ?? 60_000;
  const pageSize = opts.pageSize ?? 1000;
  const tenants = new Map<string, TenantDirectory>();

  async function read(tenantId: string, dir: TenantDirectory, since?: Date): Promise<void> {
    const started = opts.clock.now();
    for (let page = 1; ; page += 1) {
      const result = await opts.ledger.getContacts(tenantId, {
        page,
        pageSize,
        ...(since ? { modifiedSince: since } : {}),
      });
      for (const contact of result.items) {
        const summary = contactSummaryOf(contact);
        if (!summary) continue;
        dir.byId.set(summary.contactId, summary);
        dir.newest = Math.max(dir.newest, epochOf(contact.updatedDateUTC) ?? 0);
      }
      if (!result.hasMore) break;
    }
    dir.checkedAt = started;
  }

  async function ensure(tenantId: string, force = false): Promise<TenantDirectory> {
    let dir = tenants.get(tenantId);
    if (!dir) {
      dir = { byId: new Map(), newest: 0, checkedAt: 0 };
      tenants.set(tenantId, dir);
      dir.reading = read(tenantId, dir).finally(() => {
        if (dir) dir.reading = undefined;
      });
      await dir.reading.catch((err: unknown) => {
        tenants.delete(tenantId);
        throw err;
      });
      return dir;
    }
    if (dir.reading) {
      await dir.reading;
      return dir;
    }
    if (force || opts.clock.now() - dir.checkedAt >= refreshMs) {
      const current = dir;
      current.reading = read(tenantId, current, new Date(Math.max(0, current.newest - SKEW_MS))).finally(() => {
        current.reading = undefined;
      });
      await current.reading;
    }
    return dir;
  }

  return {
    /** The tenant's contacts, archived included, fresh to within `refreshMs` (or now, with `force`). */
    async contacts(tenantId: string, force = false): Promise<XeroContactSummary[]> {
      return [...(await ensure(tenantId, force)).byId.values()];
    },
    /** One contact, read again from Xero's changes if not known yet. */
    async find(tenantId: string, contactId: string): Promise<XeroContactSummary | undefined> {
      const id = contactId.toLowerCase();
      const dir = await ensure(tenantId);
      return dir.byId.get(id) ?? (await ensure(tenantId, true)).byId.get(id);
    },
    /** A contact the bridge just created (or read): known at once, without another read. */
    add(tenantId: string, contact: XeroContactSummary): void {
      tenants.get(tenantId)?.byId.set(contact.contactId.toLowerCase(), contact);
    },
  };
}

export type ContactDirectory = ReturnType<typeof createContactDirectory>;
