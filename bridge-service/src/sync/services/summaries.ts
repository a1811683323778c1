/**
 * The fields a rep reads on Opportunity and Account (invoiced, paid, due, overdue, last payment, a one-line
 * status) are recomputed by the bridge from the Invoice__c mirrors every time it writes invoices back, so they
 * are current whenever an invoice is. Amounts never mix currencies: an Account with several currencies gets
 * its per-currency figures in Receivables_Summary__c and blank single-currency totals.
 */
import {
  accountSummary,
  opportunitySummary,
  type ReceivableInvoice,
  type XeroInvoiceStatus,
} from '../../domain/receivables';
import { money, sum, toWire } from '../../domain/money';
import type { Clock } from '../../lib/clock';
import { isTransient, isTransientSalesforceCode } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { retry } from '../../lib/retry';
import { Account, Opportunity } from '../../salesforce/objects';
import type { Queries } from '../../salesforce/queries';
import type { InvoiceForSummary } from '../../salesforce/selections';
import { childRecords } from '../../salesforce/soql';
import type { SObjectUpdate } from '../../salesforce/sobject';
import type { CompositeBatch, Writeback, WriteOutcome } from '../../salesforce/writeback';

const XERO_STATUS: Record<string, XeroInvoiceStatus> = {
  Draft: 'DRAFT',
  'Awaiting Approval': 'SUBMITTED',
  Approved: 'DRAFT',
  Authorised: 'AUTHORISED',
  'Partially Paid': 'AUTHORISED',
  Paid: 'PAID',
  Voided: 'VOIDED',
  Deleted: 'DELETED',
};

type ParentField = 'Opportunity__c' | 'Account__c';

interface Mirror extends ReceivableInvoice {
  parentId: string;
  lastPayment: string | null;
}

const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));

function toMirror(row: InvoiceForSummary, parentField: ParentField): Mirror | undefined {
  const status = XERO_STATUS[text(row.Status__c)];
  if (!status || !row.Currency_Code__c || !row.Due_Date__c || !row.Issue_Date__c) return undefined;
  const payments = childRecords(row.Payments__r).filter((p) => p.Status__c !== 'Deleted' && p.Payment_Date__c);
  return {
    parentId: text(row[parentField]),
    status,
    approved: row.Status__c === 'Approved',
    currencyCode: row.Currency_Code__c,
    total: text(row.Total__c ?? 0),
    amountPaid: text(row.Amount_Paid__c ?? 0),
    amountCredited: text(row.Amount_Credited__c ?? 0),
    amountDue: text(row.Amount_Due__c ?? 0),
    date: row.Issue_Date__c,
    dueDate: row.Due_Date__c,
    lastPayment:
      payments
        .map((p) => text(p.Payment_Date__c))
        .sort()
        .at(-1) ?? null,
  };
}

const live = (m: Mirror) => m.status !== 'VOIDED' && m.status !== 'DELETED';
const lastPayment = (group: Mirror[]) =>
  group
    .map((m) => m.lastPayment ?? '')
    .sort()
    .at(-1) || null;
const amountOf = (values: string[]) => Number(toWire(sum(values.map((v) => money(v)))));

