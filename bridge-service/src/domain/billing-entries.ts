/**
 * How a billing plan's lines turn into dated amounts (the entries billing-plan.ts groups into instalments): pieces
 * of each segment over the billing periods, Salesforce product schedules, the deal's first invoice date, and what
 * is already raised. The rules are described in billing-plan.ts.
 */
import Big from 'big.js';

import { addDays, compareDates, maxDate, minDate, type IsoDate } from './dates';
import { DomainError } from './errors';
import { money, sum, type Money } from './money';
import { allocate, billingPeriods, piecesOf, ratioOf } from './billing-periods';
import type { BillingPlanInput, BillingSegment, PlanLine, ProductScheduleRow } from './billing-plan';
import type { ServicePeriod } from './invoice-mapping';
import type { Decimal } from './xero-invoice-math';

export interface Entry {
  line: PlanLine;
  periodKey: IsoDate;
  piece: ServicePeriod;
  issueDate: IsoDate;
  amount: Money;
  /** Subject to the deal's first invoice date (no billFrom of its own). */
  base: boolean;
}

export function scheduleEntries(line: PlanLine, rows: readonly ProductScheduleRow[]): Entry[] {
  const segment = line.segments[0] as BillingSegment;
  const amount = money(segment.amount);
  const sorted = [...rows].sort((a, b) => compareDates(a.date, b.date));
  const byRevenue = sorted.every((r) => r.type !== 'Quantity' && r.revenue !== null && r.revenue !== undefined);
  let amounts: Money[];
  if (byRevenue) {
    amounts = sorted.map((r) => money(r.revenue as Decimal));
    const total = sum(amounts);
    if (!total.eq(amount)) {
      throw new DomainError(
        'INVALID_BILLING_PLAN',
        `The product schedule of ${line.description} adds up to ${total.toFixed(2)}, but the line is ${amount.toFixed(2)}`,
      );
    }
  } else {
    const quantities = sorted.map((r) => money(r.quantity ?? '0'));
    if (quantities.some((q) => q.lt(0)) || sum(quantities).lte(0)) {
      throw new DomainError('INVALID_BILLING_PLAN', `The quantity schedule of ${line.description} has no quantity`);
    }
    amounts = allocate(amount, quantities.map(ratioOf));
  }
  return sorted.map((row, i) => {
    const next = sorted[i + 1];
    const end = next ? addDays(next.date, -1) : maxDate(row.date, segment.end);
    return {
      line,
      periodKey: row.date,
      piece: { start: row.date, end },
      issueDate: row.date,
      amount: amounts[i] as Money,
      base: true,
    };
  });
}

export function termEntries(input: BillingPlanInput, line: PlanLine): Entry[] {
  const terms = line.terms ?? input.terms;
  const through = line.segments.map((s) => s.end).reduce((a, b) => maxDate(a, b), input.service.end);
  const periods = billingPeriods(input.service, terms, through);
  const advance = terms.timing === 'advance';
  const entries: Entry[] = [];
  for (const segment of line.segments) {
    const dated = (natural: IsoDate): IsoDate =>
      segment.billOn ?? (segment.billFrom ? maxDate(natural, segment.billFrom) : natural);
    const base = segment.billFrom === undefined && segment.billOn === undefined;
    if (segment.oneOff) {
      const period =
        periods.find((p) => compareDates(p.start, segment.start) <= 0 && compareDates(p.end, segment.start) >= 0) ??
        (compareDates(segment.start, input.service.start) < 0 ? periods[0] : periods[periods.length - 1]);
      if (!period) throw new DomainError('INVALID_BILLING_PLAN', 'The plan has no billing period');
      const natural = advance
        ? maxDate(period.start, input.service.start)
        : addDays(minDate(period.end, maxDate(input.service.end, segment.start)), 1);
      const piece = { start: segment.start, end: segment.end };
      entries.push({
        line,
        periodKey: period.start,
        piece,
        issueDate: dated(natural),
        amount: money(segment.amount),
        base,
      });
      continue;
    }
    const pieces = piecesOf({ start: segment.start, end: segment.end }, periods, terms.proration);
    const amounts = allocate(
      money(segment.amount),
      pieces.map((p) => p.weight),
    );
    pieces.forEach(({ period, piece }, i) => {
      const natural = advance ? piece.start : addDays(piece.end, 1);
      entries.push({
        line,
        periodKey: period.start,
        piece,
        issueDate: dated(natural),
        amount: amounts[i] as Money,
        base,
      });
    });
  }
  return entries;
}

/** The deal's first invoice date: nothing before it; in advance, the first instalment moves onto it. */
export function applyFirstInvoiceDate(input: BillingPlanInput, entries: Entry[]): void {
  const first = input.firstInvoiceDate;
  if (!first) return;
  const base = entries.filter((e) => e.base);
  for (const e of base) e.issueDate = maxDate(e.issueDate, first);
  const earliest = base
    .map((e) => e.issueDate)
    .reduce<IsoDate | undefined>((a, b) => (a ? minDate(a, b) : b), undefined);
  if (input.terms.timing === 'advance' && earliest && compareDates(first, earliest) < 0) {
    for (const e of base) if (e.issueDate === earliest) e.issueDate = first;
  }
}

