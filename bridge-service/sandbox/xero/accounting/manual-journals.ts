/**
 * ManualJournals: list (where/order, If-Modified-Since, pages of 100 with lines), read one, create (PUT, a batch with
 * summarizeErrors), create or update (POST), update one (POST /ManualJournals/{id}). Idempotency-Key, scopes and limits
 * come from the pipeline like every other write. The rules are in ../manual-journals.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { manualJournalView, writeManualJournal, type JournalWrite } from '../manual-journals';
import type { StoredManualJournal } from '../store';
import { idParams, listQuery, notFound, sendJson, writeQuery, type Kit } from './kit';

export function registerManualJournals(app: FastifyInstance, kit: Kit): void {
  const { deps, tenantOf, envelope, elements, badBody, batch, listing } = kit;

  app.get('/ManualJournals', { schema: { querystring: listQuery } }, async (req, reply) => {
    const tenant = tenantOf(req);
    return listing(req, reply, {
      records: [...tenant.manualJournals.values()],
      updatedAt: (journal) => journal.updatedAt,
      collection: 'ManualJournals',
      pageable: true,
      view: (journal, paged) => manualJournalView(journal, paged),
    });
  });

  app.get<{ Params: { id: string } }>('/ManualJournals/:id', { schema: { params: idParams } }, async (req, reply) => {
    const journal = tenantOf(req).manualJournals.get(req.params.id.toLowerCase());
    return journal
      ? sendJson(reply, 200, envelope({ ManualJournals: [manualJournalView(journal, true)] }))
      : notFound(reply);
  });

  const writer = (write: (req: FastifyRequest) => JournalWrite) => async (req: FastifyRequest, reply: FastifyReply) => {
    const tenant = tenantOf(req);
    const items = elements(req, 'ManualJournals');
    if (!items) return badBody(reply, 'ManualJournals');
    const how = write(req);
    return batch(
      req,
      reply,
      'ManualJournals',
      'ManualJournalID',
      items,
      (item) => writeManualJournal(deps.store, tenant.org.tenantId, item, how),
      (id) => manualJournalView(tenant.manualJournals.get(id) as StoredManualJournal, true),
    );
  };
  app.put(
    '/ManualJournals',
    { schema: { querystring: writeQuery } },
    writer(() => ({ mode: 'create' })),
  );
  app.post(
    '/ManualJournals',
    { schema: { querystring: writeQuery } },
    writer(() => ({ mode: 'upsert' })),
  );
  app.post<{ Params: { id: string } }>(
    '/ManualJournals/:id',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      if (!tenantOf(req).manualJournals.has(req.params.id.toLowerCase())) return notFound(reply);
      return writer(() => ({ mode: 'upsert', pathId: req.params.id }))(req, reply);
    },
  );
}
