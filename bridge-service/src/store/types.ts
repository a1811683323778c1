/**
 * The bridge's persistent state, as repositories: one interface per kind of state, so each part of the bridge
 * is handed only the repositories it uses, and another adapter (PostgreSQL: jobs claimed with FOR UPDATE SKIP
 * LOCKED, leases as row locks) can replace them one at a time. Every method is async, times are epoch
 * milliseconds, and no adapter type crosses these interfaces. SQLite (node:sqlite) implements them today
 * (sqlite/); store.contract.ts is the test suite any implementation must pass.
 */
import type { ContactMappingRepository } from './contact-mappings';
import type { JobRepository } from './jobs';
import type { LeaseRepository } from './leases';
import type { ReplayCursorRepository } from './replay-cursors';
import type { WatermarkRepository } from './watermarks';
import type { WebhookEventRepository } from './webhook-events';
import type { XeroConnectionRepository } from './xero-connections';
import type { XeroResultRepository } from './xero-results';

export * from './contact-mappings';
export * from './jobs';
export * from './leases';
export * from './replay-cursors';
export type { Watermark, WatermarkRepository } from './watermarks';
export * from './webhook-events';
export * from './xero-connections';
export * from './xero-results';

/** Every repository, as the composition root holds them. */
export interface Repositories {
  jobs: JobRepository;
  xeroResults: XeroResultRepository;
  replayCursors: ReplayCursorRepository;
  xeroConnections: XeroConnectionRepository;
  leases: LeaseRepository;
  contactMappings: ContactMappingRepository;
  watermarks: WatermarkRepository;
  webhookEvents: WebhookEventRepository;
}

/** An open store: its repositories, a liveness probe and a close. */
export interface Store extends Repositories {
  /** Cheap liveness probe for /ready. */
  ping(): Promise<void>;
  /** Closes the connection; idempotent. */
  close(): Promise<void>;
}
