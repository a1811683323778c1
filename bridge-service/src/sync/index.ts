/**
 * The sync layer assembled: the services (invoice mirrors, the credit-note service, sync errors, inbound apply)
 * made once, and one handler per kind of job, each given only what it uses. The worker gives each kind a turn in
 * this order.
 */
import { createBilling } from './billing';
import { createClose } from './close';
import { createDraftHandler } from './create-draft';
import { createGiveUpRecorder } from './give-up';
import { handles, type KindHandler } from './handler';
import { createInboundApply, type InboundApply } from './inbound/apply';
import { xeroChangeHandler } from './inbound/xero-change-handler';
import { authoriseHandler } from './invoice-actions/authorise';
import { authoriseCreditNoteHandler, creditHandler } from './invoice-actions/credit-notes';
import { resyncHandler } from './invoice-actions/resync';
import { voidHandler } from './invoice-actions/void';
import { createCreditNotes } from './services/credit-notes';
import { createInvoiceMirror } from './services/invoice-mirror';
import { createSyncErrors } from './services/sync-errors';
import type { SyncDeps } from './sync-deps';

export interface Sync {
  handlers: KindHandler[];
  /** For the worker: a job that gave up is shown where people look. */
  onGiveUp: ReturnType<typeof createGiveUpRecorder>;
  /** For the poller: Xero's state written back, newer version wins. */
  apply: InboundApply;
  /** At start: the daily billing-plan re-plans are asked for. */
  start(): Promise<void>;
}

export function createSync(deps: SyncDeps): Sync {
  const invoices = createInvoiceMirror(deps);
  const syncErrors = createSyncErrors(deps);
  const creditNotes = createCreditNotes({ ...deps, invoices });
  const apply = createInboundApply(deps);
  const perInvoice = { reference: deps.reference, syncErrors, log: deps.log };
  const billing = createBilling({ ...deps, creditNotes });
  const close = createClose({ ...deps, dealPlans: billing.dealPlans });
  return {
    handlers: [
      handles('CREATE_DRAFT', createDraftHandler({ ...deps, creditNotes, dealPlans: billing.dealPlans })),
      handles('AUTHORISE', authoriseHandler({ ...perInvoice, invoices, xero: deps.xero })),
      handles('AUTHORISE_CREDIT_NOTE', authoriseCreditNoteHandler({ ...perInvoice, creditNotes })),
      handles('VOID', voidHandler({ ...perInvoice, invoices, xero: deps.xero })),
      handles('CREDIT', creditHandler({ ...perInvoice, creditNotes })),
      handles('XERO_CHANGE', xeroChangeHandler({ xero: deps.xero, apply, log: deps.log })),
      handles('RESYNC', resyncHandler({ ...perInvoice, invoices, xero: deps.xero, jobs: deps.jobs })),
      ...billing.handlers,
      ...close.handlers,
    ],
    start: async () => {
      await billing.start();
      await close.start();
    },
    onGiveUp: createGiveUpRecorder({ syncErrors }),
    apply,
  };
}
