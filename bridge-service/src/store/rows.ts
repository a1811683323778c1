/**
 * Rows to domain objects, shared by the adapters: both name their columns alike and both hand back numbers that
 * may arrive as bigint strings (PostgreSQL int8) or numbers (SQLite), text, JSON text and nulls.
 */
import { z } from 'zod';
import { sealedFor, type SecretBox } from './crypto';
import { IMPORT_RUN_STATUSES, type ImportRun } from './import-runs';
import type { Job, JobState } from './jobs';
import type { Lease } from './leases';
import {
  InvalidOrgConfigError,
  orgProfileInputSchema,
  orgProfileSchema,
  orgSecretsSchema,
  type Org,
  type OrgProfile,
  type OrgSecrets,
  type OrgSummary,
} from './orgs';
import type { XeroConnection, XeroConnectionStatus, XeroTenantLink, XeroTokenSet } from './xero-connections';
import type { XeroObjectKind, XeroResult } from './xero-results';

export type Row = Record<string, unknown>;

/** A nullable TEXT column. */
export const textOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

/** A nullable integer column. */
export const numberOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

const parseJson = (value: unknown): unknown =>
  value === null || value === undefined ? null : (JSON.parse(String(value)) as unknown);

export function toJob(row: Row): Job {
  return {
    id: Number(row.id),
    key: String(row.key),
    action: String(row.action),
    payload: parseJson(row.payload),
    tenantId: textOrNull(row.tenant_id),
    state: String(row.state) as JobState,
    attempts: Number(row.attempts),
    nextRunAt: Number(row.next_run_at),
    lastError: textOrNull(row.last_error),
    result: parseJson(row.result),
    leaseOwner: textOrNull(row.lease_owner),
    leaseExpiresAt: numberOrNull(row.lease_expires_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toXeroResult(row: Row): XeroResult {
  return {
    requestKey: String(row.request_key),
    tenantId: String(row.tenant_id),
    kind: String(row.kind) as XeroObjectKind,
    xeroId: String(row.xero_id),
    createdAt: Number(row.created_at),
  };
}

export function toConnectionInfo(row: Row): Omit<XeroConnection, 'tokenSet'> {
  return {
    connectionId: String(row.connection_id),
    status: String(row.status) as XeroConnectionStatus,
    statusMessage: textOrNull(row.status_message),
    tokenUpdatedAt: numberOrNull(row.token_updated_at),
    updatedAt: Number(row.updated_at),
  };
}

/** A connection row with its token set opened (throws SecretDecryptionError if it cannot be). */
export function toConnection(row: Row, orgId: string, box: SecretBox): XeroConnection {
  const info = toConnectionInfo(row);
  const sealed = textOrNull(row.token_sealed);
  const tokenSet =
    sealed === null
      ? null
      : (JSON.parse(box.open(sealed, sealedFor.xeroTokenSet(orgId, info.connectionId))) as XeroTokenSet);
  return { ...info, tokenSet };
}

export function toTenantLink(row: Row): XeroTenantLink {
  return {
    tenantId: String(row.tenant_id),
    connectionId: String(row.connection_id),
    tenantName: textOrNull(row.tenant_name),
    tenantType: textOrNull(row.tenant_type),
    updatedAt: Number(row.updated_at),
  };
}

export function toLease(row: Row): Lease {
  return {
    name: String(row.name),
    owner: String(row.owner),
    token: Number(row.token),
    expiresAt: Number(row.expires_at),
  };
}

const describeIssues = (error: Pick<z.ZodError, 'issues'>): string =>
  error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

/** Validates an org's configuration and seals its secrets for storage. */
export function encodeOrg(
  orgId: string,
  profile: OrgProfile,
  secrets: OrgSecrets,
  box: SecretBox,
): { profileJson: string; secretsSealed: string } {
  const p = orgProfileInputSchema.safeParse(profile);
  const s = orgSecretsSchema.safeParse(secrets);
  if (!p.success || !s.success) {
    const problems = [p.error, s.error].flatMap((e) => (e ? [describeIssues(e)] : []));
    throw new InvalidOrgConfigError(orgId, problems.join('; '));
  }
  return {
    profileJson: JSON.stringify(p.data),
    secretsSealed: box.seal(JSON.stringify(s.data), sealedFor.orgSecrets(orgId)),
  };
}

export function toOrgSummary(row: Row): OrgSummary {
  const orgId = String(row.org_id);
  const profile = orgProfileSchema.safeParse(parseJson(row.profile));
  if (!profile.success) throw new InvalidOrgConfigError(orgId, describeIssues(profile.error));
  return { orgId, profile: profile.data, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}

/** An org row with its secrets opened (throws SecretDecryptionError if they cannot be). */
export function toOrg(row: Row, box: SecretBox): Org {
  const summary = toOrgSummary(row);
  const opened: unknown = JSON.parse(box.open(String(row.secrets_sealed), sealedFor.orgSecrets(summary.orgId)));
  const secrets = orgSecretsSchema.safeParse(opened);
  if (!secrets.success) throw new InvalidOrgConfigError(summary.orgId, describeIssues(secrets.error));
  return { ...summary, secrets: secrets.data };
}

const counts = z.record(z.string(), z.number());
const cursor = z.record(z.string(), z.unknown());

export function toImportRun(row: Row): ImportRun {
  const status = IMPORT_RUN_STATUSES.find((s) => s === row.status);
  if (!status) throw new Error(`import run ${String(row.run_key)} has an unknown status ${String(row.status)}`);
  return {
    runKey: String(row.run_key),
    tenantId: String(row.tenant_id),
    entity: String(row.entity),
    since: String(row.since),
    status,
    step: Number(row.step),
    cursor: cursor.parse(parseJson(row.cursor)),
    counts: counts.parse(parseJson(row.counts)),
    errors: z.array(z.string()).parse(parseJson(row.errors)),
    startedAt: Number(row.started_at),
    updatedAt: Number(row.updated_at),
    finishedAt: numberOrNull(row.finished_at),
  };
}