/** Due entries less what was raised for each (line, period); differences land on the next open entry. */
export function openEntries(input: BillingPlanInput, entries: Entry[]): Entry[] {
  const lines = new Map(input.lines.map((l) => [l.lineKey, l]));
  const groups = new Map<string, { due: Entry[]; billed: Money; through?: IsoDate; raisedPiece?: ServicePeriod }>();
  const group = (lineKey: string, periodKey: IsoDate) => {
    const id = `${lineKey}|${periodKey}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { due: [], billed: new Big(0) }));
    return g;
  };
  for (const e of entries) group(e.line.lineKey, e.periodKey).due.push(e);
  const onAccount = new Map<string, { amount: Money; through: IsoDate; periodKey: IsoDate; piece?: ServicePeriod }>();
  for (const raised of input.raised ?? []) {
    for (const l of raised.lines) {
      if (!lines.has(l.lineKey)) {
        throw new DomainError(
          'INVALID_BILLING_PLAN',
          `Raised instalment ${raised.key} bills line ${l.lineKey}, which the plan does not have`,
        );
      }
      if (raised.onAccount) {
        const paid = onAccount.get(l.lineKey);
        onAccount.set(l.lineKey, {
          amount: (paid?.amount ?? new Big(0)).plus(money(l.amount)),
          through: paid ? maxDate(paid.through, raised.issueDate) : raised.issueDate,
          periodKey: paid?.periodKey ?? l.periodKey,
          ...((paid?.piece ?? l.servicePeriod) ? { piece: paid?.piece ?? l.servicePeriod } : {}),
        });
        continue;
      }
      const g = group(l.lineKey, l.periodKey);
      g.billed = g.billed.plus(money(l.amount));
      g.through = g.through ? maxDate(g.through, raised.issueDate) : raised.issueDate;
      if (l.servicePeriod) g.raisedPiece = l.servicePeriod;
    }
  }
  const open: Entry[] = [];
  for (const [id, g] of groups) {
    const due = [...g.due].sort((a, b) => compareDates(a.issueDate, b.issueDate));
    const through = g.through;
    if (!through) {
      open.push(...due);
      continue;
    }
    const covered = due.filter((e) => compareDates(e.issueDate, through) <= 0);
    const later = due.filter((e) => compareDates(e.issueDate, through) > 0).map((e) => ({ ...e }));
    const difference = sum(covered.map((e) => e.amount)).minus(g.billed);
    if (later[0]) later[0].amount = later[0].amount.plus(difference);
    else if (!difference.eq(0)) {
      const [lineKey, periodKey] = id.split('|') as [string, IsoDate];
      const template = covered[covered.length - 1];
      const piece = template?.piece ?? g.raisedPiece ?? { start: periodKey, end: periodKey };
      open.push({
        line: lines.get(lineKey) as PlanLine,
        periodKey,
        piece,
        issueDate: through,
        amount: difference,
        base: false,
      });
    }
    open.push(...later);
  }
  return payOnAccount(open, onAccount, lines);
}

/**
 * How much of `left` (raised on account of a line) an open `amount` of that line absorbs: the two of one sign (a
 * discount line's share is negative and pays down its negative amounts), no more than either.
 */
export function absorbed(amount: Money, left: Money): Money {
  if (amount.eq(0) || left.eq(0) || amount.gt(0) !== left.gt(0)) return new Big(0);
  return amount.abs().lt(left.abs()) ? amount : left;
}

/**
 * What was raised on account of each line (partial invoices) set against the line's open amounts, earliest first:
 * each amount of the same sign is paid down to nothing before the next (a discount line's negative share against its
 * negative amounts). Whatever is left (more than the line still owes) is an entry of its own, the other way, on the
 * last day anything was raised on account.
 */
function payOnAccount(
  open: Entry[],
  onAccount: ReadonlyMap<string, { amount: Money; through: IsoDate; periodKey: IsoDate; piece?: ServicePeriod }>,
  lines: ReadonlyMap<string, PlanLine>,
): Entry[] {
  if (onAccount.size === 0) return open;
  const out = open.map((e) => ({ ...e }));
  for (const [lineKey, paid] of onAccount) {
    let left = paid.amount;
    const owed = out
      .filter((e) => e.line.lineKey === lineKey)
      .sort((a, b) => compareDates(a.issueDate, b.issueDate) || compareDates(a.periodKey, b.periodKey));
    for (const e of owed) {
      if (left.eq(0)) break;
      const take = absorbed(e.amount, left);
      e.amount = e.amount.minus(take);
      left = left.minus(take);
    }
    if (left.eq(0)) continue;
    const template = owed.at(-1);
    out.push({
      line: lines.get(lineKey) as PlanLine,
      periodKey: template?.periodKey ?? paid.periodKey,
      piece: template?.piece ?? paid.piece ?? { start: paid.periodKey, end: paid.periodKey },
      issueDate: paid.through,
      amount: left.times(-1),
      base: false,
    });
  }
  return out;
}
