import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../../lib/clock';
import { withTimeout } from '../../../lib/retry';
import type { XeroWebhookPayload } from '../../deps';
import { BadRequestError, errorResponse, HttpError } from '../../errors';
import { bindOrgToLogs, type OrgScope } from '../../org-scope';

export interface WebhookRoutesOptions {
  /** Whose webhooks: the default org's (/webhooks/xero) or the org in the path (/orgs/:orgId/webhooks/xero). */
  scope: OrgScope;
  bodyLimit: number;
  /** Xero gives up after 5 s; answer 503 before that if storing hangs (Xero retries, dedupe absorbs it). */
  acceptTimeoutMs: number;
  clock: Pick<Clock, 'now'>;
}

/** Xero's eventDateUtc has no zone ("2025-12-02T00:44:09.923") and is UTC. */
export function eventTime(eventDateUtc: unknown): number | undefined {
  if (typeof eventDateUtc !== 'string') return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(eventDateUtc);
  const ms = Date.parse(hasZone ? eventDateUtc : `${eventDateUtc}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** base64(HMAC-SHA256(raw body bytes, webhook key)), as Xero sends in x-xero-signature. */
export function xeroSignature(rawBody: Buffer, webhookKey: string): string {
  return createHmac('sha256', webhookKey).update(rawBody).digest('base64');
}

/**
 * Constant-time check of x-xero-signature against the raw body. The expected value is always 44 base64
 * characters, so a header of another length is rejected without comparing (its length is not a secret);
 * equal lengths go through timingSafeEqual. During a key rotation the previous key is checked too (every key is
 * always checked, so the time taken does not say which one matched).
 */
export function verifyXeroSignature(
  rawBody: Buffer,
  header: string | string[] | undefined,
  webhookKey: string,
  previousKey?: string,
): boolean {
  if (typeof header !== 'string' || header === '') return false;
  const presented = Buffer.from(header.trim(), 'utf8');
  let ok = false;
  for (const key of previousKey ? [webhookKey, previousKey] : [webhookKey]) {
    const expected = Buffer.from(xeroSignature(rawBody, key), 'utf8');
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) ok = true;
  }
  return ok;
}

/** Xero ids are GUIDs; a resource id that is not one can name no document and must not reach a job key. */
const XERO_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Shape check of a parsed payload; the events are stored as they are and interpreted later. */
function asPayload(value: unknown): XeroWebhookPayload | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the body must be a JSON object';
  const events = (value as { events?: unknown }).events;
  if (!Array.isArray(events)) return 'the body must have an "events" array';
  for (const [i, event] of events.entries()) {
    if (typeof event !== 'object' || event === null) return `events[${i}] must be an object`;
    for (const field of ['resourceId', 'eventCategory', 'eventType', 'tenantId']) {
      if (typeof (event as Record<string, unknown>)[field] !== 'string')
        return `events[${i}].${field} must be a string`;
    }
    const resourceId = (event as { resourceId: string }).resourceId;
    if (!XERO_ID.test(resourceId)) return `events[${i}].resourceId must be a Xero id (GUID)`;
  }
  return value as XeroWebhookPayload;
}

const empty = z.null().optional().describe('empty body');

/**
 * POST /webhooks/xero. This plugin's scope parses every body as raw bytes (parseAs buffer, own body limit),
 * so the signature is checked on exactly what Xero signed, before any JSON parsing:
 * - missing or wrong signature → 401, empty body, nothing stored (also for intent-to-receive probes);
 * - good signature, not JSON / not a webhook payload (each event's resourceId a Xero GUID) → 400 with a clear
 *   error, nothing stored;
 * - good signature → acceptWebhook(payload) stores the events, then 200 with an empty body
 *   (an intent-to-receive probe has `events: []` and gets the same 200).
 * Too large → 413 from the body parser.
 */
const webhookRoutes: FastifyPluginAsyncZod<WebhookRoutesOptions> = async (app, opts) => {
  const { scope } = opts;
  bindOrgToLogs(app, scope);

  const raw = (_request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) =>
    done(null, body);
  // Scoped to this plugin (the rest of the app keeps Fastify's parsers): every media type, JSON or not,
  // arrives as raw bytes, so a bad signature is always a 401 (never a 415) and the check sees what Xero signed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.bodyLimit }, raw);

  app.post(
    `${scope.base}/webhooks/xero`,
    {
      bodyLimit: opts.bodyLimit,
      schema: {
        summary: 'Xero webhook receiver (HMAC-SHA256 over the raw body, verified before parsing)',
        params: scope.params({}),
        // No limits here: any malformed signature must get the 401 of a wrong one, not a 400.
        // Loose: the other headers stay on the request as they came.
        headers: z.looseObject({ 'x-xero-signature': z.string().optional() }),
        response: {
          200: empty,
          400: errorResponse,
          401: empty,
          404: errorResponse,
          413: errorResponse,
          '5xx': errorResponse,
        },
      },
    },
    async (request, reply) => {
      // Each org's own webhook key: a webhook signed for another org is refused here.
      const org = scope.endpoints(request);
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['x-xero-signature'];
      if (!verifyXeroSignature(rawBody, signature, org.xero.webhookKey, org.xero.webhookKeyPrevious)) {
        app.metrics.recordWebhook('bad_signature');
        const reason =
          typeof signature !== 'string' || signature.trim() === ''
            ? 'no x-xero-signature header'
            : 'signature mismatch';
        request.log.warn({ bytes: rawBody.length, reason }, 'Xero webhook with a missing or wrong signature refused');
        return reply.code(401).send(undefined);
      }

      let parsed: unknown;
      try {
        parsed = JSON.parse(rawBody.toString('utf8'));
      } catch {
        app.metrics.recordWebhook('invalid');
        throw new BadRequestError('INVALID_JSON', 'The webhook body is not valid JSON');
      }
      const payload = asPayload(parsed);
      if (typeof payload === 'string') {
        app.metrics.recordWebhook('invalid');
        throw new BadRequestError('INVALID_WEBHOOK_PAYLOAD', `Not a Xero webhook payload: ${payload}`);
      }

      await withTimeout(
        org.acceptWebhook(payload),
        opts.acceptTimeoutMs,
        () => new HttpError(503, 'WEBHOOK_NOT_STORED', 'The events could not be stored in time; retry later'),
      );
      app.metrics.recordWebhook('accepted');
      const now = opts.clock.now();
      for (const event of payload.events) {
        const at = eventTime(event.eventDateUtc);
        if (at !== undefined) app.metrics.observeEventLag('xero_webhook', (now - at) / 1000);
      }
      request.log.info(
        {
          events: payload.events.length,
          firstEventSequence: payload.firstEventSequence,
          lastEventSequence: payload.lastEventSequence,
        },
        payload.events.length === 0 ? 'Xero intent-to-receive answered' : 'Xero webhook accepted',
      );
      return reply.code(200).send(undefined);
    },
  );
};

export default webhookRoutes;
