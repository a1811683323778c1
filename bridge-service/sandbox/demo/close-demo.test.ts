/**
 * The month-end part of the demo narrates what the systems hold: after the billing demo's month has ended, each
 * entity's close proposed, approved, posted once and tied out against Xero's Trial Balance.
 */
import pino from 'pino';
import { startSandbox, type Sandbox } from '../sandbox-bridge';
import { ScaledClock } from '../shared/clock';
import { playBillingScenario } from './billing-demo';
import { playCloseScenario, type CloseDemoResult } from './close-demo';

let sandbox: Sandbox;
const lines: string[] = [];
let result: CloseDemoResult;
const clock = new ScaledClock({ start: Date.parse('2026-12-06T10:00:00Z'), scale: 1 });

beforeAll(async () => {
  sandbox = await startSandbox({
    clock,
    bridge: { workerIdleMs: 50 },
    logger: pino({ level: process.env.BRIDGE_LOG ?? 'silent' }),
  });
  const say = (line: string) => lines.push(...line.split('\n'));
  await playBillingScenario(sandbox, clock, say);
  result = await playCloseScenario(sandbox, clock, say);
}, 180_000);

afterAll(() => sandbox.close());

const step = (n: number) => {
  const start = lines.findIndex((line) => line.startsWith(`[close ${n}/3]`));
  const end = lines.findIndex((line, i) => i > start && line.startsWith('[close '));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((line) => line.trim() !== '');
};

it('proposes UK_Ltd January 2027 once the month has ended: the quarter billed to deferred revenue, a month released', () => {
  expect(step(1)).toEqual([
    expect.stringMatching(
      /^\s+UK_Ltd 2027-01 +recognition +1,019\.18, accrual +0\.00; deferred at month end 1,980\.82, accrued 0\.00 GBP$/,
    ),
  ]);
});

it('posts it once when finance approves, and ties it out to the cent', () => {
  expect(result.closes).toEqual([
    expect.objectContaining({ Name: 'UK_Ltd 2027-01', Status__c: 'Tied', Closing_Deferred__c: 1980.82, Version__c: 1 }),
  ]);
  expect(step(2)).toEqual([expect.stringMatching(/UK_Ltd 2027-01: 1 manual journal\(s\) posted in Xero$/)]);
  expect(step(3)[0]).toMatch(
    /^\s+Tied +UK_Ltd January 2027 ties: Xero's deferred and accrued revenue equal the schedules/,
  );
  expect(step(3)[1]).toMatch(/Deferred revenue 835: Xero 1,980\.82, schedules 1,980\.82, ties$/);
});
