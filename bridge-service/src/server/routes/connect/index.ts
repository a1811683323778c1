import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../../lib/clock';
import type { BillingEntityTenant, OrgDirectory, OrgEndpoints, XeroTenant } from '../../deps';
import { BadRequestError, errorResponse, HttpError } from '../../errors';
import { bindOrgToLogs, orgIdOf, type OrgScope } from '../../org-scope';
import { codeChallengeS256, createCodeVerifier, createState, type PendingAuthorizations } from '../../pkce';

export interface ConnectRoutesOptions {
  /** Whose Xero: the default org's (/connect/xero) or the org in the path (/orgs/:orgId/connect/xero). */
  scope: OrgScope;
  /** Finds the org a callback's state was issued for. */
  orgs: Pick<OrgDirectory, 'endpoints'>;
  pending: PendingAuthorizations;
  clock: Pick<Clock, 'now'>;
  authorizationTtlMs: number;
}

export interface CallbackResult {
  connected: true;
  connectionId: string;
  tenants: { tenantId: string; tenantName: string | null; tenantType: string | null }[];
  billingEntities: { developerName: string; xeroTenantId: string; connected: boolean }[];
  missing: BillingEntityTenant[];
  /** Set when the Billing_Entity__mdt records could not be read (the connection is stored regardless). */
  billingEntitiesError: string | null;
}

const tenantSchema = z.object({
  tenantId: z.string(),
  tenantName: z.string().nullable().optional(),
  tenantType: z.string().nullable().optional(),
});
const entitySchema = z.object({
  developerName: z.string(),
  xeroTenantId: z.string(),
  connected: z.boolean().optional(),
});

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const wantsHtml = (request: FastifyRequest) => /\btext\/html\b/.test(request.headers.accept ?? '');

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Ledgerline</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#181818}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
.ok{color:#2e844a}.missing{color:#ba0517;font-weight:600}code{font-size:90%}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function resultHtml(result: CallbackResult): string {
  const tenants = result.tenants
    .map(
      (t) =>
        `<tr><td>${escapeHtml(t.tenantName ?? '(unnamed)')}</td><td><code>${escapeHtml(t.tenantId)}</code></td></tr>`,
    )
    .join('');
  const entities = result.billingEntities
    .map(
      (e) =>
        `<tr><td>${escapeHtml(e.developerName)}</td><td><code>${escapeHtml(e.xeroTenantId)}</code></td>` +
        `<td class="${e.connected ? 'ok' : 'missing'}">${e.connected ? 'connected' : 'NOT reachable with this connection'}</td></tr>`,
    )
    .join('');
  const summary = result.billingEntitiesError
    ? `<p class="missing">${escapeHtml(result.billingEntitiesError)}</p>`
    : result.missing.length === 0
      ? '<p class="ok">Every billing entity’s Xero organisation is reachable.</p>'
      : `<p class="missing">${result.missing.length} billing entit${result.missing.length === 1 ? 'y is' : 'ies are'} not reachable. ` +
        'Connect again and tick those organisations in Xero, or fix the tenant id on Billing_Entity__mdt.</p>';
  return page(
    'Xero connected',
    `<p>The token set is stored (connection <code>${escapeHtml(result.connectionId)}</code>).</p>
<h2>Organisations this connection reaches</h2><table><tr><th>Name</th><th>Tenant id</th></tr>${tenants || '<tr><td colspan="2">none</td></tr>'}</table>
<h2>Billing entities</h2>${summary}<table><tr><th>Billing_Entity__mdt</th><th>Tenant id</th><th></th></tr>${entities}</table>`,
  );
}

async function sendFailure(request: FastifyRequest, reply: FastifyReply, err: HttpError) {
  if (!wantsHtml(request)) throw err;
  request.log.info({ code: err.code }, err.message);
  return reply
    .code(err.statusCode)
    .type('text/html; charset=utf-8')
    .send(
      page(
        'Xero was not connected',
        `<p>${escapeHtml(err.message)}</p><p>Request id <code>${escapeHtml(String(request.id))}</code></p>`,
      ),
    );
}

/**
 * Connecting Xero for ops. GET /connect/xero (admin token) starts the authorization-code flow with PKCE
 * S256 and a single-use state; GET /connect/xero/callback finishes it: exchange, store the token set, list
 * the reachable organisations and report the Billing_Entity__mdt tenants it does not reach. With many orgs,
 * /orgs/:orgId/connect/xero connects that org's Xero; the state says which org, so its callback may come back to
 * either callback path (the org's own must match).
 */
