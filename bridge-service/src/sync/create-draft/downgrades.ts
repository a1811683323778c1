/**
 * Step 7: a downgrade's credit note, recorded in Salesforce awaiting finance approval against the invoice of the
 * deal it amends (nothing reaches Xero until then), through the credit-note service every credit goes through.
 */
import type { XeroDraftDocument } from '../../domain/invoice-mapping';
import type { Queries } from '../../salesforce/queries';
import type { CreditNotes } from '../services/credit-notes';
import { settled, type Draft, type DraftOutcome } from './draft';

export interface DowngradeDeps {
  queries: Pick<Queries, 'invoicesFor'>;
  creditNotes: Pick<CreditNotes, 'saveDraft'>;
}

export async function recordDowngrades(
  deps: DowngradeDeps,
  downgrades: readonly { draft: Draft; document: XeroDraftDocument }[],
): Promise<DraftOutcome[]> {
  const outcomes: DraftOutcome[] = [];
  for (const { draft, document } of downgrades) {
    const amended = draft.original?.opportunity.Id;
    const invoices =
      amended && !draft.billing?.creditsInvoiceId ? await deps.queries.invoicesFor('Opportunity__c', [amended]) : [];
    const invoice = invoices.find((row) => row.Status__c !== 'Voided' && row.Status__c !== 'Deleted');
    const id = await deps.creditNotes.saveDraft(document, {
      requestKey: draft.requestKey,
      invoiceRecordId: draft.billing?.creditsInvoiceId ?? invoice?.Id ?? null,
      accountId: draft.account.Id,
      reason:
        draft.billing && !draft.original
          ? `Billing plan instalment ${draft.billing.instalment.sequence}: ${draft.opportunity.Name}`
          : `Downgrade: ${draft.opportunity.Name}`,
    });
    outcomes.push(settled(draft.job, { kind: 'done', result: { creditNoteRecordId: id, total: document.total } }));
  }
  return outcomes;
}
