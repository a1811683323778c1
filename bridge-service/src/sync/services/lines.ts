import { InvoiceLine } from '../../salesforce/objects';
import type { SObjectUpdate } from '../../salesforce/sobject';
import type { Queries } from '../../salesforce/queries';
import type { CompositeBatch, Writeback, WriteOutcome } from '../../salesforce/writeback';
import type { InvoiceLineWrite } from './xero-records';

/**
 * Writes Invoice_Line__c rows keyed by Xero's LineItemID. New rows are inserted with their master-detail parent;
 * rows that already exist are updated WITHOUT it, because Salesforce refuses any write to a master-detail field
 * that is not reparentable, even of the same value.
 */
export async function writeInvoiceLines(
  deps: { queries: Pick<Queries, 'invoiceLines'>; writeback: Pick<Writeback, 'update' | 'upsert' | 'requireAll'> },
  lines: readonly InvoiceLineWrite[],
  invoicesThatMayHaveLines: readonly string[],
): Promise<void> {
  if (lines.length === 0) return;
  const existing = new Map<string, string>();
  if (invoicesThatMayHaveLines.length > 0) {
    for (const row of await deps.queries.invoiceLines(invoicesThatMayHaveLines)) {
      if (row.Xero_Line_Item_Id__c) existing.set(row.Xero_Line_Item_Id__c, row.Id);
    }
  }
  const updates: SObjectUpdate<typeof InvoiceLine>[] = [];
  const inserts: InvoiceLineWrite[] = [];
  for (const line of lines) {
    const id = existing.get(String(line.Xero_Line_Item_Id__c));
    if (id) {
      const { Invoice__c: _parent, ...rest } = line;
      updates.push({ ...rest, Id: id });
    } else inserts.push(line);
  }
  const results = [
    ...(updates.length > 0 ? await deps.writeback.update(InvoiceLine, updates) : []),
    ...(inserts.length > 0 ? await deps.writeback.upsert(InvoiceLine, 'Xero_Line_Item_Id__c', inserts) : []),
  ];
  const refused = results.filter((r) => !r.ok);
  if (refused.length > 0) {
    deps.writeback.requireAll(
      InvoiceLine,
      refused.map(() => 'line'),
      refused,
    );
  }
}

/**
 * The same rule, queued on a Composite batch for many invoices at once: `existing` maps each invoice's lines that
 * are already in Salesforce (Xero LineItemID → record id; a retried CREATE_DRAFT may have written some). Resolves,
 * once the batch has run, to each invoice's line outcomes.
 */
export function queueInvoiceLines(
  batch: Pick<CompositeBatch, 'update' | 'upsert'>,
  invoices: readonly { lines: readonly InvoiceLineWrite[]; existing?: ReadonlyMap<string, string> }[],
): Promise<WriteOutcome[][]> {
  const updates: SObjectUpdate<typeof InvoiceLine>[] = [];
  const inserts: InvoiceLineWrite[] = [];
  const owners: { updates: number[]; inserts: number[] } = { updates: [], inserts: [] };
  invoices.forEach(({ lines, existing }, owner) => {
    for (const line of lines) {
      const id = existing?.get(String(line.Xero_Line_Item_Id__c));
      if (id) {
        const { Invoice__c: _parent, ...rest } = line;
        updates.push({ ...rest, Id: id });
        owners.updates.push(owner);
      } else {
        inserts.push(line);
        owners.inserts.push(owner);
      }
    }
  });
  const none = Promise.resolve<WriteOutcome[]>([]);
  const updated = updates.length > 0 ? batch.update(InvoiceLine, updates) : none;
  const inserted = inserts.length > 0 ? batch.upsert(InvoiceLine, 'Xero_Line_Item_Id__c', inserts) : none;
  return Promise.all([updated, inserted]).then(([u, i]) => {
    const perInvoice = invoices.map((): WriteOutcome[] => []);
    u.forEach((outcome, n) => perInvoice[owners.updates[n]!]!.push(outcome));
    i.forEach((outcome, n) => perInvoice[owners.inserts[n]!]!.push(outcome));
    return perInvoice;
  });
}
