/** Xero invoices of one tenant written back to their Invoice__c mirrors, newer version wins, unchanged ones left alone. */
import { Invoice, InvoiceLine, Payment } from '../../salesforce/objects';
import type { InvoiceForInbound } from '../../salesforce/selections';
import type { SObjectUpdate } from '../../salesforce/sobject';
import type { XeroInvoice } from '../../xero/types';
import {
  invoiceLineRecords,
  invoicePaymentRecord,
  invoiceRecord,
  type InvoiceLineWrite,
  type InvoiceWrite,
  type PaymentWrite,
} from '../services/xero-records';
import {
  emptyResult,
  type ApplyContext,
  type ApplyDeps,
  type ApplyMode,
  type ApplyResult,
  type ApplyScope,
  type ChangedInvoice,
} from './apply-context';
import { planInvoice, sameHeader } from './invoice-plan';
import { asStored, latestOf, xeroVersion } from './versions';

/**
 * Invoices the bridge created carry their Opportunity's URL (CREATE_DRAFT, CREATE_PARTIAL with its request after) or
 * their billing-plan instalment's (RAISE_INSTALMENT): live, those flows write their mirrors (a webhook may arrive
 * first); an import writes them, except those the bridge's store says it made (`ApplyScope.madeByBridge`), whose
 * flows write them.
 */
const BRIDGE_MADE =
  /\/lightning\/r\/(?:Opportunity|(?:\w+__)?Billing_Instalment__c)\/[a-zA-Z0-9]{15,18}\/view(?:\?ledgerline=[^&]*)?$/;

/**
 * Invoice summaries (GET /Invoices?summaryOnly=true: no lines, no payments) judged against their mirrors first, so
 * only invoices whose mirror is behind are read in full (`readFull`) and written: the bridge's own writes coming back
 * through the poll cost a summary, not a full read and a rewrite. An invoice without a mirror is read in full unless
 * its summary shows it is a draft the bridge is still creating, or its contact is no customer Salesforce has.
 *
 * A summary of a version the bridge's own change made (`ApplyDeps.ownWrites`: an approval, the email after it) is not
 * read either: while the approval's flow is still writing the mirror it is left to that flow; once the mirror holds
 * the approval, a later version whose header the mirror holds (the email's: SentToContact, which no mirror holds) is
 * restamped: its version written alone, no change announced. A header that differs is someone else's change: read.
 */
export async function applyInvoiceSummaries(
  deps: ApplyDeps,
  ctx: ApplyContext,
  tenantId: string,
  summaries: readonly XeroInvoice[],
  readFull: (invoiceIds: string[]) => Promise<XeroInvoice[]>,
): Promise<ApplyResult> {
  const sales = salesInvoices(summaries);
  if (sales.length === 0) return emptyResult();
  const now = deps.clock.now();
  const rows = await deps.queries.invoicesByXeroIds([...new Set(sales.map((inv) => inv.invoiceID))]);
  const mirrors = mirrorsById(rows);
  let stale = 0;
  let unchanged = 0;
  const awaitingMirror: string[] = [];
  const skipped: string[] = [];
  const toRead: string[] = [];
  const restamps: SObjectUpdate<typeof Invoice>[] = [];
  const unmirrored: (XeroInvoice & { invoiceID: string })[] = [];
  for (const summary of latestOf(sales, (inv) => inv.invoiceID)) {
    const mirror = mirrors.get(summary.invoiceID.toLowerCase());
    const plan = mirror ? planInvoice(mirror, summary, { tenantId, now }) : undefined;
    const version = xeroVersion(summary.updatedDateUTC);
    const echo =
      mirror && plan && !plan.unchanged && version !== undefined
        ? deps.ownWrites?.echo(tenantId, summary.invoiceID, version)
        : undefined;
    if (mirror && !plan) stale += 1;
    else if (plan?.unchanged) unchanged += 1;
    else if (mirror && plan && echo) {
      const held = xeroVersion(mirror.Xero_Updated__c);
      // The bridge's own change whose flow has not written the mirror yet: that flow writes it.
      if (held === undefined || held < asStored(echo.version)) awaitingMirror.push(summary.invoiceID);
      else if (sameHeader(mirror, plan.update))
        restamps.push({ Id: mirror.Id, Xero_Updated__c: plan.update.Xero_Updated__c ?? null });
      else toRead.push(summary.invoiceID);
    }
    // A draft the bridge is creating (its flow writes the mirror), when the summary carries its Url.
    else if (!mirror && summary.url && BRIDGE_MADE.test(summary.url)) awaitingMirror.push(summary.invoiceID);
    else if (mirror) toRead.push(summary.invoiceID);
    else unmirrored.push(summary);
  }
  // Without a mirror: read only a customer's (one query for the lot; a summary without its contact is read).
  if (unmirrored.length > 0) {
    const accounts = await ctx.accountsOf(
      tenantId,
      unmirrored.map((s) => s.contact),
    );
    for (const summary of unmirrored) {
      const contactId = summary.contact?.contactID?.toLowerCase();
      if (!contactId || accounts.has(contactId)) toRead.push(summary.invoiceID);
      else skipped.push(summary.invoiceID);
    }
  }
  const result =
    toRead.length > 0 ? await applyInvoices(deps, ctx, tenantId, await readFull(toRead), 'live', rows) : null;
  const out = result ?? emptyResult();
  const errors = [...out.errors];
  // Versions only, no change: nothing announced (no summaries, Sync_Update__e, re-plan), and the poller stays idle.
  const restamped = await ctx.updateAll(Invoice, restamps, (r) => r.Id, errors);
  return {
    ...out,
    errors,
    stale: stale + out.stale,
    unchanged: unchanged + out.unchanged,
    restamped: (out.restamped ?? 0) + restamped.filter((o) => o.ok).length,
    awaitingMirror: [...awaitingMirror, ...out.awaitingMirror],
    skipped: [...skipped, ...(out.skipped ?? [])],
  };
}

