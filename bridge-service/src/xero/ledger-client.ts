import type { AccountingApi } from 'xero-node';
import type { ItemToCreate } from '../domain/line-mapping';
import type { DraftUpdate } from '../domain/rework';
import { checkKey, type XeroCall } from './calls';
import { xeroCallOf, type XeroClientOptions } from './client';
import { XeroApiError } from './errors';
import { checkBatch, paging } from './results';
import { toBatch } from './results';
import type {
  BatchElementResult,
  PagedRead,
  XeroAccount,
  XeroContact,
  XeroInvoice,
  XeroItem,
  XeroOverpayment,
  XeroPrepayment,
  XeroTrackingCategory,
} from './types';
import {
  readAccount,
  readInvoice,
  readOverpayment,
  readPrepayment,
  readTrackingCategory,
  toDraftUpdate,
  toItems,
} from './wire';

/** A page as Xero numbers it: how many pages and items the whole read has, from its `pagination` block. */
export interface LedgerPage<T> {
  items: T[];
  page: number;
  pageSize: number;
  /** Pages in the whole read (Xero's pagination.pageCount; when absent, whether this page was full). */
  pageCount: number;
  itemCount: number | null;
  hasMore: boolean;
}

interface Pagination {
  page?: number;
  pageSize?: number;
  pageCount?: number;
  itemCount?: number;
}

/** The first arguments of every xero-node list call: tenant, If-Modified-Since, where, order. */
type ListFilter = [tenantId: string, modifiedSince: Date | undefined, where: string | undefined, order: string];

function ledgerPage<T>(items: T[], read: PagedRead, pagination: Pagination | undefined): LedgerPage<T> {
  const pageCount = pagination?.pageCount ?? (items.length >= read.pageSize ? read.page + 1 : read.page);
  return {
    items,
    page: read.page,
    pageSize: read.pageSize,
    pageCount,
    itemCount: pagination?.itemCount ?? null,
    hasMore: read.page < pageCount,
  };
}

/**
 * The reads of a tenant's ledger that going live needs, and its two writes. Reads are paged (page, pageSize ≤ 1,000,
 * Xero's pagination block), narrowed by If-Modified-Since, and light where that suffices (summaryOnly on invoices:
 * status and totals without lines or payments): every byte read from Xero is billed since March 2026 (month-end.md
 * §2). Writes: items the line mapping creates, and a rejected draft updated in place. Same call path as XeroClient
 * (scheduler, tokens, deadline, retries, Idempotency-Key).
 */
export class XeroLedgerClient {
  private readonly call: XeroCall;

  constructor(opts: XeroClientOptions) {
    this.call = xeroCallOf(opts);
  }

  /** One page of contacts, archived included (matching must see them), oldest change first. */
  getContacts(tenantId: string, read: PagedRead): Promise<LedgerPage<XeroContact>> {
    return this.readPage(
      tenantId,
      'getContacts',
      read,
      (api, filter, page, pageSize) => api.getContacts(...filter, undefined, page, true, false, undefined, pageSize),
      (body) => body.contacts ?? [],
    );
  }

  /**
   * One page of sales invoices. `summaryOnly` reads status and totals only (no lines, payments or credits): enough to
   * see whether a mirror still agrees; the full page (lines, payments, credits) is for writing mirrors.
   */
  getInvoices(
    tenantId: string,
    read: PagedRead & { summaryOnly?: boolean; contactIds?: string[] },
  ): Promise<LedgerPage<XeroInvoice>> {
    return this.readPage(
      tenantId,
      'getInvoices',
      read,
      (api, filter, page, pageSize) =>
        api.getInvoices(
          ...filter,
          undefined,
          undefined,
          read.contactIds,
          undefined,
          page,
          false,
          undefined,
          4,
          read.summaryOnly ?? false,
          pageSize,
        ),
      (body) => (body.invoices ?? []).map(readInvoice),
    );
  }

