/** Items: list (where, order, If-Modified-Since), read by ItemID or Code, create (PUT) and upsert (POST). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findItemByIdOrCode, itemView, writeItem, type StoredItem } from '../items';
import { idParams, listQuery, notFound, query, sendJson, unitdp, writeQuery, type Kit } from './kit';

export function registerItems(app: FastifyInstance, kit: Kit): void {
  const { deps, tenantOf, envelope, elements, badBody, batch, listing } = kit;

  app.get('/Items', { schema: { querystring: listQuery } }, async (req, reply) => {
    const tenant = tenantOf(req);
    const dp = unitdp(query(req));
    return listing(req, reply, {
      records: [...tenant.items.values()].sort((a, b) => a.code.localeCompare(b.code)),
      updatedAt: (item) => item.updatedAt,
      collection: 'Items',
      pageable: false,
      view: (item) => itemView(item, dp),
    });
  });

  app.get<{ Params: { id: string } }>(
    '/Items/:id',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const item = findItemByIdOrCode(tenant, req.params.id);
      return item ? sendJson(reply, 200, envelope({ Items: [itemView(item, unitdp(query(req)))] })) : notFound(reply);
    },
  );

  const writer = (mode: 'create' | 'upsert') => async (req: FastifyRequest, reply: FastifyReply) => {
    const tenant = tenantOf(req);
    const items = elements(req, 'Items');
    if (!items) return badBody(reply, 'Items');
    const dp = unitdp(query(req));
    return batch(
      req,
      reply,
      'Items',
      'ItemID',
      items,
      (item) => writeItem(deps.store, tenant, item, mode),
      (id) => itemView(tenant.items.get(id) as StoredItem, dp),
    );
  };
  app.put('/Items', { schema: { querystring: writeQuery } }, writer('create'));
  app.post('/Items', { schema: { querystring: writeQuery } }, writer('upsert'));
}
