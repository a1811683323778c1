/**
 * Issue 18, done when: going live on a company's existing Salesforce and Xero data, end to end, against both emulators
 * with the bridge as its own process (killed with SIGKILL as the chaos suite does).
 *
 * The UK Xero organisation holds 200 contacts (40 named as Salesforce Accounts, 8 respelt, one the same name only without
 * the company form, one true ambiguity: two contacts for one Account, 149 customers Salesforce does not have) and 1,000
 * historical invoices with payments, credit notes, overpayments and prepayments. After matching and the import: no
 * contact created, the ambiguity waiting for review, all history linked and summed on the Accounts, the drift check
 * finds nothing. A change made by hand in Xero (its webhook lost, no poll) is found by the next drift check and fixed
 * from Salesforce. The import is killed midway and resumes without duplicates. New deals use the linked contacts; the
 * ambiguous Account's waits until finance decides. A rejected draft is corrected and sent again: one Xero invoice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'jsforce';
import { connectXeroOrganisations, startEmulatedSystems, type EmulatedSystems } from '../sandbox/sandbox-bridge';
import { connect } from '../sandbox/salesforce/test-helpers';
import type { GoLiveScenario } from '../sandbox/xero/golive-tenant';
import { openStore } from '../src/store';
import { BridgeProcess, freePort } from './chaos/bridge-process';
import { waitFor } from './wait-for';

jest.setTimeout(240_000);

const UK = '11111111-1111-4111-8111-111111111111';
const SALES = 'sam.seller@ledgerline.example';
const FINANCE = 'fran.finance@ledgerline.example';
const SINCE = '2025-01-01';
const DAY = 86_400_000;

type Row = Record<string, unknown>;

let systems: EmulatedSystems;
let bridge: BridgeProcess;
let admin: Connection;
let sales: Connection;
let workDir: string;
let scenario: GoLiveScenario;
const accountIds = new Map<string, string>();
const opportunityOf = new Map<string, string>();
let started = 0;
/** The deal billed through a linked contact (the rework test corrects its draft). */
let linkedDeal = '';
/** When the latest drift check this test saw ran. */
let lastCheck = 0;

