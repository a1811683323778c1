/**
 * Step 6: the drafts of one tenant created in Xero as DRAFT invoices, 50 a call and up to 5 calls at once, each call
 * under an Idempotency-Key made from its jobs' keys. Sorted by request key, so the same jobs send the same requests however they were
 * claimed. What each key produced is stored before anything else happens.
 *
 * A call also stays under 3 MB of JSON: Xero refuses a request over 3.5 MB (xero-api.md §4) with a 413, which would
 * refuse every draft of the tenant's group. 50 invoices of 220 lines with 255-character descriptions are about 3.7 MB,
 * so such a batch goes as two calls or more. One invoice too large for any call is refused alone, before any call.
 */
import type { XeroDraftDocument } from '../../domain/invoice-mapping';
import type { XeroResultRepository } from '../../store/types';
import type { XeroClient } from '../../xero/client';
import { XERO_LIMITS } from '../../xero/scheduler';
import { toInvoices } from '../../xero/wire';
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
  const { chunks, tooLarge } = chunksOf(sorted, (item) => requestBytes(deps, item));
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
  if (tooLarge.length === 0) return results.flat();
  // In request-key order, as ever: a draft refused for its size takes its place among the others.
  const position = new Map(sorted.map((item, i) => [item.draft.job, i]));
  const jobOf = (outcome: DraftOutcome) => ('draft' in outcome ? outcome.draft.job : outcome.job);
  return [...tooLarge, ...results.flat()].sort((a, b) => position.get(jobOf(a))! - position.get(jobOf(b))!);
}

/** The most JSON one call sends: under Xero's 3.5 MB request size limit, with room for the envelope and headers. */
export const MAX_REQUEST_BYTES = 3_000_000;

/** The bytes an invoice adds to a PUT /Invoices body, as xero-node sends it (its wire model, one comma). */
function requestBytes(deps: CreateInvoicesDeps, { draft, document }: { draft: Draft; document: XeroDraftDocument }) {
  const invoice = { document, url: draftSourceUrl(deps.instanceUrl(), draft) };
  let wire: unknown;
  try {
    wire = toInvoices([invoice]).invoices?.[0];
  } catch {
    wire = invoice; // the client refuses it with its reason; its size only places it
  }
  return Buffer.byteLength(JSON.stringify(wire)) + 1;
}

/**
 * The sorted drafts cut into calls in order: at most 50 a call and at most MAX_REQUEST_BYTES of them, so the same
 * drafts always make the same calls (and Idempotency-Keys). A draft larger than a call on its own is refused.
 */
function chunksOf<T extends { draft: Draft }>(
  sorted: readonly T[],
  bytesOf: (item: T) => number,
): { chunks: T[][]; tooLarge: DraftOutcome[] } {
  const chunks: T[][] = [];
  const tooLarge: DraftOutcome[] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const item of sorted) {
    const size = bytesOf(item);
    if (size > MAX_REQUEST_BYTES) {
      tooLarge.push(
        refused(
          item.draft.job,
          `The invoice for ${item.draft.entity.developerName} is too large for one Xero request ` +
            `(${(size / 1_000_000).toFixed(1)} MB of lines; Xero takes 3.5 MB a request): split the deal's products ` +
            'or shorten their descriptions, then press Retry',
        ),
      );
      continue;
    }
    if (chunk.length === XERO_BATCH || (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return { chunks, tooLarge };
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
