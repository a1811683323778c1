import { randomBytes } from 'node:crypto';
import { SqliteStore } from '../../store';
import type { PagedQuery, XeroInvoice, XeroPage } from '../../xero/types';
import { draft, job, UK_TENANT, xeroInvoice } from './__fixtures__/drafts';
import { sourceUrl } from './draft';
import { findEarlierAttempts, readBackRecorded, type RecoveryDeps } from './recovery';

const INSTANCE = 'https://acme.my.salesforce.com';
let store: SqliteStore;
beforeEach(() => {
  store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
});
afterEach(() => store.close());

function xero(invoices: XeroInvoice[]) {
  const asked: PagedQuery[] = [];
  const fake: RecoveryDeps['xero'] = {
    getInvoicesByIds: async (_tenantId, ids) => invoices.filter((i) => ids.includes(i.invoiceID ?? '')),
    getInvoicesModifiedSince: async (_tenantId, query): Promise<XeroPage<XeroInvoice>> => {
      asked.push(query);
      return { items: invoices, page: query.page ?? 1, pageSize: 100, hasMore: false };
    },
  };
  return { fake, asked };
}

describe('CREATE_DRAFT: crash recovery', () => {
  it('reads back the invoice a request key produced instead of creating it again', async () => {
    const made = draft(1);
    const lost = draft(2);
    const fresh = draft(3);
    await store.xeroResults.recordXeroResult({
      requestKey: made.requestKey,
      tenantId: UK_TENANT,
      kind: 'invoice',
      xeroId: 'inv-1',
    });
    await store.xeroResults.recordXeroResult({
      requestKey: lost.requestKey,
      tenantId: UK_TENANT,
      kind: 'invoice',
      xeroId: 'inv-gone',
    });
    const { fake } = xero([xeroInvoice('inv-1')]);
    const { outcomes, pending } = await readBackRecorded({ xero: fake, xeroResults: store.xeroResults }, UK_TENANT, [
      made,
      lost,
      fresh,
    ]);
    expect(pending).toEqual([fresh]);
    expect(outcomes).toEqual([
      { kind: 'invoiced', draft: made, invoice: xeroInvoice('inv-1') },
      {
        kind: 'settled',
        job: lost.job,
        outcome: { kind: 'retry', error: 'Xero invoice inv-gone could not be read back' },
      },
    ]);
  });

  it('looks in Xero for what a retried job may have made, by its source URL and contact', async () => {
    const retried = draft(1, { job: job(1, { attempts: 2 }) });
    const interrupted = draft(2, { job: job(2, { lastError: 'interrupted: the bridge stopped while this job ran' }) });
    const mine = xeroInvoice('inv-1', {
      url: sourceUrl(INSTANCE, retried.opportunity.Id),
      contact: { contactID: 'c1' },
    });
    const voided = xeroInvoice('inv-2', {
      url: sourceUrl(INSTANCE, interrupted.opportunity.Id),
      contact: { contactID: 'c2' },
      status: 'VOIDED',
    });
    const { fake, asked } = xero([mine, voided]);
    const found = await findEarlierAttempts(
      { xero: fake, instanceUrl: () => `${INSTANCE}/` },
      UK_TENANT,
      [retried, interrupted],
      new Map([
        [retried.account.Id, 'c1'],
        [interrupted.account.Id, 'c2'],
      ]),
    );
    expect(found).toEqual(new Map([[retried.requestKey, mine]]));
    expect(asked[0]).toMatchObject({
      modifiedSince: new Date(Date.UTC(2026, 2, 1) - 10 * 60_000),
      where: 'Type=="ACCREC"',
    });
  });

  it('does not look for a job on its first attempt', async () => {
    const { fake, asked } = xero([]);
    const found = await findEarlierAttempts(
      { xero: fake, instanceUrl: () => INSTANCE },
      UK_TENANT,
      [draft(1)],
      new Map(),
    );
    expect(found.size).toBe(0);
    expect(asked).toEqual([]);
  });
});
