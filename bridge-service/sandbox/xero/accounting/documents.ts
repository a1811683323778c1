/** Invoices and credit notes (one set of routes for both), online invoices, emailing, and allocations. */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { documents, findDocument, markEmailed, writeDocument, type DocKind } from '../documents';
import { deleteAllocation, writeAllocation } from '../payments';
import { allocationView, creditNoteView, invoiceView, type StoredDocument, type Tenant } from '../store';
import { idParams, list, listQuery, notFound, query, sendJson, unitdp, writeQuery, type Kit, type Query } from './kit';
import { registerAllocations } from './allocations';

export function registerDocuments(app: FastifyInstance, kit: Kit): void {
  const { deps, tenantOf, envelope, elements, badBody, batch, listing, viewOptions } = kit;
  const { store } = deps;

  function documentRoutes(kind: DocKind, base: string, collection: string, idKey: string): void {
    const viewOf = (tenant: Tenant, q: Query, withLines: boolean) => (doc: StoredDocument) =>
      kind === 'invoice'
        ? invoiceView(tenant, doc, viewOptions(q, withLines))
        : creditNoteView(tenant, doc, viewOptions(q, withLines));

    app.get(base, { schema: { querystring: listQuery } }, async (req, reply) => {
      const tenant = tenantOf(req);
      const q0 = query(req);
      const summaryOnly = q0.summaryonly === 'true';
      return listing(req, reply, {
        records: [...documents(tenant, kind).values()],
        updatedAt: (d) => d.updatedAt,
        collection,
        pageable: true,
        keep: (d, q) => {
          const ids = list(q.ids)?.map((id) => id.toLowerCase());
          if (ids && !ids.includes(d.id)) return false;
          const numbers = list(q.invoicenumbers);
          if (kind === 'invoice' && numbers && !numbers.includes(d.number)) return false;
          const contactIds = list(q.contactids)?.map((id) => id.toLowerCase());
          if (contactIds && !contactIds.includes(d.contactId)) return false;
          const statuses = list(q.statuses)?.map((s) => s.toUpperCase());
          if (statuses && !statuses.includes(d.status)) return false;
          if (q.searchterm) {
            const term = q.searchterm.toLowerCase();
            if (!d.number.toLowerCase().includes(term) && !(d.reference ?? '').toLowerCase().includes(term))
              return false;
          }
          return true;
        },
        view: (d, paged) => {
          const view = viewOf(tenant, q0, paged && !summaryOnly)(d);
          if (summaryOnly) {
            delete view.Payments;
            delete view.CreditNotes;
            delete view.Prepayments;
            delete view.Overpayments;
          }
          return view;
        },
      });
    });

    app.get<{ Params: { id: string } }>(
      `${base}/:id`,
      { schema: { params: idParams, querystring: writeQuery } },
      async (req, reply) => {
        const tenant = tenantOf(req);
        const doc = findDocument(tenant, kind, req.params.id);
        return doc
          ? sendJson(reply, 200, envelope({ [collection]: [viewOf(tenant, query(req), true)(doc)] }))
          : notFound(reply);
      },
    );

    const writer = (mode: 'create' | 'upsert') => async (req: FastifyRequest, reply: FastifyReply) => {
      const tenant = tenantOf(req);
      const q = query(req);
      const items = elements(req, collection);
      if (!items) return badBody(reply, collection);
      const map = documents(tenant, kind);
      return batch(
        req,
        reply,
        collection,
        idKey,
        items,
        (item) => writeDocument(store, tenant.org.tenantId, kind, item, { mode, unitdp: unitdp(q) }),
        (id) => viewOf(tenant, q, true)(map.get(id) as StoredDocument),
      );
    };
    app.put(base, { schema: { querystring: writeQuery } }, writer('create'));
    app.post(base, { schema: { querystring: writeQuery } }, writer('upsert'));

    app.post<{ Params: { id: string } }>(
      `${base}/:id`,
      { schema: { params: idParams, querystring: writeQuery } },
      async (req, reply) => {
        const tenant = tenantOf(req);
        const q = query(req);
        const doc = findDocument(tenant, kind, req.params.id);
        if (!doc) return notFound(reply);
        const items = elements(req, collection);
        if (!items || items.length !== 1) return badBody(reply, `one ${collection.slice(0, -1)}`);
        const map = documents(tenant, kind);
        return batch(
          req,
          reply,
          collection,
          idKey,
          items,
          (item) =>
            writeDocument(store, tenant.org.tenantId, kind, item, {
              mode: 'upsert',
              unitdp: unitdp(q),
              pathId: doc.id,
            }),
          (id) => viewOf(tenant, q, true)(map.get(id) as StoredDocument),
        );
      },
    );
  }
  documentRoutes('invoice', '/Invoices', 'Invoices', 'InvoiceID');
  documentRoutes('creditnote', '/CreditNotes', 'CreditNotes', 'CreditNoteID');

  app.get<{ Params: { id: string } }>(
    '/Invoices/:id/OnlineInvoice',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const doc = findDocument(tenant, 'invoice', req.params.id);
      if (!doc) return notFound(reply);
      if (doc.type !== 'ACCREC' || doc.status === 'DRAFT' || doc.status === 'SUBMITTED' || doc.status === 'DELETED') {
        return sendJson(reply, 400, {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Message: 'A validation exception occurred',
          Elements: [
            { ValidationErrors: [{ Message: 'Online invoices are only available for approved sales invoices.' }] },
          ],
        });
      }
      const token = createHash('sha256').update(`${tenant.org.tenantId}/${doc.id}`).digest('base64url').slice(0, 40);
      return sendJson(
        reply,
        200,
        envelope({ OnlineInvoices: [{ OnlineInvoiceUrl: `${store.onlineInvoiceBase}/${token}` }] }),
      );
    },
  );

  app.post<{ Params: { id: string } }>(
    '/Invoices/:id/Email',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const doc = findDocument(tenant, 'invoice', req.params.id);
      if (!doc) return notFound(reply);
      const contact = tenant.contacts.get(doc.contactId);
      const errors: string[] = [];
      if (doc.type !== 'ACCREC' || (doc.status !== 'AUTHORISED' && doc.status !== 'PAID'))
        errors.push('Only approved sales invoices can be emailed.');
      if (!contact?.emailAddress) errors.push('The contact does not have an email address.');
      if (errors.length > 0) {
        return sendJson(reply, 400, {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Message: 'A validation exception occurred',
          Elements: [{ InvoiceID: doc.id, ValidationErrors: errors.map((Message) => ({ Message })) }],
        });
      }
      markEmailed(store, tenant, doc, contact?.emailAddress ?? '');
      return reply.code(204).send();
    },
  );

  // ----- allocations ------------------------------------------------------------------------------

  registerAllocations(app, kit, '/CreditNotes', {
    find: (tenant, id) => findDocument(tenant, 'creditnote', id),
    allocate: (tenant, note, item) => writeAllocation(store, tenant.org.tenantId, note, item),
    get: (tenant, id) => tenant.allocations.get(id),
    belongsTo: (allocation, note) => allocation.creditNoteId === note.id,
    remove: (tenant, allocation) => deleteAllocation(store, tenant, allocation),
    view: allocationView,
  });
}
