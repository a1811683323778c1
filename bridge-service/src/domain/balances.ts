/**
 * Deferred and unbilled revenue, per line, contract, entity and month, and their roll-forward (finance.md §2.1,
 * month-end.md §4).
 *
 * Decisions (see README.md in this folder):
 * - Billed = invoice lines on their issue date, less credit-note lines on theirs (Xero's ledger dates). Recognised
 *   = the revenue schedule (revenue.ts). Position = billed − recognised, cumulative, in the invoice currency.
 * - A contract presents one position (ASC 606-10-45-1; IFRS 15.105): deferred revenue (contract liability) =
 *   position when above 0, unbilled revenue (contract asset or receivable) = −position when above 0. Lines within a
 *   contract net; contracts never net: an entity's deferred is the sum of its contracts' deferred, its unbilled the
 *   sum of their unbilled. Per-line figures are shown for drill-down and do not add up to the contract's when lines
 *   point different ways.
 * - Roll-forward, per contract and month: opening + billed − credited − recognised = closing (net position), and
 *   split gross: deferred closing = opening + billed − credited − released, where released (the recognition journal
 *   from deferred revenue) = recognised − the month's change in unbilled. With unbilled accrued at month end and
 *   reversed the next day, the ledger's deferred and accrued revenue accounts then equal these balances.
 * - RPO (ASC 606-10-50-13) = transaction price not yet recognised; current RPO = what the schedules recognise in
 *   the next 12 months.
 */
import Big from 'big.js';

import { addDays, addMonths, compareDates, endOfMonth, type IsoDate } from './dates';
import { DomainError, throwIfProblems } from './errors';
import { money, sum, type Money } from './money';
import { lastDayOf, recognisedThrough, revenueTotal, type MonthKey, type RevenueSegment } from './revenue';
import type { Decimal } from './xero-invoice-math';

export interface LedgerLine {
  lineKey: string;
  /** The accounting contract: positions net within it and never across contracts. */
  contractKey: string;
  entity: string;
  currency: string;
  revenue: readonly RevenueSegment[];
}

export interface BillingEntry {
  lineKey: string;
  /** The document's issue date. */
  date: IsoDate;
  /** Invoice lines as invoiced (a negative line on an invoice stays negative); credit-note lines positive. */
  amount: Decimal;
  kind: 'invoice' | 'credit-note';
}

export interface Position {
  deferred: Money;
  unbilled: Money;
}

export interface LineMonth {
  lineKey: string;
  billed: Money;
  credited: Money;
  recognised: Money;
  /** The line's own position at month end (drill-down only). */
  closing: Position;
}

/** One month's movement: opening + billed − credited − recognised = closing. */
export interface RollForward {
  month: MonthKey;
  opening: Position;
  billed: Money;
  credited: Money;
  recognised: Money;
  /** Recognised out of deferred revenue: recognised − (closing unbilled − opening unbilled). */
  releasedFromDeferred: Money;
  closing: Position;
}

export interface ContractMonth extends RollForward {
  contractKey: string;
  entity: string;
  currency: string;
  lines: LineMonth[];
}

export interface EntityMonth extends RollForward {
  entity: string;
  currency: string;
  contracts: number;
}

const ZERO = new Big(0);
const position = (net: Money): Position => ({
  deferred: net.gt(0) ? net : ZERO,
  unbilled: net.lt(0) ? net.abs() : ZERO,
});

interface Billed {
  billed: Money;
  credited: Money;
}

function billedThrough(entries: readonly BillingEntry[], date: IsoDate): Billed {
  let billed = ZERO;
  let credited = ZERO;
  for (const e of entries) {
    if (compareDates(e.date, date) > 0) continue;
    if (e.kind === 'invoice') billed = billed.plus(money(e.amount));
    else credited = credited.plus(money(e.amount));
  }
  return { billed, credited };
}

function indexLines(lines: readonly LedgerLine[], billing: readonly BillingEntry[]): Map<string, BillingEntry[]> {
  const problems: string[] = [];
  const byLine = new Map<string, BillingEntry[]>();
  for (const line of lines) {
    if (byLine.has(line.lineKey)) problems.push(`line ${line.lineKey} appears twice`);
    byLine.set(line.lineKey, []);
  }
  for (const entry of billing) {
    const list = byLine.get(entry.lineKey);
    if (!list) {
      const what = entry.kind === 'invoice' ? 'an invoice' : 'a credit note';
      problems.push(`${what} on ${entry.date} bills line ${entry.lineKey}, which has no schedule`);
    } else list.push(entry);
  }
  throwIfProblems('INVALID_INPUT', 'Cannot compute revenue balances', problems);
  return byLine;
}

/** Each contract's position by the end of `date` (deferred and unbilled, gross per contract). */
export function contractPositionsAt(
  lines: readonly LedgerLine[],
  billing: readonly BillingEntry[],
  date: IsoDate,
): Map<string, Position & { recognised: Money; billed: Money }> {
  const byLine = indexLines(lines, billing);
  const net = new Map<string, { recognised: Money; billed: Money }>();
  for (const line of lines) {
    const b = billedThrough(byLine.get(line.lineKey) ?? [], date);
    const current = net.get(line.contractKey) ?? { recognised: ZERO, billed: ZERO };
    net.set(line.contractKey, {
      recognised: current.recognised.plus(recognisedThrough(line.revenue, date)),
      billed: current.billed.plus(b.billed.minus(b.credited)),
    });
  }
  return new Map([...net].map(([key, v]) => [key, { ...v, ...position(v.billed.minus(v.recognised)) }]));
}

