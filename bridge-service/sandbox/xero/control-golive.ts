/**
 * Control hooks for go-live (issue 18): a tenant with a company's history, and the things people do in Xero behind the
 * bridge's back: edit an approved invoice by hand (the Xero UI allows it while nothing is paid), merge two contacts,
 * record an overpayment or a prepayment. Each change is made as Xero makes it (UpdatedDateUTC bumped, webhooks queued),
 * so the bridge can only notice it the ways it would notice the real one.
 */
import Big from 'big.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { allocateCredit, AR_TYPE_OF, findCredit, writeCreditTransaction } from './credits';
import { findDocument, writeDocument } from './documents';
import {
  goLiveScenario,
  seedGoLiveHistory,
  type GoLiveScenario,
  type HistoryOptions,
  type ScenarioOptions,
  type SeededHistory,
} from './golive-tenant';
import type { Tenant, XeroStore } from './store';
import { outstanding } from './store';

export interface HandEdit {
  /** New lines (LineItemID keeps a line; lines left out are removed, as the UI does). */
  lines?: {
    LineItemID?: string;
    Description?: string;
    Quantity: string;
    UnitAmount: string;
    AccountCode?: string;
    TaxType?: string;
  }[];
  reference?: string;
  dueDate?: string;
}

export interface CreditReceipt {
  kind: 'overpayment' | 'prepayment';
  contactId: string;
  amount: string;
  date?: string;
  reference?: string;
  /** Apply this much of it to an invoice straight away (YYYY-MM-DD of the allocation = `date`). */
  allocate?: { invoiceId: string; amount: string };
  /** Listed with its AR type (AROVERPAYMENT / ARPREPAYMENT), the spec's other customer-side type, not RECEIVE-*. */
  arType?: boolean;
}

export interface GoLiveControl {
  scenario(options?: ScenarioOptions): GoLiveScenario;
  /** Writes the scenario's contacts and history into the tenant (no webhooks; dated in the past). */
  seedHistory(tenantId: string, scenario: GoLiveScenario, options: HistoryOptions): SeededHistory;
  /** Edits an AUTHORISED invoice with nothing paid or credited, as a person in Xero would. */
  handEdit(tenantId: string, invoiceId: string, edit: HandEdit): { total: string; updatedAt: number };
  /** Merges `fromContactId` into `intoContactId`: its documents move, it is archived (xero-api.md §9). */
  mergeContacts(tenantId: string, fromContactId: string, intoContactId: string): { moved: number };
  /** A receipt recorded in Xero as an overpayment or prepayment; returns its OverpaymentID / PrepaymentID. */
  recordCredit(tenantId: string, receipt: CreditReceipt): { creditId: string };
}

function tenantOf(store: XeroStore, tenantId: string): Tenant {
  const tenant = store.tenant(tenantId.toLowerCase());
  if (!tenant) throw new Error(`unknown tenant ${tenantId}`);
  return tenant;
}