const report = (line: string) => process.stderr.write(`${line}\n`);

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Row }> {
  const res = await fetch(`${bridge.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${systems.env.ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Row };
}

/**
 * Starts the bridge process and waits until its org runs: /health answers as soon as the server listens, while the
 * org's bridge is still starting (its routes answer 503 ORG_NOT_RUNNING until then).
 */
async function startBridge(): Promise<void> {
  await bridge.start();
  await waitFor('the default org to run', async () => (await api('GET', '/admin/jobs?limit=1')).status === 200, 60_000);
}

async function all<T extends Row = Row>(soql: string): Promise<T[]> {
  return (await admin.query<T>(soql).run({ autoFetch: true, maxFetch: 100_000 })).records;
}

const tenant = () => systems.xero.state.tenant(UK)!;

/** Deals: an Opportunity with one GBP line, not yet won. */
function createDeal(accountId: string, name: string, stage = 'Negotiation/Review'): string {
  const { org } = systems.sf;
  const ctx = { userId: org.resolveUser(SALES).Id };
  const entry = org
    .records(org.object('PricebookEntry'))
    .find((e) => e.CurrencyIsoCode === 'GBP' && e.IsActive === true)!;
  let id = '';
  org.transaction(() => {
    id = org.insert(
      'Opportunity',
      { Name: name, AccountId: accountId, StageName: stage, CloseDate: '2026-05-20', CurrencyIsoCode: 'GBP' },
      ctx,
    );
    org.insert(
      'OpportunityLineItem',
      { OpportunityId: id, PricebookEntryId: entry.Id, Quantity: 2, UnitPrice: Number(entry.UnitPrice) },
      ctx,
    );
  });
  return id;
}

beforeAll(async () => {
  started = Date.now();
  workDir = mkdtempSync(join(tmpdir(), 'ledgerline-golive-'));
  systems = await startEmulatedSystems({ dataDir: workDir });
  const store = await openStore(systems.config);
  await connectXeroOrganisations(store, systems.xero);
  await store.close();
  admin = connect(systems.sf, 'ada.admin@ledgerline.example'); // an administrator arranges and inspects the org
  sales = connect(systems.sf, SALES);

  // Salesforce: the company's Accounts; three were invoiced by a wave-1 bridge (their deals are won, their contacts
  // carry the Account Id as ContactNumber and their invoices link back to the deal).
  const { org } = systems.sf;
  systems.sf.control.setOrgSettings({ Auto_Draft_On_Close__c: false });
  scenario = systems.xero.control.goLive.scenario();
  const ctx = { userId: org.resolveUser(SALES).Id };
  org.transaction(() => {
    for (const account of scenario.accounts) {
      accountIds.set(
        account.key,
        org.insert(
          'Account',
          {
            Name: account.name,
            BillingCountry: 'GB',
            CurrencyIsoCode: 'GBP',
            ...(account.accountNumber ? { AccountNumber: account.accountNumber } : {}),
            ...(account.billingEmail ? { Billing_Email__c: account.billingEmail } : {}),
          },
          ctx,
        ),
      );
    }
  });
  const urls = new Map<string, string[]>();
  for (const account of scenario.accounts.filter((a) => a.bridgeMade)) {
    const id = createDeal(accountIds.get(account.key)!, `${account.name} - Platform`, 'Closed Won');
    opportunityOf.set(account.key, id);
    urls.set(account.key, [`${systems.sf.url}/lightning/r/Opportunity/${id}/view`]);
  }
  systems.sf.control.setOrgSettings({ Auto_Draft_On_Close__c: true });

  // Xero: the same company's organisation, with its history.
  const yesterday = new Date(systems.xero.control.now() - DAY).toISOString().slice(0, 10);
  const seeded = systems.xero.control.goLive.seedHistory(UK, scenario, {
    from: SINCE,
    to: yesterday,
    accountIds,
    opportunityUrls: urls,
  });
  expect(seeded).toMatchObject({ contacts: 200, invoices: 1000 });

  const port = await freePort();
  bridge = new BridgeProcess(
    // No poll during the test (the drift check must find what the lost webhook did not bring): no idle backoff
    // either, so no webhook wakes the poller at once; pages of 100.
    {
      ...systems.env,
      PORT: String(port),
      POLL_INTERVAL_MS: '600000',
      POLL_IDLE_MAX_MS: '600000',
      IMPORT_PAGE_SIZE: '100',
    },
    join(workDir, 'bridge.log'),
  );
  systems.xero.control.configureWebhooks({ url: `${bridge.url}/webhooks/xero`, batchDelayMs: 50 });
  await startBridge();
});

afterAll(async () => {
  await bridge?.kill();
  await systems?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  report(`go-live end to end: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

/** Xero's invoices of the contacts linked to each Account (the ambiguous Account's are not linked: waiting). */
function expectedHistory(linkedContacts: Map<string, string>) {
  const byAccount = new Map<string, { count: number; due: number; invoiced: number; payments: number }>();
  for (const doc of tenant().invoices.values()) {
    const accountId = linkedContacts.get(doc.contactId);
    if (!accountId || doc.date < SINCE) continue;
    const sum = byAccount.get(accountId) ?? { count: 0, due: 0, invoiced: 0, payments: 0 };
    sum.count += 1;
    sum.payments += doc.paymentIds.length;
    if (doc.status === 'AUTHORISED') sum.due += Number(doc.total.minus(doc.amountPaid).minus(doc.amountCredited));
    if (doc.status !== 'VOIDED' && doc.status !== 'DELETED') sum.invoiced += Number(doc.total);
    byAccount.set(accountId, sum);
  }
  return byAccount;
}

describe('go live on existing data', () => {
  let runKey = '';

  it('imports the history: killed midway, it resumes where it stopped and writes nothing twice', async () => {
    const startedImport = await api('POST', '/admin/imports', { entity: 'UK_Ltd', since: SINCE });
    expect(startedImport.status).toBe(202);
    runKey = String((startedImport.body.run as Row).runKey);
    expect(runKey).toBe(`IMPORT:UK_Ltd:${SINCE}`);
    const bad = await api('POST', '/admin/imports', { entity: 'UK_Ltd', since: '2025-02-30' });
    expect(bad.status).toBe(400);

    // SIGKILL once a few invoice pages are in.
    await waitFor(
      'a few pages of invoices imported',
      async () => {
        const run = (await api('GET', `/admin/imports/${encodeURIComponent(runKey)}`)).body.run as Row;
        return Number((run.counts as Row).invoices ?? 0) >= 300 ? run : undefined;
      },
      120_000,
    );
    await bridge.kill();
    const atKill = (await openStore(systems.config).then(async (store) => {
      const run = await store.importRuns.getImportRun(runKey);
      await store.close();
      return run;
    }))!;
    expect(atKill.status).toBe('running');
    await startBridge();

    const done = await waitFor(
      'the import to complete',
      async () => {
        const run = (await api('GET', `/admin/imports/${encodeURIComponent(runKey)}`)).body.run as Row;
        if (run.status === 'failed') throw new Error(`import failed: ${JSON.stringify(run.errors)}`);
        return run.status === 'completed' ? run : undefined;
      },
      150_000,
    );
    report(`go-live import: ${JSON.stringify(done.counts)}; killed at step ${atKill.step}`);
    expect(Number(done.step)).toBeGreaterThan(atKill.step);

    // Nothing was written to Xero: no contact, no invoice made by the import.
    expect(tenant().contacts.size).toBe(200);
    expect(tenant().invoices.size).toBe(1000);

    // Matching: 48 certain links (40 names, 8 respellings), two reviews waiting for finance.
    const links = await all(
      "SELECT Account__c, Xero_Contact_Id__c, Match_Method__c FROM Xero_Contact_Link__c WHERE Billing_Entity__c = 'UK_Ltd'",
    );
    expect(links).toHaveLength(48);
    const reviews = await all<Row>(
      "SELECT Account__c, Status__c, Reason__c, Candidate_Count__c FROM Contact_Match_Review__c WHERE Billing_Entity__c = 'UK_Ltd'",
    );
    expect(reviews.map((r) => [r.Account__c, r.Status__c, r.Reason__c]).sort()).toEqual(
      [
        [accountIds.get('ambiguous'), 'Open', 'AMBIGUOUS'],
        [accountIds.get('form-only'), 'Open', 'COMPANY_FORM_DIFFERS'],
      ].sort(),
    );

    // History: every invoice of a linked contact mirrored once, with its payments, and summed on its Account.
    const linked = new Map(links.map((l) => [String(l.Xero_Contact_Id__c), String(l.Account__c)]));
    const expected = expectedHistory(linked);
    const mirrors = await all<Row>(
      "SELECT Id, Account__c, Opportunity__c, Xero_Invoice_Id__c FROM Invoice__c WHERE Xero_Tenant_Id__c = '" +
        UK +
        "'",
    );
    const expectedCount = [...expected.values()].reduce((n, e) => n + e.count, 0);
    expect(mirrors).toHaveLength(expectedCount);
    expect(new Set(mirrors.map((m) => m.Xero_Invoice_Id__c)).size).toBe(expectedCount);
    expect(Number((done.counts as Row).invoices)).toBe(expectedCount);
    const payments = await all<Row>('SELECT Id FROM Payment__c');
    expect(payments).toHaveLength([...expected.values()].reduce((n, e) => n + e.payments, 0));
    const accounts = await all<Row>(
      `SELECT Id, Amount_Due__c, Invoiced_Amount__c FROM Account WHERE Id IN ('${[...expected.keys()].join("','")}')`,
    );
    for (const account of accounts) {
      const sums = expected.get(String(account.Id))!;
      expect([account.Id, Number(account.Amount_Due__c).toFixed(2)]).toEqual([account.Id, sums.due.toFixed(2)]);
      expect([account.Id, Number(account.Invoiced_Amount__c).toFixed(2)]).toEqual([
        account.Id,
        sums.invoiced.toFixed(2),
      ]);
    }
    // The deals the wave-1 bridge billed hold their invoices again.
    for (const [key, opportunityId] of opportunityOf) {
      expect([key, mirrors.filter((m) => m.Opportunity__c === opportunityId).length]).toEqual([key, 1]);
    }
    const credits = await all<Row>('SELECT Id, Remaining_Credit__c FROM Customer_Credit__c');
    expect(credits.length).toBe(Number((done.counts as Row).overpayments) + Number((done.counts as Row).prepayments));
    const [record] = await all<Row>(
      `SELECT Status__c, Phase__c, Invoices_Imported__c, Contacts_Linked__c, Contacts_For_Review__c FROM Import_Run__c WHERE Run_Key__c = '${runKey}'`,
    );
    expect(record).toMatchObject({
      Status__c: 'Completed',
      Phase__c: 'Done',
      Invoices_Imported__c: expectedCount,
      Contacts_Linked__c: 48,
      Contacts_For_Review__c: 2,
    });
    const metrics = await (await fetch(`${bridge.url}/metrics`)).text();
    expect(metrics).toMatch(/ledgerline_import_documents_total\{tenant="[^"]+",kind="invoices"\} \d+/);
  });

  async function driftCheck(): Promise<Row> {
    const asked = await api('POST', '/admin/drift-checks', { entity: 'UK_Ltd' });
    expect(asked.status).toBe(202);
    const report = await waitFor(
      'the drift check',
      async () => {
        const latest = await api('GET', '/admin/drift/UK_Ltd');
        return latest.status === 200 && Date.parse(String(latest.body.checkedAt)) > lastCheck ? latest.body : undefined;
      },
      60_000,
    );
    lastCheck = Date.parse(String(report.checkedAt));
    return report;
  }

  it('reconciles: the drift check finds no difference, and booked, billed and collected agree on both sides', async () => {
    const report = await driftCheck();
    expect(report.open).toEqual([]);
    expect(report.reconciliationDifferences).toEqual([]);
    expect((report.reconciliation as Row[]).some((line) => line.level === 'account')).toBe(true);
  });

  it('finds a change made by hand in Xero whose webhook was lost, and Salesforce fixes it', async () => {
    const [mirror] = await all<Row>(
      "SELECT Id, Xero_Invoice_Id__c, Total__c FROM Invoice__c WHERE Status__c = 'Authorised' AND Amount_Paid__c = 0 AND Amount_Credited__c = 0 LIMIT 1",
    );
    const invoiceId = String(mirror!.Xero_Invoice_Id__c);
    systems.xero.control.setWebhookFaults({ drop: 10 });
    const edited = systems.xero.control.goLive.handEdit(UK, invoiceId, {
      lines: [{ Description: 'Corrected by hand', Quantity: '1', UnitAmount: '99.00', AccountCode: '200' }],
    });
    await systems.xero.control.flushWebhooks();
    const found = await driftCheck();
    const findings = (found.open as Row[]).filter((f) => f.xeroId === invoiceId);
    expect(findings.map((f) => f.field)).toEqual(expect.arrayContaining(['Total']));
    expect(findings[0]).toMatchObject({ cause: 'EDITED_AFTER_APPROVAL', fix: 'REVIEW' });
    const open = await all<Row>(
      `SELECT Result_Key__c, Status__c, Cause__c, Suggested_Fix__c FROM Reconciliation_Result__c WHERE Document_Xero_Id__c = '${invoiceId}'`,
    );
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((r) => r.Status__c === 'Open')).toBe(true);
    // The same edit no longer ties: billed on the Account and the entity differ, each a result of its own.
    expect(found.reconciliationDifferences).not.toEqual([]);
    const untied = await all<Row>(
      "SELECT Field__c, Account__c, Cause__c FROM Reconciliation_Result__c WHERE Check_Type__c = 'Reconciliation' AND Status__c = 'Open'",
    );
    expect(untied.map((r) => r.Field__c)).toEqual(
      expect.arrayContaining(['Invoiced (net)', 'Billed (net of credits)']),
    );
    expect(untied.every((r) => r.Cause__c === 'DOES_NOT_TIE')).toBe(true);
    expect(untied.some((r) => r.Account__c)).toBe(true);

    // Finance reviews it and takes Xero's version from the record (Resync).
    expect(systems.sf.control.invoiceActions.resync(String(mirror!.Id), FINANCE).isSuccess).toBe(true);
    await waitFor('the mirror to take the edit', async () => {
      const [row] = await all<Row>(`SELECT Total__c FROM Invoice__c WHERE Id = '${String(mirror!.Id)}'`);
      return Number(row!.Total__c).toFixed(2) === edited.total ? row : undefined;
    });
    const fixed = await driftCheck();
    expect(fixed.open).toEqual([]);
    const resolved = await all<Row>(
      `SELECT Status__c FROM Reconciliation_Result__c WHERE Document_Xero_Id__c = '${invoiceId}'`,
    );
    expect(resolved.every((r) => r.Status__c === 'Resolved')).toBe(true);
    expect(fixed.reconciliationDifferences).toEqual([]);
    const stillUntied = await all<Row>(
      "SELECT Id FROM Reconciliation_Result__c WHERE Check_Type__c = 'Reconciliation' AND Status__c = 'Open'",
    );
    expect(stillUntied).toEqual([]);
    systems.xero.control.setWebhookFaults({ drop: 0 });
  });

  it('bills new deals through the linked contacts; the ambiguous Account waits for finance, then goes out', async () => {
    const contacts = tenant().contacts.size;
    const exact = scenario.accounts.find((a) => a.key === 'exact-5')!;
    const ambiguous = scenario.accounts.find((a) => a.key === 'ambiguous')!;
    linkedDeal = createDeal(accountIds.get(exact.key)!, `${exact.name} - Expansion`);
    const waitingDeal = createDeal(accountIds.get(ambiguous.key)!, `${ambiguous.name} - New`);
    await sales.sobject('Opportunity').update([
      { Id: linkedDeal, StageName: 'Closed Won' },
      { Id: waitingDeal, StageName: 'Closed Won' },
    ]);
    const invoiceOf = (opportunityId: string, status: string) =>
      waitFor(`the invoice of ${opportunityId}`, async () => {
        const [row] = await all<Row>(
          `SELECT Id, Sync_Status__c, Sync_Message__c, Xero_Invoice_Id__c, Status__c FROM Invoice__c WHERE Opportunity__c = '${opportunityId}'`,
        );
        return row?.Sync_Status__c === status ? row : undefined;
      });
    const draft = await invoiceOf(linkedDeal, 'Synced');
    const waiting = await invoiceOf(waitingDeal, 'Pending');
    expect(waiting.Sync_Message__c).toMatch(/^Waiting for finance: a Xero contact to confirm/);
    const link = (
      await all<Row>(
        `SELECT Xero_Contact_Id__c FROM Xero_Contact_Link__c WHERE Account__c = '${accountIds.get(exact.key)}'`,
      )
    )[0]!;
    expect(tenant().invoices.get(String(draft.Xero_Invoice_Id__c))!.contactId).toBe(link.Xero_Contact_Id__c);

    const [review] = await all<Row>(
      `SELECT Id, Candidates__c FROM Contact_Match_Review__c WHERE Account__c = '${accountIds.get('ambiguous')}'`,
    );
    const chosen = (JSON.parse(String(review!.Candidates__c)) as { contactId: string }[])[0]!.contactId;
    systems.sf.control.goLive.contactMatch.decide(FINANCE, String(review!.Id), 'CONFIRM', chosen, 'Same VAT number');
    const released = await invoiceOf(waitingDeal, 'Synced');
    expect(tenant().invoices.get(String(released.Xero_Invoice_Id__c))!.contactId).toBe(chosen);
    expect(tenant().contacts.size).toBe(contacts);
    const [confirmed] = await all<Row>(
      `SELECT Match_Method__c FROM Xero_Contact_Link__c WHERE Account__c = '${accountIds.get('ambiguous')}'`,
    );
    expect(confirmed).toMatchObject({ Match_Method__c: 'Finance Review' });
  });

  it('a rejected draft is corrected in Salesforce and sent again: the same Xero invoice, updated', async () => {
    const [draft] = await all<Row>(
      `SELECT Id, Opportunity__c, Xero_Invoice_Id__c, Total__c FROM Invoice__c WHERE Opportunity__c = '${linkedDeal}'`,
    );
    const xeroId = String(draft!.Xero_Invoice_Id__c);
    systems.sf.control.approvals.submit(String(draft!.Id), { user: SALES });
    systems.sf.control.approvals.reject(String(draft!.Id), { user: FINANCE, comment: 'Only one seat was sold' });
    const finance = connect(systems.sf, FINANCE);
    const [line] = (
      await finance.query<Row>(`SELECT Id, Quantity__c FROM Invoice_Line__c WHERE Invoice__c = '${String(draft!.Id)}'`)
    ).records;
    await finance.sobject('Invoice_Line__c').update({ Id: String(line!.Id), Quantity__c: 1 });
    const sent = systems.sf.control.invoiceActions.updateDraft(String(draft!.Id), FINANCE);
    expect(sent.isSuccess).toBe(true);
    const corrected = await waitFor('the corrected draft', async () => {
      const [row] = await all<Row>(
        `SELECT Sync_Message__c, Total__c, Xero_Invoice_Id__c FROM Invoice__c WHERE Id = '${String(draft!.Id)}'`,
      );
      return String(row?.Sync_Message__c ?? '').startsWith('Corrected in Xero') ? row : undefined;
    });
    expect(corrected.Sync_Message__c).toMatch(/quantity 2(\.0+)? → 1/);
    expect(corrected.Xero_Invoice_Id__c).toBe(xeroId);
    expect(Number(corrected.Total__c)).toBeCloseTo(Number(draft!.Total__c) / 2, 2);
    const made = [...tenant().invoices.values()].filter((d) => d.url?.includes(String(draft!.Opportunity__c)));
    expect(made.map((d) => [d.id, d.status, d.total.toFixed(2)])).toEqual([
      [xeroId, 'DRAFT', Number(corrected.Total__c).toFixed(2)],
    ]);
  });

  it('a rep raises a milestone invoice on a won deal: a draft for finance to approve, the remainder still visible', async () => {
    const account = scenario.accounts.find((a) => a.key === 'exact-6')!;
    systems.sf.control.setOrgSettings({ Auto_Draft_On_Close__c: false });
    const deal = createDeal(accountIds.get(account.key)!, `${account.name} - Milestones`, 'Closed Won');
    systems.sf.control.setOrgSettings({ Auto_Draft_On_Close__c: true });
    const { partialInvoice } = systems.sf.control.goLive;
    const before = partialInvoice.getRemainder(deal);
    expect(before).toMatchObject({ invoiced: '0.00', blockedReason: null });
    const deposit = (Number(before.dealValue) * 0.3).toFixed(2);

    partialInvoice.raise(SALES, deal, 'PERCENT_OF_DEAL', 30, 'Deposit');
    // The mirror is written first, its lines after it: wait for both.
    const mirror = await waitFor('the milestone draft with its lines', async () => {
      const [row] = await all<Row>(
        `SELECT Id, Xero_Invoice_Id__c, Sub_Total__c, Status__c, Approval_Status__c FROM Invoice__c WHERE Opportunity__c = '${deal}'`,
      );
      if (!row?.Xero_Invoice_Id__c) return undefined;
      const lines = await all<Row>(`SELECT Id FROM Invoice_Line__c WHERE Invoice__c = '${String(row.Id)}'`);
      return lines.length > 0 ? row : undefined;
    });
    expect(mirror).toMatchObject({ Status__c: 'Draft', Approval_Status__c: 'Not Submitted' });
    expect(Number(mirror.Sub_Total__c).toFixed(2)).toBe(deposit);
    const [link] = await all<Row>(
      `SELECT Xero_Contact_Id__c FROM Xero_Contact_Link__c WHERE Account__c = '${accountIds.get(account.key)!}'`,
    );
    const inXero = tenant().invoices.get(String(mirror.Xero_Invoice_Id__c))!;
    expect([inXero.status, inXero.contactId]).toEqual(['DRAFT', link!.Xero_Contact_Id__c]);

    // What remains is on the deal, and no more than that can be raised.
    const after = partialInvoice.getRemainder(deal);
    expect(after).toMatchObject({ invoiced: deposit, invoiceCount: 1 });
    expect(Number(after.remaining)).toBeCloseTo(Number(before.dealValue) - Number(deposit), 2);
    expect(() => partialInvoice.raise(SALES, deal, 'AMOUNT', Number(after.remaining) + 1)).toThrow();

    // The same gate as every draft: approved by finance, then authorised in Xero.
    systems.sf.control.approvals.submit(String(mirror.Id), { user: SALES });
    systems.sf.control.approvals.approve(String(mirror.Id), { user: FINANCE });
    await waitFor('the milestone authorised in Xero', async () =>
      tenant().invoices.get(inXero.id)?.status === 'AUTHORISED' ? true : undefined,
    );
  });
});
