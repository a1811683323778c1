/** How the client checks what it sends in batches and pages, and reads per-element results. */
import { checkKey } from './calls';
import { explainValidationMessage, XeroApiError } from './errors';
import type { BatchElementResult, PagedQuery, XeroElementStatus, XeroPage } from './types';
import { XeroRequestInvalid } from './wire';

/** Xero's practical ceiling for elements in one write. */
export const MAX_BATCH = 50;
const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

export function checkBatch(operation: string, items: readonly unknown[], key: string): void {
  checkKey(operation, key);
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH) {
    throw new XeroRequestInvalid(`${operation}: send 1-${MAX_BATCH} elements per call, got ${items?.length ?? 0}`);
  }
}

export function paging(query: PagedQuery): { page: number; pageSize: number } {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 100;
  if (!Number.isInteger(page) || page < 1) throw new XeroRequestInvalid(`page must be 1 or more, got ${page}`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new XeroRequestInvalid(`pageSize must be 1-1000, got ${pageSize}`);
  }
  return { page, pageSize };
}

export function toPage<T>(items: T[], page: number, pageSize: number): XeroPage<T> {
  return { items, page, pageSize, hasMore: items.length >= pageSize };
}

/** Fields every element of a batch response may carry (summarizeErrors=false). */
interface ElementFlags {
  hasErrors?: boolean;
  statusAttributeString?: string;
  validationErrors?: { message?: string }[];
  warnings?: { message?: string }[];
}

function messages(list: { message?: string }[] | undefined): string[] {
  return (list ?? []).map((v) => v.message).filter((m): m is string => typeof m === 'string' && m !== '');
}

/** Maps a summarizeErrors=false response to per-element results, by position. */
export function toBatch<T extends ElementFlags>(
  operation: string,
  items: T[],
  expected: number,
  idOf: (record: T) => string | undefined,
): BatchElementResult<T>[] {
  if (items.length !== expected) {
    throw new XeroApiError({
      status: 502,
      body: `expected ${expected} elements in the response, got ${items.length}`,
      operation,
    });
  }
  return items.map((record, index) => {
    const errors = messages(record.validationErrors).map((m) => explainValidationMessage(operation, m));
    const warnings = messages(record.warnings);
    const rawId = idOf(record);
    const id = rawId && rawId !== ZERO_GUID ? rawId : null;
    const failed =
      record.hasErrors === true || errors.length > 0 || record.statusAttributeString === 'ERROR' || id === null;
    const status: XeroElementStatus = failed
      ? 'ERROR'
      : record.statusAttributeString === 'WARNING' || warnings.length
        ? 'WARNING'
        : 'OK';
    return { index, ok: !failed, status, id: failed ? null : id, errors, warnings, record };
  });
}