const connectRoutes: FastifyPluginAsyncZod<ConnectRoutesOptions> = async (app, opts) => {
  const { scope, pending, clock } = opts;
  const base = scope.base;
  bindOrgToLogs(app, scope);

  app.get(
    `${base}/connect/xero`,
    {
      onRequest: app.verifyAdmin,
      schema: {
        summary: 'Start connecting Xero: 302 to Xero’s authorize URL (PKCE S256, single-use state)',
        params: scope.params({}),
        response: {
          302: z.object({ authorizeUrl: z.string(), expiresAt: z.string() }),
          401: errorResponse,
          404: errorResponse,
          '5xx': errorResponse,
        },
      },
    },
    async (request, reply) => {
      const org = scope.endpoints(request);
      const state = createState();
      const codeVerifier = createCodeVerifier();
      const expiresAt = clock.now() + opts.authorizationTtlMs;
      await pending.put(state, { orgId: org.orgId, codeVerifier, expiresAt });
      const url = new URL(org.xero.authorizeUrl);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', org.xero.clientId);
      url.searchParams.set('redirect_uri', org.xero.redirectUri);
      url.searchParams.set('scope', org.xero.scopes.join(' '));
      url.searchParams.set('state', state);
      url.searchParams.set('code_challenge', codeChallengeS256(codeVerifier));
      url.searchParams.set('code_challenge_method', 'S256');
      request.log.info({ expiresAt: new Date(expiresAt).toISOString() }, 'Xero authorization started');
      // The body helps when the admin token forces curl: it shows where to go in a browser.
      return reply
        .code(302)
        .header('location', url.toString())
        .header('cache-control', 'no-store')
        .send({ authorizeUrl: url.toString(), expiresAt: new Date(expiresAt).toISOString() });
    },
  );

  app.get(
    `${base}/connect/xero/callback`,
    {
      schema: {
        summary: 'Xero redirects here: exchange the code, store the token set, report unreachable billing entities',
        params: scope.params({}),
        querystring: z.object({
          code: z.string().min(1).max(2048).optional(),
          state: z.string().min(1).max(256).optional(),
          error: z.string().max(256).optional(),
          error_description: z.string().max(1024).optional(),
          scope: z.string().max(2048).optional(),
          session_state: z.string().max(1024).optional(),
        }),
        response: {
          // JSON, or the same as a page for a browser (Accept: text/html)
          200: z.union([
            z.object({
              connected: z.boolean(),
              connectionId: z.string(),
              tenants: z.array(tenantSchema),
              billingEntities: z.array(entitySchema),
              missing: z.array(entitySchema),
              billingEntitiesError: z.string().nullable().optional(),
            }),
            z.string(),
          ]),
          400: errorResponse,
          502: errorResponse,
          '5xx': errorResponse,
        },
      },
    },
    async (request, reply) => {
      const { code, state, error } = request.query;
      reply.header('cache-control', 'no-store');
      // The state is consumed before anything else, so it works once whatever happens next.
      const taken = state ? await pending.take(state, clock.now()) : null;
      // Under /orgs/:orgId the state must have been issued for that org.
      const pathOrg = orgIdOf(request);
      const issued = taken && (pathOrg === undefined || pathOrg === taken.orgId) ? taken : null;
      if (error) {
        return sendFailure(
          request,
          reply,
          new BadRequestError(
            'XERO_AUTHORIZATION_DENIED',
            `Xero did not authorize the connection (${error}). Start again at /connect/xero.`,
          ),
        );
      }
      if (!code || !state) {
        return sendFailure(
          request,
          reply,
          new BadRequestError(
            'CALLBACK_INVALID',
            'The callback needs both code and state. Start again at /connect/xero.',
          ),
        );
      }
      if (issued === null) {
        return sendFailure(
          request,
          reply,
          new BadRequestError(
            'STATE_INVALID',
            'This authorization link is unknown, expired or already used. Start again at /connect/xero.',
          ),
        );
      }

      const org: OrgEndpoints = opts.orgs.endpoints(issued.orgId);
      const { xeroConnect } = org;
      let tokenSet;
      try {
        tokenSet = await xeroConnect.exchangeCode({
          code,
          codeVerifier: issued.codeVerifier,
          redirectUri: org.xero.redirectUri,
        });
      } catch (err) {
        request.log.warn({ err }, 'Xero authorization-code exchange failed');
        return sendFailure(
          request,
          reply,
          new HttpError(
            502,
            'XERO_EXCHANGE_FAILED',
            'Xero did not accept the authorization code. Start again at /connect/xero.',
          ),
        );
      }
      const { connectionId } = await xeroConnect.saveTokenSet(tokenSet);
      const tenants: XeroTenant[] = await xeroConnect.listTenants(tokenSet);
      await xeroConnect.saveTenants(connectionId, tenants);

      let entities: BillingEntityTenant[] = [];
      let billingEntitiesError: string | null = null;
      try {
        entities = await org.billingEntities();
      } catch (err) {
        request.log.warn({ err }, 'cannot read Billing_Entity__mdt after connecting Xero');
        billingEntitiesError =
          'The connection is stored, but the Billing_Entity__mdt records could not be read from Salesforce to check them; see /ready.';
      }
      const reachable = new Set(tenants.map((t) => t.tenantId));
      const result: CallbackResult = {
        connected: true,
        connectionId,
        tenants: tenants.map((t) => ({
          tenantId: t.tenantId,
          tenantName: t.tenantName ?? null,
          tenantType: t.tenantType ?? null,
        })),
        billingEntities: entities.map((e) => ({
          developerName: e.developerName,
          xeroTenantId: e.xeroTenantId,
          connected: reachable.has(e.xeroTenantId),
        })),
        missing: entities
          .filter((e) => !reachable.has(e.xeroTenantId))
          .map((e) => ({ developerName: e.developerName, xeroTenantId: e.xeroTenantId })),
        billingEntitiesError,
      };
      request.log.info(
        {
          orgId: org.orgId,
          connectionId,
          tenants: result.tenants.map((t) => t.tenantId),
          missing: result.missing.map((m) => m.developerName),
        },
        'Xero connected',
      );
      if (wantsHtml(request)) return reply.type('text/html; charset=utf-8').send(resultHtml(result));
      return result;
    },
  );
};

export default connectRoutes;