/** A webhook's word that an invoice changed, at the time Xero gives (eventDateUtc, epoch ms) when it gives one. */
export interface InvoiceEvent {
  invoiceId: string;
  at?: number;
}

/** One event per invoice (ids lower-cased): the latest time, or none when any event of it has none. */
export function latestEvents(events: readonly InvoiceEvent[]): InvoiceEvent[] {
  const latest = new Map<string, number | undefined>();
  for (const e of events) {
    const id = e.invoiceId.toLowerCase();
    const held = latest.has(id) ? latest.get(id) : -Infinity;
    latest.set(id, held === undefined || e.at === undefined ? undefined : Math.max(held, e.at));
  }
  return [...latest].map(([invoiceId, at]) => (at === undefined ? { invoiceId } : { invoiceId, at }));
}

/**
 * Invoices webhooks said changed, read from Xero only where the mirror may be behind: a mirror whose Xero version
 * is at or after the event's time already holds that change (the bridge's own drafts and approvals, echoed back),
 * so it is neither read nor written. Nor is an event at a time of the bridge's own change (`ApplyDeps.ownWrites`):
 * an approval whose flow has not written the mirror yet, or the email sent after it (a version no mirror needs: it
 * changes SentToContact only; the poller's listing restamps it). An invoice without a mirror that the bridge made
 * itself (`madeByBridge`, lower-cased ids from its store) is not read either: the flow that made it is writing its
 * mirror, and the caller waits for that. Invoices named without a time (allocations) are always read.
 */
