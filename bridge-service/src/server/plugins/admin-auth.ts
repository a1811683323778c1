import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { UnauthorizedError } from '../errors';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: rejects with 401 unless `Authorization: Bearer <adminToken>`. */
    verifyAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Constant-time token comparison: both sides are hashed to 32 bytes first, so timingSafeEqual always
 * compares equal-length buffers and neither the length nor a prefix of the token leaks through timing.
 */
export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected));
}

/** The token from `Authorization: Bearer <token>` (scheme case-insensitive), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

async function adminAuthPlugin(
  app: FastifyInstance,
  opts: { adminTokens: readonly (string | undefined)[] },
): Promise<void> {
  // The current token, and during a rotation the one it replaces.
  const expected = opts.adminTokens.filter((t): t is string => typeof t === 'string' && t !== '');
  if (expected.length === 0) throw new Error('admin-auth: adminToken is required');

  app.decorate('verifyAdmin', async (request: FastifyRequest, reply: FastifyReply) => {
    const token = bearerToken(request.headers.authorization);
    // Compare with every accepted token even when the header is missing, so all paths cost the same.
    let matched = false;
    for (const candidate of expected) if (tokensMatch(token ?? '', candidate)) matched = true;
    const ok = matched && token !== undefined;
    if (!ok) {
      reply.header('www-authenticate', 'Bearer realm="ledgerline-admin"');
      throw new UnauthorizedError();
    }
  });
}

/** Decorates `verifyAdmin`; route plugins add it as an onRequest hook in their own scope. */
export default fp(adminAuthPlugin, { name: 'admin-auth', fastify: '5.x' });
