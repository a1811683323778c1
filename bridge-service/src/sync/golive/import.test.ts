/**
 * The go-live import's invoice page through the real inbound path and the real (SQLite) store, against a fake
 * Salesforce: what it mirrors, under which entity, and what it leaves to the flow that made an invoice.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { parseBillingEntities } from '../../domain/billing-entity';
import type { ContactLinkRow } from '../../salesforce/golive-queries';
import { SqliteStore } from '../../store';
import type { XeroInvoice } from '../../xero/types';
import type { JobOf } from '../handler';
import { createInboundApply, type ApplyDeps } from '../inbound/apply';
import { xeroInvoice } from '../inbound/__fixtures__/invoices';
import { createImports, importRunKey, type ImportDeps } from './import';

const TENANT = '11111111-1111-4111-8111-111111111111';
const CONTACT = 'c0c0c0c0-0000-4000-8000-000000000001';
const ACCOUNT = '001000000000001AAA';
const OPPORTUNITY = '006000000000001AAA';
const { entities } = parseBillingEntities(
  ['UK_Ltd', 'UK_Services'].map((developerName) => ({
    developerName,
    xeroTenantId: TENANT,
    baseCurrency: 'GBP',
    countries: '',
    currencies: 'GBP',
    accountCode: '200',
    taxType: 'OUTPUT2',
    paymentTermsDays: 30,
  })),
);

let store: SqliteStore;
beforeEach(() => {
  store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
});
afterEach(() => store.close());

const id = (n: number) => `a1b2c3d4-0000-4000-8000-00000000000${n}`;
const bridgeUrl = `https://acme.my.salesforce.com/lightning/r/Opportunity/${OPPORTUNITY}/view`;

/** Imports one page of invoices for `entity` (the run already at its invoices phase); returns what was written. */
async function importPage(entity: string, page: XeroInvoice[], links: ContactLinkRow[]) {
  const invoiceUpserts: Record<string, unknown>[] = [];
  const ok = (records: readonly unknown[]) => records.map((_, i) => ({ ok: true as const, id: `a0${i}` }));
  const log = pino({ level: 'silent' });
  const applyDeps = {
    queries: {
      invoicesByXeroIds: async () => [],
      creditNotesByXeroIds: async () => [],
      paymentsByXeroIds: async () => [],
      pendingCreditNotes: async () => [],
    },
    writeback: {
      update: async (_o: unknown, records: readonly unknown[]) => ok(records),
      create: async (_o: unknown, records: readonly unknown[]) => ok(records),
      upsert: async (_o: unknown, _k: unknown, records: readonly unknown[]) => (
        invoiceUpserts.push(...(records as Record<string, unknown>[])),
        ok(records)
      ),
    },
    contactMappings: store.contactMappings,
    goLive: {
      linksOfContacts: async (entity: string | readonly string[], ids: readonly string[]) =>
        links.filter(
          (l) =>
            (typeof entity === 'string' ? [entity] : entity).includes(l.Billing_Entity__c ?? '') &&
            ids.includes(l.Xero_Contact_Id__c ?? ''),
        ),
      opportunities: async () => [{ Id: OPPORTUNITY, AccountId: ACCOUNT }],
      wonDealsOfAccounts: async () => [],
      customerCreditsByXeroIds: async () => [],
    },
    reference: { billingEntities: async () => entities },
    summaries: { refreshOpportunities: async () => undefined, refreshAccounts: async () => undefined },
    clock: { now: () => Date.parse('2026-03-02T00:00:00Z') },
    log,
  } as unknown as ApplyDeps;
  const imports = createImports({
    importRuns: store.importRuns,
    jobs: store.jobs,
    ledger: {
      getInvoices: async () => ({ items: page, page: 1, pageSize: 500, hasMore: false }),
    },
    apply: createInboundApply(applyDeps),
    reference: {
      entity: async (name: string) => entities.find((e) => e.developerName === name)!,
      billingEntities: async () => entities,
    },
    writeback: { upsert: async (_o: unknown, _k: unknown, records: readonly unknown[]) => ok(records) },
    xeroResults: store.xeroResults,
    clock: { now: () => Date.parse('2026-03-02T00:00:00Z') },
    log,
  } as unknown as ImportDeps);
  const runKey = importRunKey(entity, '2026-01-01');
  await store.importRuns.createImportRun({
    runKey,
    tenantId: TENANT,
    entity,
    since: '2026-01-01',
    cursor: { phase: 'invoices', page: 1 },
  });
  const job = { id: 1, key: `IMPORT_STEP:${runKey}:0`, attempts: 1, payload: { runKey } } as JobOf<'IMPORT_STEP'>;
  const outcomes = await imports.handler.run([job]);
  return { invoiceUpserts, outcome: outcomes.get(1), run: (await store.importRuns.getImportRun(runKey))! };
}