export async function applyInvoiceEvents(
  deps: ApplyDeps,
  ctx: ApplyContext,
  tenantId: string,
  events: readonly InvoiceEvent[],
  readFull: (invoiceIds: string[]) => Promise<XeroInvoice[]>,
  madeByBridge: ReadonlySet<string> = new Set(),
): Promise<ApplyResult> {
  const latest = new Map(latestEvents(events).map((e) => [e.invoiceId, e.at]));
  if (latest.size === 0) return emptyResult();
  const rows = await deps.queries.invoicesByXeroIds([...latest.keys()]);
  const mirrors = mirrorsById(rows);
  const awaitingMirror: string[] = [];
  const unsure: string[] = [];
  const toRead = [...latest].flatMap(([id, at]) => {
    const mirror = mirrors.get(id);
    if (!mirror && madeByBridge.has(id)) {
      awaitingMirror.push(id);
      return [];
    }
    const own = at !== undefined && mirror ? deps.ownWrites?.echo(tenantId, id, at) : undefined;
    // Held when the mirror's version is of the event's second or later (Salesforce stores seconds): the bridge's own
    // change echoed back. A change by someone else within that same second is left to the poll, which compares fields
    // (`unsure`: the caller wakes it), unless the bridge's own change of that time says it is its echo.
    const version = xeroVersion(mirror?.Xero_Updated__c);
    if (at !== undefined && version !== undefined && version >= asStored(at)) {
      if (version === asStored(at) && !own) unsure.push(id);
      return [];
    }
    return own ? [] : [id];
  });
  const unchanged = latest.size - toRead.length - awaitingMirror.length;
  const result =
    toRead.length > 0 ? await applyInvoices(deps, ctx, tenantId, await readFull(toRead), 'live', rows) : null;
  const out = result ?? emptyResult();
  return {
    ...out,
    unchanged: unchanged + out.unchanged,
    awaitingMirror: [...awaitingMirror, ...out.awaitingMirror],
    unsure,
  };
}

const salesInvoices = (invoices: readonly XeroInvoice[]) =>
  invoices.filter((inv): inv is XeroInvoice & { invoiceID: string } => Boolean(inv.invoiceID && inv.type !== 'ACCPAY'));

const mirrorsById = (rows: readonly InvoiceForInbound[]) =>
  new Map(rows.map((row) => [String(row.Xero_Invoice_Id__c).toLowerCase(), row]));

/**
 * Writes these Xero invoices of one tenant back to their mirrors, creating mirrors for the customers Salesforce has
 * (a linked contact), linked to the deal they came from (OPPORTUNITY_URL, or the reference) and filed under the
 * billing entity whose link holds the contact (`scope.entity` when the import names its own); `preloaded` are their
 * mirrors when the caller has just read them. A mirror that already holds an invoice as it is is not written. A
 * mirror's Xero version is written last, after its lines and payments, so a mirror that holds a version holds all of
 * it.
 */
