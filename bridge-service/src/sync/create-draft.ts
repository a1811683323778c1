/**
 * CREATE_DRAFT: closed-won Opportunities become DRAFT invoices in the right Xero organisation, exactly once, and
 * their Invoice__c mirrors (with lines) appear in Salesforce with Xero's own numbers and totals.
 *
 * Salesforce calls go in Composite batches, each counting as one API call whatever it holds (up to 5 Collections of
 * 200 records or queries): a batch of up to 1,000 jobs costs one call to load (Opportunities with lines, billing
 * emails, lines left by an earlier attempt) and two rounds of write-back (the Invoice__c upsert and the summary
 * reads; then the lines, the summary updates and the Sync_Update__e events), 3 calls for 200 invoices. Xero gets
 * one call per 50 invoices per tenant (plus contacts the bridge has not met).
 */
import { createHash } from 'node:crypto';
import { routeOpportunity, type BillingEntity } from '../domain/billing-entity';
import { buildXeroContact } from '../domain/contact';
import { DomainError } from '../domain/errors';
import {
  mapAmendingOpportunity,
  mapOpportunityToInvoice,
  opportunityServicePeriod,
  type XeroDraftDocument,
} from '../domain/invoice-mapping';
import type { OpportunityWithLines } from '../domain/amendment';
import {
  accountRowSchema,
  opportunityLineItemRowSchema,
  opportunityRowSchema,
  type AccountRow,
  type OpportunityRow,
} from '../domain/records';
import type { XeroInvoice, XeroInvoiceInput } from '../xero/types';
import { isTransient } from '../lib/errors';
import type { ActionHandler, JobOutcome, RequestJob } from './handler';
import type { SyncDeps } from './sync-deps';
import { describeError } from './describe-error';
import { saveCreditNoteDraft } from './credit';
import { queueInvoiceLines } from './lines';
import { invoiceLineRecords, invoiceRecord } from './xero-records';
import { Invoice, SyncUpdateEvent } from '../salesforce/objects';
import type { OpportunityForInvoicing } from '../salesforce/selections';
import { childRecords } from '../salesforce/soql';
import type { SObjectWrite } from '../salesforce/sobject';
import type { RecordError } from '../salesforce/writeback';
import type { InvoiceWrite } from './xero-records';

const XERO_BATCH = 50;

/**
 * Jobs a batch takes: when a backlog exists, bigger batches fill Composite calls (5 Collections of 200 records)
 * instead of leaving them part-empty; one batch stays well inside the worker's lease and Xero's minute limit.
 */
export const CREATE_DRAFT_BATCH = 1000;

interface Prepared {
  job: RequestJob;
  opportunity: OpportunityRow;
  account: AccountRow;
  lineItems: ReturnType<typeof opportunityLineItemRowSchema.parse>[];
  entity: BillingEntity;
  /** The deal this one amends or renews (Amended_Opportunity__c), with its lines. */
  original?: OpportunityWithLines;
}

interface Produced {
  prepared: Prepared;
  invoice: XeroInvoice;
}

/** A stable Idempotency-Key (≤ 128 chars) for a batch write: the same jobs always send the same key. */
export function batchKey(prefix: string, keys: readonly string[]): string {
  return `${prefix}:${createHash('sha256')
    .update([...keys].sort().join('\n'))
    .digest('hex')}`;
}