export function createSummaries(deps: {
  queries: Pick<Queries, 'invoicesFor'>;
  writeback: Pick<Writeback, 'update'>;
  clock: Pick<Clock, 'now'>;
  log: Logger;
  /** These Opportunities' invoices were written: their billing plans follow (sync/billing). */
  onInvoicesChanged?: (opportunityIds: readonly string[]) => Promise<void>;
}) {
  const changed = async (parentField: ParentField, ids: readonly string[]) => {
    if (parentField === 'Opportunity__c' && ids.length > 0) await deps.onInvoicesChanged?.(ids);
  };
  const today = () => new Date(deps.clock.now()).toISOString().slice(0, 10);

  /** Each parent's invoices, as the domain reads them, and its balances per currency. */
  function balancesOf(parentField: ParentField, ids: readonly string[], rows: readonly InvoiceForSummary[]) {
    const groups = Map.groupBy(
      rows.map((row) => toMirror(row, parentField)).filter((m): m is Mirror => m !== undefined),
      (m) => m.parentId,
    );
    const asOf = today();
    return ids.map((id) => {
      const group = groups.get(id) ?? [];
      const balances = accountSummary(group, asOf);
      const single = balances.length === 1 ? balances[0] : undefined;
      return { id, group, balances, single, asOf };
    });
  }

  /** The summary fields of each Opportunity, from the Invoice__c rows read for them. */
  function opportunityUpdates(ids: readonly string[], rows: readonly InvoiceForSummary[]) {
    return balancesOf('Opportunity__c', ids, rows).map(
      ({ id, group, single, asOf }): SObjectUpdate<typeof Opportunity> => ({
        Id: id,
        Invoiced_Amount__c: single ? amountOf(group.filter(live).map((m) => String(m.total))) : null,
        Amount_Due__c: single ? Number(toWire(single.outstanding)) : null,
        Amount_Overdue__c: single ? Number(toWire(single.overdue)) : null,
        Last_Payment_Date__c: lastPayment(group),
        Amount_Paid__c: single ? amountOf(group.filter(live).map((m) => String(m.amountPaid))) : null,
        Invoice_Currency__c: single?.currencyCode ?? null,
        Invoice_Status__c: opportunitySummary(group, asOf).slice(0, 255),
      }),
    );
  }

  /** The summary fields of each Account, per currency in Receivables_Summary__c. */
  function accountUpdates(ids: readonly string[], rows: readonly InvoiceForSummary[]) {
    return balancesOf('Account__c', ids, rows).map(
      ({ id, group, balances, single }): SObjectUpdate<typeof Account> => ({
        Id: id,
        Invoiced_Amount__c: single ? amountOf(group.filter(live).map((m) => String(m.total))) : null,
        Amount_Due__c: single ? Number(toWire(single.outstanding)) : null,
        Amount_Overdue__c: single ? Number(toWire(single.overdue)) : null,
        Last_Payment_Date__c: lastPayment(group),
        Receivables_Currency__c: single?.currencyCode ?? null,
        Receivables_Summary__c: JSON.stringify(
          balances.map((b) => ({
            currency: b.currencyCode,
            outstanding: toWire(b.outstanding),
            overdue: toWire(b.overdue),
          })),
        ),
      }),
    );
  }

  function reportRefused(parentField: ParentField, results: readonly WriteOutcome[]) {
    const refused = results.filter((r) => !r.ok);
    if (refused.length > 0) deps.log.warn({ refused, parentField }, 'summary fields not updated');
  }

  /**
   * Reports the refused updates, after writing again, with backoff, those of parents Salesforce refused only for a
   * reason a retry can fix: a row another write held (UNABLE_TO_LOCK_ROW, common when many writes touch one Account)
   * would leave the rep's figures stale until the parent's next invoice change.
   */
  async function settle(parentField: ParentField, ids: readonly string[], results: readonly WriteOutcome[]) {
    const held = (of: readonly string[], outcomes: readonly WriteOutcome[]) =>
      of.filter((_, i) => {
        const r = outcomes[i];
        return r?.ok === false && r.errors.length > 0 && r.errors.every((e) => isTransientSalesforceCode(e.statusCode));
      });
    let pending = held(ids, results);
    const refused = results.filter((r, i) => !r.ok && !pending.includes(ids[i]!));
    let stillRefused = results.filter((_, i) => pending.includes(ids[i]!));
    const stillHeld = new Error('summary updates still refused for a transient reason');
    await retry(
      async () => {
        if (pending.length === 0) return;
        const rows = await deps.queries.invoicesFor(parentField, pending);
        const outcomes = await write(deps.writeback, parentField, pending, rows);
        const again = held(pending, outcomes);
        refused.push(...outcomes.filter((r, i) => !r.ok && !again.includes(pending[i]!)));
        stillRefused = outcomes.filter((_, i) => again.includes(pending[i]!));
        pending = again;
        if (pending.length > 0) throw stillHeld;
      },
      { isRetryable: (err) => err === stillHeld || isTransient(err) },
    ).catch(() => undefined); // what is still refused is reported below
    reportRefused(parentField, [...refused, ...stillRefused]);
  }

  /** Queues (or sends) the update of these parents' summary fields from their invoices. */
  function write(
    writes: Pick<CompositeBatch, 'update'>,
    parentField: ParentField,
    ids: readonly string[],
    rows: readonly InvoiceForSummary[],
  ): Promise<WriteOutcome[]> {
    return parentField === 'Opportunity__c'
      ? writes.update(Opportunity, opportunityUpdates(ids, rows))
      : writes.update(Account, accountUpdates(ids, rows));
  }

  async function refresh(parentField: ParentField, ids: readonly string[]) {
    if (ids.length === 0) return;
    const rows = await deps.queries.invoicesFor(parentField, ids);
    await settle(parentField, ids, await write(deps.writeback, parentField, ids, rows));
    await changed(parentField, ids);
  }

  /**
   * The same refresh for a caller that sends its Salesforce calls in Composite batches: the invoice reads are
   * queued on `reads` now (after the caller's own writes, so they see them); once `reads` has run, `queueUpdates`
   * queues the updates on `writes`. Refused updates are logged, as refresh does.
   */
  function stage(
    ids: { opportunities: readonly string[]; accounts: readonly string[] },
    reads: Pick<CompositeBatch, 'query'>,
  ) {
    const parents: [ParentField, readonly string[]][] = [
      ['Opportunity__c', ids.opportunities],
      ['Account__c', ids.accounts],
    ];
    const staged = parents
      .filter(([, parentIds]) => parentIds.length > 0)
      .map(([parentField, parentIds]) => ({
        parentField,
        parentIds,
        rows: deps.queries.invoicesFor(parentField, parentIds, reads),
      }));
    return {
      async queueUpdates(writes: Pick<CompositeBatch, 'update'>): Promise<void> {
        for (const { parentField, parentIds, rows } of staged) {
          const queued = write(writes, parentField, parentIds, await rows);
          void queued.then((results) => settle(parentField, parentIds, results));
          await changed(parentField, parentIds);
        }
      },
    };
  }

  return {
    refreshOpportunities: (ids: readonly string[]) => refresh('Opportunity__c', ids),
    refreshAccounts: (ids: readonly string[]) => refresh('Account__c', ids),
    stage,
  };
}

export type Summaries = ReturnType<typeof createSummaries>;
