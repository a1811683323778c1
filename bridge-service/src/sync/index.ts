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
import { createHousekeeping } from './housekeeping';
import { createInsights } from './insights';
import { createGoLive, type GoLive, type GoLiveServices } from './golive';
import { createInboundApply, type InboundApply } from './inbound/apply';
import { createOwnWrites } from './inbound/own-writes';
import { xeroChangeHandler, type XeroChangeWake } from './inbound/xero-change-handler';
import { authoriseHandler } from './invoice-actions/authorise';
import { authoriseCreditNoteHandler, creditHandler } from './invoice-actions/credit-notes';
import { onlineLinkHandler } from './invoice-actions/online-link';
import { resyncHandler } from './invoice-actions/resync';
import { voidHandler } from './invoice-actions/void';
import { createContactDirectory } from './services/contact-directory';
import { createContactLinks } from './services/contact-links';
import { createCreditNotes } from './services/credit-notes';
import { createLineMappings } from './services/line-mappings';
import { createInvoiceMirror } from './services/invoice-mirror';
import { createSyncErrors } from './services/sync-errors';
import type { SyncDeps } from './sync-deps';

export interface Sync {
  handlers: KindHandler[];
  /** For the worker: a job that gave up is shown where people look. */
  onGiveUp: ReturnType<typeof createGiveUpRecorder>;
  /** For the poller: Xero's state written back, newer version wins. */
  apply: InboundApply;
  /** Go-live: historical imports and the drift check, for the admin API and the start. */
  goLive: Pick<GoLive, 'imports' | 'drift' | 'onStart'>;
  /** At start: the daily billing-plan re-plans, the daily KPI refresh and the daily job prune are asked for. */
  start(): Promise<void>;
}

export function createSync(
  deps: SyncDeps,
  extra: Pick<GoLiveServices, 'metrics' | 'onQueued' | 'importPageSize'> & {
    /** A webhook's change was written to Salesforce (XERO_CHANGE): the tenant's poller wakes. */
    onXeroChanged?: (tenantId: string, change: XeroChangeWake) => void;
    /** Job retention (JOB_RETENTION_DAYS): with it, done jobs older than that are pruned daily. */
    jobRetention?: { days: number; onPruned?: (count: number) => void };
  } = {},
): Sync {
  const invoices = createInvoiceMirror(deps);
  const syncErrors = createSyncErrors(deps);
  const creditNotes = createCreditNotes({ ...deps, invoices });
  // The approvals and emails this process sends, so their webhooks and listings are not read back as changes.
  const ownWrites = createOwnWrites({ clock: deps.clock });
  const apply = createInboundApply({ ...deps, ownWrites });
  const perInvoice = { reference: deps.reference, syncErrors, log: deps.log };
  const directory = createContactDirectory({ ledger: deps.ledger, clock: deps.clock });
  const contactLinks = createContactLinks({ ...deps, directory });
  const lineMappings = createLineMappings(deps);
  const goLive = createGoLive(deps, { directory, contactLinks, invoices, syncErrors, lineMappings, apply, ...extra });
  // Both draft paths (a deal's closing request, a plan's instalment) match contacts and map lines the same way.
  const drafting = { ...deps, creditNotes, contactLinks, directory, lineMappings };
  const billing = createBilling(drafting);
  const insights = createInsights({ ...deps, dealPlans: billing.dealPlans });
  const close = createClose({ ...deps, dealPlans: billing.dealPlans });
  const housekeeping = extra.jobRetention
    ? createHousekeeping({
        ...deps,
        retentionDays: extra.jobRetention.days,
        ...(extra.jobRetention.onPruned ? { onPruned: extra.jobRetention.onPruned } : {}),
      })
    : undefined;
  return {
    handlers: [
      handles('CREATE_DRAFT', createDraftHandler({ ...drafting, dealPlans: billing.dealPlans })),
      handles('AUTHORISE', authoriseHandler({ ...perInvoice, invoices, xero: deps.xero, ownWrites })),
      handles('AUTHORISE_CREDIT_NOTE', authoriseCreditNoteHandler({ ...perInvoice, creditNotes })),
      handles('VOID', voidHandler({ ...perInvoice, invoices, xero: deps.xero })),
      handles('CREDIT', creditHandler({ ...perInvoice, creditNotes })),
      handles(
        'XERO_CHANGE',
        xeroChangeHandler({
          xero: deps.xero,
          apply,
          xeroResults: deps.xeroResults,
          log: deps.log,
          clock: deps.clock,
          ...(extra.onXeroChanged ? { onChanged: extra.onXeroChanged } : {}),
        }),
      ),
      handles('RESYNC', resyncHandler({ ...perInvoice, invoices, jobs: deps.jobs, creditNotes })),
      handles('ONLINE_LINK', onlineLinkHandler({ ...perInvoice, invoices, xero: deps.xero })),
      ...billing.handlers,
      ...insights.handlers,
      ...goLive.handlers,
      ...close.handlers,
      ...(housekeeping?.handlers ?? []),
    ],
    start: async () => {
      await billing.start();
      await insights.start();
      await close.start();
      await housekeeping?.start();
    },
    onGiveUp: createGiveUpRecorder({ syncErrors }),
    apply,
    goLive,
  };
}
