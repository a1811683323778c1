/**
 * The Salesforce orgs one deployment serves. Each org's data (jobs, results, cursors, connections, mappings,
 * watermarks, webhook events, leases) is reached only through `store.forOrg(orgId)`; this repository holds each
 * org's configuration, with its credentials encrypted at rest (AES-256-GCM, bound to the org id).
 */
import { z } from 'zod';
import { LedgerlineError } from '../lib/errors';
import { isSecureEndpoint, missingXeroScopes, SECURE_ENDPOINT_RULE } from '../config/schema';

/** The org of a single-org deployment configured by environment, and of stores made before orgs existed. */
export const DEFAULT_ORG_ID = 'default';

const ORG_ID_RULE = "must be 1-64 letters, digits, '_' or '-' (e.g. the 18-character Salesforce org id)";

/** An org id: the Salesforce org id (00D…) or a short name. */
export const orgIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, ORG_ID_RULE);

/** The org id is not one (see orgIdSchema). */
export class InvalidOrgIdError extends LedgerlineError {
  constructor(orgId: string) {
    super('INVALID_ORG_ID', `Invalid org id ${JSON.stringify(orgId.slice(0, 80))}: ${ORG_ID_RULE}`);
  }
}

/** Throws InvalidOrgIdError unless `orgId` is a valid org id; returns it. */
export function checkOrgId(orgId: string): string {
  if (!orgIdSchema.safeParse(orgId).success) throw new InvalidOrgIdError(orgId);
  return orgId;
}

const httpUrl = z.url({ protocol: /^https?$/ });

/** What an org's bridge needs that is not secret: stored as it is, so ops can list and read it. */
export const orgProfileSchema = z.object({
  displayName: z.string().min(1).max(200),
  status: z.enum(['active', 'suspended']),
  salesforce: z.object({
    loginUrl: httpUrl,
    instanceUrl: httpUrl.optional(),
    /** REST API version (default: the deployment's SF_API_VERSION). */
    apiVersion: z
      .string()
      .regex(/^\d{2,3}\.0$/, 'must look like 65.0')
      .optional(),
    /** JWT audience (default: the origin of loginUrl); https://login.salesforce.com when loginUrl is a My Domain. */
    audience: httpUrl.optional(),
    clientId: z.string().min(1),
    username: z.string().min(1),
    /** '' or e.g. 'ldgr__'. */
    namespacePrefix: z.string().regex(/^([A-Za-z][A-Za-z0-9]{0,14}__)?$/),
  }),
  xero: z.object({
    clientId: z.string().min(1),
    scopes: z.array(z.string().min(1)).refine((s) => s.includes('offline_access'), 'must include offline_access'),
    redirectUri: httpUrl,
    /** Calls a day per Xero organisation on this Xero app's pricing tier: 1,000 on Starter, 5,000 above it. */
    dailyCallLimit: z.number().int().min(1).max(5_000).optional(),
    /** Other Xero endpoints than the deployment's (XERO_*_URL): a test or a compatible server. */
    endpoints: z
      .object({
        apiBaseUrl: httpUrl.optional(),
        tokenUrl: httpUrl.optional(),
        authorizeUrl: httpUrl.optional(),
        connectionsUrl: httpUrl.optional(),
      })
      .optional(),
  }),
  settings: z.object({
    prorationMethod: z.enum(['daily', 'monthly-daily']),
    pollIntervalMs: z.number().int().min(1_000),
  }),
});
export type OrgProfile = z.infer<typeof orgProfileSchema>;

/** Every URL in a profile, by its path: the bridge sends secrets, tokens or an OAuth code or state to each. */
function profileUrls(profile: OrgProfile): [path: string, url: string | undefined][] {
  const endpoints = profile.xero.endpoints ?? {};
  return [
    ['salesforce.loginUrl', profile.salesforce.loginUrl],
    ['salesforce.instanceUrl', profile.salesforce.instanceUrl],
    ['salesforce.audience', profile.salesforce.audience],
    ['xero.redirectUri', profile.xero.redirectUri],
    ['xero.endpoints.apiBaseUrl', endpoints.apiBaseUrl],
    ['xero.endpoints.tokenUrl', endpoints.tokenUrl],
    ['xero.endpoints.authorizeUrl', endpoints.authorizeUrl],
    ['xero.endpoints.connectionsUrl', endpoints.connectionsUrl],
  ];
}

/**
 * A profile as an admin saves it: also its Xero scopes must cover every call the bridge makes, and every URL must be
 * https (plain http only to this machine: the emulators), since secrets and tokens go to them. Checked when written:
 * a profile stored before a rule was added still reads, so one old profile never stops the other orgs from being
 * read. Its org starts with a short scope list (warned of), but not with a URL that would carry secrets in the clear
 * (the host refuses to start it). Saving it again applies every rule.
 */
export const orgProfileInputSchema = orgProfileSchema.superRefine((profile, ctx) => {
  for (const [path, url] of profileUrls(profile)) {
    if (url !== undefined && !isSecureEndpoint(url)) {
      ctx.addIssue({ code: 'custom', path: path.split('.'), message: SECURE_ENDPOINT_RULE });
    }
  }
  const uncovered = missingXeroScopes(profile.xero.scopes).filter((scope) => scope !== 'offline_access');
  if (uncovered.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['xero', 'scopes'],
      message: `lacks ${uncovered.join(', ')}, which the bridge's calls need`,
    });
  }
});

/** What must never be readable at rest: sealed as one value, bound to the org id. */
export const orgSecretsSchema = z.object({
  /** The connected app's JWT signing key (PEM). */
  salesforcePrivateKey: z.string().min(1),
  xeroClientSecret: z.string().min(1),
  /** The Xero app's webhook signing key. */
  xeroWebhookKey: z.string().min(1),
  /** The key it replaces, still accepted while Xero switches over (rotation); remove once done. */
  xeroWebhookKeyPrevious: z.string().min(1).optional(),
});
export type OrgSecrets = z.infer<typeof orgSecretsSchema>;

export interface Org {
  orgId: string;
  profile: OrgProfile;
  secrets: OrgSecrets;
  createdAt: number;
  updatedAt: number;
}

export type OrgSummary = Omit<Org, 'secrets'>;

/** An org configuration that does not pass the schema: given to saveOrg, or stored by hand or a newer bridge. */
export class InvalidOrgConfigError extends LedgerlineError {
  constructor(orgId: string, problems: string) {
    super('INVALID_ORG_CONFIG', `Configuration of org ${orgId} is invalid: ${problems}`);
  }
}

export interface OrgRepository {
  /** Creates or replaces the org's configuration; both parts are validated first (zod errors name every field). */
  saveOrg(orgId: string, profile: OrgProfile, secrets: OrgSecrets): Promise<void>;
  /** The org with its secrets decrypted; throws SecretDecryptionError if they cannot be. */
  getOrg(orgId: string): Promise<Org | null>;
  /** Every org, by id, without secrets. */
  listOrgs(): Promise<OrgSummary[]>;
  setOrgStatus(orgId: string, status: OrgProfile['status']): Promise<boolean>;
}
