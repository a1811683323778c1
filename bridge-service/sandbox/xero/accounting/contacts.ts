/** Contacts: list, read, create (PUT) and upsert (POST), one by id. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findContact, writeContact } from '../contacts';
import { contactView } from '../store';
import { idParams, list, listQuery, notFound, query, sendJson, writeQuery, type Kit } from './kit';

export function registerContacts(app: FastifyInstance, kit: Kit): void {
  const { deps, tenantOf, envelope, elements, badBody, batch, listing } = kit;
  const { store } = deps;

  app.get('/Contacts', { schema: { querystring: listQuery } }, async (req, reply) => {
    const tenant = tenantOf(req);
    return listing(req, reply, {
      records: [...tenant.contacts.values()],
      updatedAt: (c) => c.updatedAt,
      collection: 'Contacts',
      pageable: true,
      keep: (c, q) => {
        const ids = list(q.ids)?.map((id) => id.toLowerCase());
        if (ids && !ids.includes(c.id)) return false;
        if (c.status === 'ARCHIVED' && q.includearchived !== 'true') return false;
        if (q.searchterm) {
          const term = q.searchterm.toLowerCase();
          const fields = [
            c.name,
            c.firstName,
            c.lastName,
            c.contactNumber,
            c.emailAddress,
            c.accountNumber,
            c.taxNumber,
          ];
          if (!fields.some((f) => f?.toLowerCase().includes(term))) return false;
        }
        return true;
      },
      view: (c) => contactView(tenant, c, query(req).summaryonly === 'true'),
    });
  });

  app.get<{ Params: { id: string } }>(
    '/Contacts/:id',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const contact = findContact(tenant, req.params.id);
      return contact ? sendJson(reply, 200, envelope({ Contacts: [contactView(tenant, contact)] })) : notFound(reply);
    },
  );

  const contactWriter = (mode: 'create' | 'upsert') => async (req: FastifyRequest, reply: FastifyReply) => {
    const tenant = tenantOf(req);
    const items = elements(req, 'Contacts');
    if (!items) return badBody(reply, 'Contacts');
    return batch(
      req,
      reply,
      'Contacts',
      'ContactID',
      items,
      (item) => writeContact(store, tenant.org.tenantId, item, mode),
      (id) => contactView(tenant, tenant.contacts.get(id) as NonNullable<ReturnType<typeof tenant.contacts.get>>),
    );
  };
  app.put('/Contacts', { schema: { querystring: writeQuery } }, contactWriter('create'));
  app.post('/Contacts', { schema: { querystring: writeQuery } }, contactWriter('upsert'));
  app.post<{ Params: { id: string } }>(
    '/Contacts/:id',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      if (!findContact(tenant, req.params.id)) return notFound(reply);
      const items = elements(req, 'Contacts');
      if (!items || items.length !== 1) return badBody(reply, 'one Contact');
      return batch(
        req,
        reply,
        'Contacts',
        'ContactID',
        items,
        (item) => writeContact(store, tenant.org.tenantId, item, 'upsert', req.params.id),
        (id) => contactView(tenant, tenant.contacts.get(id) as NonNullable<ReturnType<typeof tenant.contacts.get>>),
      );
    },
  );
}
