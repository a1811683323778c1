/**
 * Two billing entities sharing one Xero organisation (supported: billing-entity.ts only warns; each matches its
 * customers apart). A document made in Xero belongs to the entity whose contact link holds its contact: the go-live
 * import of one entity mirrors that entity's customers under its name, and the live path (webhooks, the poller) looks
 * through the links of every entity on the tenant in one query and files each document under the link it found.
 * (review-12 F3: both used to look up the first entity with that tenant only.)
 */
import pino from 'pino';
import { parseBillingEntities } from '../../domain/billing-entity';
import type { ContactLinkRow } from '../../salesforce/golive-queries';
import type { XeroCreditNote } from '../../xero/types';
import { createApplyContext, type ApplyDeps } from './apply-context';
import { applyCreditNotes } from './apply-credit-notes';
import { applyInvoices } from './apply-invoices';
import { xeroInvoice } from './__fixtures__/invoices';

const TENANT = '11111111-1111-4111-8111-111111111111';
const LTD_CUSTOMER = 'c0c0c0c0-0000-4000-8000-000000000001';
const SERVICES_CUSTOMER = 'c0c0c0c0-0000-4000-8000-000000000002';
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

const link = (entity: string, account: string, contact: string) =>
  ({ Account__c: account, Billing_Entity__c: entity, Xero_Contact_Id__c: contact }) as ContactLinkRow;

function setup(
  links: ContactLinkRow[] = [
    link('UK_Ltd', '001000000000001AAA', LTD_CUSTOMER),
    link('UK_Services', '001000000000002AAA', SERVICES_CUSTOMER),
  ],
  options: { entities?: typeof entities; mapping?: string } = {},
) {
  const asked: string[][] = [];
  const upserts: Record<string, unknown>[] = [];
  const warnings: unknown[] = [];
  const ok = (records: readonly unknown[]) => records.map((_, i) => ({ ok: true as const, id: `a0${i}` }));
  const deps = {
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
        upserts.push(...(records as Record<string, unknown>[])),
        ok(records)
      ),
    },
    contactMappings: { getContactMapping: async () => options.mapping ?? null },
    goLive: {
      linksOfContacts: async (entity: string | readonly string[], ids: readonly string[]) => {
        const wanted = typeof entity === 'string' ? [entity] : [...entity];
        asked.push(wanted);
        return links.filter(
          (l) => wanted.includes(l.Billing_Entity__c ?? '') && ids.includes(l.Xero_Contact_Id__c ?? ''),
        );
      },
      opportunities: async () => [],
      wonDealsOfAccounts: async () => [],
      customerCreditsByXeroIds: async () => [],
    },
    reference: { billingEntities: async () => options.entities ?? entities },
    summaries: { refreshOpportunities: async () => undefined, refreshAccounts: async () => undefined },
    clock: { now: () => Date.parse('2026-03-02T00:00:00Z') },
    log: { ...pino({ level: 'silent' }), warn: (obj: unknown) => warnings.push(obj), info: () => {}, debug: () => {} },
  } as unknown as ApplyDeps;
  return { deps, ctx: createApplyContext(deps), asked, upserts, warnings };
}

const invoiceOf = (n: number, contactID: string) =>
  xeroInvoice({ invoiceID: `a1b2c3d4-0000-4000-8000-00000000000${n}`, contact: { contactID } });

describe('go-live import on a shared tenant', () => {
  it('the review-12 case: a UK_Services customer’s invoice is imported, filed under UK_Services', async () => {
    const t = setup([link('UK_Services', '001000000000001AAA', LTD_CUSTOMER)]);
    const result = await applyInvoices(t.deps, t.ctx, TENANT, [invoiceOf(1, LTD_CUSTOMER)], 'import');
    expect(result.skipped).toEqual([]);
    expect(t.upserts.map((u) => u.Billing_Entity__c)).toEqual(['UK_Services']);
  });

  it('the import of one entity mirrors its own customers, under its name, and leaves the other’s alone', async () => {
    const t = setup();
    const invoices = [invoiceOf(1, LTD_CUSTOMER), invoiceOf(2, SERVICES_CUSTOMER)];
    const result = await applyInvoices(t.deps, t.ctx, TENANT, invoices, 'import', undefined, {
      entity: 'UK_Services',
    });
    expect(t.asked).toEqual([['UK_Services']]);
    expect(result.skipped).toEqual([invoices[0]!.invoiceID]);
    expect(t.upserts.map((u) => [u.Account__c, u.Billing_Entity__c])).toEqual([['001000000000002AAA', 'UK_Services']]);
  });
});

