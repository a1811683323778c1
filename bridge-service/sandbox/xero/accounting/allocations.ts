/**
 * PUT {credit}/{id}/Allocations and DELETE {credit}/{id}/Allocations/{allocationId}: Xero answers them alike for a
 * credit note, an overpayment and a prepayment (a batch of Allocations elements; 404 for a credit that is not there,
 * or an allocation that is not there, not the credit's or already deleted). What an allocation may do is decided by
 * the credit's own writer (payments.ts for credit notes, credits.ts for overpayments and prepayments).
 */
import type { FastifyInstance } from 'fastify';
import type { ElementResult } from '../documents';
import type { Tenant } from '../store';
import { allocationParams, idParams, notFound, sendJson, writeQuery, type Kit } from './kit';

/** How one kind of credit stores its allocations. */
export interface AllocationStore<C, A extends { deleted: boolean }> {
  /** The credit the path names. */
  find(tenant: Tenant, id: string): C | undefined;
  /** One element allocated from the credit. */
  allocate(tenant: Tenant, credit: C, item: unknown): ElementResult;
  /** An allocation by its (lower-case) id. */
  get(tenant: Tenant, allocationId: string): A | undefined;
  belongsTo(allocation: A, credit: C): boolean;
  /** Deletes it: the money goes back on both sides. A refusal (a lock date) is answered as Xero's 400. */
  remove(tenant: Tenant, allocation: A): ElementResult;
  view(tenant: Tenant, allocation: A): Record<string, unknown>;
}

export function registerAllocations<C, A extends { deleted: boolean }>(
  app: FastifyInstance,
  kit: Kit,
  base: string,
  allocations: AllocationStore<C, A>,
): void {
  const { tenantOf, elements, badBody, batch } = kit;

  app.put<{ Params: { id: string } }>(
    `${base}/:id/Allocations`,
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const credit = allocations.find(tenant, req.params.id);
      if (!credit) return notFound(reply);
      const items = elements(req, 'Allocations');
      if (!items) return badBody(reply, 'Allocations');
      return batch(
        req,
        reply,
        'Allocations',
        'AllocationID',
        items,
        (item) => allocations.allocate(tenant, credit, item),
        (id) => allocations.view(tenant, allocations.get(tenant, id) as A),
      );
    },
  );

  app.delete<{ Params: { id: string; allocationId: string } }>(
    `${base}/:id/Allocations/:allocationId`,
    { schema: { params: allocationParams } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const credit = allocations.find(tenant, req.params.id);
      const allocation = allocations.get(tenant, req.params.allocationId.toLowerCase());
      if (!credit || !allocation || !allocations.belongsTo(allocation, credit) || allocation.deleted) {
        return notFound(reply);
      }
      const removed = allocations.remove(tenant, allocation);
      if (!removed.ok) {
        return sendJson(reply, 400, {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Message: 'A validation exception occurred',
          Elements: [
            {
              ...allocations.view(tenant, allocation),
              ValidationErrors: removed.errors.map((Message) => ({ Message })),
            },
          ],
        });
      }
      return sendJson(reply, 200, allocations.view(tenant, allocation));
    },
  );
}
