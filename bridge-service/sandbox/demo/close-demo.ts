/**
 * The month-end part of the sandbox demo (issue 16): once the billing demo's month has ended, the bridge proposes
 * each billing entity's close (at 07:00 on the first day after the month, in the entity's time zone); finance approves
 * each, oldest month first, through the approval process; the bridge posts the journals to Xero once and ties the
 * close out against Xero's Trial Balance. Every step waits for the state it narrates and prints what the systems hold.
 */
import type { Sandbox } from '../sandbox-bridge';
import { connect } from '../salesforce/test-helpers';
import type { ScaledClock } from '../shared/clock';
import { money, waitUntil } from './billing-demo';

const FINANCE = 'fran.finance@ledgerline.example';
const INTEGRATION = 'integration@ledgerline.example';

type Row = Record<string, unknown>;
type Say = (line: string) => void;

const FIELDS =
  'Id, Name, Billing_Entity__c, Period_Start__c, Currency_Code__c, Status__c, Version__c, Recognition_Total__c, ' +
  'Accrual_Total__c, Closing_Deferred__c, Closing_Accrued__c, Sync_Message__c, Xero_Recognition_Journal_Id__c, ' +
  'Xero_Accrual_Journal_Id__c, Xero_Reversal_Journal_Id__c, Tie_Out_Result__c';

export interface CloseDemoResult {
  closes: Row[];
}

export async function playCloseScenario(sandbox: Sandbox, clock: ScaledClock, say: Say): Promise<CloseDemoResult> {
  const admin = () => connect(sandbox.sf, INTEGRATION);
  const step = (n: number, text: string) => say(`\n[close ${n}/3] ${text}`);
  const today = new Date(clock.now()).toISOString().slice(0, 10);
  const lastMonth = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 2, 1))
    .toISOString()
    .slice(0, 7);

  step(
    1,
    `The month has ended: at 07:00 on ${today} in each entity's time zone the bridge proposes its close of ` +
      `${lastMonth} (a month not yet approved waits, oldest first)`,
  );
  // 07:00 in London; New York's entities follow at 12:00 UTC.
  const target = Date.parse(`${today}T13:00:00Z`);
  if (clock.now() < target) clock.set(target);
  const proposalsDone = () =>
    waitUntil('every entity proposed', async () => {
      const open = await sandbox.store.jobs.listJobs({ states: ['queued', 'running'], limit: 1_000 });
      // A close posted has the next month's proposed a second later.
      return open.some((j) => j.action === 'CLOSE_PROPOSE' && j.nextRunAt <= clock.now() + 2_000) ? undefined : true;
    });
  await proposalsDone();
  const proposed = await waitUntil('the closes proposed', async () => {
    const { records } = await admin().query<Row>(
      `SELECT ${FIELDS} FROM Month_End_Close__c WHERE Status__c IN ('Proposed', 'Refused') ` +
        'ORDER BY Period_Start__c, Billing_Entity__c',
    );
    return records.some((r) => String(r.Period_Start__c).startsWith(lastMonth)) ? records : undefined;
  });
  for (const c of proposed) {
    if (c.Status__c === 'Refused') {
      say(`      ${String(c.Name).padEnd(18)} ${String(c.Sync_Message__c)}`);
      continue;
    }
    say(
      `      ${String(c.Name).padEnd(18)} recognition ${money(c.Recognition_Total__c).padStart(10)}, accrual ` +
        `${money(c.Accrual_Total__c).padStart(9)}; deferred at month end ${money(c.Closing_Deferred__c)}, accrued ` +
        `${money(c.Closing_Accrued__c)} ${String(c.Currency_Code__c)}`,
    );
  }

  step(2, 'Finance approves each close, oldest month first; the bridge posts its journals to Xero once');
  const closes: Row[] = [];
  // A later month waits for the one before it (closes post in month order) and is proposed as soon as it is posted.
  const handled = new Set<string>();
  const nextProposed = async (): Promise<Row | undefined> => {
    await proposalsDone();
    const { records } = await admin().query<Row>(
      `SELECT ${FIELDS} FROM Month_End_Close__c WHERE Status__c = 'Proposed' ORDER BY Period_Start__c, Billing_Entity__c`,
    );
    return records.find((r) => !handled.has(String(r.Id)));
  };
  for (let c = await nextProposed(); c; c = await nextProposed()) {
    const id = String(c.Id);
    handled.add(id);
    sandbox.sf.control.approvals.submit(id, { user: FINANCE });
    sandbox.sf.control.approvals.approve(id, { user: FINANCE, comment: 'Agrees with the schedules' });
    const done = await waitUntil(`${String(c.Name)} posted and tied out`, async () => {
      const row = (await admin().query<Row>(`SELECT ${FIELDS} FROM Month_End_Close__c WHERE Id = '${id}'`)).records[0];
      return ['Tied', 'Difference', 'Refused'].includes(String(row?.Status__c)) ? row : undefined;
    });
    closes.push(done);
    const journals = [
      done.Xero_Recognition_Journal_Id__c,
      done.Xero_Accrual_Journal_Id__c,
      done.Xero_Reversal_Journal_Id__c,
    ].filter(Boolean).length;
    say(
      done.Status__c === 'Refused'
        ? `      ${String(done.Name)}: refused: ${String(done.Sync_Message__c)}`
        : `      ${String(done.Name)}: ${journals} manual journal(s) posted in Xero`,
    );
  }

  step(3, "The tie-out: Xero's Trial Balance at each month end against the schedules");
  for (const done of closes) {
    if (done.Status__c === 'Refused') continue;
    say(
      `      ${String(done.Status__c).padEnd(10)} ${String(done.Tie_Out_Result__c).split('\n').join('\n                 ')}`,
    );
  }
  return { closes };
}
