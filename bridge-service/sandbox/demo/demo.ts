/**
 * The sandbox demo: both emulators and the real bridge, then a scenario a sales rep and finance would recognise,
 * narrated step by step. Every figure printed is read back from the emulators at the moment it is printed, and
 * each step waits for the state it narrates (never for a fixed time): the bridge writes the invoice first and the
 * rep's Opportunity summary after it, so "the payment is on the invoice" does not yet mean "the rep can see it".
 */
import type { Connection } from 'jsforce';
import type { Sandbox } from '../sandbox-bridge';
import { connect } from '../salesforce/test-helpers';

const SALES = 'sam.seller@ledgerline.example';
const FINANCE = 'fran.finance@ledgerline.example';
const DEALS = ['GBP', 'USD', 'EUR'] as const;

type Row = Record<string, unknown>;
type Say = (line: string) => void;

export interface DemoResult {
  invoices: Row[];
  ok: boolean;
}

async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const money = (value: unknown, currency: unknown) =>
  `${Number(value ?? 0).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${String(currency ?? '')}`;

async function invoiceOf(admin: Connection, opportunityId: string): Promise<Row | undefined> {
  const { records } = await admin.query<Row>(
    'SELECT Id, Name, Invoice_Number__c, Status__c, Sync_Status__c, Sync_Message__c, Billing_Entity__c, Currency_Code__c, ' +
      'Total__c, Amount_Paid__c, Amount_Credited__c, Amount_Due__c, Due_Date__c, Xero_Invoice_Id__c, Xero_Tenant_Id__c, ' +
      'Online_Invoice_URL__c, ' +
      'Opportunity__r.Name, Opportunity__r.Invoice_Status__c, Opportunity__r.Amount_Paid__c, Opportunity__r.Amount_Due__c ' +
      `FROM Invoice__c WHERE Opportunity__c = '${opportunityId}'`,
  );
  return records[0];
}

const same = (a: unknown, b: unknown) => Number(a ?? 0) === Number(b ?? 0);

/** Salesforce's invoice beside Xero's, and whether they agree on total and amount due. */
function compare(sandbox: Sandbox, inv: Row) {
  const xero = (sandbox.xero.control.snapshot(String(inv.Xero_Tenant_Id__c)).invoices as Row[]).find(
    (x) => x.id === inv.Xero_Invoice_Id__c,
  );
  const agree = xero !== undefined && same(xero.total, inv.Total__c) && same(xero.outstanding, inv.Amount_Due__c);
  return {
    agree,
    row: {
      invoice: String(inv.Invoice_Number__c),
      entity: String(inv.Billing_Entity__c),
      'Salesforce status': String(inv.Status__c),
      'Salesforce due': money(inv.Amount_Due__c, inv.Currency_Code__c),
      'Xero status': String(xero?.status ?? 'missing'),
      'Xero due': xero ? money(xero.outstanding, xero.currencyCode) : '-',
      agree: agree ? 'yes' : 'NO',
    },
  };
}

