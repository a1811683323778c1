/**
 * The demo narrates only what has happened (issue 13 item 15). Its scenario runs against a sandbox whose
 * Salesforce emulator holds each of the bridge's Opportunity writes for a while, so a step that reads the rep's
 * summary before the bridge has written it prints a stale line, every time instead of one run in four.
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { startSandbox, type Sandbox } from '../sandbox-bridge';
import { connect } from '../salesforce/test-helpers';
import { playScenario, type DemoResult } from './demo';

const INTEGRATION = 'integration@ledgerline.example';

let sandbox: Sandbox;
let admin: Connection;
const lines: string[] = [];
let result: DemoResult;

beforeAll(async () => {
  sandbox = await startSandbox({
    bridge: { workerIdleMs: 50 },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
  sandbox.xero.control.configureWebhooks({ url: `${sandbox.url}/webhooks/xero`, batchDelayMs: 50 });
  admin = connect(sandbox.sf, INTEGRATION);
  // The bridge's summary write-back (Opportunity and Account) lands 1.5 s after its invoice write-back.
  sandbox.sf.control.delayWrites({ sobject: 'Opportunity', ms: 1500, user: INTEGRATION });
  sandbox.sf.control.delayWrites({ sobject: 'Account', ms: 1500, user: INTEGRATION });
  result = await playScenario(sandbox, (line) => lines.push(...line.split('\n')));
}, 120_000);

afterAll(() => sandbox.close());

/** The narration lines of step `n` (after its header, up to the next step). */
function step(n: number): string[] {
  const start = lines.findIndex((line) => line.startsWith(`[${n}/6]`));
  const end = lines.findIndex((line, i) => i > start && /^\[\d\/6\]/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((line) => line.trim() !== '');
}

it('reports the rep’s Opportunity status after the payment, as the Opportunity holds it', async () => {
  const uk = result.invoices[0]!;
  type Summary = { Invoice_Status__c: string; Amount_Paid__c: number };
  const { records } = await admin.query<{ Opportunity__r: Summary }>(
    `SELECT Opportunity__r.Invoice_Status__c, Opportunity__r.Amount_Paid__c FROM Invoice__c WHERE Id = '${String(uk.Id)}'`,
  );
  const opportunity = records[0]!.Opportunity__r;
  expect(opportunity.Amount_Paid__c).toBeGreaterThan(0);
  expect(opportunity.Invoice_Status__c).toMatch(/^Partially paid/);
  expect(step(4)).toEqual([expect.stringContaining(`the rep now reads: "${opportunity.Invoice_Status__c}"`)]);
});

it('prints the customer link the rep asked for once it is on the invoice; approving read no other', async () => {
  const { records } = await admin.query<{ Id: string; Online_Invoice_URL__c: string | null }>(
    `SELECT Id, Online_Invoice_URL__c FROM Invoice__c WHERE Id IN ('${result.invoices.map((i) => String(i.Id)).join("','")}')`,
  );
  const link = records.find((r) => r.Id === result.invoices[0]!.Id)!.Online_Invoice_URL__c;
  expect(link).toMatch(/^https:\/\/in\.xero\.com\//);
  expect(step(3)).toContain(
    `      the rep asked for ${String(result.invoices[0]!.Invoice_Number__c)}'s customer link: ${link}`,
  );
  expect(records.filter((r) => r.Online_Invoice_URL__c)).toHaveLength(1);
  expect(sandbox.xero.control.calls().filter((c) => /\/OnlineInvoice$/i.test(c.path))).toHaveLength(1);
});

it('reports the credit only once the credit note is allocated in Xero and on the invoice', async () => {
  const eu = result.invoices[2]!;
  const { records } = await admin.query<{ Status__c: string; Xero_Credit_Note_Id__c: string | null }>(
    `SELECT Status__c, Xero_Credit_Note_Id__c FROM Credit_Note__c WHERE Invoice__c = '${String(eu.Id)}'`,
  );
  expect(records).toHaveLength(1);
  expect(records[0]!.Xero_Credit_Note_Id__c).toBeTruthy();
  expect(step(5)).toEqual([expect.stringMatching(/^ {6}credit of 121\.00 EUR allocated; [\d,]+\.\d\d EUR still due$/)]);
});

it('ends with both systems agreeing on every invoice, having made no call Xero refused for its scopes', () => {
  expect(result.ok).toBe(true);
  expect(step(6).filter((line) => / NO\s*$/.test(line))).toEqual([]);
  expect(sandbox.xero.control.calls().filter((call) => call.status === 401 || call.status === 403)).toEqual([]);
});