export function createDraftHandler(deps: SyncDeps): ActionHandler {
  const { xero, queries, writeback, reference, log } = deps;

  /** What one Composite call reads for a batch: the Opportunities, their billing emails, lines already written. */
  async function load(jobs: readonly RequestJob[]) {
    const opportunityIds = [...new Set(jobs.map((j) => j.payload.opportunityId!))];
    const reads = writeback.composite();
    const rows = queries.opportunitiesForInvoicing(opportunityIds, reads);
    const emails = queries.billingEmailsOfOpportunities(opportunityIds, reads);
    const lines = queries.invoiceLinesOfRequests(
      jobs.map((j) => j.payload.requestKey),
      reads,
    );
    await reads.run();
    return { rows: await rows, emails: await emails, existingLines: await lines };
  }

  async function prepare(
    jobs: readonly RequestJob[],
    rows: readonly OpportunityForInvoicing[],
    outcomes: Map<number, JobOutcome>,
    errors: Map<RequestJob, string>,
  ) {
    const byId = new Map(rows.map((row) => [row.Id, row]));
    const entities = await reference.billingEntities();
    // Amendments and renewals are billed against the deal they change: load those too, in the same way.
    const originalIds = [
      ...new Set(rows.map((row) => row.Amended_Opportunity__c).filter((id): id is string => Boolean(id))),
    ];
    const originals = new Map(
      (originalIds.length > 0 ? await queries.opportunitiesForInvoicing(originalIds) : []).map((row) => [
        row.Id,
        withLines(row),
      ]),
    );
    const prepared: Prepared[] = [];
    for (const job of jobs) {
      const row = byId.get(job.payload.opportunityId!);
      if (!row) {
        outcomes.set(job.id, { kind: 'failed', error: `Opportunity ${job.payload.opportunityId} was not found` });
        continue;
      }
      try {
        const { opportunity, lineItems } = withLines(row);
        const account = accountRowSchema.parse(row.Account);
        const { entity } = routeOpportunity(entities, opportunity, account, deps.corporateCurrency);
        const original = opportunity.Amended_Opportunity__c
          ? originals.get(opportunity.Amended_Opportunity__c)
          : undefined;
        if (opportunity.Amended_Opportunity__c && !original) {
          throw new DomainError(
            'INVALID_AMENDMENT',
            `${opportunity.Name} amends ${opportunity.Amended_Opportunity__c}, which was not found`,
          );
        }
        prepared.push({ job, opportunity, account, lineItems, entity, ...(original ? { original } : {}) });
      } catch (err) {
        errors.set(job, describeError(err));
      }
    }
    return prepared;
  }

  /**
   * Contact ids for each account in one tenant: from the store, else created in Xero (50 a call). An account Xero
   * will not take is in `refused` with Xero's reason, so only its own deals fail.
   */
  async function contactsFor(
    tenantId: string,
    accounts: AccountRow[],
    emails: ReadonlyMap<string, string>,
  ): Promise<{ ids: Map<string, string>; refused: Map<string, string> }> {
    const ids = new Map<string, string>();
    const refused = new Map<string, string>();
    const missing: AccountRow[] = [];
    for (const account of accounts) {
      const known = await deps.contactMappings.getContactMapping(tenantId, account.Id);
      if (known) ids.set(account.Id, known);
      else if (!missing.some((m) => m.Id === account.Id)) missing.push(account);
    }
    const contactOf = (account: AccountRow) => buildXeroContact(account, [], emails.get(account.Id));
    // A contact request's Idempotency-Key is the hash of what it sends: a retry after a crash replays the same
    // body under the same key, and an Account edited in between makes a new request rather than one Xero refuses
    // ("Idempotency-Key already used with a different request"). Duplicates are caught by ContactNumber below.
    const create = (chunk: AccountRow[], keyPrefix: string, withAccountId = false) => {
      const inputs = chunk.map((account) => {
        const contact = contactOf(account);
        return toContactInput(withAccountId ? { ...contact, name: `${contact.name} (${account.Id})` } : contact);
      });
      return xero.createContacts(
        tenantId,
        inputs,
        batchKey(
          `${keyPrefix}:${tenantId}`,
          inputs.map((input) => JSON.stringify(input)),
        ),
      );
    };
    missing.sort((a, b) => a.Id.localeCompare(b.Id));
    for (let i = 0; i < missing.length; i += XERO_BATCH) {
      const chunk = missing.slice(i, i + XERO_BATCH);
      const results = await create(chunk, 'contacts');
      for (const [index, result] of results.entries()) {
        const account = chunk[index]!;
        let contactId = result.ok ? result.id : undefined;
        // Refused because the contact already exists (an earlier attempt made it): find it by its ContactNumber,
        // the Account id.
        contactId ??= (await xero.findContactByNumber(tenantId, contactOf(account).contactNumber))?.contactID;
        if (!contactId && !result.ok && result.errors.some((e) => /contact name .* already assigned/i.test(e))) {
          // Another customer has this name in Xero (names must be unique there; two Accounts may share one):
          // never bill the wrong one, so this account's contact carries its Account id in the name.
          const [renamed] = await create([account], 'contact-renamed', true);
          if (renamed?.ok) {
            contactId = renamed.id;
            log.info(
              { tenantId, accountId: account.Id },
              'Xero has another contact of this name; created it with the Account id',
            );
          }
        }
        if (!contactId) {
          refused.set(
            account.Id,
            `Xero refused contact ${account.Name}: ${result.ok ? 'no id' : result.errors.join('; ')}`,
          );
          continue;
        }
        await deps.contactMappings.saveContactMapping(tenantId, account.Id, contactId);
        ids.set(account.Id, contactId);
      }
    }
    return { ids, refused };
  }

  /** After a crash between Xero's commit and ours, find what an earlier attempt created (by its source URL). */
  async function alreadyInXero(
    tenantId: string,
    group: Prepared[],
    contactIds: Map<string, string>,
  ): Promise<Map<string, XeroInvoice>> {
    const found = new Map<string, XeroInvoice>();
    // Claimed before and not finished (failed, expired or interrupted): an earlier attempt may have reached Xero.
    const retried = group.filter((p) => p.job.attempts > 1 || p.job.lastError !== null);
    if (retried.length === 0) return found;
    const since = new Date(Math.min(...retried.map((p) => p.job.createdAt)) - 10 * 60_000);
    const wanted = new Map(retried.map((p) => [sourceUrl(deps.instanceUrl(), p.opportunity.Id), p]));
    const contacts = [...new Set(retried.map((p) => contactIds.get(p.account.Id)).filter(Boolean))] as string[];
    for (let page = 1; ; page += 1) {
      const result = await xero.getInvoicesModifiedSince(tenantId, {
        modifiedSince: since,
        page,
        pageSize: 100,
        where: `Type=="ACCREC"`,
      });
      for (const invoice of result.items) {
        const match = invoice.url ? wanted.get(invoice.url) : undefined;
        if (
          match &&
          invoice.status !== 'DELETED' &&
          invoice.status !== 'VOIDED' &&
          contacts.includes(invoice.contact?.contactID ?? '')
        ) {
          found.set(match.job.payload.requestKey, invoice);
        }
      }
      if (!result.hasMore) break;
    }
    return found;
  }

  async function createInTenant(
    tenantId: string,
    group: Prepared[],
    emails: ReadonlyMap<string, string>,
    outcomes: Map<number, JobOutcome>,
    errors: Map<RequestJob, string>,
  ): Promise<Produced[]> {
    const produced: Produced[] = [];
    let pending: Prepared[] = [];
    const knownIds: [Prepared, string][] = [];
    for (const p of group) {
      const known = await deps.xeroResults.findXeroResult(p.job.payload.requestKey, tenantId, 'invoice');
      if (known) knownIds.push([p, known.xeroId]);
      else pending.push(p);
    }
    if (knownIds.length > 0) {
      const invoices = await xero.getInvoicesByIds(
        tenantId,
        knownIds.map(([, id]) => id),
      );
      const byId = new Map(invoices.map((inv) => [inv.invoiceID, inv]));
      for (const [p, id] of knownIds) {
        const invoice = byId.get(id);
        if (invoice) produced.push({ prepared: p, invoice });
        else outcomes.set(p.job.id, { kind: 'retry', error: `Xero invoice ${id} could not be read back` });
      }
    }
    if (pending.length === 0) return produced;

    const contacts = await contactsFor(
      tenantId,
      pending.map((p) => p.account),
      emails,
    );
    const contactIds = contacts.ids;
    for (const p of pending.filter((p) => contacts.refused.has(p.account.Id))) {
      errors.set(p.job, contacts.refused.get(p.account.Id)!);
    }
    pending = pending.filter((p) => !contacts.refused.has(p.account.Id));
    const recovered = await alreadyInXero(tenantId, pending, contactIds);
    const taxRates = await reference.taxRates(tenantId);
    const toCreate: { prepared: Prepared; input: XeroInvoiceInput }[] = [];
    const downgrades: { prepared: Prepared; document: XeroDraftDocument }[] = [];
    for (const p of pending) {
      const earlier = recovered.get(p.job.payload.requestKey);
      if (earlier?.invoiceID) {
        await deps.xeroResults.recordXeroResult({
          requestKey: p.job.payload.requestKey,
          tenantId,
          kind: 'invoice',
          xeroId: earlier.invoiceID,
        });
        produced.push({ prepared: p, invoice: earlier });
        continue;
      }
      try {
        const input = {
          opportunity: p.opportunity,
          lineItems: p.lineItems,
          account: p.account,
          entity: p.entity,
          contactId: contactIds.get(p.account.Id)!,
          taxRates,
          corporateCurrency: deps.corporateCurrency,
          today: new Date(deps.clock.now()).toISOString().slice(0, 10),
        };
        const document = p.original
          ? mapAmendingOpportunity({ ...input, original: p.original, proration: { method: deps.prorationMethod } })
          : mapOpportunityToInvoice(input);
        if (document === null) {
          outcomes.set(p.job.id, { kind: 'done', result: { nothingToBill: true } });
          continue;
        }
        if (document.type === 'ACCRECCREDIT') {
          // A downgrade is a credit: it waits for finance approval like any credit started in Salesforce.
          downgrades.push({ prepared: p, document });
          continue;
        }
        for (const warning of document.warnings)
          log.warn({ requestKey: p.job.payload.requestKey, warning }, 'draft warning');
        toCreate.push({
          prepared: p,
          input: toInvoiceInput(document, sourceUrl(deps.instanceUrl(), p.opportunity.Id)),
        });
      } catch (err) {
        errors.set(p.job, describeError(err, p.entity));
      }
    }

    // As for contacts: the same drafts in the same order, whatever order the jobs were claimed in this time.
    toCreate.sort((a, b) => a.prepared.job.payload.requestKey.localeCompare(b.prepared.job.payload.requestKey));
    for (let i = 0; i < toCreate.length; i += XERO_BATCH) {
      const chunk = toCreate.slice(i, i + XERO_BATCH);
      const results = await xero.createInvoices(
        tenantId,
        chunk.map((c) => c.input),
        batchKey(
          'CREATE_DRAFT',
          chunk.map((c) => c.prepared.job.payload.requestKey),
        ),
      );
      for (const result of results) {
        const { prepared } = chunk[result.index]!;
        if (result.ok && result.id) {
          await deps.xeroResults.recordXeroResult({
            requestKey: prepared.job.payload.requestKey,
            tenantId,
            kind: 'invoice',
            xeroId: result.id,
          });
          produced.push({ prepared, invoice: result.record });
        } else {
          errors.set(
            prepared.job,
            `Xero rejected the invoice for ${prepared.entity.developerName}: ${result.errors.join('; ')}`,
          );
        }
      }
    }
    for (const { prepared, document } of downgrades) {
      outcomes.set(prepared.job.id, await recordDowngrade(prepared, document));
    }
    return produced;
  }

  /** A downgrade's credit note, awaiting finance approval against the amended deal's invoice. */
  async function recordDowngrade(p: Prepared, document: XeroDraftDocument): Promise<JobOutcome> {
    const invoices = await queries.invoicesFor('Opportunity__c', [p.original!.opportunity.Id]);
    const invoice = invoices.find((row) => row.Status__c !== 'Voided' && row.Status__c !== 'Deleted');
    const id = await saveCreditNoteDraft(deps, document, {
      requestKey: p.job.payload.requestKey,
      invoiceRecordId: invoice?.Id ?? null,
      accountId: p.account.Id,
      reason: `Downgrade: ${p.opportunity.Name}`,
    });
    return { kind: 'done', result: { creditNoteRecordId: id, total: document.total } };
  }

  async function writeBack(
    produced: Produced[],
    errors: Map<RequestJob, string>,
    outcomes: Map<number, JobOutcome>,
    existingLines: ReadonlyMap<string, ReadonlyMap<string, string>>,
  ) {
    const now = deps.clock.now();
    const records: InvoiceWrite[] = produced.map(({ prepared, invoice }) => {
      const period = opportunityServicePeriod(prepared.opportunity);
      return invoiceRecord(invoice, {
        requestKey: prepared.job.payload.requestKey,
        opportunityId: prepared.opportunity.Id,
        accountId: prepared.account.Id,
        billingEntity: prepared.entity.developerName,
        tenantId: prepared.entity.xeroTenantId,
        invoiceType: prepared.opportunity.Invoice_Type__c ?? 'New',
        ...(period ? { servicePeriod: period } : {}),
        now,
      });
    });
    const failed = [...errors.entries()];
    for (const [job, message] of failed) {
      log.warn(
        { requestKey: job.payload.requestKey, opportunityId: job.payload.opportunityId, message },
        'draft not created',
      );
    }
    const errorRecords: InvoiceWrite[] = failed.map(([job, message]) => ({
      Request_Key__c: job.payload.requestKey,
      Opportunity__c: job.payload.opportunityId,
      Sync_Status__c: 'Error',
      Sync_Message__c: message,
      Last_Synced__c: new Date(now).toISOString(),
    }));
    const all = [...records, ...errorRecords];
    if (all.length === 0) return;

    // Two Composite rounds. First the invoices, then the summary reads (queued after them, so they see them);
    // then the lines of the invoices Salesforce took, the summary updates and, last, the events.
    const first = writeback.composite();
    const upserted = first.upsert(Invoice, 'Request_Key__c', all);
    // The rep's fields on both pages include the new drafts (invoiced amounts, the one-line status).
    const summaries = deps.summaries.stage(
      {
        opportunities: [...new Set(produced.map((p) => p.prepared.opportunity.Id))],
        accounts: [...new Set(produced.map((p) => p.prepared.account.Id))],
      },
      first,
    );
    await first.run();
    const results = await upserted;

    const second = writeback.composite();
    const written: { index: number; id: string }[] = [];
    const events: SObjectWrite<typeof SyncUpdateEvent>[] = [];
    results.forEach((result, index) => {
      const source = index < produced.length ? produced[index]!.prepared.job : failed[index - produced.length]![0];
      if (!result.ok) {
        outcomes.set(source.id, { kind: 'retry', error: `Salesforce refused Invoice__c: ${why(result.errors)}` });
        return;
      }
      if (index < produced.length) written.push({ index, id: result.id });
      events.push({
        Record_Ids__c: result.id,
        Invoice_Id__c: result.id,
        Opportunity_Id__c: source.payload.opportunityId ?? null,
        Account_Id__c: index < produced.length ? produced[index]!.prepared.account.Id : null,
        Change__c: index < produced.length ? 'STATUS' : 'ERROR',
      });
      if (index >= produced.length && !outcomes.has(source.id)) {
        outcomes.set(source.id, { kind: 'failed', error: errors.get(source)! });
      }
    });
    const lines = queueInvoiceLines(
      second,
      written.map(({ index, id }) => {
        const existing = existingLines.get(produced[index]!.prepared.job.payload.requestKey);
        return { lines: invoiceLineRecords(produced[index]!.invoice, id), ...(existing ? { existing } : {}) };
      }),
    );
    await summaries.queueUpdates(second);
    void second.create(SyncUpdateEvent, events);
    await second.run();

    // A refused line leaves the mirror incomplete: that job tries again (the upserts are idempotent).
    const lineOutcomes = await lines;
    written.forEach(({ index, id }, n) => {
      const { prepared, invoice } = produced[index]!;
      if (outcomes.has(prepared.job.id)) return;
      const refused = lineOutcomes[n]!.flatMap((line) => (line.ok ? [] : line.errors));
      outcomes.set(
        prepared.job.id,
        refused.length > 0
          ? { kind: 'retry', error: `Salesforce refused Invoice_Line__c: ${why(refused)}` }
          : { kind: 'done', result: { invoiceRecordId: id, xeroInvoiceId: invoice.invoiceID } },
      );
    });
  }

  return {
    batchSize: CREATE_DRAFT_BATCH,
    async run(jobs) {
      const outcomes = new Map<number, JobOutcome>();
      if ((await reference.settings()).readOnly) {
        for (const job of jobs)
          outcomes.set(job.id, {
            kind: 'retry',
            error: 'Read-only mode is on: nothing is sent to Xero',
            delayMs: 5 * 60_000,
          });
        return outcomes;
      }
      const errors = new Map<RequestJob, string>();
      const { rows, emails, existingLines } = await load(jobs);
      const prepared = await prepare(jobs, rows, outcomes, errors);
      const byTenant = new Map<string, Prepared[]>();
      for (const p of prepared)
        byTenant.set(p.entity.xeroTenantId, [...(byTenant.get(p.entity.xeroTenantId) ?? []), p]);
      const produced: Produced[] = [];
      for (const [tenantId, group] of byTenant) {
        try {
          produced.push(...(await createInTenant(tenantId, group, emails, outcomes, errors)));
        } catch (err) {
          // The tenant as a whole failed (network, 5xx, tokens): nothing half-done is lost, the jobs retry.
          const message = describeError(err);
          for (const p of group) {
            if (isTransient(err)) outcomes.set(p.job.id, { kind: 'retry', error: message });
            else errors.set(p.job, message);
          }
          log.warn({ err, tenantId, jobs: group.length }, 'CREATE_DRAFT batch failed for tenant');
        }
      }
      await writeBack(produced, errors, outcomes, existingLines);
      return outcomes;
    },
  };
}

