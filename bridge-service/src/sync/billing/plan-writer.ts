/**
 * A batch of planned deals written to Salesforce in Composite calls: the plan (upsert by Plan_Key__c) with its
 * summary figures, its instalments (planned ones as they stand now, ones a closing request raised as Raised, ones a
 * re-plan replaced as Cancelled; raised ones are never touched again), its revenue months (never a Closed one: the
 * package's Closed_Month_Is_Frozen rule refuses it, and a month closed after the deal was read comes back as
 * `frozen`), and a Sync_Update__e so the open Opportunity and Account pages refresh. Records that exist are updated by Id (a
 * master-detail parent cannot be written again); new ones name their plan by its key.
 */
import { formatDisplayDate } from '../../domain/dates';
import type { DealPlan } from '../../domain/deal-plan';
import { resolveBillingTerms, termLabels } from '../../domain/revenue-records';
import type { Instalment } from '../../domain/billing-plan';
import type { Money } from '../../domain/money';
import type { Clock } from '../../lib/clock';
import { BillingInstalment, BillingPlan, RevenueMonth } from '../../salesforce/objects';
import { publishSyncUpdates } from '../services/sync-updates';
import type { SObjectUpdate, SObjectWrite } from '../../salesforce/sobject';
import type { RecordError, Writeback, WriteOutcome, WriteRecord } from '../../salesforce/writeback';
import type { LoadedDeal } from './deals';
import { pushTo } from '../../lib/collections';
import { createYielder } from '../../lib/yielder';

export interface PlanWriterDeps {
  writeback: Pick<Writeback, 'composite'>;
  clock: Pick<Clock, 'now'>;
}

export interface PlannedDeal {
  loaded: LoadedDeal;
  plan: DealPlan;
  timeZone: string;
}

export interface UnplannedDeal {
  dealId: string;
  accountId: string | null;
  message: string;
}

const amount = (value: Money) => Number(value.toFixed(2));
/** Sync_Message__c and Flags__c are long text, but a person reads the first lines. */
const clip = (text: string, max = 4000) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const why = (errors: readonly RecordError[]) => errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ');

function planRecord(p: PlannedDeal, now: number): SObjectWrite<typeof BillingPlan> {
  const { plan, loaded } = p;
  const { summary, deal } = plan;
  const labels = termLabels(deal.terms);
  const { source } = resolveBillingTerms({ opportunity: loaded.input.root.opportunity, entity: loaded.input.entity });
  const steps = plan.replayed.steps.map((step) => `${step.key}: ${step.treatment} (${step.reasons.join('; ')})`);
  const flags = [...plan.replayed.flags.map((f) => `${f.code}: ${f.message}`), ...plan.notes];
  return {
    Plan_Key__c: loaded.dealId,
    Opportunity__c: loaded.dealId,
    Account__c: loaded.row.AccountId,
    Version__c: plan.plan.version,
    Status__c: summary.status,
    Billing_Entity__c: loaded.entity.developerName,
    Currency_Code__c: deal.currency,
    Billing_Frequency__c: labels.frequency,
    Billing_Timing__c: labels.timing,
    Billing_Alignment__c: labels.alignment,
    Terms_Source__c: plan.signature
      ? 'billed on signature'
      : `frequency: ${source.frequency}, timing: ${source.timing}, alignment: ${source.alignment}`,
    First_Invoice_Date__c: loaded.input.root.opportunity.First_Invoice_Date__c ?? null,
    Service_Start_Date__c: deal.service.start,
    Service_End_Date__c: plan.replayed.contracts
      .flatMap((c) => c.lines.map((l) => l.service.end))
      .reduce((a, b) => (a > b ? a : b), deal.service.end),
    Contract_Value__c: amount(summary.contractValue),
    Invoiced_Amount__c: amount(summary.invoiced),
    Remaining_To_Bill__c: amount(summary.remaining),
    Next_Instalment_Date__c: summary.next?.date ?? null,
    Next_Instalment_Amount__c: summary.next ? amount(summary.next.amount) : null,
    Recognised_To_Date__c: amount(summary.recognised),
    Deferred_Revenue__c: amount(summary.deferred),
    Unbilled_Revenue__c: amount(summary.unbilled),
    Balances_As_Of__c: summary.asOf,
    Revenue_Treatment__c: steps.length > 0 ? clip(steps.join('\n')) : null,
    Flags__c: flags.length > 0 ? clip(flags.join('\n')) : null,
    Sync_Status__c: 'Synced',
    Sync_Message__c: null,
    Last_Synced__c: new Date(now).toISOString(),
  };
}

/** An instalment's lines as Lines__c holds them (what a later re-plan reads back as raised). */
export function linesJson(instalment: Pick<Instalment, 'lines'>): string {
  return JSON.stringify(
    instalment.lines.map((l) => ({
      lineKey: l.lineKey,
      contractKey: l.contractKey,
      description: l.description,
      periodKey: l.periodKey,
      servicePeriod: l.servicePeriod,
      amount: l.amount.toFixed(2),
    })),
  );
}

