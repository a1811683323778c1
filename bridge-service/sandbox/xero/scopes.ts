/**
 * Xero's OAuth scopes, as the emulator enforces them (shared/reference/month-end.md §1).
 *
 * - Authorisation: an app created on or after 2 March 2026 cannot ask for the broad scopes
 *   (`accounting.transactions`, its `.read`, `accounting.reports.read`); any app is refused an `accounting.*`
 *   scope Xero does not have. Both are `invalid_scope`.
 * - API calls: the token's scopes must cover the endpoint. A granular scope covers its endpoints; its `.read`
 *   variant covers GET only; the broad legacy scopes still cover what they used to. Otherwise Xero answers 401
 *   `AuthorizationUnsuccessful` with `WWW-Authenticate: Bearer error="insufficient_scope"` (seen in Xero's own
 *   SDK issues and developer forum: XeroAPI/Xero-NetStandard#298, community.xero.com/developer/discussion/119166525).
 *
 * The hook runs after the Accounting API's own onRequest checks (token, tenant, limits), so a bad token is
 * still `AuthenticationUnsuccessful` and a refused call is in the call log like any other.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { IdentityServer } from './auth';

/** Apps created on or after this day can ask only for the granular scopes. */
export const GRANULAR_ONLY_FROM = '2026-03-02';

/** Broad scopes apps created since GRANULAR_ONLY_FROM cannot request. */
export const BROAD_SCOPES: readonly string[] = [
  'accounting.transactions',
  'accounting.transactions.read',
  'accounting.reports.read',
];

const REPORT_SCOPES = [
  'aged',
  'balancesheet',
  'profitandloss',
  'trialbalance',
  'banksummary',
  'executivesummary',
  'budgetsummary',
  'taxreports',
  'tenninetynine',
].map((report) => `accounting.reports.${report}.read`);

/** The granular scope families (each also comes as `.read`, for GET only). */
const GRANULAR_FAMILIES = [
  'accounting.invoices',
  'accounting.payments',
  'accounting.banktransactions',
  'accounting.manualjournals',
  'accounting.contacts',
  'accounting.settings',
  'accounting.attachments',
];

/** Every accounting scope Xero knows. */
const KNOWN_ACCOUNTING_SCOPES = new Set([
  ...['accounting.transactions', ...GRANULAR_FAMILIES].flatMap((family) => [family, `${family}.read`]),
  'accounting.reports.read',
  'accounting.journals.read',
  'accounting.budgets.read',
  ...REPORT_SCOPES,
]);

/** Everything an app may be granted in the emulator: the granular set and the OpenID scopes. */
export const ALL_GRANULAR_SCOPES = [
  'openid',
  'profile',
  'email',
  'offline_access',
  ...GRANULAR_FAMILIES,
  'accounting.budgets.read',
  ...REPORT_SCOPES,
].join(' ');

/**
 * Accounting API resources (first path segment, lower case) and the scope families that cover them: the
 * granular family first, then the broad one it replaced. Items are in both the invoices and settings lists
 * of Xero's table.
 */
const RESOURCE_SCOPES: Record<string, readonly string[]> = {
  invoices: ['accounting.invoices', 'accounting.transactions'],
  creditnotes: ['accounting.invoices', 'accounting.transactions'],
  linkedtransactions: ['accounting.invoices', 'accounting.transactions'],
  purchaseorders: ['accounting.invoices', 'accounting.transactions'],
  quotes: ['accounting.invoices', 'accounting.transactions'],
  repeatinginvoices: ['accounting.invoices', 'accounting.transactions'],
  items: ['accounting.invoices', 'accounting.settings'],
  payments: ['accounting.payments', 'accounting.transactions'],
  batchpayments: ['accounting.payments', 'accounting.transactions'],
  overpayments: ['accounting.payments', 'accounting.transactions'],
  prepayments: ['accounting.payments', 'accounting.transactions'],
  banktransactions: ['accounting.banktransactions', 'accounting.transactions'],
  banktransfers: ['accounting.banktransactions', 'accounting.transactions'],
  manualjournals: ['accounting.manualjournals', 'accounting.transactions'],
  contacts: ['accounting.contacts'],
  contactgroups: ['accounting.contacts'],
  accounts: ['accounting.settings'],
  taxrates: ['accounting.settings'],
  organisation: ['accounting.settings'],
  currencies: ['accounting.settings'],
  trackingcategories: ['accounting.settings'],
  brandingthemes: ['accounting.settings'],
  users: ['accounting.settings'],
  budgets: ['accounting.budgets.read'],
  journals: ['accounting.journals.read'],
};

