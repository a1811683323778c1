/**
 * Step 6: the drafts of one tenant created in Xero as DRAFT invoices, 50 a call and up to 5 calls at once, each call
 * under an Idempotency-Key made from its jobs' keys. Sorted by request key, so the same jobs send the same requests however they were
 * claimed. What each key produced is stored before anything else happens.
 */
import type { XeroDraftDocument } from '../../domain/invoice-mapping';
import type { XeroResultRepository } from '../../store/types';
import type { XeroClient } from '../../xero/client';
import { XERO_LIMITS } from '../../xero/scheduler';
import { batchKey, draftSourceUrl, refused, XERO_BATCH, type Draft, type DraftOutcome } from './draft';

export interface CreateInvoicesDeps {
  xero: Pick<XeroClient, 'createInvoices'>;
  xeroResults: Pick<XeroResultRepository, 'recordXeroResult'>;
  instanceUrl: () => string;
}

/** Calls of one tenant in flight at once: Xero's concurrency limit per tenant (the scheduler enforces it too). */
export const CALLS_IN_FLIGHT = XERO_LIMITS.tenantConcurrency;

export async function createInvoices(
  deps: CreateInvoicesDeps,
  tenantId: string,
  invoices: readonly { draft: Draft; document: XeroDraftDocument }[],
): Promise<DraftOutcome[]> {
  const sorted = [...invoices].sort((a, b) => a.draft.requestKey.localeCompare(b.draft.requestKey));
  const chunks: (typeof sorted)[] = [];
  for (let i = 0; i < sorted.length; i += XERO_BATCH) chunks.push(sorted.slice(i, i + XERO_BATCH));
  // Up to 5 calls at once (a call's round trip no longer caps the tenant below its 60 a minute); each chunk's
  // outcomes keep their place. Every call is waited for before a failure is passed on, so nothing runs on unseen.
  const results: DraftOutcome[][] = new Array<DraftOutcome[]>(chunks.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(CALLS_IN_FLIGHT, chunks.length) }, async () => {
    while (next < chunks.length) {
      const index = next++;
      results[index] = await createChunk(deps, tenantId, chunks[index]!);
    }
  });
  const settled = await Promise.allSettled(lanes);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return results.flat();
}

async function createChunk(
  deps: CreateInvoicesDeps,
  tenantId: string,
  chunk: readonly { draft: Draft; document: XeroDraftDocument }[],
): Promise<DraftOutcome[]> {
  const outcomes: DraftOutcome[] = [];
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
        refused(draft.job, `Xero rejected the invoice for ${draft.entity.developerName}: ${result.errors.join('; ')}`),
      );
    }
  }
  return outcomes;
}
