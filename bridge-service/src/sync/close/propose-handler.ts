/**
 * CLOSE_PROPOSE: one entity's close of one month, proposed once the month has ended (a dated job in the store, run
 * once even when the bridge was down at the time). From the entity's deals (their plans, the documents they posted)
 * the domain proposes the journals; the close is written to Salesforce for finance to approve:
 * - Month_End_Close__c upserted by Close_Key__c (entity:YYYY-MM) and its lines by Line_Key__c (which holds the
 *   version); a new version only when the figures changed, and only while the close is Proposed or Refused; the old
 *   version's lines become Superseded. A close Pending Approval is never written (the figures approved are the figures
 *   posted); an Approved or posted one is left as it is.
 * - A locked month, a missing or wrong account, or figures the domain refuses (a missing month-end rate) make the
 *   close Refused with the message, and nothing is proposed.
 * - Closes post in month order (close-rules.ts checkCloseOrder): while an earlier close of the entity can still post,
 *   the month is Refused saying which month to post first; a month a later posted close carried is not proposed again.
 * - The history is every line the entity's closes posted (a first close's Opening lines, and the journals of a
 *   version partly posted before it was refused): a new version proposes only what is missing, and supersedes only
 *   the old version's lines not in Xero. Proposed_At__c records when the version was proposed (checked at posting).
 * Then the next month's proposal is stored, due when that month has ended.
 */
import { entityTimeZone, type BillingEntity } from '../../domain/billing-entity';
import { proposeClose } from '../../domain/close-journals';
import { closeRecord, closeRecordKey, journalLineRecords } from '../../domain/close-records';
import { checkCloseOrder, checkPeriodOpen, closeAccountProblems, isPostedClose } from '../../domain/close-rules';
import { DomainError } from '../../domain/errors';
import { firstDayOf, lastDayOf, nextMonth } from '../../domain/revenue';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { CloseQueries, CloseRecordRow, JournalLineRow } from '../../salesforce/close-queries';
import { MonthEndClose, MonthEndJournalLine } from '../../salesforce/objects';
import type { SObjectWrite } from '../../salesforce/sobject';
import type { Writeback } from '../../salesforce/writeback';
import type { XeroClient } from '../../xero/client';
import type { XeroJournalClient } from '../../xero/journal-client';
import type { DealPlans } from '../billing/deal-plans';
import type { JobHandler, JobOf, JobOutcome } from '../handler';
import type { ReferenceData } from '../services/reference-data';
import { closeHistory, closeInputs, documentIds } from './close-inputs';
import { monthOfClose, oneAtATime } from './records';
import type { CloseTriggers } from './triggers';

export interface ProposeDeps {
  closeQueries: Pick<
    CloseQueries,
    'dealsOfEntity' | 'invoices' | 'creditNotes' | 'closesByKey' | 'closesOfEntity' | 'journalLines' | 'postedLines'
  >;
  dealPlans: Pick<DealPlans, 'compute'>;
  reference: Pick<ReferenceData, 'entity' | 'entityLineRow'>;
  journals: Pick<XeroJournalClient, 'getLockDates' | 'getAccounts'>;
  /** A credit note's lines (Salesforce keeps none): the account it posted to. */
  xero: Pick<XeroClient, 'getCreditNotes'>;
  writeback: Pick<Writeback, 'upsert' | 'update' | 'requireAll'>;
  closeTriggers: Pick<CloseTriggers, 'ensure' | 'recheck'>;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'info' | 'warn'>;
}

/** Deals planned together (as the billing plans are written). */
const DEALS_PER_SLICE = 200;
const WRITABLE = new Set(['Proposed', 'Refused']);

/** The close header as written: only the object's own fields, each of its kind (checked by the compiler). */
type Fields = SObjectWrite<typeof MonthEndClose> & { Close_Key__c: string };
/** A proposed journal line as compared and written. */
type LineFields = Pick<
  SObjectWrite<typeof MonthEndJournalLine>,
  | 'Journal_Kind__c'
  | 'Journal_Date__c'
  | 'Account_Code__c'
  | 'Amount__c'
  | 'Tracking_1_Option__c'
  | 'Tracking_2_Option__c'
>;

/** The figures of a proposal as Salesforce holds them, to tell whether anything changed. */
const lineFigures = (lines: readonly LineFields[]) =>
  lines
    .map((l) =>
      [
        l.Journal_Kind__c,
        l.Journal_Date__c,
        l.Account_Code__c,
        Number(l.Amount__c).toFixed(2),
        l.Tracking_1_Option__c ?? '',
        l.Tracking_2_Option__c ?? '',
      ].join('|'),
    )
    .sort()
    .join('\n');
const storedFigures = (lines: readonly JournalLineRow[]) =>
  lineFigures(lines.map((l) => ({ ...l, Amount__c: l.Amount__c ?? 0 })));