describe('live inbound on a shared tenant', () => {
  it('an invoice raised by hand in Xero is filed under the entity whose link holds its contact (one query)', async () => {
    const t = setup();
    const result = await applyInvoices(t.deps, t.ctx, TENANT, [
      invoiceOf(1, LTD_CUSTOMER),
      invoiceOf(2, SERVICES_CUSTOMER),
    ]);
    expect(t.asked).toEqual([['UK_Ltd', 'UK_Services']]);
    expect(result.skipped).toEqual([]);
    expect(t.upserts.map((u) => [u.Account__c, u.Billing_Entity__c])).toEqual([
      ['001000000000001AAA', 'UK_Ltd'],
      ['001000000000002AAA', 'UK_Services'],
    ]);
  });

  it('a contact linked in both entities is not filed under a guess: skipped, with a warning saying why', async () => {
    const t = setup([
      link('UK_Ltd', '001000000000001AAA', LTD_CUSTOMER),
      link('UK_Services', '001000000000001AAA', LTD_CUSTOMER),
    ]);
    const result = await applyInvoices(t.deps, t.ctx, TENANT, [invoiceOf(1, LTD_CUSTOMER)]);
    expect(result.skipped).toEqual([invoiceOf(1, LTD_CUSTOMER).invoiceID]);
    expect(t.upserts).toEqual([]);
    expect(JSON.stringify(t.warnings)).toContain(
      `Xero contact ${LTD_CUSTOMER} is linked in more than one billing entity`,
    );
  });

  it('a contact known only from the store’s mapping: its entity on a single tenant, no guess on a shared one', async () => {
    const legacy = xeroInvoice({ contact: { contactID: LTD_CUSTOMER, contactNumber: '001000000000009AAA' } });
    const shared = setup([], { mapping: LTD_CUSTOMER });
    expect((await applyInvoices(shared.deps, shared.ctx, TENANT, [legacy])).skipped).toEqual([legacy.invoiceID]);
    expect(JSON.stringify(shared.warnings)).toContain('is shared by UK_Ltd and UK_Services');

    // Nor when the import of one of them meets it: the other entity's import would claim it as well.
    const imported = setup([], { mapping: LTD_CUSTOMER });
    const result = await applyInvoices(imported.deps, imported.ctx, TENANT, [legacy], 'import', undefined, {
      entity: 'UK_Ltd',
    });
    expect(result.skipped).toEqual([legacy.invoiceID]);

    const single = setup([], { mapping: LTD_CUSTOMER, entities: entities.slice(0, 1) });
    await applyInvoices(single.deps, single.ctx, TENANT, [legacy]);
    expect(single.upserts.map((u) => [u.Account__c, u.Billing_Entity__c])).toEqual([['001000000000009AAA', 'UK_Ltd']]);
  });

  it('a credit note made in Xero takes the entity of the link that holds its contact', async () => {
    const t = setup();
    const note: XeroCreditNote = {
      creditNoteID: 'cccccccc-0000-4000-8000-000000000001',
      type: 'ACCRECCREDIT',
      status: 'AUTHORISED',
      currencyCode: 'GBP',
      total: 120,
      subTotal: 100,
      totalTax: 20,
      remainingCredit: 120,
      contact: { contactID: SERVICES_CUSTOMER },
      updatedDateUTC: new Date('2026-03-01T10:00:00Z'),
    } as XeroCreditNote;
    await applyCreditNotes(t.deps, t.ctx, TENANT, [note]);
    expect(t.upserts.map((u) => [u.Account__c, u.Billing_Entity__c])).toEqual([['001000000000002AAA', 'UK_Services']]);
  });
});
