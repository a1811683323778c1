/** Payments: list, read, create (PUT or POST), and delete (POST with Status DELETED). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { deletePayment, writePayment } from '../payments';
import { paymentView } from '../store';
import { idParams, listQuery, notFound, sendJson, writeQuery, type Kit } from './kit';

export function registerPayments(app: FastifyInstance, kit: Kit): void {
  const { deps, tenantOf, envelope, elements, badBody, batch, listing } = kit;
  const { store } = deps;

  app.get('/Payments', { schema: { querystring: listQuery } }, async (req, reply) => {
    const tenant = tenantOf(req);
    return listing(req, reply, {
      records: [...tenant.payments.values()],
      updatedAt: (p) => p.updatedAt,
      collection: 'Payments',
      pageable: true,
      view: (p) => paymentView(tenant, p, store.rounding),
    });
  });

  app.get<{ Params: { id: string } }>(
    '/Payments/:id',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const payment = tenant.payments.get(req.params.id.toLowerCase());
      return payment
        ? sendJson(reply, 200, envelope({ Payments: [paymentView(tenant, payment, store.rounding)] }))
        : notFound(reply);
    },
  );

  const paymentWriter = async (req: FastifyRequest, reply: FastifyReply) => {
    const tenant = tenantOf(req);
    const items = elements(req, 'Payments');
    if (!items) return badBody(reply, 'Payments');
    return batch(
      req,
      reply,
      'Payments',
      'PaymentID',
      items,
      (item) => writePayment(store, tenant.org.tenantId, item),
      (id) =>
        paymentView(
          tenant,
          tenant.payments.get(id) as NonNullable<ReturnType<typeof tenant.payments.get>>,
          store.rounding,
        ),
    );
  };
  app.put('/Payments', { schema: { querystring: writeQuery } }, paymentWriter);
  app.post('/Payments', { schema: { querystring: writeQuery } }, paymentWriter);

  app.post<{ Params: { id: string } }>(
    '/Payments/:id',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const payment = tenant.payments.get(req.params.id.toLowerCase());
      if (!payment) return notFound(reply);
      const items = elements(req, 'Payments');
      const status = items?.length === 1 ? (items[0] as { Status?: unknown }).Status : undefined;
      if (status !== 'DELETED') {
        return sendJson(reply, 400, {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Message: 'A validation exception occurred',
          Elements: [{ ValidationErrors: [{ Message: 'Payments can only be deleted: send {"Status":"DELETED"}.' }] }],
        });
      }
      return batch(
        req,
        reply,
        'Payments',
        'PaymentID',
        [{ Status: 'DELETED' }],
        () => deletePayment(store, tenant.org.tenantId, payment.id),
        (id) =>
          paymentView(
            tenant,
            tenant.payments.get(id) as NonNullable<ReturnType<typeof tenant.payments.get>>,
            store.rounding,
          ),
      );
    },
  );
}
