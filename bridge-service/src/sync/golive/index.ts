/**
 * The go-live jobs (issue 18), assembled as sync/index.ts assembles the rest: each handler given only what it uses.
 */
import { handles, type KindHandler } from '../handler';
import type { ContactDirectory } from '../services/contact-directory';
import type { ContactLinks } from '../services/contact-links';
import type { InvoiceMirrors } from '../services/invoice-mirror';
import type { LineMappings } from '../services/line-mappings';
import type { SyncErrors } from '../services/sync-errors';
import type { SyncDeps } from '../sync-deps';
import type { InboundApply } from '../inbound/apply';
import { contactMatchHandler, requeueDecidedReviews } from './contact-match';
import { createDriftCheck, type DriftCheck, type DriftMetrics } from './drift-check';
import { createImports, type ImportMetrics, type Imports } from './import';
import { createPartialHandler } from './partial-invoice';
import { updateDraftHandler } from './update-draft';

export interface GoLiveServices {
  directory: ContactDirectory;
  contactLinks: ContactLinks;
  invoices: InvoiceMirrors;
  syncErrors: SyncErrors;
  lineMappings: LineMappings;
  apply: InboundApply;
  metrics?: ImportMetrics & DriftMetrics;
  /** New work was queued: the worker looks now. */
  onQueued?: () => void;
  /** Documents per import page (IMPORT_PAGE_SIZE). */
  importPageSize?: number;
}

export interface GoLive {
  handlers: KindHandler[];
  imports: Imports;
  drift: DriftCheck;
  /** At start: the daily drift checks exist, and decisions no bridge applied are queued again. */
  onStart(): Promise<void>;
}

export function createGoLive(deps: SyncDeps, services: GoLiveServices): GoLive {
  const imports = createImports({
    ...deps,
    ...services,
    ...(services.importPageSize ? { pageSize: services.importPageSize } : {}),
  });
  const drift = createDriftCheck({ ...deps, ...services });
  return {
    handlers: [
      handles('CONTACT_MATCH', contactMatchHandler({ ...deps, ...services })),
      handles('UPDATE_DRAFT', updateDraftHandler({ ...deps, ...services })),
      handles('CREATE_PARTIAL', createPartialHandler({ ...deps, ...services })),
      handles('IMPORT_STEP', imports.handler),
      handles('DRIFT_CHECK', drift.handler),
    ],
    imports,
    drift,
    async onStart() {
      await drift.scheduleAll();
      const queued = await requeueDecidedReviews(deps);
      if (queued > 0) {
        deps.log.info({ queued }, 'contact match decisions queued again');
        services.onQueued?.();
      }
    },
  };
}