function instalmentFields(i: Instalment, currency: string): SObjectWrite<typeof BillingInstalment> {
  return {
    Instalment_Key__c: i.key,
    Plan_Version__c: i.version,
    Sequence__c: i.sequence,
    Issue_Date__c: i.issueDate,
    Service_Start_Date__c: i.servicePeriod.start,
    Service_End_Date__c: i.servicePeriod.end,
    Amount__c: amount(i.amount),
    Currency_Code__c: currency,
    Document_Type__c: i.kind === 'credit-note' ? 'Credit Note' : 'Invoice',
    Lines__c: linesJson(i),
  };
}

/** What to write for one deal's instalments. */
function instalmentWrites(p: PlannedDeal, today: string, raisedAt: string) {
  const { plan, loaded, timeZone } = p;
  const creates: WriteRecord<typeof BillingInstalment>[] = [];
  const updates: SObjectUpdate<typeof BillingInstalment>[] = [];
  const put = (key: string, fields: SObjectWrite<typeof BillingInstalment>) => {
    const existing = loaded.instalments.get(key);
    if (existing) updates.push({ Id: existing.Id, ...fields });
    else creates.push({ ...fields, Billing_Plan__r: { Plan_Key__c: loaded.dealId } });
  };
  const names = new Map(
    [loaded.input.root, ...(loaded.input.amendments ?? [])].map((o) => [o.opportunity.Id, o.opportunity.Name]),
  );
  const open = new Set<string>();
  for (const i of plan.plan.instalments) {
    open.add(i.key);
    const owner = plan.requestOwned.get(i.issueDate);
    const held = plan.held.get(i.key);
    put(i.key, {
      ...instalmentFields(i, plan.deal.currency),
      Status__c: 'Planned',
      // Status_Message__c is Text(255); the plan's Flags__c holds the whole of why.
      Status_Message__c: held
        ? clip(held, 255)
        : owner
          ? `Invoiced when ${names.get(owner) ?? owner} is won (billed on signature)`
          : `To be raised on ${formatDisplayDate(i.issueDate)} at 06:00 ${timeZone}`,
    });
  }
  for (const { instalment, document } of plan.newlyRaised) {
    open.add(instalment.key);
    put(instalment.key, {
      ...instalmentFields(instalment, plan.deal.currency),
      Status__c: 'Raised',
      Status_Message__c: `Raised when ${names.get(document.opportunityId) ?? document.opportunityId} was won`,
      ...(document.kind === 'invoice' ? { Invoice__c: document.documentId } : { Credit_Note__c: document.documentId }),
      Raised_At__c: raisedAt,
    });
  }
  for (const [key, documentId] of loaded.recovered) {
    const record = loaded.instalments.get(key)!;
    open.add(key);
    updates.push({
      Id: record.Id,
      Status__c: 'Raised',
      Status_Message__c: null,
      ...(record.Document_Type__c === 'Credit Note' ? { Credit_Note__c: documentId } : { Invoice__c: documentId }),
      Raised_At__c: raisedAt,
    });
  }
  for (const [key, record] of loaded.instalments) {
    if (open.has(key) || record.Status__c !== 'Planned') continue;
    updates.push({
      Id: record.Id,
      Status__c: 'Cancelled',
      Status_Message__c: `Replaced by plan version ${plan.plan.version} on ${formatDisplayDate(today)}`,
    });
  }
  return { creates, updates };
}

function monthWrites(p: PlannedDeal) {
  const { plan, loaded } = p;
  const existing = new Map(
    (loaded.plan?.Revenue_Months__r?.records ?? []).map((m) => [m.Month_Key__c ?? '', m] as const),
  );
  const creates: WriteRecord<typeof RevenueMonth>[] = [];
  const updates: SObjectUpdate<typeof RevenueMonth>[] = [];
  for (const row of plan.months) {
    if (row.status === 'Closed') continue;
    const key = `${row.contractKey}:${row.month}`;
    const record = existing.get(key);
    if (record?.Status__c === 'Closed') continue;
    const fields: SObjectWrite<typeof RevenueMonth> = {
      Month_Key__c: key,
      Contract_Key__c: row.contractKey,
      Month__c: `${row.month}-01`,
      Billing_Entity__c: row.entity,
      Currency_Code__c: row.currency,
      Status__c: row.status,
      Opening_Deferred__c: amount(row.opening.deferred),
      Opening_Unbilled__c: amount(row.opening.unbilled),
      Billed__c: amount(row.billed),
      Credited__c: amount(row.credited),
      Recognised__c: amount(row.recognised),
      Released_From_Deferred__c: amount(row.releasedFromDeferred),
      Closing_Deferred__c: amount(row.closing.deferred),
      Closing_Unbilled__c: amount(row.closing.unbilled),
      Lines__c: JSON.stringify(
        row.lines.map((l) => ({
          lineKey: l.lineKey,
          billed: l.billed.toFixed(2),
          credited: l.credited.toFixed(2),
          recognised: l.recognised.toFixed(2),
          closingDeferred: l.closing.deferred.toFixed(2),
          closingUnbilled: l.closing.unbilled.toFixed(2),
        })),
      ),
    };
    if (record) updates.push({ Id: record.Id, ...fields });
    else creates.push({ ...fields, Billing_Plan__r: { Plan_Key__c: loaded.dealId } });
  }
  return { creates, updates };
}

