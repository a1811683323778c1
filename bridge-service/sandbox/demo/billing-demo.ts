/**
 * The billing-plan part of the sandbox demo (issue 15): one deal billed quarterly in advance. Its plan appears in
 * Salesforce when it is won, before any invoice; the sandbox's calendar then moves to the first instalment's date
 * and the bridge raises it as a Xero draft for finance to approve; a month on, the revenue schedule shows what was
 * billed, earned and deferred. Every step waits for the state it narrates and prints what the emulators hold then.
 */
import type { Sandbox } from '../sandbox-bridge';
import { connect } from '../salesforce/test-helpers';
import type { ScaledClock } from '../shared/clock';

const SALES = 'sam.seller@ledgerline.example';
const FINANCE = 'fran.finance@ledgerline.example';
/** Reads the org as an administrator would (the bridge's user cannot see Opportunity.Pricebook2Id, as in an org). */
const ADMIN = 'ada.admin@ledgerline.example';

type Row = Record<string, unknown>;
type Say = (line: string) => void;

export interface BillingDemoResult {
  planned: Row[];
  invoice: Row;
  month: Row;
}

/** Polls `check` until it gives a value (the demos wait for each state they narrate, never a fixed time). */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const money = (value: unknown) =>
  Number(value ?? 0).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const day = (iso: unknown) =>
  new Date(`${String(iso).slice(0, 10)}T00:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });

/** The first day of the month after `epochMs`'s (UTC). */
function nextMonthStart(epochMs: number): string {
  const d = new Date(epochMs);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}

/** Moves the shared calendar forward, as days pass: at most 20 days at a time, letting the bridge catch up. */
async function moveTo(clock: ScaledClock, iso: string, pause: () => Promise<void>): Promise<void> {
  const target = Date.parse(iso);
  while (clock.now() < target) {
    clock.set(Math.min(target, clock.now() + 20 * 86_400_000));
    await pause();
  }
}

export async function playBillingScenario(sandbox: Sandbox, clock: ScaledClock, say: Say): Promise<BillingDemoResult> {
  // The calendar moves by weeks, and sessions last two hours of it: every step signs in again.
  const sales = () => connect(sandbox.sf, SALES);
  const admin = () => connect(sandbox.sf, ADMIN);
  const step = (n: number, text: string) => say(`\n[plan ${n}/3] ${text}`);
  const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 300));

  step(1, 'A rep wins a deal billed quarterly in advance; its billing plan appears before any invoice');
  const start = nextMonthStart(clock.now());
  const end = new Date(Date.UTC(Number(start.slice(0, 4)) + 1, Number(start.slice(5, 7)) - 1, 0))
    .toISOString()
    .slice(0, 10);
  const { records } = await admin().query<Row>(
    "SELECT Id, AccountId, Pricebook2Id FROM Opportunity WHERE Name = 'Acme - Platform 2026'",
  );
  const seeded = records[0]!;
  const { records: entries } = await admin().query<Row>(
    "SELECT Id, UnitPrice FROM PricebookEntry WHERE CurrencyIsoCode = 'GBP' AND IsActive = true ORDER BY UnitPrice DESC LIMIT 1",
  );
  const today = new Date(clock.now()).toISOString().slice(0, 10);
  const created = (await sales()
    .sobject('Opportunity')
    .create({
      Name: `Acme - Analytics ${start.slice(0, 4)}`,
      AccountId: seeded.AccountId,
      StageName: 'Negotiation/Review',
      CloseDate: today,
      CurrencyIsoCode: 'GBP',
      Service_Start_Date__c: start,
      Service_End_Date__c: end,
      Billing_Frequency__c: 'Quarterly',
      Billing_Timing__c: 'In Advance',
      ...(seeded.Pricebook2Id ? { Pricebook2Id: seeded.Pricebook2Id } : {}),
    })) as { id: string };
  await sales().sobject('OpportunityLineItem').create({
    OpportunityId: created.id,
    PricebookEntryId: entries[0]!.Id,
    Quantity: 40,
    UnitPrice: 300,
  });
  await sales().sobject('Opportunity').update({ Id: created.id, StageName: 'Closed Won' });
  const plan = async () =>
    (
      await admin().query<Row>(
        'SELECT Id, Name, Status__c, Contract_Value__c, Invoiced_Amount__c, Next_Instalment_Date__c, Next_Instalment_Amount__c, ' +
          'Recognised_To_Date__c, Deferred_Revenue__c, Unbilled_Revenue__c, Balances_As_Of__c, Currency_Code__c, ' +
          '(SELECT Instalment_Key__c, Sequence__c, Issue_Date__c, Amount__c, Status__c, Status_Message__c, Invoice__c FROM Instalments__r ORDER BY Issue_Date__c) ' +
          `FROM Billing_Plan__c WHERE Opportunity__c = '${created.id}'`,
      )
    ).records[0];
  const instalments = (row: Row | undefined) => (row?.Instalments__r as { records?: Row[] } | null)?.records ?? [];
  const planned = await waitUntil('the plan', async () => {
    const row = await plan();
    return instalments(row).length > 0 ? row : undefined;
  });
  const invoices = await admin().query<Row>(`SELECT Id FROM Invoice__c WHERE Opportunity__c = '${created.id}'`);
  say(
    `      ${String(planned.Name)}: ${money(planned.Contract_Value__c)} GBP for ${day(start)} to ${day(end)}, ` +
      `${invoices.records.length} invoices so far`,
  );
  for (const i of instalments(planned)) {
    say(
      `        ${day(i.Issue_Date__c).padEnd(12)} ${money(i.Amount__c).padStart(9)} GBP  ${String(i.Status__c)}: ${String(i.Status_Message__c)}`,
    );
  }

  step(2, `The calendar moves to ${day(start)}; at 06:00 in London the bridge raises the first instalment`);
  await moveTo(clock, `${start}T06:00:01Z`, pause);
  const raised = await waitUntil('the first instalment raised', async () => {
    const first = instalments(await plan())[0];
    return first?.Status__c === 'Raised' && first.Invoice__c ? first : undefined;
  });
  const invoiceOf = async () =>
    (
      await admin().query<Row>(
        'SELECT Id, Invoice_Number__c, Issue_Date__c, Due_Date__c, Status__c, Sub_Total__c, Total__c, Xero_Invoice_Id__c ' +
          `FROM Invoice__c WHERE Id = '${String(raised.Invoice__c)}'`,
      )
    ).records[0];
  const draft = await waitUntil('the draft in Xero', async () => {
    const row = await invoiceOf();
    return row?.Xero_Invoice_Id__c ? row : undefined;
  });
  say(
    `      ${String(draft.Invoice_Number__c)} drafted in Xero, dated ${day(draft.Issue_Date__c)}, due ${day(draft.Due_Date__c)}: ` +
      `${money(draft.Sub_Total__c)} + VAT = ${money(draft.Total__c)} GBP`,
  );
  sandbox.sf.control.approvals.submit(String(draft.Id), { user: SALES });
  sandbox.sf.control.approvals.approve(String(draft.Id), { user: FINANCE, comment: 'First quarter' });
  const invoice = await waitUntil('the approval', async () => {
    const row = await invoiceOf();
    return row?.Status__c === 'Authorised' ? row : undefined;
  });
  say(`      finance approved it; ${String(invoice.Invoice_Number__c)} is ${String(invoice.Status__c)} in Xero`);

  const following = nextMonthStart(Date.parse(`${start}T00:00:00Z`));
  step(3, `A month on (${day(following)}), the revenue schedule: what the first month billed, earned and deferred`);
  // After 01:00 in London: the daily re-plan has made the month Actual.
  await moveTo(clock, `${following}T02:00:01Z`, pause);
  const month = await waitUntil('the month billed and earned', async () => {
    const { records: months } = await admin().query<Row>(
      'SELECT Month__c, Status__c, Billed__c, Recognised__c, Closing_Deferred__c, Closing_Unbilled__c FROM Revenue_Month__c ' +
        `WHERE Billing_Plan__r.Opportunity__c = '${created.id}' AND Month__c = ${start}`,
    );
    return Number(months[0]?.Billed__c ?? 0) > 0 && months[0]?.Status__c === 'Actual' ? months[0] : undefined;
  });
  say(
    `      ${day(start).slice(-8)}: billed ${money(month.Billed__c)}, recognised ${money(month.Recognised__c)}, ` +
      `deferred at month end ${money(month.Closing_Deferred__c)} GBP (${String(month.Status__c)})`,
  );
  const after = await waitUntil('the plan after the first invoice', async () => {
    const row = await plan();
    return Number(row?.Invoiced_Amount__c ?? 0) > 0 ? row : undefined;
  });
  say(
    `      the plan: invoiced ${money(after.Invoiced_Amount__c)} of ${money(after.Contract_Value__c)} GBP; ` +
      `next ${money(after.Next_Instalment_Amount__c)} on ${day(after.Next_Instalment_Date__c)}`,
  );
  return { planned: instalments(planned), invoice, month };
}
