/**
 * Step 4, crash recovery: what an earlier attempt of a job may already have made in Xero. A request key whose
 * invoice the store remembers is read back instead of created again; a job claimed before and not finished
 * (failed, expired or interrupted) may have reached Xero after all, so its invoice is looked for by the
 * Opportunity's URL it carries.
 */
import type { XeroResultRepository } from '../../store/types';
import type { XeroClient } from '../../xero/client';
import type { XeroInvoice } from '../../xero/types';
import { draftSourceUrl, settled, type Draft, type DraftOutcome } from './draft';

export interface RecoveryDeps {
  xero: Pick<XeroClient, 'getInvoicesByIds' | 'getInvoicesModifiedSince'>;
  xeroResults: Pick<XeroResultRepository, 'findXeroResult'>;
  /** The Salesforce instance URL, for the Opportunity's page an invoice links back to. */
  instanceUrl: () => string;
}

/**
 * Splits a tenant's drafts into those whose invoice the store remembers (read back from Xero: `invoiced`, or a
 * retry when Xero cannot return it) and those still to be made (`pending`).
 */
export async function readBackRecorded(
  deps: Pick<RecoveryDeps, 'xero' | 'xeroResults'>,
  tenantId: string,
  drafts: readonly Draft[],
): Promise<{ outcomes: DraftOutcome[]; pending: Draft[] }> {
  const pending: Draft[] = [];
  const known: [Draft, string][] = [];
  for (const draft of drafts) {
    const result = await deps.xeroResults.findXeroResult(draft.requestKey, tenantId, 'invoice');
    if (result) known.push([draft, result.xeroId]);
    else pending.push(draft);
  }
  if (known.length === 0) return { outcomes: [], pending };
  const invoices = await deps.xero.getInvoicesByIds(
    tenantId,
    known.map(([, id]) => id),
  );
  const byId = new Map(invoices.map((inv) => [inv.invoiceID, inv]));
  const outcomes = known.map(([draft, id]): DraftOutcome => {
    const invoice = byId.get(id);
    return invoice
      ? { kind: 'invoiced', draft, invoice }
      : settled(draft.job, { kind: 'retry', error: `Xero invoice ${id} could not be read back` });
  });
  return { outcomes, pending };
}

/** The invoices earlier attempts of these drafts made (by request key), found by their source URL and contact. */
export async function findEarlierAttempts(
  deps: Pick<RecoveryDeps, 'xero' | 'instanceUrl'>,
  tenantId: string,
  drafts: readonly Draft[],
  contactIds: ReadonlyMap<string, string>,
): Promise<Map<string, XeroInvoice>> {
  const found = new Map<string, XeroInvoice>();
  // Claimed before and not finished (failed, expired or interrupted): an earlier attempt may have reached Xero.
  const retried = drafts.filter((d) => d.job.attempts > 1 || d.job.lastError !== null);
  if (retried.length === 0) return found;
  const since = new Date(Math.min(...retried.map((d) => d.job.createdAt)) - 10 * 60_000);
  const wanted = new Map(retried.map((d) => [draftSourceUrl(deps.instanceUrl(), d), d]));
  const contacts = new Set(retried.flatMap((d) => contactIds.get(d.account.Id) ?? []));
  for (let page = 1; ; page += 1) {
    const result = await deps.xero.getInvoicesModifiedSince(tenantId, {
      modifiedSince: since,
      page,
      pageSize: 100,
      where: `Type=="ACCREC"`,
    });
    for (const invoice of result.items) {
      const match = invoice.url ? wanted.get(invoice.url) : undefined;
      if (
        match &&
        invoice.status !== 'DELETED' &&
        invoice.status !== 'VOIDED' &&
        contacts.has(invoice.contact?.contactID ?? '')
      ) {
        found.set(match.requestKey, invoice);
      }
    }
    if (!result.hasMore) break;
  }
  return found;
}