/** An Opportunity row (with its OpportunityLineItems subquery) as the domain reads it. */
function withLines(row: OpportunityForInvoicing) {
  return {
    opportunity: opportunityRowSchema.parse(row),
    lineItems: childRecords(row.OpportunityLineItems).map((item) => opportunityLineItemRowSchema.parse(item)),
  };
}

const why = (errors: readonly RecordError[]) => errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ');

function sourceUrl(instanceUrl: string, opportunityId: string): string {
  return `${instanceUrl.replace(/\/+$/, '')}/lightning/r/Opportunity/${opportunityId}/view`;
}

function toContactInput(contact: ReturnType<typeof buildXeroContact>) {
  return {
    name: contact.name,
    contactNumber: contact.contactNumber,
    ...(contact.emailAddress ? { emailAddress: contact.emailAddress } : {}),
    ...(contact.addresses ? { addresses: contact.addresses } : {}),
  };
}

/** The domain's draft as the xero/ layer's input (SDK types stay inside xero/). */
export function toInvoiceInput(document: XeroDraftDocument, url: string): XeroInvoiceInput {
  if (!('contactId' in document.contact)) throw new DomainError('INVALID_INPUT', 'the invoice has no Xero contact');
  return {
    type: 'ACCREC',
    status: 'DRAFT',
    contact: { contactID: document.contact.contactId },
    date: document.date,
    ...(document.dueDate ? { dueDate: document.dueDate } : {}),
    lineAmountTypes: document.lineAmountTypes,
    currencyCode: document.currencyCode,
    ...(document.currencyRate ? { currencyRate: document.currencyRate } : {}),
    reference: document.reference,
    ...(document.brandingThemeId ? { brandingThemeID: document.brandingThemeId } : {}),
    url,
    lineItems: document.lineItems.map((line) => ({
      description: line.description,
      quantity: line.quantity,
      unitAmount: line.unitAmount,
      ...(line.discountRate ? { discountRate: line.discountRate } : {}),
      accountCode: line.accountCode,
      taxType: line.taxType,
      ...(line.itemCode ? { itemCode: line.itemCode } : {}),
      ...(line.tracking.length > 0 ? { tracking: line.tracking.map((t) => ({ name: t.name, option: t.option })) } : {}),
    })),
  };
}