export function goLiveControl(store: XeroStore): GoLiveControl {
  return {
    scenario: (options) => goLiveScenario(options),
    seedHistory: (tenantId, scenario, options) => seedGoLiveHistory(store, tenantId.toLowerCase(), scenario, options),

    handEdit(tenantId, invoiceId, edit) {
      const tenant = tenantOf(store, tenantId);
      const doc = findDocument(tenant, 'invoice', invoiceId);
      if (!doc) throw new Error(`no invoice ${invoiceId}`);
      if (doc.status !== 'AUTHORISED' || doc.amountPaid.gt(0) || doc.amountCredited.gt(0)) {
        throw new Error(
          `Xero lets a person edit an approved invoice only while nothing is paid or credited (${doc.status})`,
        );
      }
      // The UI edits an approved invoice in place: as a draft edit that is approved again at once.
      doc.status = 'DRAFT';
      const result = writeDocument(
        store,
        tenant.org.tenantId,
        'invoice',
        {
          Status: 'AUTHORISED',
          ...(edit.reference !== undefined ? { Reference: edit.reference } : {}),
          ...(edit.dueDate !== undefined ? { DueDate: edit.dueDate } : {}),
          ...(edit.lines
            ? {
                LineItems: edit.lines.map((line) => ({
                  ...line,
                  Quantity: new Big(line.Quantity),
                  UnitAmount: new Big(line.UnitAmount),
                })),
              }
            : {}),
        },
        { mode: 'upsert', unitdp: 4, pathId: doc.id },
      );
      if (!result.ok) {
        doc.status = 'AUTHORISED';
        throw new Error(result.errors.join(' '));
      }
      return { total: doc.total.toFixed(2), updatedAt: doc.updatedAt };
    },

    mergeContacts(tenantId, fromContactId, intoContactId) {
      const tenant = tenantOf(store, tenantId);
      const from = tenant.contacts.get(fromContactId.toLowerCase());
      const into = tenant.contacts.get(intoContactId.toLowerCase());
      if (!from || !into || from === into) throw new Error('mergeContacts needs two different contacts');
      let moved = 0;
      for (const doc of [...tenant.invoices.values(), ...tenant.creditNotes.values()]) {
        if (doc.contactId !== from.id) continue;
        doc.contactId = into.id;
        store.touch(
          tenant.org.tenantId,
          doc.kind === 'invoice' ? 'INVOICE' : 'CREDITNOTE',
          'UPDATE',
          doc,
          doc.kind === 'creditnote' ? { Type: doc.type, Status: doc.status } : undefined,
        );
        moved += 1;
      }
      for (const credit of [...tenant.overpayments.values(), ...tenant.prepayments.values()]) {
        if (credit.contactId !== from.id) continue;
        credit.contactId = into.id;
        credit.updatedAt = store.clock.now();
        moved += 1;
      }
      from.status = 'ARCHIVED';
      store.touch(tenant.org.tenantId, 'CONTACT', 'UPDATE', from);
      store.touch(tenant.org.tenantId, 'CONTACT', 'UPDATE', into);
      return { moved };
    },

    recordCredit(tenantId, receipt) {
      const tenant = tenantOf(store, tenantId);
      const bank = tenant.org.accounts.find((a) => a.Type === 'BANK');
      const sales = tenant.org.accounts.find((a) => a.Type === 'REVENUE');
      const result = writeCreditTransaction(
        store,
        tenant,
        {
          Type: receipt.kind === 'overpayment' ? 'RECEIVE-OVERPAYMENT' : 'RECEIVE-PREPAYMENT',
          Contact: { ContactID: receipt.contactId },
          BankAccount: { Code: bank?.Code },
          ...(receipt.date ? { Date: receipt.date } : {}),
          ...(receipt.reference ? { Reference: receipt.reference } : {}),
          ...(receipt.kind === 'overpayment' ? { LineAmountTypes: 'NoTax' } : {}),
          LineItems: [
            {
              Description: receipt.kind === 'overpayment' ? 'Overpayment' : 'Deposit',
              LineAmount: new Big(receipt.amount),
              ...(receipt.kind === 'prepayment' ? { AccountCode: sales?.Code, TaxType: sales?.TaxType } : {}),
            },
          ],
        },
        2,
      );
      if (!result.ok) throw new Error(result.errors.join(' '));
      const credit = findCredit(tenant, receipt.kind, result.id);
      if (!credit) throw new Error('the credit was not stored');
      if (receipt.arType) credit.type = AR_TYPE_OF[receipt.kind];
      if (receipt.allocate) {
        const invoice = findDocument(tenant, 'invoice', receipt.allocate.invoiceId);
        if (!invoice || new Big(receipt.allocate.amount).gt(outstanding(invoice)))
          throw new Error('allocate: no such invoice, or more than it has due');
        const allocated = allocateCredit(store, tenant, credit, {
          Invoice: { InvoiceID: invoice.id },
          Amount: new Big(receipt.allocate.amount),
          Date: receipt.date ?? store.today(),
        });
        if (!allocated.ok) throw new Error(allocated.errors.join(' '));
      }
      return { creditId: credit.id };
    },
  };
}

const historyBody = z.object({
  seed: z.number().int().optional(),
  contacts: z.number().int().min(1).max(10_000).optional(),
  invoices: z.number().int().min(0).max(100_000).optional(),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

/** `POST /__control/golive/:tenantId {from, to, seed?, contacts?, invoices?}`: a go-live tenant, for a sandbox. */
export function registerGoLiveControl(app: FastifyInstance, control: GoLiveControl): void {
  app.post<{ Params: { tenantId: string } }>('/golive/:tenantId', async (req, reply) => {
    const body = historyBody.safeParse(req.body ?? {});
    if (!body.success) return reply.code(400).send({ error: 'invalid control request', issues: body.error.issues });
    try {
      const { seed, contacts, invoices, from, to } = body.data;
      const scenario = control.scenario({ ...(seed ? { seed } : {}), ...(contacts ? { contacts } : {}) });
      const seeded = control.seedHistory(req.params.tenantId, scenario, {
        from,
        to,
        ...(seed ? { seed } : {}),
        ...(invoices !== undefined ? { invoices } : {}),
      });
      return {
        ...seeded,
        invoicesByAccount: Object.fromEntries(seeded.invoicesByAccount),
        accounts: scenario.accounts,
      };
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message });
    }
  });
}