describe('IMPORT_STEP: invoices', () => {
  it('leaves an invoice this bridge made (its store knows the request key) to the flow that writes its mirror', async () => {
    // CREATE_DRAFT made invoice 1 and recorded it; its Salesforce write-back failed once and is to be retried. The
    // import page runs in between. Mirrored here as XERO:<id>, the retry's upsert under its own request key would
    // carry the same unique Xero_Invoice_Id__c and be refused (DUPLICATE_VALUE) until the job gave up (review-12 F4).
    await store.xeroResults.recordXeroResult({
      requestKey: `CREATE_DRAFT:${OPPORTUNITY}:1`,
      tenantId: TENANT,
      kind: 'invoice',
      xeroId: id(1),
    });
    const page = [
      // The draft still in flight: no mirror yet.
      xeroInvoice({ invoiceID: id(1), url: bridgeUrl, status: 'DRAFT', contact: { contactID: CONTACT } }),
      // Made by the bridge before this store knew of it (an earlier bridge): the import mirrors it, linked to its deal.
      xeroInvoice({ invoiceID: id(2), url: bridgeUrl, contact: { contactID: CONTACT } }),
      // Raised by hand in Xero.
      xeroInvoice({ invoiceID: id(3), contact: { contactID: CONTACT } }),
    ];
    const links = [{ Account__c: ACCOUNT, Billing_Entity__c: 'UK_Ltd', Xero_Contact_Id__c: CONTACT } as ContactLinkRow];
    const { invoiceUpserts, outcome, run } = await importPage('UK_Ltd', page, links);
    expect(outcome).toMatchObject({ kind: 'done' });
    expect(invoiceUpserts.map((u) => [u.Request_Key__c, u.Opportunity__c ?? null])).toEqual([
      [`XERO:${id(2)}`, OPPORTUNITY],
      [`XERO:${id(3)}`, null],
    ]);
    expect(run.counts).toMatchObject({ invoices: 2, skipped: 1 });
  });

  it('on a tenant two entities share, mirrors the run entity’s customers under its name (review-12 F3)', async () => {
    const other = 'c0c0c0c0-0000-4000-8000-000000000002';
    const links = [
      { Account__c: ACCOUNT, Billing_Entity__c: 'UK_Services', Xero_Contact_Id__c: CONTACT },
      { Account__c: '001000000000002AAA', Billing_Entity__c: 'UK_Ltd', Xero_Contact_Id__c: other },
    ] as ContactLinkRow[];
    const page = [
      xeroInvoice({ invoiceID: id(1), contact: { contactID: CONTACT } }),
      xeroInvoice({ invoiceID: id(2), contact: { contactID: other } }),
    ];
    const { invoiceUpserts, run } = await importPage('UK_Services', page, links);
    expect(invoiceUpserts.map((u) => [u.Xero_Invoice_Id__c, u.Account__c, u.Billing_Entity__c])).toEqual([
      [id(1), ACCOUNT, 'UK_Services'],
    ]);
    expect(run.counts).toMatchObject({ invoices: 1, skipped: 1 });
  });
});
