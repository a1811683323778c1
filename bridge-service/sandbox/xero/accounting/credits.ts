/**
 * Overpayments and prepayments (credits.ts): created as bank transactions (PUT /BankTransactions, RECEIVE-OVERPAYMENT
 * or RECEIVE-PREPAYMENT), read under /BankTransactions, /Overpayments and /Prepayments (paged), allocated to invoices
 * and un-allocated. Refunds are Payments (accounting/payments.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  allocateCredit,
  bankTransactionView,
  creditAllocationView,
  credits,
  creditView,
  deleteCreditAllocation,
  findCredit,
  writeCreditTransaction,
  type CreditKind,
  type StoredCredit,
} from '../credits';
import type { Tenant } from '../store';
import { idParams, list, listQuery, notFound, query, sendJson, unitdp, writeQuery, type Kit } from './kit';
import { registerAllocations } from './allocations';

export function registerCredits(app: FastifyInstance, kit: Kit): void {
  const { deps, tenantOf, envelope, elements, badBody, batch, listing } = kit;
  const { store } = deps;
  const all = (tenant: Tenant) => [...tenant.overpayments.values(), ...tenant.prepayments.values()];
  const byTransaction = (tenant: Tenant, id: string) =>
    all(tenant).find((c) => c.bankTransactionId === id.toLowerCase());

  app.get('/BankTransactions', { schema: { querystring: listQuery } }, async (req, reply) => {
    const tenant = tenantOf(req);
    const q = query(req);
    return listing(req, reply, {
      records: all(tenant).sort((a, b) => a.createdAt - b.createdAt),
      updatedAt: (c) => c.updatedAt,
      collection: 'BankTransactions',
      pageable: true,
      view: (c, paged) => bankTransactionView(tenant, c, { withLines: paged, unitdp: unitdp(q) }),
    });
  });

  app.get<{ Params: { id: string } }>(
    '/BankTransactions/:id',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const credit = byTransaction(tenant, req.params.id);
      return credit
        ? sendJson(
            reply,
            200,
            envelope({
              BankTransactions: [bankTransactionView(tenant, credit, { withLines: true, unitdp: unitdp(query(req)) })],
            }),
          )
        : notFound(reply);
    },
  );

  const bankTransactionWriter = async (req: FastifyRequest, reply: FastifyReply) => {
    const tenant = tenantOf(req);
    const items = elements(req, 'BankTransactions');
    if (!items) return badBody(reply, 'BankTransactions');
    const dp = unitdp(query(req));
    return batch(
      req,
      reply,
      'BankTransactions',
      'BankTransactionID',
      items,
      (item) => writeCreditTransaction(store, tenant, item, dp),
      (id) => bankTransactionView(tenant, byTransaction(tenant, id) as StoredCredit, { withLines: true, unitdp: dp }),
    );
  };
  app.put('/BankTransactions', { schema: { querystring: writeQuery } }, bankTransactionWriter);

  function creditRoutes(kind: CreditKind, base: string, collection: string): void {
    app.get(base, { schema: { querystring: listQuery } }, async (req, reply) => {
      const tenant = tenantOf(req);
      const q = query(req);
      return listing(req, reply, {
        records: [...credits(tenant, kind).values()].sort((a, b) => a.createdAt - b.createdAt),
        updatedAt: (c) => c.updatedAt,
        collection,
        pageable: true,
        keep: (c, qq) => {
          const references = list(qq.references);
          return !references || references.includes(c.reference ?? '');
        },
        view: (c, paged) => creditView(tenant, c, { withLines: paged, unitdp: unitdp(q) }),
      });
    });

    app.get<{ Params: { id: string } }>(
      `${base}/:id`,
      { schema: { params: idParams, querystring: writeQuery } },
      async (req, reply) => {
        const tenant = tenantOf(req);
        const credit = findCredit(tenant, kind, req.params.id);
        return credit
          ? sendJson(
              reply,
              200,
              envelope({ [collection]: [creditView(tenant, credit, { withLines: true, unitdp: unitdp(query(req)) })] }),
            )
          : notFound(reply);
      },
    );

    registerAllocations(app, kit, base, {
      find: (tenant, id) => findCredit(tenant, kind, id),
      allocate: (tenant, credit, item) => allocateCredit(store, tenant, credit, item),
      get: (tenant, id) => tenant.creditAllocations.get(id),
      belongsTo: (allocation, credit) => allocation.creditId === credit.id,
      remove: (tenant, allocation) => deleteCreditAllocation(store, tenant, allocation),
      view: creditAllocationView,
    });
  }
  creditRoutes('overpayment', '/Overpayments', 'Overpayments');
  creditRoutes('prepayment', '/Prepayments', 'Prepayments');
}
