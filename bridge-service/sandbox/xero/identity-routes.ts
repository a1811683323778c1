import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityServer } from './auth';

type Form = Record<string, string>;

function form(req: FastifyRequest): Form {
  const body = req.body;
  if (!body || typeof body !== 'object') return {};
  const out: Form = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>))
    if (typeof value === 'string') out[key] = value;
  return out;
}

function oauthError(reply: FastifyReply, status: number, error: string, description?: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send(description ? { error, error_description: description } : { error });
}

/** Identity endpoints (token, authorize, revocation) and the /connections API. */
export function registerIdentity(
  app: FastifyInstance,
  identity: IdentityServer,
  autoApproveUserId: () => string,
): void {
  app.post('/connect/token', async (req, reply) => {
    const body = form(req);
    const grant = body.grant_type;
    const publicPkce = grant === 'authorization_code' && body.code_verifier !== undefined;
    if (!identity.checkClient(req.headers.authorization, body, publicPkce))
      return oauthError(reply, 401, 'invalid_client');
    const confidential = req.headers.authorization?.startsWith('Basic ') === true || body.client_secret !== undefined;
    let result;
    if (grant === 'refresh_token') result = identity.refreshGrant(body.refresh_token);
    else if (grant === 'authorization_code') result = identity.codeGrant(body, confidential);
    else return oauthError(reply, 400, 'unsupported_grant_type');
    if (!result.ok) return oauthError(reply, result.status, result.error, result.description);
    // No id_token: openid-client would try to verify it against a JWKS (reference §1).
    return reply.code(200).header('cache-control', 'no-store').send(result.tokens);
  });

  app.post('/connect/revocation', async (req, reply) => {
    const body = form(req);
    if (!identity.checkClient(req.headers.authorization, body, false)) return oauthError(reply, 401, 'invalid_client');
    identity.revoke(body.token);
    return reply.code(200).send();
  });

  const authorize = async (req: FastifyRequest, reply: FastifyReply) => {
    const result = identity.authorize(req.query as Record<string, string | undefined>, autoApproveUserId());
    if (!result.ok) return reply.code(result.status).type('text/plain').send(result.message);
    return reply.redirect(result.location, 302);
  };
  app.get('/identity/connect/authorize', authorize);
  app.get('/connect/authorize', authorize);

  const bearer = (req: FastifyRequest, reply: FastifyReply): string | undefined => {
    const header = req.headers.authorization;
    const check = identity.verifyAccess(header?.startsWith('Bearer ') ? header.slice(7) : undefined);
    if (check.ok) return check.userId;
    void reply.code(401).send({ Type: null, Title: 'Unauthorized', Status: 401, Detail: check.detail, Extensions: {} });
    return undefined;
  };

  app.get('/connections', async (req, reply) => {
    const userId = bearer(req, reply);
    if (userId === undefined) return reply;
    const authEventId = (req.query as Record<string, string | undefined>).authEventId;
    return reply.send(identity.connections(userId, authEventId));
  });

  app.delete<{ Params: { id: string } }>('/connections/:id', async (req, reply) => {
    const userId = bearer(req, reply);
    if (userId === undefined) return reply;
    if (!identity.disconnect(userId, req.params.id)) {
      return reply
        .code(404)
        .send({ Type: null, Title: 'Not Found', Status: 404, Detail: 'Connection not found', Extensions: {} });
    }
    return reply.code(204).send();
  });
}
