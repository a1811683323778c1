/**
 * Steps 3 to 7 for one tenant: contacts, crash recovery, documents, invoices, and downgrades' credit notes.
 */
import type { ItemToCreate } from '../../domain/line-mapping';
import type { Logger } from '../../lib/logger';
import { noWrites, type KnownLinks, type LinkWrites } from '../services/contact-links';
import type { LineMappings } from '../services/line-mappings';
import type { ReferenceData } from '../services/reference-data';
import { describeError } from '../describe-error';
import { contactsFor, type ContactDeps } from './contacts';
import { createInvoices, type CreateInvoicesDeps } from './create-invoices';
import { draftDocument, type DocumentDeps } from './documents';
import { recordDowngrades, type DowngradeDeps } from './downgrades';
import { refused, type Draft, type DraftOutcome } from './draft';
import { findEarlierAttempts, readBackRecorded, type RecoveryDeps } from './recovery';

export type TenantDeps = ContactDeps & { lineMappings: Pick<LineMappings, 'forDeal' | 'createItems'> } & RecoveryDeps &
  CreateInvoicesDeps &
  DocumentDeps &
  DowngradeDeps & {
    reference: Pick<ReferenceData, 'taxRates'>;
    log: Pick<Logger, 'info' | 'warn'>;
  };

export async function draftInTenant(
  deps: TenantDeps,
  tenantId: string,
  drafts: readonly Draft[],
  emails: ReadonlyMap<string, string>,
  writes: LinkWrites = noWrites(),
  known?: KnownLinks,
): Promise<DraftOutcome[]> {
  const { outcomes, pending } = await readBackRecorded(deps, tenantId, drafts);
  if (pending.length === 0) return outcomes;

  // Contacts are per billing entity (one Account, one contact per entity); entities sharing a tenant are matched apart.
  const contacts = {
    ids: new Map<string, string>(),
    refused: new Map<string, string>(),
    waiting: new Map<string, string>(),
  };
  for (const group of Map.groupBy(pending, (d) => d.entity.developerName).values()) {
    const found = await contactsFor(
      deps,
      group[0]!.entity,
      group.map((d) => d.account),
      emails,
      writes,
      known,
    );
    found.ids.forEach((v, k) => contacts.ids.set(k, v));
    found.refused.forEach((v, k) => contacts.refused.set(k, v));
    found.waiting.forEach((v, k) => contacts.waiting.set(k, v));
  }
  const contacted = pending.filter((d) => {
    const reason = contacts.refused.get(d.account.Id);
    const waits = contacts.waiting.get(d.account.Id);
    if (reason !== undefined) outcomes.push(refused(d.job, reason));
    else if (waits !== undefined) outcomes.push({ kind: 'waiting', draft: d, message: waits });
    return reason === undefined && waits === undefined;
  });
  const earlier = await findEarlierAttempts(deps, tenantId, contacted, contacts.ids);
  const taxRates = await deps.reference.taxRates(tenantId);

  const invoices: Parameters<typeof createInvoices>[2][number][] = [];
  const downgrades: Parameters<typeof recordDowngrades>[1][number][] = [];
  const itemsNeeded = new Map<Draft, ItemToCreate[]>();
  // What a person should check on a draft that still goes out (a line billed at its Total Price, an item sent
  // without its code): logged, and written to the invoice's Sync_Message__c with the mirror (write-back.ts).
  const warningsOf = new Map<Draft, string[]>();
  for (const draft of contacted) {
    const invoice = earlier.get(draft.requestKey);
    if (invoice?.invoiceID) {
      await deps.xeroResults.recordXeroResult({
        requestKey: draft.requestKey,
        tenantId,
        kind: 'invoice',
        xeroId: invoice.invoiceID,
      });
      outcomes.push({ kind: 'invoiced', draft, invoice });
      continue;
    }
    try {
      // Line mapping (product, then entity) for a deal billed in full or by its plan's instalments (lines keyed by
      // their OpportunityLineItem); amendments and renewals post to the entity's.
      const mapped = draft.original ? undefined : await deps.lineMappings.forDeal(draft.entity, draft.lineItems);
      if (mapped && mapped.problems.length > 0) {
        outcomes.push(refused(draft.job, `Cannot send the invoice to Xero: ${mapped.problems.join('; ')}`));
        continue;
      }
      const warnings = [...(mapped?.warnings ?? [])];
      for (const warning of warnings) deps.log.warn({ requestKey: draft.requestKey, warning }, 'line mapping warning');
      if (mapped && mapped.itemsToCreate.length > 0) itemsNeeded.set(draft, mapped.itemsToCreate);
      const made = draftDocument(deps, draft, contacts.ids.get(draft.account.Id)!, taxRates, mapped?.mappings);
      if (made.kind === 'credit-note') {
        // A downgrade is a credit: it waits for finance approval like any credit started in Salesforce.
        downgrades.push(made);
      } else {
        for (const warning of made.document.warnings)
          deps.log.warn({ requestKey: draft.requestKey, warning }, 'draft warning');
        warnings.push(...made.document.warnings);
        if (warnings.length > 0) warningsOf.set(draft, warnings);
        invoices.push(made);
      }
    } catch (err) {
      outcomes.push(refused(draft.job, describeError(err, draft.entity)));
    }
  }
  // Items the entity creates when missing go first; a deal whose item Xero refused is refused with the reason.
  const itemRefusals = await deps.lineMappings.createItems(tenantId, [...itemsNeeded.values()].flat());
  const ready = invoices.filter(({ draft }) => {
    const refusedItems = (itemsNeeded.get(draft) ?? []).filter((item) => itemRefusals.has(item.code));
    if (refusedItems.length === 0) return true;
    const why = refusedItems.map((item) => `item ${item.code}: ${itemRefusals.get(item.code)}`).join('; ');
    outcomes.push(refused(draft.job, `Xero refused to create ${why}`));
    return false;
  });
  for (const outcome of await createInvoices(deps, tenantId, ready)) {
    const warnings = outcome.kind === 'invoiced' ? warningsOf.get(outcome.draft) : undefined;
    outcomes.push(outcome.kind === 'invoiced' && warnings ? { ...outcome, warnings } : outcome);
  }
  outcomes.push(...(await recordDowngrades(deps, downgrades)));
  return outcomes;
}
