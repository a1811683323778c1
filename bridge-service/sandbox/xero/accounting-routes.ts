/**
 * The Accounting API under /api.xro/2.0: every request through the pipeline (auth, tenant, limits, faults,
 * idempotency: accounting/pipeline.ts), then its resource (accounting/settings.ts, organisation.ts, accounts.ts,
 * contacts.ts, documents.ts, payments.ts, credits.ts for overpayments and prepayments, items.ts, manual-journals.ts,
 * reports.ts); what they share is in accounting/kit.ts.
 */
import type { FastifyInstance } from 'fastify';
import { registerAccounts } from './accounting/accounts';
import { registerContacts } from './accounting/contacts';
import { registerCredits } from './accounting/credits';
import { registerDocuments } from './accounting/documents';
import { registerItems } from './accounting/items';
import { createKit, type AccountingDeps } from './accounting/kit';
import { registerManualJournals } from './accounting/manual-journals';
import { registerOrganisation } from './accounting/organisation';
import { registerPayments } from './accounting/payments';
import { registerPipeline } from './accounting/pipeline';
import { registerReports } from './accounting/reports';
import { registerSettings } from './accounting/settings';
import { registerEgressMeter } from './call-log';

export { NOT_FOUND_TEXT, type AccountingDeps } from './accounting/kit';

export function registerAccounting(app: FastifyInstance, deps: AccountingDeps): void {
  const kit = createKit(deps);
  registerPipeline(app, kit);
  registerEgressMeter(app, (req) => kit.contexts.get(req)?.record);
  registerSettings(app, kit);
  registerContacts(app, kit);
  registerDocuments(app, kit);
  registerPayments(app, kit);
  registerOrganisation(app, kit);
  registerAccounts(app, kit);
  registerManualJournals(app, kit);
  registerReports(app, kit);
  registerCredits(app, kit);
  registerItems(app, kit);
}
