/**
 * The bridge's persistent state, as repositories: one interface per kind of state, so each part of the bridge
 * is handed only the repositories it uses. Every method is async, times are epoch milliseconds (from the clock
 * the store was opened with), and no adapter type crosses these interfaces. Two adapters implement them:
 * SQLite (node:sqlite, sqlite/) embedded in one host, and PostgreSQL (pg, postgres/) for replicas and many orgs.
 * store.contract.ts is the test suite both must pass.
 *
 * Everything an org owns is reached through `forOrg(orgId)`: the same repositories, scoped so that nothing of
 * one org can be read, claimed or changed through another org's handle. Orgs themselves and the shared Xero
 * rate-limit state are deployment-wide.
 */
import type { ContactMappingRepository } from './contact-mappings';
import type { ImportRunRepository } from './import-runs';
import type { ResealReport } from './crypto';
import type { JobRepository } from './jobs';
import type { LeaseRepository } from './leases';
import type { OAuthStateRepository } from './oauth-states';
import type { OrgRepository } from './orgs';
import type { RateLimitRepository } from './rate-limits';
import type { ReplayCursorRepository } from './replay-cursors';
import type { WatermarkRepository } from './watermarks';
import type { WebhookEventRepository } from './webhook-events';
import type { XeroConnectionRepository } from './xero-connections';
import type { XeroResultRepository } from './xero-results';

export * from './contact-mappings';
export * from './import-runs';
export type { ResealCounts, ResealReport } from './crypto';
export * from './jobs';
export * from './leases';
export * from './oauth-states';
export * from './orgs';
export * from './rate-limits';
export * from './replay-cursors';
export type { Watermark, WatermarkRepository } from './watermarks';
export * from './webhook-events';
export * from './xero-connections';
export * from './xero-results';

/** Every repository of one org, as the composition root holds them. */
export interface Repositories {
  jobs: JobRepository;
  xeroResults: XeroResultRepository;
  replayCursors: ReplayCursorRepository;
  xeroConnections: XeroConnectionRepository;
  leases: LeaseRepository;
  contactMappings: ContactMappingRepository;
  watermarks: WatermarkRepository;
  webhookEvents: WebhookEventRepository;
  importRuns: ImportRunRepository;
}

/**
 * An open store. Its own repositories are the default org's (`forOrg(DEFAULT_ORG_ID)`): the single-org bridge
 * configured by environment uses them. A host serving several orgs uses `forOrg` only.
 */
export interface Store extends Repositories {
  /** The org's repositories (the same object for the same id). Throws InvalidOrgIdError for a malformed id. */
  forOrg(orgId: string): Repositories;
  /** The orgs this deployment serves, with their configuration and encrypted credentials. */
  orgs: OrgRepository;
  /** Xero rate-limit state shared by every process on the store. */
  rateLimits: RateLimitRepository;
  /** "Connect to Xero" flows between /connect/xero and the callback, whichever process serves each. */
  oauthStates: OAuthStateRepository;
  /**
   * Key rotation: seals again, with the current key, every stored secret (each org's Xero token sets, each org's
   * credentials) that a previous key sealed. Safe to run on a live store and more than once.
   */
  resealSecrets(): Promise<ResealReport>;
  /** Cheap liveness probe for /ready. */
  ping(): Promise<void>;
  /** Closes the connection(s); idempotent. */
  close(): Promise<void>;
}
