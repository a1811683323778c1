/**
 * The go-live jobs (issue 18), assembled as sync/index.ts assembles the rest: each handler given only what it uses.
 */
import { handles, type KindHandler } from '../handler';
import type { ContactDirectory } from '../services/contact-directory';
import type { ContactLinks } from '../services/contact-links';
import type { InvoiceMirrors } from '../services/invoice-mirror';
import type { SyncErrors } from '../services/sync-errors';
import type { SyncDeps } from '../sync-deps';
import { contactMatchHandler } from './contact-match';
import { updateDraftHandler } from './update-draft';

export interface GoLiveServices {
  directory: ContactDirectory;
  contactLinks: ContactLinks;
  invoices: InvoiceMirrors;
  syncErrors: SyncErrors;
}

export function goLiveHandlers(deps: SyncDeps, services: GoLiveServices): KindHandler[] {
  return [
    handles('CONTACT_MATCH', contactMatchHandler({ ...deps, ...services })),
    handles('UPDATE_DRAFT', updateDraftHandler({ ...deps, ...services })),
  ];
}
