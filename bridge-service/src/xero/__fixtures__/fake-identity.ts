// A small stand-in for Xero's identity server (token endpoint + /connections) for unit tests: strict
// refresh-token rotation (a used refresh token is refused at once, so a double refresh shows up as
// invalid_grant), PKCE checked on the code exchange, optional latency and injected failures.
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';

export interface FakeIdentity {
  url: string;
  tokenUrl: string;
  connectionsUrl: string;
  app: FastifyInstance;
  /** Refresh grants received (successful or not). */
  refreshCalls: number;
  /** Every request received, on any route. */
  readonly requests: number;
  /** Makes `refreshToken` valid (as if issued by a previous exchange). */
  seedRefreshToken(refreshToken: string): void;
  /** Registers an authorization code with its PKCE challenge. */
  seedCode(code: string, codeChallenge: string): void;
  /** Next N token requests answer with this status. */
  failNext(status: number, times?: number): void;
  latencyMs: number;
  close(): Promise<void>;
}

export async function startFakeIdentity(opts: { clientId: string; clientSecret: string }): Promise<FakeIdentity> {
  const app = Fastify();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  const validRefresh = new Set<string>();
  const validAccess = new Set<string>();
  const codes = new Map<string, string>();
  let counter = 0;
  const failures: number[] = [];
  const state = {
    refreshCalls: 0,
    requests: 0,
    latencyMs: 0,
  };
  app.addHook('onRequest', async () => {
    state.requests += 1;
  });

  const issue = () => {
    counter += 1;
    const access = `access-${counter}-${Math.random().toString(36).slice(2)}`;
    const refresh = `refresh-${counter}-${Math.random().toString(36).slice(2)}`;
    validAccess.add(access);
    validRefresh.add(refresh);
    return {
      access_token: access,
      refresh_token: refresh,
      expires_in: 1800,
      token_type: 'Bearer',
      scope: 'offline_access',
    };
  };

  app.post('/connect/token', async (req, reply) => {
    const expected = `Basic ${Buffer.from(`${opts.clientId}:${opts.clientSecret}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return reply.code(400).send({ error: 'invalid_client' });
    const form = req.body as Record<string, string>;
    if (form.grant_type === 'refresh_token') state.refreshCalls += 1;
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
    const failure = failures.shift();
    if (failure !== undefined) return reply.code(failure).send({ error: 'server_error' });
    if (form.grant_type === 'refresh_token') {
      const rt = form.refresh_token ?? '';
      if (!validRefresh.has(rt)) return reply.code(400).send({ error: 'invalid_grant' });
      validRefresh.delete(rt);
      return issue();
    }
    if (form.grant_type === 'authorization_code') {
      const challenge = codes.get(form.code ?? '');
      const computed = createHash('sha256')
        .update(form.code_verifier ?? '')
        .digest('base64url');
      if (!challenge || challenge !== computed) return reply.code(400).send({ error: 'invalid_grant' });
      codes.delete(form.code ?? '');
      return issue();
    }
    return reply.code(400).send({ error: 'unsupported_grant_type' });
  });

  app.get('/connections', async (req, reply) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!validAccess.has(token)) return reply.code(401).send({ Title: 'Unauthorized', Status: 401 });
    return [
      { id: 'c-1', authEventId: 'ae-1', tenantId: 'tenant-uk', tenantType: 'ORGANISATION', tenantName: 'UK Ltd' },
      { id: 'c-2', authEventId: 'ae-1', tenantId: 'tenant-us', tenantType: 'ORGANISATION', tenantName: 'US Inc' },
    ];
  });

  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    tokenUrl: `${url}/connect/token`,
    connectionsUrl: `${url}/connections`,
    app,
    get refreshCalls() {
      return state.refreshCalls;
    },
    set refreshCalls(n: number) {
      state.refreshCalls = n;
    },
    get requests() {
      return state.requests;
    },
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(ms: number) {
      state.latencyMs = ms;
    },
    seedRefreshToken: (rt) => validRefresh.add(rt),
    seedCode: (code, challenge) => codes.set(code, challenge),
    failNext: (status, times = 1) => {
      for (let i = 0; i < times; i += 1) failures.push(status);
    },
    close: () => app.close(),
  };
}