  getOverpayments(tenantId: string, read: PagedRead): Promise<LedgerPage<XeroOverpayment>> {
    return this.readPage(
      tenantId,
      'getOverpayments',
      read,
      (api, filter, page, pageSize) => api.getOverpayments(...filter, page, 4, pageSize),
      (body) => (body.overpayments ?? []).map(readOverpayment),
    );
  }

  getPrepayments(tenantId: string, read: PagedRead): Promise<LedgerPage<XeroPrepayment>> {
    return this.readPage(
      tenantId,
      'getPrepayments',
      read,
      (api, filter, page, pageSize) => api.getPrepayments(...filter, page, 4, pageSize),
      (body) => (body.prepayments ?? []).map(readPrepayment),
    );
  }

  /** The chart of accounts (line account codes are checked against it). */
  async getAccounts(tenantId: string): Promise<XeroAccount[]> {
    const body = await this.call(tenantId, 'getAccounts', (api) => api.getAccounts(tenantId));
    return (body.accounts ?? []).map(readAccount);
  }

  /** Tracking categories with their options, archived ones included (so a line naming one is told why). */
  async getTrackingCategories(tenantId: string): Promise<XeroTrackingCategory[]> {
    const body = await this.call(tenantId, 'getTrackingCategories', (api) =>
      api.getTrackingCategories(tenantId, undefined, undefined, true),
    );
    return (body.trackingCategories ?? []).map(readTrackingCategory);
  }

  async getItems(tenantId: string): Promise<XeroItem[]> {
    const body = await this.call(tenantId, 'getItems', (api) => api.getItems(tenantId));
    return body.items ?? [];
  }

  /** PUT /Items, up to 50 per call; results in request order. */
  async createItems(
    tenantId: string,
    items: readonly ItemToCreate[],
    idempotencyKey: string,
  ): Promise<BatchElementResult<XeroItem>[]> {
    checkBatch('createItems', items, idempotencyKey);
    const payload = toItems(items);
    const body = await this.call(tenantId, 'createItems', (api) =>
      api.createItems(tenantId, payload, false, 4, idempotencyKey),
    );
    return toBatch('createItems', body.items ?? [], items.length, (r) => r.itemID);
  }

  /** POST /Invoices/{id}: the same DRAFT corrected in place (kept lines by LineItemID; lines left out deleted). */
  async updateDraft(tenantId: string, update: DraftUpdate, idempotencyKey: string): Promise<XeroInvoice> {
    checkKey('updateDraft', idempotencyKey);
    const payload = toDraftUpdate(update);
    const body = await this.call(tenantId, 'updateDraft', (api) =>
      api.updateInvoice(tenantId, update.invoiceId, payload, 4, idempotencyKey),
    );
    const invoice = body.invoices?.[0];
    if (!invoice) throw new XeroApiError({ status: 502, body, operation: 'updateDraft', tenantId });
    return readInvoice(invoice);
  }

  /**
   * One page of a paged read, as every list of the ledger is read: the page checked (1,000 at the most), the tenant
   * and the read's filter as xero-node's first four arguments (If-Modified-Since, where, order: oldest change first
   * unless the read says otherwise), and the page as Xero numbers it.
   */
  private async readPage<B extends { pagination?: Pagination }, T>(
    tenantId: string,
    operation: string,
    read: PagedRead,
    request: (api: AccountingApi, filter: ListFilter, page: number, pageSize: number) => Promise<{ body: B }>,
    items: (body: B) => T[],
  ): Promise<LedgerPage<T>> {
    const { page, pageSize } = paging(read);
    const filter: ListFilter = [tenantId, read.modifiedSince, read.where, read.order ?? 'UpdatedDateUTC ASC'];
    const body = await this.call(tenantId, operation, (api) => request(api, filter, page, pageSize));
    return ledgerPage(items(body), read, body.pagination);
  }
}
