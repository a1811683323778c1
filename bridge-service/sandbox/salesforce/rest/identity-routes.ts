/**
 * What a client asks before it does anything: who am I (the OAuth userinfo endpoint and the identity URL), which
 * API versions there are, and which resources a version has. The Salesforce CLI (`sf org login access-token`, then
 * every command) and jsforce's `identity()` read these; their shapes follow Salesforce's (REST API Developer Guide:
 * Versions, Resources by Version; Identity URLs / UserInfo endpoint).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SalesforceOrg } from '../salesforce-org';
import type { StoredSession } from '../store';
import type { RequestContext } from './sobject-routes';

export interface IdentityDeps {
  org: SalesforceOrg;
  apiVersions: readonly string[];
  baseUrl(): string;
  /** The live session for a bearer token (`Authorization: Bearer|OAuth <token>`), if any. */
  session(token: string | undefined): StoredSession | undefined;
  context(req: FastifyRequest): RequestContext;
}

/** Resources of one API version, as `GET /services/data/vXX.X/` lists them: only those this emulator serves. */
const RESOURCES = ['sobjects', 'query', 'queryAll', 'composite', 'limits'] as const;

/** Identity endpoints answer a bad token with 403 and a bare code, not the REST error array. */
function badToken(reply: FastifyReply): FastifyReply {
  return reply.code(403).type('text/plain').send('Bad_OAuth_Token');
}

/** The command that points the Salesforce CLI at an emulator with a session token (README: look around with sf). */
export function sfLoginCommand(url: string, accessToken: string, alias = 'ledgerline-sandbox'): string {
  return `SF_ACCESS_TOKEN='${accessToken}' sf org login access-token --instance-url ${url} --no-prompt --alias ${alias}`;
}

export function registerIdentityRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const { org } = deps;
  const tokenOf = (authorization: string | undefined) => authorization?.replace(/^(Bearer|OAuth)\s+/i, '');
  const latest = deps.apiVersions.at(-1)!;

  /** The user as the identity URL and userinfo both describe them, and the fields each names its own way. */
  function identity(userId: string) {
    const user = org.resolveUser(userId);
    const base = deps.baseUrl();
    const org15 = org.orgId.slice(0, 15);
    const url = (path: string) => `${base}/services/${path}`.replace('{version}', latest);
    const username = String(user.Username);
    const text = (value: unknown) => String(value ?? '');
    return {
      username,
      nickname: text(user.Alias ?? username.split('@')[0]),
      name: text(user.Name),
      firstName: text(user.FirstName),
      lastName: text(user.LastName),
      timezone: text(user.TimeZoneSidKey ?? 'Europe/London'),
      shared: {
        user_id: String(user.Id),
        organization_id: org.orgId,
        email: text(user.Email),
        email_verified: true,
        active: user.IsActive !== false,
        user_type: 'STANDARD',
        language: 'en_US',
        locale: 'en_GB',
        urls: {
          enterprise: url(`Soap/c/{version}/${org15}`),
          metadata: url(`Soap/m/{version}/${org15}`),
          partner: url(`Soap/u/{version}/${org15}`),
          rest: url('data/v{version}/'),
          sobjects: url('data/v{version}/sobjects/'),
          search: url('data/v{version}/search/'),
          query: url('data/v{version}/query/'),
          recent: url('data/v{version}/recent/'),
          tooling_soap: url(`Soap/T/{version}/${org15}`),
          tooling_rest: url('data/v{version}/tooling/'),
          profile: `${base}/${String(user.Id)}`,
          custom_domain: base,
        },
        is_app_installed: true,
      },
    };
  }

  // OpenID Connect UserInfo: the CLI's first call after `org login access-token`.
  const userinfo = async (req: FastifyRequest, reply: FastifyReply) => {
    const session = deps.session(tokenOf(req.headers.authorization));
    if (!session) return badToken(reply);
    const who = identity(session.userId);
    return reply.send({
      sub: `${deps.baseUrl()}/id/${org.orgId}/${who.shared.user_id}`,
      preferred_username: who.username,
      nickname: who.nickname,
      name: who.name,
      given_name: who.firstName,
      family_name: who.lastName,
      zoneinfo: who.timezone,
      ...who.shared,
    });
  };
  app.get('/services/oauth2/userinfo', userinfo);
  app.post('/services/oauth2/userinfo', userinfo);

  // The identity URL a token response names (`id`); jsforce parses org and user ids from its last two segments.
  app.get<{ Params: { orgId: string; userId: string } }>('/id/:orgId/:userId', async (req, reply) => {
    const session = deps.session(tokenOf(req.headers.authorization));
    if (!session) return badToken(reply);
    if (req.params.orgId !== org.orgId) return reply.code(403).type('text/plain').send('Bad_Id');
    const who = identity(req.params.userId);
    return reply.send({
      id: `${deps.baseUrl()}/id/${org.orgId}/${who.shared.user_id}`,
      asserted_user: session.userId === who.shared.user_id,
      username: who.username,
      nick_name: who.nickname,
      display_name: who.name,
      first_name: who.firstName,
      last_name: who.lastName,
      timezone: who.timezone,
      utcOffset: 0,
      ...who.shared,
    });
  });

  // Versions: no authentication, as on Salesforce.
  app.get('/services/data', async () =>
    deps.apiVersions.map((v) => ({ label: `v${v}`, url: `/services/data/v${v}`, version: v })),
  );

  // Resources by version (the trailing slash is how the CLI and jsforce ask).
  const resources = async (req: FastifyRequest) => {
    const v = deps.context(req).apiVersion;
    return Object.fromEntries(RESOURCES.map((name) => [name, `/services/data/v${v}/${name}`]));
  };
  app.get('/services/data/:version', resources);
  app.get('/services/data/:version/', resources);
}
