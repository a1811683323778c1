/**
 * Step 6: the drafts of one tenant created in Xero as DRAFT invoices, 50 a call, each call under an Idempotency-Key
 * made from its jobs' keys. Sorted by request key, so the same jobs send the same requests however they were
 * claimed. What each key produced is stored before anything else happens.
 */
import type { XeroDraftDocument } from '../../domain/invoice-mapping';
import type { XeroResultRepository } from '../../store/types';
import type { XeroClient } from '../../xero/client';
import { batchKey, draftSourceUrl, refused, XERO_BATCH, type Draft, type DraftOutcome } from './draft';

export interface CreateInvoicesDeps {
  xero: Pick<XeroClient, 'createInvoices'>;
  xeroResults: Pick<XeroResultRepository, 'recordXeroResult'>;
  instanceUrl: () => string;
}

export async function createInvoices(
  deps: CreateInvoicesDeps,
  tenantId: string,
  invoices: readonly { draft: Draft; document: XeroDraftDocument }[],
): Promise<DraftOutcome[]> {
  const outcomes: DraftOutcome[] = [];
  const sorted = [...invoices].sort((a, b) => a.draft.requestKey.localeCompare(b.draft.requestKey));
  for (let i = 0; i < sorted.length; i += XERO_BATCH) {
    const chunk = sorted.slice(i, i + XERO_BATCH);
    const results = await deps.xero.createInvoices(
      tenantId,
      chunk.map(({ draft, document }) => ({ document, url: draftSourceUrl(deps.instanceUrl(), draft) })),
      batchKey(
        'CREATE_DRAFT',
        chunk.map((c) => c.draft.requestKey),
      ),
    );
    for (const result of results) {
      const { draft } = chunk[result.index]!;
      if (result.ok && result.id) {
        await deps.xeroResults.recordXeroResult({
          requestKey: draft.requestKey,
          tenantId,
          kind: 'invoice',
          xeroId: result.id,
        });
        outcomes.push({ kind: 'invoiced', draft, invoice: result.record });
      } else {
        outcomes.push(
          refused(
            draft.job,
            `Xero rejected the invoice for ${draft.entity.developerName}: ${result.errors.join('; ')}`,
          ),
        );
      }
    }
  }
  return outcomes;
}