export interface WriteResult {
  /** Salesforce's refusals, in its words, by deal. */
  refused: Map<string, string[]>;
  /**
   * Deals with a revenue month update refused by a validation rule: a month closed (the close posted) after the
   * deal was read. Read again, the deal skips it.
   */
  frozen: Set<string>;
}

/** How Salesforce refuses a record a validation rule (here Closed_Month_Is_Frozen) holds. */
const VALIDATION_RULE = 'FIELD_CUSTOM_VALIDATION_EXCEPTION';

/** Writes the planned deals (and the reasons others could not be planned) in as few Composite calls as fit. */
export async function writePlans(
  deps: PlanWriterDeps,
  planned: readonly PlannedDeal[],
  unplanned: readonly UnplannedDeal[],
): Promise<WriteResult> {
  const now = deps.clock.now();
  const batch = deps.writeback.composite();
  const watched: { dealId: string; object: string; monthUpdate: boolean; outcomes: Promise<WriteOutcome[]> }[] = [];

  const plans = [
    ...planned.map((p) => ({ dealId: p.loaded.dealId, record: planRecord(p, now) })),
    ...unplanned.map((u) => ({
      dealId: u.dealId,
      record: {
        Plan_Key__c: u.dealId,
        Opportunity__c: u.dealId,
        Account__c: u.accountId,
        Sync_Status__c: 'Error',
        Sync_Message__c: clip(u.message),
        Last_Synced__c: new Date(now).toISOString(),
      } satisfies SObjectWrite<typeof BillingPlan>,
    })),
  ];
  const planOutcomes = batch.upsert(
    BillingPlan,
    'Plan_Key__c',
    plans.map((p) => p.record),
  );
  const children: {
    dealId: string;
    instalments: ReturnType<typeof instalmentWrites>;
    months: ReturnType<typeof monthWrites>;
  }[] = [];
  const yielder = createYielder();
  for (const p of planned) {
    await yielder.pause();
    children.push({
      dealId: p.loaded.dealId,
      instalments: instalmentWrites(p, p.plan.summary.asOf, new Date(now).toISOString()),
      months: monthWrites(p),
    });
  }
  const queue = <T>(
    items: { dealId: string; record: T }[],
    send: (records: T[]) => Promise<WriteOutcome[]>,
    object: string,
    monthUpdate = false,
  ) => {
    if (items.length === 0) return;
    const outcomes = send(items.map((i) => i.record));
    items.forEach((item, index) =>
      watched.push({ dealId: item.dealId, object, monthUpdate, outcomes: outcomes.then((all) => [all[index]!]) }),
    );
  };
  const flat = <T>(pick: (c: (typeof children)[number]) => T[]) =>
    children.flatMap((c) => pick(c).map((record) => ({ dealId: c.dealId, record })));
  queue(
    flat((c) => c.instalments.creates),
    (r) => batch.create(BillingInstalment, r),
    'Billing_Instalment__c',
  );
  queue(
    flat((c) => c.instalments.updates),
    (r) => batch.update(BillingInstalment, r),
    'Billing_Instalment__c',
  );
  queue(
    flat((c) => c.months.creates),
    (r) => batch.create(RevenueMonth, r),
    'Revenue_Month__c',
  );
  queue(
    flat((c) => c.months.updates),
    (r) => batch.update(RevenueMonth, r),
    'Revenue_Month__c',
    true,
  );
  const events = [
    ...planned.map((p) => ({ id: p.loaded.dealId, account: p.loaded.row.AccountId })),
    ...unplanned.map((u) => ({ id: u.dealId, account: u.accountId })),
  ];
  void publishSyncUpdates(
    batch,
    events.map((e) => ({ change: 'PLAN', opportunityId: e.id, accountId: e.account })),
  );
  await batch.run();

  const refused = new Map<string, string[]>();
  const note = (dealId: string, message: string) => pushTo(refused, dealId, message);
  (await planOutcomes).forEach((outcome, index) => {
    if (!outcome.ok) note(plans[index]!.dealId, `Billing_Plan__c: ${why(outcome.errors)}`);
  });
  const frozen = new Set<string>();
  for (const { dealId, object, monthUpdate, outcomes } of watched) {
    for (const outcome of await outcomes) {
      if (outcome.ok) continue;
      note(dealId, `${object}: ${why(outcome.errors)}`);
      if (monthUpdate && outcome.errors.some((e) => e.statusCode === VALIDATION_RULE)) frozen.add(dealId);
    }
  }
  return { refused, frozen };
}
