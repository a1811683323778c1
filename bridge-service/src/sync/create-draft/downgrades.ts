/**
 * Step 7: a downgrade's credit note, recorded in Salesforce awaiting finance approval against the invoice of the
 * deal it amends (nothing reaches Xero until then), through the credit-note service every credit goes through. It is
 * recorded with its lines (each with its account, tax type, item and tracking), and approval sends those lines, so
 * Xero's net, tax and total are the ones recorded and approved.
 */
import type { XeroDraftDocument } from '../../domain/invoice-mapping';
import type { Queries } from '../../salesforce/queries';
import { unrecordable, type CreditNotes } from '../services/credit-notes';
import { refused, settled, type Draft, type DraftOutcome } from './draft';

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
    const credits = draft.billing?.creditsInvoiceId ?? invoice?.Id;
    if (!credits) {
      // A credit note on no invoice would reach Salesforce, be approved, and go nowhere (its approval names no invoice
      // to credit in Xero), while holding back like credit notes raised in Xero. Say so on the deal instead.
      outcomes.push(refused(draft.job, noInvoiceToCredit(draft)));
      continue;
    }
    const tooLong = unrecordable(document);
    if (tooLong) {
      outcomes.push(refused(draft.job, tooLong));
      continue;
    }
    const id = await deps.creditNotes.saveDraft(document, {
      requestKey: draft.requestKey,
      invoiceRecordId: credits,
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

function noInvoiceToCredit(draft: Draft): string {
  if (draft.billing && !draft.original)
    return `Billing plan instalment ${draft.billing.instalment.sequence} is a credit, but the invoice it credits is not known: nothing was credited`;
  const amended = draft.original?.opportunity.Name ?? 'the deal it amends';
  return `This downgrade credits the invoice of ${amended}, which has none that stands (not invoiced yet, or voided): nothing was credited. Raise a credit by hand if one is owed.`;
}
