/**
 * The historical import of one Xero organisation (go-live), since a day the operator chooses: contacts (every one,
 * archived included) matched to every Account, then invoices, credit notes, overpayments and prepayments dated on or
 * after that day, page by page (with their payments, refunds and allocations), each page through the same inbound
 * path as live changes: mirrors upserted by Xero id, linked to Accounts through contact links and to the deal the
 * bridge made them from (its link back, or its reference), Opportunity and Account summaries recomputed.
 *
 * Nothing is written to Xero. Each step is one page and one job (IMPORT_STEP), so the worker serves other jobs between
 * pages and every call goes through the Xero scheduler (the per-tenant limits). The run's cursor is in the store
 * (import-runs.ts) and moves one step at a time: a bridge killed mid-page reads that page again (upserts by Xero id:
 * nothing twice) and counts it once. Progress is in the admin API, the metrics and Import_Run__c.
 */
import { z } from 'zod';
import type { BillingEntity } from '../../domain/billing-entity';
import { toEighteenCharId } from '../../domain/contact';
import { isTransient } from '../../lib/errors';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { GoLiveQueries } from '../../salesforce/golive-queries';
import { ImportRun as ImportRunObject } from '../../salesforce/objects';
import type { SObjectWrite } from '../../salesforce/sobject';
import type { Writeback } from '../../salesforce/writeback';
import type { ImportRun, ImportRunRepository, JobRepository } from '../../store/types';
import type { XeroResultRepository } from '../../store/xero-results';
import type { XeroClient } from '../../xero/client';
import type { LedgerPage, XeroLedgerClient } from '../../xero/ledger-client';
import { describeError } from '../describe-error';
import type { JobHandler, JobOf, JobOutcome } from '../handler';
import type { InboundApply, XeroCustomerCredit } from '../inbound/apply';
import type { ContactDirectory } from '../services/contact-directory';
import type { ContactLinks } from '../services/contact-links';
import type { ReferenceData } from '../services/reference-data';

export const IMPORT_PHASES = ['contacts', 'invoices', 'credit-notes', 'overpayments', 'prepayments', 'done'] as const;
export type ImportPhase = (typeof IMPORT_PHASES)[number];

const cursorSchema = z.object({ phase: z.enum(IMPORT_PHASES), page: z.number().int().min(1) });
export type ImportCursor = z.infer<typeof cursorSchema>;

/** Import_Run__c.Phase__c for each phase. */
const PHASE_LABEL: Record<ImportPhase, string> = {
  contacts: 'Contacts',
  invoices: 'Invoices',
  'credit-notes': 'Credit Notes',
  overpayments: 'Overpayments',
  prepayments: 'Prepayments',
  done: 'Done',
};
const STATUS_LABEL: Record<ImportRun['status'], string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** What the import counts (Import_Run__c fields, the admin API, the metrics). */
export const IMPORT_COUNTS = [
  'contactsRead',
  'contactsLinked',
  'contactsForReview',
  'contactsUnmatched',
  'invoices',
  'creditNotes',
  'payments',
  'overpayments',
  'prepayments',
  'allocations',
  'skipped',
] as const;
export type ImportCount = (typeof IMPORT_COUNTS)[number];

/** Records what the import did, for Prometheus (implemented by the server's metrics). */
export interface ImportMetrics {
  recordImported(tenantId: string, kind: ImportCount, count: number): void;
  recordImportStep(tenantId: string, phase: string, outcome: 'done' | 'retry' | 'failed'): void;
}

export interface ImportDeps {
  importRuns: ImportRunRepository;
  jobs: Pick<JobRepository, 'enqueueJob'>;
  ledger: Pick<XeroLedgerClient, 'getInvoices' | 'getOverpayments' | 'getPrepayments'>;
  xero: Pick<XeroClient, 'getCreditNotes'>;
  apply: Pick<InboundApply, 'applyInvoices' | 'applyCreditNotes' | 'applyCustomerCredits'>;
  directory: Pick<ContactDirectory, 'contacts'>;
  contactLinks: Pick<ContactLinks, 'matchAll'>;
  goLive: Pick<GoLiveQueries, 'accountsToMatch' | 'linksOfEntity'>;
  reference: Pick<ReferenceData, 'entity' | 'billingEntities'>;
  writeback: Pick<Writeback, 'upsert'>;
  xeroResults: Pick<XeroResultRepository, 'madeByBridge'>;
  metrics?: ImportMetrics;
  clock: Pick<Clock, 'now'>;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Documents per page (≤ 1,000; default 500). */
  pageSize?: number;
  /** Called when a step is queued, so the worker picks it up now. */
  onQueued?: () => void;
}

