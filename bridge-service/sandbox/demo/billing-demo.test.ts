/**
 * The billing-plan part of the demo narrates what the systems hold: the plan before any invoice, the instalment
 * raised on its date once the calendar gets there, the month's revenue as the schedule holds it.
 */
import pino from 'pino';
import { startSandbox, type Sandbox } from '../sandbox-bridge';
import { ScaledClock } from '../shared/clock';
import { playBillingScenario, type BillingDemoResult } from './billing-demo';

let sandbox: Sandbox;
const lines: string[] = [];
let result: BillingDemoResult;
const clock = new ScaledClock({ start: Date.parse('2026-12-06T10:00:00Z'), scale: 1 });

beforeAll(async () => {
  sandbox = await startSandbox({
    clock,
    bridge: { workerIdleMs: 50 },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
  result = await playBillingScenario(sandbox, clock, (line) => lines.push(...line.split('\n')));
}, 120_000);

afterAll(() => sandbox.close());

const step = (n: number) => {
  const start = lines.findIndex((line) => line.startsWith(`[plan ${n}/3]`));
  const end = lines.findIndex((line, i) => i > start && line.startsWith('[plan '));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((line) => line.trim() !== '');
};

it('shows the plan, four quarters of 3,000.00, before the first invoice exists', () => {
  expect(result.planned.map((i) => [i.Issue_Date__c, i.Amount__c, i.Status__c])).toEqual([
    ['2027-01-01', 3000, 'Planned'],
    ['2027-04-01', 3000, 'Planned'],
    ['2027-07-01', 3000, 'Planned'],
    ['2027-10-01', 3000, 'Planned'],
  ]);
  expect(step(1)[0]).toMatch(/12,000\.00 GBP for 1 Jan 2027 to 31 Dec 2027, 0 invoices so far$/);
  expect(step(1).slice(1)).toHaveLength(4);
});

it('raises the first quarter on 1 Jan 2027 and narrates its approval', () => {
  expect(result.invoice).toMatchObject({
    Issue_Date__c: '2027-01-01',
    Due_Date__c: '2027-01-31',
    Sub_Total__c: 3000,
    Total__c: 3600,
    Status__c: 'Authorised',
  });
  expect(step(2)).toEqual([
    expect.stringMatching(/ drafted in Xero, dated 1 Jan 2027, due 31 Jan 2027: 3,000\.00 \+ VAT = 3,600\.00 GBP$/),
    expect.stringMatching(/ is Authorised in Xero$/),
  ]);
});

it('ends January with the quarter billed, a month earned and the rest deferred', () => {
  // 12,000.00 a year by day: 31/365 earned in January.
  expect(result.month).toMatchObject({
    Billed__c: 3000,
    Recognised__c: 1019.18,
    Closing_Deferred__c: 1980.82,
    Status__c: 'Actual',
  });
  expect(step(3)[0]).toMatch(/billed 3,000\.00, recognised 1,019\.18, deferred at month end 1,980\.82 GBP/);
  expect(step(3)[1]).toMatch(/invoiced 3,000\.00 of 12,000\.00 GBP; next 3,000\.00 on 1 Apr 2027$/);
});