export function closeProposeHandler(deps: ProposeDeps): JobHandler<'CLOSE_PROPOSE'> {
  const header = (entity: BillingEntity, month: string, version: number): Fields => ({
    Name: `${entity.developerName} ${month}`,
    Close_Key__c: closeRecordKey(entity.developerName, month),
    Billing_Entity__c: entity.developerName,
    Xero_Tenant_Id__c: entity.xeroTenantId,
    Period_Start__c: firstDayOf(month),
    Period_End__c: lastDayOf(month),
    Currency_Code__c: entity.baseCurrency,
    Version__c: version,
  });

  async function upsertClose(fields: Fields): Promise<string> {
    const outcomes = await deps.writeback.upsert(MonthEndClose, 'Close_Key__c', [fields]);
    return deps.writeback.requireAll(MonthEndClose, [fields.Close_Key__c], outcomes)[0]!;
  }

  /** The close Refused with the message; `open`: proposed again each morning (not when a later close carried it). */
  async function refuse(
    entity: BillingEntity,
    month: string,
    existing: CloseRecordRow | undefined,
    message: string,
    open = true,
  ) {
    await upsertClose({
      ...header(entity, month, existing?.Version__c ?? 1),
      Status__c: 'Refused',
      Sync_Status__c: 'Error',
      Sync_Message__c: message.slice(0, 32_000),
      Last_Synced__c: new Date(deps.clock.now()).toISOString(),
    });
    deps.log.warn({ entity: entity.developerName, month, message }, 'month-end close refused');
    return { outcome: { kind: 'done', result: { refused: message } }, open } as const;
  }

  /** What became of the close, and whether it is still open to a new version (Proposed or Refused). */
  async function propose(entityName: string, month: string): Promise<{ outcome: JobOutcome; open: boolean }> {
    const entity = await deps.reference.entity(entityName);
    const [existing] = await deps.closeQueries.closesByKey([closeRecordKey(entityName, month)]);
    if (existing && !WRITABLE.has(String(existing.Status__c))) {
      // Pending Approval: locked, the figures approved are the figures posted. Approved or posted: changes after
      // posting are adjustments (not proposed by the bridge yet).
      return { outcome: { kind: 'done', result: { unchanged: `the close is ${existing.Status__c}` } }, open: false };
    }
    const dealIds = await deps.closeQueries.dealsOfEntity(entityName);
    // An entity that bills no plans has nothing to close (its invoices keep posting to revenue, as in wave 1).
    if (dealIds.length === 0 && !existing)
      return { outcome: { kind: 'done', result: { nothing: 'no billing plans' } }, open: false };
    const row = await deps.reference.entityLineRow(entityName);
    const deferred = row?.Deferred_Revenue_Account_Code__c ?? undefined;
    const accrued = row?.Accrued_Revenue_Account_Code__c ?? undefined;
    if (!deferred || !accrued) {
      const missing = [!deferred && 'Deferred Revenue Account Code', !accrued && 'Accrued Revenue Account Code']
        .filter(Boolean)
        .join(' and ');
      return refuse(
        entity,
        month,
        existing,
        `Billing Entity ${entityName} has no ${missing}: set it, and the close is proposed again at the next month end or on Retry`,
      );
    }
    const lock = await deps.journals.getLockDates(entity.xeroTenantId);
    const closes = await deps.closeQueries.closesOfEntity(entityName);
    const order = checkCloseOrder(
      entityName,
      month,
      closes.map((c) => ({ month: monthOfClose(c), status: String(c.Status__c) })),
      lock,
    );
    // A month a later posted close carried never posts, locked or not: said first, and not proposed again.
    if (!order.ok && order.kind === 'carried') {
      if (!existing) return { outcome: { kind: 'done', result: { nothing: order.message } }, open: false };
      return refuse(entity, month, existing, order.message, false);
    }
    const period = checkPeriodOpen(entityName, month, lock);
    if (!period.open) return refuse(entity, month, existing, period.message);
    if (!order.ok) return refuse(entity, month, existing, order.message);

    const deals = [];
    const notPlanned: string[] = [];
    for (let i = 0; i < dealIds.length; i += DEALS_PER_SLICE) {
      const computed = await deps.dealPlans.compute(dealIds.slice(i, i + DEALS_PER_SLICE));
      deals.push(...computed.planned.filter((p) => p.loaded.entity.developerName === entityName));
      notPlanned.push(
        ...computed.unplanned.map(
          (u) => `Deal ${u.dealId} could not be planned, so it is not in the close: ${u.message}`,
        ),
      );
    }
    const plans = deals.map((d) => d.plan);
    const ids = documentIds(plans);
    const invoices = await deps.closeQueries.invoices(ids);
    const creditNotes = await deps.closeQueries.creditNotes(ids);
    const credited = creditNotes
      .map((c) => c.Invoice__c)
      .filter((id): id is string => !!id && !invoices.some((i) => i.Id === id));
    invoices.push(...(await deps.closeQueries.invoices(credited)));
    const creditNoteAccounts = new Map<string, string[]>();
    for (const note of creditNotes) {
      if (!note.Xero_Credit_Note_Id__c) continue;
      const page = await deps.xero.getCreditNotes(entity.xeroTenantId, {
        where: `CreditNoteID==Guid("${note.Xero_Credit_Note_Id__c}")`,
        page: 1,
      });
      const accounts = (page.items[0]?.lineItems ?? []).map((l) => l.accountCode ?? '').filter((a) => a !== '');
      creditNoteAccounts.set(note.Id, accounts);
    }
    const inputs = closeInputs({
      deals,
      invoices,
      creditNotes,
      creditNoteAccounts,
      accounts: { revenue: entity.accountCode, deferred, accrued },
      baseCurrency: entity.baseCurrency,
      monthEnd: lastDayOf(month),
    });
    const revenueAccounts = [...new Set(inputs.lines.map((l) => l.revenueAccount))];
    const problems = closeAccountProblems(
      entityName,
      [
        ...revenueAccounts.map((accountCode) => ({
          accountCode,
          role: 'revenue' as const,
          setIn: `Billing Entity ${entityName}: Account Code (or the product's Xero Account Code)`,
        })),
        {
          accountCode: deferred,
          role: 'deferred',
          setIn: `Billing Entity ${entityName}: Deferred Revenue Account Code`,
        },
        { accountCode: accrued, role: 'accrued', setIn: `Billing Entity ${entityName}: Accrued Revenue Account Code` },
      ],
      await deps.journals.getAccounts(entity.xeroTenantId),
    );
    if (problems.length > 0) return refuse(entity, month, existing, `Nothing was proposed: ${problems.join('; ')}`);

    let proposal;
    try {
      proposal = proposeClose({
        entity: entityName,
        baseCurrency: entity.baseCurrency,
        month,
        closeKey: closeRecordKey(entityName, month),
        accruedAccount: accrued,
        lines: inputs.lines,
        billing: inputs.billing,
        monthEndRates: inputs.monthEndRates,
        history: closeHistory(
          await deps.closeQueries.postedLines(entityName),
          closes.some((c) => isPostedClose(c.Status__c)),
        ),
      });
    } catch (err) {
      if (err instanceof DomainError) return refuse(entity, month, existing, err.message);
      throw err;
    }
    const quiet =
      proposal.journals.length === 0 && proposal.rollForward.closing.eq(0) && proposal.rollForward.accrued.eq(0);
    if (quiet && !existing)
      return { outcome: { kind: 'done', result: { nothing: 'no journals and no balances this month' } }, open: false };
    const version = existing ? (existing.Version__c ?? 0) + 1 : 1;
    const lines = journalLineRecords(proposal, version);
    const oldLines = existing ? await deps.closeQueries.journalLines(existing.Id, existing.Version__c ?? 1) : [];
    if (existing?.Status__c === 'Proposed' && storedFigures(oldLines) === lineFigures(lines)) {
      return { outcome: { kind: 'done', result: { unchanged: 'the figures are those already proposed' } }, open: true };
    }
    const record = closeRecord(proposal, { xeroTenantId: entity.xeroTenantId, version });
    const warnings = [record.Warnings__c, ...notPlanned].filter((w): w is string => typeof w === 'string' && w !== '');
    const now = new Date(deps.clock.now()).toISOString();
    const closeId = await upsertClose({
      ...record,
      Warnings__c: warnings.length === 0 ? null : warnings.join('\n').slice(0, 32_000),
      Sync_Message__c: null,
      Proposed_At__c: now,
      Last_Synced__c: now,
    });
    const children = lines.map((l) => ({ ...l, Month_End_Close__c: closeId }));
    deps.writeback.requireAll(
      MonthEndJournalLine,
      lines.map((l) => l.Line_Key__c),
      await deps.writeback.upsert(MonthEndJournalLine, 'Line_Key__c', children),
    );
    // Lines already in Xero (a version partly posted) stay Posted: the history counts them.
    const replaced = oldLines.filter((l) => l.Status__c !== 'Posted');
    if (replaced.length > 0) {
      deps.writeback.requireAll(
        MonthEndJournalLine,
        replaced.map((l) => l.Id),
        await deps.writeback.update(
          MonthEndJournalLine,
          replaced.map((l) => ({ Id: l.Id, Status__c: 'Superseded' })),
        ),
      );
    }
    deps.log.info({ entity: entityName, month, version, lines: lines.length }, 'month-end close proposed');
    return { outcome: { kind: 'done', result: { closeId, version, lines: lines.length } }, open: true };
  }

  async function run(job: JobOf<'CLOSE_PROPOSE'>): Promise<JobOutcome> {
    const { entity, month } = job.payload;
    const { outcome, open } = await propose(entity, month);
    const zone = entityTimeZone(await deps.reference.entity(entity));
    await deps.closeTriggers.ensure(entity, nextMonth(month), zone);
    // While finance has not approved it, the close is proposed again each morning: a document approved since, a lock
    // date moved back, an account corrected or an earlier month posted make a new version (only when the figures or
    // the refusal change).
    if (open) await deps.closeTriggers.recheck(entity, month, zone);
    return outcome;
  }

  return oneAtATime<'CLOSE_PROPOSE'>(1, run);
}