/** Plays the scenario against a running sandbox. */
export async function playScenario(sandbox: Sandbox, say: Say): Promise<DemoResult> {
  const sales = connect(sandbox.sf, SALES);
  const admin = connect(sandbox.sf, 'integration@ledgerline.example');
  const step = (n: number, text: string) => say(`\n[${n}/6] ${text}`);

  step(1, 'A sales rep closes three deals, one per currency');
  const opportunities: Row[] = [];
  for (const currency of DEALS) {
    const { records } = await admin.query<Row>(
      `SELECT Id, Name, Account.Name FROM Opportunity WHERE CurrencyIsoCode = '${currency}' AND IsWon = false ORDER BY Name LIMIT 1`,
    );
    const opp = records[0]!;
    // Reps set the close date to the day they win the deal; the invoice is dated from it.
    const today = new Date().toISOString().slice(0, 10);
    await sales.sobject('Opportunity').update({ Id: opp.Id as string, StageName: 'Closed Won', CloseDate: today });
    say(`      ${String(opp.Name)} (${String((opp.Account as Row).Name)}) closed won in ${currency}`);
    opportunities.push(opp);
  }

  step(2, 'The bridge creates a draft invoice in the right Xero organisation');
  const drafts: Row[] = [];
  for (const opp of opportunities) {
    const invoice = await waitUntil(`the draft of ${String(opp.Name)}`, async () => {
      const row = await invoiceOf(admin, opp.Id as string);
      return row?.Sync_Status__c === 'Synced' ? row : undefined;
    });
    say(
      `      ${String(invoice.Invoice_Number__c)} draft in ${String(invoice.Billing_Entity__c)}: ${money(invoice.Total__c, invoice.Currency_Code__c)}`,
    );
    drafts.push(invoice);
  }

  step(3, 'Finance approves each invoice in Salesforce; the bridge authorises it in Xero');
  for (const invoice of drafts) {
    sandbox.sf.control.approvals.submit(invoice.Id as string, { user: SALES });
    sandbox.sf.control.approvals.approve(invoice.Id as string, { user: FINANCE, comment: 'Approved' });
  }
  for (const [index, opp] of opportunities.entries()) {
    const invoice = await waitUntil('authorisation', async () => {
      const row = await invoiceOf(admin, opp.Id as string);
      return row?.Status__c === 'Authorised' ? row : undefined;
    });
    drafts[index] = invoice;
    say(`      ${String(invoice.Invoice_Number__c)} authorised, due ${String(invoice.Due_Date__c)}`);
  }
  // The customer's online-invoice link costs a Xero call per invoice, so approving does not read it: the rep asks.
  const asked = drafts[0]!;
  sandbox.sf.control.invoiceActions.requestOnlineLink(String(asked.Id), SALES);
  const linked = await waitUntil('the customer link', async () => {
    const row = await invoiceOf(admin, opportunities[0]!.Id as string);
    return row?.Online_Invoice_URL__c ? row : undefined;
  });
  say(
    `      the rep asked for ${String(linked.Invoice_Number__c)}'s customer link: ${String(linked.Online_Invoice_URL__c)}`,
  );

  step(4, 'The UK customer pays part of their invoice in Xero; the payment flows back to Salesforce');
  const uk = drafts[0]!;
  const part = (Math.floor(Number(uk.Total__c) / 2 / 100) * 100).toFixed(2);
  sandbox.xero.control.recordCustomerPayment({
    tenantId: String(uk.Xero_Tenant_Id__c),
    invoiceId: String(uk.Xero_Invoice_Id__c),
    amount: part,
    reference: 'BACS 0042',
  });
  await sandbox.xero.control.flushWebhooks();
  // The payment on the invoice, and the rep's summary on the Opportunity recomputed from it (written after).
  const paid = await waitUntil("the payment on the invoice and on the rep's Opportunity", async () => {
    const row = await invoiceOf(admin, opportunities[0]!.Id as string);
    const opportunity = row?.Opportunity__r as Row | undefined;
    return row &&
      same(row.Amount_Paid__c, part) &&
      same(opportunity?.Amount_Paid__c, row.Amount_Paid__c) &&
      same(opportunity?.Amount_Due__c, row.Amount_Due__c)
      ? row
      : undefined;
  });
  say(
    `      ${money(part, paid.Currency_Code__c)} received; the rep now reads: "${String((paid.Opportunity__r as Row).Invoice_Status__c)}"`,
  );

  step(5, 'Finance credits one returned seat on the EUR invoice; after approval it is allocated in Xero');
  const eu = drafts[2]!;
  sandbox.sf.control.invoiceActions.credit(eu.Id as string, FINANCE, { amount: 121, reason: 'One seat returned' });
  const creditNote = async () => {
    const { records } = await admin.query<Row>(
      'SELECT Id, Status__c, Total__c, Sync_Status__c, Xero_Credit_Note_Id__c, Remaining_Credit__c ' +
        `FROM Credit_Note__c WHERE Invoice__c = '${String(eu.Id)}'`,
    );
    return records[0];
  };
  // The bridge records the credit note, with Xero's totals, as a draft awaiting finance's approval.
  const note = await waitUntil('the credit note awaiting approval', async () => {
    const row = await creditNote();
    return row?.Status__c === 'Draft' && row.Sync_Status__c === 'Synced' ? row : undefined;
  });
  sandbox.sf.control.approvals.submit(note.Id as string, { user: FINANCE });
  sandbox.sf.control.approvals.approve(note.Id as string, { user: FINANCE });
  // Allocated: the note is in Xero with no credit left, and all of it is on the invoice.
  const credited = await waitUntil('the allocated credit', async () => {
    const allocated = await creditNote();
    const row = await invoiceOf(admin, opportunities[2]!.Id as string);
    return allocated?.Xero_Credit_Note_Id__c &&
      same(allocated.Remaining_Credit__c, 0) &&
      row &&
      same(row.Amount_Credited__c, note.Total__c)
      ? row
      : undefined;
  });
  say(
    `      credit of ${money(note.Total__c, credited.Currency_Code__c)} allocated; ${money(credited.Amount_Due__c, credited.Currency_Code__c)} still due`,
  );

  step(6, 'What each system holds now');
  const holdings = async () => {
    const invoices: Row[] = [];
    for (const opp of opportunities) invoices.push((await invoiceOf(admin, opp.Id as string))!);
    return { invoices, compared: invoices.map((inv) => compare(sandbox, inv)) };
  };
  // Changes still travelling settle first; a disagreement that outlasts the wait is shown as it is.
  const settled = await waitUntil('both systems to agree', async () => {
    const now = await holdings();
    return now.compared.every((c) => c.agree) ? now : undefined;
  }).catch(() => holdings());
  const { invoices } = settled;
  const ok = settled.compared.every((c) => c.agree);
  const table = settled.compared.map((c) => c.row);
  const columns = Object.keys(table[0]!);
  const widths = columns.map((c) => Math.max(c.length, ...table.map((r) => (r as Record<string, string>)[c]!.length)));
  const line = (cells: string[]) => `      ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`;
  say(line(columns));
  say(line(widths.map((w) => '-'.repeat(w))));
  for (const row of table) say(line(columns.map((c) => (row as Record<string, string>)[c]!)));
  return { invoices, ok };
}