/** Report endpoint (lower case) → its granular report scope. */
const REPORTS: Record<string, string> = {
  agedpayablesbycontact: 'aged',
  agedreceivablesbycontact: 'aged',
  balancesheet: 'balancesheet',
  profitandloss: 'profitandloss',
  trialbalance: 'trialbalance',
  banksummary: 'banksummary',
  executivesummary: 'executivesummary',
  budgetsummary: 'budgetsummary',
  tenninetynine: 'tenninetynine',
};

/**
 * The scope families that can cover a call to `path` (relative to /api.xro/2.0), or undefined for a path the
 * table does not know (the router answers those 404). A scope family `f` covers any method; `f.read` covers GET.
 */
export function scopesFor(path: string): readonly string[] | undefined {
  const segments = path.split('?')[0]!.split('/').filter(Boolean);
  const resource = segments[0]?.toLowerCase();
  if (resource === undefined) return undefined;
  // /{Resource}/{id}/Attachments[/...] is the attachments API, whatever the resource.
  if (segments[2]?.toLowerCase() === 'attachments') return ['accounting.attachments'];
  if (resource === 'reports') {
    const report = segments[1]?.toLowerCase() ?? '';
    return [`accounting.reports.${REPORTS[report] ?? 'taxreports'}.read`, 'accounting.reports.read'];
  }
  return RESOURCE_SCOPES[resource];
}

/** Whether a token's scopes cover `method path`. */
export function scopesAllow(granted: readonly string[], method: string, path: string): boolean {
  const families = scopesFor(path);
  if (families === undefined) return true;
  const read = method === 'GET' || method === 'HEAD';
  return families.some(
    (family) =>
      (family.endsWith('.read') ? read && granted.includes(family) : granted.includes(family)) ||
      (read && granted.includes(`${family}.read`)),
  );
}

/**
 * Why an app may not be granted `scope` (space-separated), or undefined when it may. `appCreatedAt` is the
 * app's creation day (YYYY-MM-DD).
 */
export function refusedScopes(scope: string, appCreatedAt: string): string | undefined {
  const requested = scope.split(/\s+/).filter(Boolean);
  const unknown = requested.filter((s) => s.startsWith('accounting.') && !KNOWN_ACCOUNTING_SCOPES.has(s));
  if (unknown.length > 0) return `invalid_scope: ${unknown.join(', ')} is not a Xero scope`;
  const broad = requested.filter((s) => BROAD_SCOPES.includes(s));
  if (broad.length > 0 && appCreatedAt >= GRANULAR_ONLY_FROM) {
    return (
      `invalid_scope: ${broad.join(', ')} cannot be requested by an app created on or after ${GRANULAR_ONLY_FROM} ` +
      `(this app: ${appCreatedAt}); request the granular scopes instead`
    );
  }
  return undefined;
}

/**
 * Adds the scope check to the Accounting API's request pipeline. Register it after the Accounting routes in the
 * same scope, so it runs after their authentication, tenant and rate-limit checks.
 */
export function registerScopeCheck(app: FastifyInstance, identity: IdentityServer): void {
  app.addHook('onRequest', async (req, reply) => {
    const authorization = req.headers.authorization;
    const access = identity.verifyAccess(authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined);
    // An unusable token was answered already (401 AuthenticationUnsuccessful).
    if (!access.ok) return;
    const path = req.url.split('?')[0]!.replace(/^\/api\.xro\/2\.0/i, '');
    if (scopesAllow(access.scopes, req.method, path)) return;
    const status = 401;
    return reply
      .code(status)
      .header('www-authenticate', 'Bearer error="insufficient_scope"')
      .type('application/json; charset=utf-8')
      .send(
        JSON.stringify({
          Type: null,
          Title: 'Unauthorized',
          Status: status,
          Detail: 'AuthorizationUnsuccessful',
          Instance: randomUUID(),
          Extensions: {},
        }),
      );
  });
}