/** Per contract and month: the roll-forward and each line's figures, over `months` (ascending). */
export function contractMonths(
  lines: readonly LedgerLine[],
  billing: readonly BillingEntry[],
  months: readonly MonthKey[],
): ContractMonth[] {
  const byLine = indexLines(lines, billing);
  const contracts = Map.groupBy(lines, (line) => line.contractKey);
  const rows: ContractMonth[] = [];
  for (const [contractKey, contractLines] of contracts) {
    const [first] = contractLines as [LedgerLine];
    const mixed = contractLines.find((l) => l.currency !== first.currency || l.entity !== first.entity);
    if (mixed) {
      throw new DomainError(
        'INVALID_INPUT',
        `Contract ${contractKey} mixes entities or currencies (line ${mixed.lineKey})`,
      );
    }
    for (const month of months) {
      const end = lastDayOf(month);
      const before = addDays(`${month}-01`, -1);
      const lineRows = contractLines.map((line) => {
        const entries = byLine.get(line.lineKey) ?? [];
        const was = billedThrough(entries, before);
        const now = billedThrough(entries, end);
        const recognisedBefore = recognisedThrough(line.revenue, before);
        const recognisedNow = recognisedThrough(line.revenue, end);
        return {
          row: {
            lineKey: line.lineKey,
            billed: now.billed.minus(was.billed),
            credited: now.credited.minus(was.credited),
            recognised: recognisedNow.minus(recognisedBefore),
            closing: position(now.billed.minus(now.credited).minus(recognisedNow)),
          },
          openingNet: was.billed.minus(was.credited).minus(recognisedBefore),
          closingNet: now.billed.minus(now.credited).minus(recognisedNow),
        };
      });
      const opening = position(sum(lineRows.map((l) => l.openingNet)));
      const closing = position(sum(lineRows.map((l) => l.closingNet)));
      const recognised = sum(lineRows.map((l) => l.row.recognised));
      rows.push({
        contractKey,
        entity: first.entity,
        currency: first.currency,
        month,
        opening,
        billed: sum(lineRows.map((l) => l.row.billed)),
        credited: sum(lineRows.map((l) => l.row.credited)),
        recognised,
        releasedFromDeferred: recognised.minus(closing.unbilled.minus(opening.unbilled)),
        closing,
        lines: lineRows.map((l) => l.row),
      });
    }
  }
  return rows;
}

/** Contract months summed per entity, currency and month: deferred and unbilled stay gross (never netted). */
export function entityMonths(rows: readonly ContractMonth[]): EntityMonth[] {
  const out = new Map<string, EntityMonth>();
  const add = (a: Position, b: Position): Position => ({
    deferred: a.deferred.plus(b.deferred),
    unbilled: a.unbilled.plus(b.unbilled),
  });
  for (const row of rows) {
    const id = `${row.entity}|${row.currency}|${row.month}`;
    const current = out.get(id);
    if (!current) {
      const { contractKey: _contract, lines: _lines, ...totals } = row;
      out.set(id, { ...totals, contracts: 1 });
      continue;
    }
    current.contracts += 1;
    current.opening = add(current.opening, row.opening);
    current.closing = add(current.closing, row.closing);
    current.billed = current.billed.plus(row.billed);
    current.credited = current.credited.plus(row.credited);
    current.recognised = current.recognised.plus(row.recognised);
    current.releasedFromDeferred = current.releasedFromDeferred.plus(row.releasedFromDeferred);
  }
  return [...out.values()].sort(
    (a, b) =>
      a.entity.localeCompare(b.entity) || a.currency.localeCompare(b.currency) || a.month.localeCompare(b.month),
  );
}

/** Every way a set of roll-forward rows fails to tie (an empty list when it ties to the cent). */
export function rollForwardProblems(rows: readonly (ContractMonth | EntityMonth)[]): string[] {
  const problems: string[] = [];
  const previous = new Map<string, ContractMonth | EntityMonth>();
  for (const row of rows) {
    const who = 'contractKey' in row ? row.contractKey : `${row.entity} ${row.currency}`;
    const net = (p: Position) => p.deferred.minus(p.unbilled);
    const expected = net(row.opening).plus(row.billed).minus(row.credited).minus(row.recognised);
    if (!net(row.closing).eq(expected)) problems.push(`${who} ${row.month}: closing ≠ opening + billed − recognised`);
    const deferred = row.opening.deferred.plus(row.billed).minus(row.credited).minus(row.releasedFromDeferred);
    if (!deferred.eq(row.closing.deferred)) problems.push(`${who} ${row.month}: deferred does not roll forward`);
    for (const p of [row.opening, row.closing]) {
      if (p.deferred.lt(0) || p.unbilled.lt(0)) problems.push(`${who} ${row.month}: a negative balance`);
    }
    const before = previous.get(who);
    if (
      before &&
      (!before.closing.deferred.eq(row.opening.deferred) || !before.closing.unbilled.eq(row.opening.unbilled))
    ) {
      problems.push(`${who} ${row.month}: opening ≠ last month's closing`);
    }
    previous.set(who, row);
  }
  return problems;
}

/**
 * Remaining performance obligations at the end of `asOf`: in total and within the next 12 months (to the same day 12
 * months on; from a month end, to that month's end: 28 Feb 2027 → 29 Feb 2028).
 */
export function remainingObligations(lines: readonly LedgerLine[], asOf: IsoDate): { total: Money; current: Money } {
  const horizon = asOf === endOfMonth(asOf) ? endOfMonth(addMonths(asOf, 12)) : addMonths(asOf, 12);
  let total = ZERO;
  let current = ZERO;
  for (const line of lines) {
    const done = recognisedThrough(line.revenue, asOf);
    total = total.plus(revenueTotal(line.revenue).minus(done));
    current = current.plus(recognisedThrough(line.revenue, horizon).minus(done));
  }
  return { total, current };
}