export async function applyInvoices(
  deps: ApplyDeps,
  ctx: ApplyContext,
  tenantId: string,
  invoices: readonly XeroInvoice[],
  mode: ApplyMode = 'live',
  preloaded?: readonly InvoiceForInbound[],
  scope: ApplyScope = {},
): Promise<ApplyResult> {
  const result = { ...emptyResult(), skipped: [] as string[] };
  const sales = salesInvoices(invoices);
  if (sales.length === 0) return result;
  const now = deps.clock.now();
  const rows = preloaded ?? (await deps.queries.invoicesByXeroIds([...new Set(sales.map((inv) => inv.invoiceID))]));
  const mirrors = mirrorsById(rows);

  const updates: SObjectUpdate<typeof Invoice>[] = [];
  const lineUpdates: SObjectUpdate<typeof InvoiceLine>[] = [];
  const lineInserts: InvoiceLineWrite[] = [];
  const paymentUpdates: SObjectUpdate<typeof Payment>[] = [];
  const paymentInserts: PaymentWrite[] = [];
  /**
   * What each header update stands for: a planned change, or (null) the version stamp of a mirror created here (its
   * change is counted when created) or a restamp (a version whose bump changed nothing the mirror holds).
   */
  const headers: (ChangedInvoice | null)[] = [];
  const created: { invoice: XeroInvoice; record: InvoiceWrite; accountId: string }[] = [];
  const latest = latestOf(sales, (inv) => inv.invoiceID);
  const unmirrored = latest.filter((inv) => !mirrors.has(inv.invoiceID.toLowerCase()));
  const customers = await ctx.accountsOf(
    tenantId,
    unmirrored.map((inv) => inv.contact),
    scope.entity,
  );
  const customerOf = (inv: XeroInvoice) => customers.get(String(inv.contact?.contactID).toLowerCase());
  const deals = await ctx.dealsOf(
    unmirrored.flatMap((inv) => {
      const accountId = customerOf(inv)?.accountId;
      return accountId ? [{ invoiceId: inv.invoiceID, url: inv.url, reference: inv.reference, accountId }] : [];
    }),
  );

  for (const invoice of latest) {
    const mirror = mirrors.get(invoice.invoiceID.toLowerCase());
    if (mirror) {
      const plan = planInvoice(mirror, invoice, { tenantId, now });
      if (!plan) {
        result.stale += 1;
        continue;
      }
      if (plan.unchanged) {
        result.unchanged += 1;
        continue;
      }
      updates.push(plan.update);
      // A restamp is written as read (whatever a field outside the header says) but announces nothing.
      if (plan.restamp) result.restamped = (result.restamped ?? 0) + 1;
      headers.push(
        plan.restamp
          ? null
          : { id: mirror.Id, opportunityId: mirror.Opportunity__c, accountId: mirror.Account__c, change: plan.change },
      );
      lineUpdates.push(...plan.lineUpdates);
      lineInserts.push(...plan.lineInserts);
      paymentUpdates.push(...plan.paymentUpdates);
      paymentInserts.push(...plan.paymentInserts);
      continue;
    }
    if (
      (mode === 'live' && invoice.url && BRIDGE_MADE.test(invoice.url)) ||
      scope.madeByBridge?.has(invoice.invoiceID.toLowerCase())
    ) {
      // Live, any invoice with the bridge's link back; in an import, one the bridge's store says it made (the import
      // mirrors the rest: made before this store, or by an earlier bridge). See import.ts for why.
      result.awaitingMirror.push(invoice.invoiceID);
      continue;
    }
    const customer = customerOf(invoice);
    if (!customer) {
      // Not a customer Salesforce knows (or not of the import's entity, or one whose entity cannot be told: see
      // accountsOf): not ours to mirror.
      result.skipped.push(invoice.invoiceID);
      continue;
    }
    const { accountId } = customer;
    const record = invoiceRecord(invoice, {
      requestKey: `XERO:${invoice.invoiceID}`,
      opportunityId: deals.get(invoice.invoiceID) ?? null,
      accountId,
      billingEntity: customer.entity,
      tenantId,
      now,
    });
    created.push({ invoice, record, accountId });
  }

  if (created.length > 0) {
    // The version is stamped with the updates below, once the lines and payments are in.
    const outcomes = await deps.writeback.upsert(
      Invoice,
      'Request_Key__c',
      created.map((c) => ({ ...c.record, Xero_Updated__c: null })),
    );
    ctx.refused(
      Invoice,
      outcomes,
      created.map((c) => c.record.Request_Key__c),
      result.errors,
    );
    outcomes.forEach((outcome, index) => {
      if (!outcome.ok) return;
      const { invoice, record, accountId } = created[index]!;
      lineInserts.push(...invoiceLineRecords(invoice, outcome.id));
      paymentInserts.push(
        ...(invoice.payments ?? []).filter((p) => p.paymentID).map((p) => invoicePaymentRecord(p, invoice, outcome.id)),
      );
      updates.push({ Id: outcome.id, Xero_Updated__c: record.Xero_Updated__c ?? null });
      headers.push(null);
      const opportunityId = invoice.invoiceID ? (deals.get(invoice.invoiceID) ?? null) : null;
      result.changed.push({ id: outcome.id, opportunityId, accountId, change: 'STATUS' });
      deps.log.info({ tenantId, xeroInvoiceId: invoice.invoiceID, accountId }, 'invoice made in Xero mirrored');
    });
  }

  const childErrors = result.errors.length;
  await ctx.updateAll(InvoiceLine, lineUpdates, (r) => r.Xero_Line_Item_Id__c ?? r.Id, result.errors);
  await ctx.createAll(InvoiceLine, lineInserts, (r) => r.Xero_Line_Item_Id__c, result.errors);
  await ctx.updateAll(Payment, paymentUpdates, (r) => r.Id, result.errors);
  await ctx.createAll(Payment, paymentInserts, (r) => r.Xero_Payment_Id__c, result.errors);
  if (result.errors.length > childErrors) {
    // Leave every version where it was: the caller retries, and the retry must not find these mirrors unchanged.
    await ctx.announce(result.changed);
    return result;
  }
  const updated = await ctx.updateAll(Invoice, updates, (r) => r.Xero_Invoice_Id__c ?? r.Id, result.errors);
  updated.forEach((outcome, index) => {
    const change = headers[index];
    if (outcome.ok && change) result.changed.push(change);
  });
  await ctx.announce(result.changed);
  return result;
}