/** `IMPORT:<entity>:<since>`: one run per organisation and start date. */
export const importRunKey = (entity: string, since: string) => `IMPORT:${entity}:${since}`;

const stepKey = (run: Pick<ImportRun, 'runKey' | 'step'>) => `IMPORT_STEP:${run.runKey}:${run.step}`;

/** Xero's where-clause for "dated on or after" a day. */
function since(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `Date>=DateTime(${y},${String(m).padStart(2, '0')},${String(d).padStart(2, '0')})`;
}

export function createImports(deps: ImportDeps) {
  const pageSize = deps.pageSize ?? 500;

  /** Import_Run__c as the run now stands. */
  async function recordRun(run: ImportRun): Promise<void> {
    const cursor = cursorSchema.safeParse(run.cursor);
    const count = (name: ImportCount) => run.counts[name] ?? 0;
    const record: SObjectWrite<typeof ImportRunObject> = {
      Run_Key__c: run.runKey,
      Billing_Entity__c: run.entity,
      Xero_Tenant_Id__c: run.tenantId,
      Since_Date__c: run.since,
      Status__c: STATUS_LABEL[run.status],
      Phase__c: cursor.success ? PHASE_LABEL[cursor.data.phase] : null,
      Last_Cursor__c: JSON.stringify({ ...run.cursor, step: run.step }),
      Started_At__c: new Date(run.startedAt).toISOString(),
      Last_Progress_At__c: new Date(run.updatedAt).toISOString(),
      Finished_At__c: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
      Contacts_Read__c: count('contactsRead'),
      Contacts_Linked__c: count('contactsLinked'),
      Contacts_For_Review__c: count('contactsForReview'),
      Contacts_Unmatched__c: count('contactsUnmatched'),
      Invoices_Imported__c: count('invoices'),
      Credit_Notes_Imported__c: count('creditNotes'),
      Payments_Imported__c: count('payments'),
      Overpayments_Imported__c: count('overpayments'),
      Prepayments_Imported__c: count('prepayments'),
      Allocations_Imported__c: count('allocations'),
      Documents_Skipped__c: count('skipped'),
      Error_Count__c: run.errors.length,
      Errors__c: run.errors.length > 0 ? run.errors.join('\n').slice(0, 32000) : null,
    };
    const [outcome] = await deps.writeback.upsert(ImportRunObject, 'Run_Key__c', [record]);
    if (outcome && !outcome.ok)
      deps.log.warn({ runKey: run.runKey, errors: outcome.errors }, 'Import_Run__c not written');
  }

  async function queueStep(run: ImportRun): Promise<void> {
    await deps.jobs.enqueueJob({
      key: stepKey(run),
      action: 'IMPORT_STEP',
      payload: { runKey: run.runKey },
      tenantId: run.tenantId,
    });
    deps.onQueued?.();
  }

  /** The next cursor after a page of `phase`: the next page, or the first page of the next phase. */
  function after(cursor: ImportCursor, page: Pick<LedgerPage<unknown>, 'hasMore'>): ImportCursor {
    if (page.hasMore) return { phase: cursor.phase, page: cursor.page + 1 };
    return { phase: IMPORT_PHASES[IMPORT_PHASES.indexOf(cursor.phase) + 1] ?? 'done', page: 1 };
  }

  /** One step: what it counted and where the next starts. Throws on what a retry may fix. */
  async function step(run: ImportRun, cursor: ImportCursor, entity: BillingEntity) {
    const tenantId = run.tenantId;
    // The run's entity: on a tenant two entities share, each run mirrors its own customers under its own name.
    const scope = { entity: entity.developerName };
    const read = { page: cursor.page, pageSize };
    const counted: Partial<Record<ImportCount, number>> = {};
    const add = (name: ImportCount, n: number) => (counted[name] = (counted[name] ?? 0) + n);
    const written = (result: { errors: string[] }) => {
      if (result.errors.length > 0)
        throw new Error(`Salesforce refused part of the page: ${result.errors.slice(0, 3).join('; ')}`);
    };
    switch (cursor.phase) {
      case 'contacts': {
        const contacts = await deps.directory.contacts(tenantId, true);
        const accounts = await deps.goLive.accountsToMatch();
        const summary = await deps.contactLinks.matchAll(
          entity,
          accounts.map((a) => ({
            accountId: a.Id,
            name: a.Name ?? '',
            accountNumber: a.AccountNumber,
            taxNumber: a.Tax_Number__c,
            billingEmail: a.Billing_Email__c,
          })),
        );
        const links = await deps.goLive.linksOfEntity(entity.developerName);
        const linkedContacts = new Set(
          links.flatMap((l) => (l.Xero_Contact_Id__c ? [l.Xero_Contact_Id__c.toLowerCase()] : [])),
        );
        add('contactsRead', contacts.length);
        add('contactsLinked', linkedContacts.size);
        add('contactsForReview', summary.reviews);
        add(
          'contactsUnmatched',
          contacts.filter((c) => c.status !== 'GDPRREQUEST' && !linkedContacts.has(c.contactId)).length,
        );
        return { counted, next: after(cursor, { hasMore: false }) };
      }
      case 'invoices': {
        const page = await deps.ledger.getInvoices(tenantId, {
          ...read,
          where: `Type=="ACCREC" AND ${since(run.since)}`,
          order: 'Date ASC, InvoiceID ASC',
        });
        // An invoice this bridge's store says it created is left to the flow that created it, which writes its mirror
        // under its own request key, with its type and service period (review-12 F4). Mirrored here as XERO:<id>, the
        // row would hold the unique Xero_Invoice_Id__c: a draft whose write-back failed once and is retried after this
        // page would be refused (DUPLICATE_VALUE) until its job gave up, and the mirror would lack the request key, the
        // invoice type and the service period. Nothing is lost: the store knows the id only because a job of this
        // bridge recorded it, and that job writes the mirror (a stopped one on Retry, which reads the recorded invoice
        // back and makes no other); once written, the mirror is found by its Xero id and updated here like any other.
        // Only a mirror deleted by hand after its job finished stays unmirrored, as it would live. Why not the other
        // way (the write-back adopting the import's row): the draft often has its own Invoice__c already (parked
        // waiting for a review, or failed), and two rows would have to be merged. Left open: an invoice Xero made whose
        // id the bridge had not yet recorded (it stopped in between, milliseconds) is mirrored here; the draft's retry
        // then finds it by its link back and is refused as above until that XERO: row is deleted.
        const invoiceIds = page.items.flatMap((i) => (i.invoiceID ? [i.invoiceID] : []));
        const madeByBridge =
          invoiceIds.length > 0
            ? await deps.xeroResults.madeByBridge(tenantId, 'invoice', invoiceIds)
            : new Set<string>();
        const result = await deps.apply.applyInvoices(tenantId, page.items, 'import', { ...scope, madeByBridge });
        written(result);
        const skipped = new Set(result.skipped ?? []);
        const awaiting = new Set(result.awaitingMirror.map((id) => id.toLowerCase()));
        if (awaiting.size > 0)
          deps.log.info(
            { runKey: run.runKey, invoices: [...awaiting] },
            'invoices the bridge made left to the flow writing their mirrors',
          );
        const kept = page.items.filter(
          (i) => i.invoiceID && !skipped.has(i.invoiceID) && !awaiting.has(i.invoiceID.toLowerCase()),
        );
        add('invoices', kept.length);
        add(
          'payments',
          kept.reduce((n, i) => n + (i.payments?.length ?? 0), 0),
        );
        add('skipped', skipped.size + awaiting.size);
        return { counted, next: after(cursor, page) };
      }
      case 'credit-notes': {
        const page = await deps.xero.getCreditNotes(tenantId, {
          ...read,
          where: `Type=="ACCRECCREDIT" AND ${since(run.since)}`,
          order: 'Date ASC, CreditNoteID ASC',
        });
        const result = await deps.apply.applyCreditNotes(tenantId, page.items, scope);
        written(result);
        const skipped = new Set(result.skipped ?? []);
        const kept = page.items.filter((n) => n.creditNoteID && !skipped.has(n.creditNoteID));
        add('creditNotes', kept.length);
        add(
          'allocations',
          kept.reduce((n, c) => n + (c.allocations ?? []).filter((a) => !a.isDeleted).length, 0),
        );
        add('skipped', skipped.size);
        return { counted, next: after(cursor, page) };
      }
      case 'overpayments':
      case 'prepayments': {
        const query = { ...read, where: since(run.since), order: 'Date ASC' };
        let page: Pick<LedgerPage<unknown>, 'hasMore'>;
        let credits: (XeroCustomerCredit & { id: string | undefined })[];
        if (cursor.phase === 'overpayments') {
          const read = await deps.ledger.getOverpayments(tenantId, query);
          page = read;
          credits = read.items.map((credit) => ({ kind: 'overpayment', id: credit.overpaymentID, credit }));
        } else {
          const read = await deps.ledger.getPrepayments(tenantId, query);
          page = read;
          credits = read.items.map((credit) => ({ kind: 'prepayment', id: credit.prepaymentID, credit }));
        }
        const result = await deps.apply.applyCustomerCredits(tenantId, credits, scope);
        written(result);
        const skipped = new Set(result.skipped ?? []);
        const kept = credits.filter((c) => !skipped.has(String(c.id).toLowerCase()));
        add(cursor.phase, kept.length);
        add(
          'allocations',
          kept.reduce((n, c) => n + (c.credit.allocations ?? []).filter((a) => !a.isDeleted).length, 0),
        );
        add('skipped', skipped.size);
        return { counted, next: after(cursor, page) };
      }
      case 'done':
        return { counted, next: cursor };
    }
  }

  /** Moves the run on by one step and queues the next; false if another worker moved it first. */
  async function advance(
    run: ImportRun,
    update: Pick<ImportRun, 'status' | 'cursor' | 'counts' | 'errors'>,
  ): Promise<boolean> {
    const moved = await deps.importRuns.advanceImportRun(run.runKey, run.step, update);
    if (!moved) return false;
    const now = (await deps.importRuns.getImportRun(run.runKey))!;
    await recordRun(now);
    if (now.status === 'running') await queueStep(now);
    return true;
  }

  const handler: JobHandler<'IMPORT_STEP'> = {
    batchSize: 1,
    async run(jobs: readonly JobOf<'IMPORT_STEP'>[]) {
      const outcomes = new Map<number, JobOutcome>();
      for (const job of jobs) {
        const run = await deps.importRuns.getImportRun(job.payload.runKey);
        if (!run || run.status !== 'running') {
          outcomes.set(job.id, { kind: 'done', result: { skipped: run ? `run ${run.status}` : 'no such run' } });
          continue;
        }
        const cursor = cursorSchema.parse(run.cursor);
        try {
          const entity = await deps.reference.entity(run.entity);
          const { counted, next } = await step(run, cursor, entity);
          const counts = { ...run.counts };
          for (const [name, n] of Object.entries(counted)) counts[name] = (counts[name] ?? 0) + (n ?? 0);
          const moved = await advance(run, {
            status: next.phase === 'done' ? 'completed' : 'running',
            cursor: next,
            counts,
            errors: run.errors,
          });
          if (moved)
            for (const [name, n] of Object.entries(counted))
              deps.metrics?.recordImported(run.tenantId, name as ImportCount, n ?? 0);
          deps.metrics?.recordImportStep(run.tenantId, cursor.phase, 'done');
          if (moved && next.phase === 'done') deps.log.info({ runKey: run.runKey, counts }, 'import completed');
          outcomes.set(job.id, { kind: 'done', result: { phase: cursor.phase, page: cursor.page, counted } });
        } catch (err) {
          const message = `${cursor.phase} page ${cursor.page}: ${describeError(err)}`;
          if (isTransient(err) || job.attempts < 5) {
            deps.metrics?.recordImportStep(run.tenantId, cursor.phase, 'retry');
            outcomes.set(job.id, { kind: 'retry', error: message });
            continue;
          }
          // It keeps failing: the run stops where it is, saying why; the operator resumes it once the cause is fixed.
          await advance(run, {
            status: 'failed',
            cursor: run.cursor,
            counts: run.counts,
            errors: [...run.errors, message],
          });
          deps.metrics?.recordImportStep(run.tenantId, cursor.phase, 'failed');
          outcomes.set(job.id, { kind: 'failed', error: message });
        }
      }
      return outcomes;
    },
  };

  return {
    handler,

    /** Starts an import (or returns the run already started for this organisation and day). */
    async start(entityName: string, sinceDay: string): Promise<{ run: ImportRun; created: boolean }> {
      const entity = await deps.reference.entity(entityName);
      const { run, created } = await deps.importRuns.createImportRun({
        runKey: importRunKey(entity.developerName, sinceDay),
        tenantId: entity.xeroTenantId,
        entity: entity.developerName,
        since: sinceDay,
        cursor: { phase: 'contacts', page: 1 },
      });
      if (created) {
        await recordRun(run);
        await queueStep(run);
        deps.log.info({ runKey: run.runKey, tenantId: run.tenantId }, 'import started');
      }
      return { run, created };
    },

    /** A failed (or stalled) run goes on from its cursor. */
    async resume(runKey: string): Promise<ImportRun | null> {
      const run = await deps.importRuns.getImportRun(runKey);
      if (!run || run.status === 'completed' || run.status === 'cancelled') return run;
      await advance(run, { status: 'running', cursor: run.cursor, counts: run.counts, errors: run.errors });
      return deps.importRuns.getImportRun(runKey);
    },

    list: (limit?: number) => deps.importRuns.listImportRuns(limit),
    get: (runKey: string) => deps.importRuns.getImportRun(runKey),
  };
}

export type Imports = ReturnType<typeof createImports>;

/** The 18-character form, so a 15-character Account id finds its links. */
export const accountKey = (id: string) => toEighteenCharId(id);
