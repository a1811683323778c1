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
}
