/** What each request key produced in Xero: remembered so a replayed request creates nothing twice. */

export type XeroObjectKind = 'invoice' | 'credit_note' | 'contact' | 'payment' | 'allocation' | 'manual_journal';

export interface XeroResult {
  requestKey: string;
  tenantId: string;
  kind: XeroObjectKind;
  xeroId: string;
  createdAt: number;
}

export interface XeroResultRepository {
  /** Remembers what a request produced; the first record for (requestKey, tenant, kind) wins and is returned. */
  recordXeroResult(result: Omit<XeroResult, 'createdAt'>): Promise<XeroResult>;
  /** Oldest first. */
  getXeroResults(requestKey: string): Promise<XeroResult[]>;
  findXeroResult(requestKey: string, tenantId: string, kind: XeroObjectKind): Promise<XeroResult | null>;
  /**
   * Which of these Xero ids (asked in any case; Xero's own are lower-case guids) the bridge itself produced as `kind` in this tenant, lower-cased: how a webhook
   * for the bridge's own new invoice is known without reading it from Xero.
   */
  madeByBridge(tenantId: string, kind: XeroObjectKind, xeroIds: readonly string[]): Promise<Set<string>>;
}

/** The ids as asked and lower-cased (Xero's guids are lower-case), each once. */
export const xeroIdForms = (ids: readonly string[]): string[] => [
  ...new Set(ids.flatMap((id) => [id, id.toLowerCase()])),
];

/** The rows' Xero ids, lower-cased, that belong to this tenant (tenant ids compared without case). */
export const idsOfTenant = (rows: readonly Record<string, unknown>[], tenantId: string): Set<string> =>
  new Set(
    rows
      .filter((row) => String(row.tenant_id).toLowerCase() === tenantId.toLowerCase())
      .map((row) => String(row.xero_id).toLowerCase()),
  );
