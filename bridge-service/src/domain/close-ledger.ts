/**
 * What the ledger must hold for each contract line at a month end, in the entity's base currency: the month-end
 * close's arithmetic (month-end.md §4, finance.md §1.3 and §2.1). close-journals.ts turns it into journals.
 *
 * Decisions (see README.md in this folder):
 * - Where billing posted decides what a journal must move. A line billed to its deferred-revenue account is earned by
 *   the recognition journal (Dr deferred revenue, Cr revenue); a line billed to revenue (a point-in-time item, or an
 *   entity that does not defer at invoicing) is already revenue in Xero, and the journal moves into deferred revenue
 *   whatever of it is not yet earned (a negative release).
 * - A contract sits in one account at a month end (ASC 606-10-45-1): when it is net unbilled, every line's position is
 *   in the accrual (Dr accrued revenue, Cr revenue, reversed the next day) and its deferred revenue is 0; when it is net
 *   deferred, nothing is accrued and each line's position stays in its deferred-revenue account. Per line:
 *   accrual = −position when the contract is net unbilled, else 0; released to date (the recognition journal's
 *   cumulative credit to revenue) = recognised − billed to revenue − accrual.
 * - Rates (IAS 21.23): deferred revenue is non-monetary and stays at the rates of the invoices that created it. Each
 *   contract's deferred revenue is a pool carried at the average historical rate of the invoices and credit notes
 *   billed into it (each line converted as Xero does, amount ÷ CurrencyRate, 2 dp); a release takes the pool's rate,
 *   the release that empties the pool takes exactly what is left (no FX stays on the balance sheet), and a pool that
 *   grows without an invoice (a credit note's catch-up) grows at the rate of the contract's latest document. So a
 *   contract's revenue in base currency over its life is exactly what its invoices carried.
 * - An accrual (revenue not yet invoiced) is a month-end estimate of what the invoice will carry: it is translated at
 *   the month-end rate for its currency (foreign units per base unit, as Xero's CurrencyRate), given with the close and
 *   approved with it, and reversed the next day. The rate moves revenue between months only.
 * - Cents: the pool's release is rounded once per contract and month; lines share it by cumulative rounding, so the
 *   lines of a journal always sum to the contract's figure and every journal balances to the cent.
 */
import Big from 'big.js';

import { addDays, compareDates, type IsoDate } from './dates';
import { DomainError, throwIfProblems } from './errors';
import type { BillingEntry } from './balances';
import type { TrackingSelection } from './invoice-mapping';
import { money, round, sum, type Money } from './money';
import { lastDayOf, monthOf, monthsBetween, recognisedThrough, type MonthKey, type RevenueSegment } from './revenue';
import { toBaseAmount, type Decimal } from './xero-invoice-math';

/** A contract line as the close sees it: its schedule and where its revenue and deferral post. */
export interface CloseLine {
  lineKey: string;
  contractKey: string;
  currency: string;
  revenue: readonly RevenueSegment[];
  revenueAccount: string;
  deferredAccount: string;
  tracking: readonly TrackingSelection[];
  /** How finance knows the line (the product), for messages. */
  label: string;
}

/** One invoice or credit-note line as it posted in Xero (amounts as balances.ts' BillingEntry, excluding tax). */
export interface PostedBilling extends BillingEntry {
  /** The document's number (INV-0042), for messages. */
  document: string;
  /** Foreign units per base unit, as Xero's CurrencyRate; absent for a base-currency document. */
  currencyRate?: Decimal;
  /** The account the line posted to. */
  accountCode: string;
}

/** One line at a month end, in base currency unless named foreign. */
export interface LineAtMonth {
  line: CloseLine;
  recognisedForeign: Money;
  /** Cumulative credit to revenue by recognition journals (negative: moved into deferred revenue). */
  released: Money;
  /** Cumulative base amount billed to the line's deferred-revenue account. */
  billedToDeferred: Money;
  /** This month-end's accrual for the line (reversed the next day). */
  accrualForeign: Money;
  accrual: Money;
}

export interface ContractAtMonth {
  contractKey: string;
  currency: string;
  deferredForeign: Money;
  unbilledForeign: Money;
  /** The pool's carrying amount: what the deferred-revenue accounts hold for the contract. */
  deferred: Money;
  unbilled: Money;
  lines: LineAtMonth[];
}

export interface LedgerAtMonth {
  month: MonthKey;
  contracts: ContractAtMonth[];
  /** Lines' cumulative release at the end of the month before (for the month's own movement and catch-ups). */
  releasedBefore: Map<string, Money>;
}

const ZERO = new Big(0);

/** Splits `total` over `weights` by cumulative rounding: pieces sum to `total` exactly (weights may be signed). */
export function allocateByWeights(total: Money, weights: readonly Money[]): Money[] {
  const whole = sum(weights);
  if (weights.length === 0) return [];
  if (whole.eq(0)) {
    // Nothing to weigh by (an FX residue left when a pool empties): the largest mover takes it.
    const largest = weights.reduce((best, w, i) => (w.abs().gt(weights[best]!.abs()) ? i : best), 0);
    return weights.map((_, i) => (i === largest ? total : ZERO));
  }
  let running = ZERO;
  let previous = ZERO;
  return weights.map((weight) => {
    running = running.plus(weight);
    const upTo = round(total.times(running).div(whole));
    const piece = upTo.minus(previous);
    previous = upTo;
    return piece;
  });
}

/** A billing line in base currency, as Xero converts it (amount ÷ CurrencyRate, 2 dp), unsigned. */
export const baseOf = (entry: PostedBilling): Money =>
  entry.currencyRate === undefined ? round(money(entry.amount)) : toBaseAmount(entry.amount, entry.currencyRate);
/** Invoices add, credit notes take away. */
export const signed = (entry: Pick<BillingEntry, 'kind'>, value: Money): Money =>
  entry.kind === 'credit-note' ? value.times(-1) : value;

function check(lines: readonly CloseLine[], billing: readonly PostedBilling[]): Map<string, PostedBilling[]> {
  const problems: string[] = [];
  const byLine = new Map<string, PostedBilling[]>();
  const contracts = new Map<string, string>();
  for (const line of lines) {
    if (byLine.has(line.lineKey)) problems.push(`line ${line.lineKey} appears twice`);
    byLine.set(line.lineKey, []);
    const currency = contracts.get(line.contractKey);
    if (currency !== undefined && currency !== line.currency)
      problems.push(`contract ${line.contractKey} mixes currencies (line ${line.lineKey})`);
    contracts.set(line.contractKey, line.currency);
  }
  for (const entry of billing) {
    const list = byLine.get(entry.lineKey);
    if (!list) problems.push(`${entry.document} on ${entry.date} bills line ${entry.lineKey}, which has no schedule`);
    else list.push(entry);
  }
  throwIfProblems('INVALID_CLOSE', 'Cannot close the month', problems);
  return byLine;
}

interface Pool {
  foreign: Money;
  base: Money;
  /** Rate of the contract's latest document (foreign per base): what growth without an invoice takes. */
  lastRate?: Decimal;
}

/**
 * Every contract's lines at the end of `month`, replayed from the first month anything happened. `accrualRate` gives
 * the month-end rate of a foreign currency (undefined for a missing one: an error only when something is unbilled).
 */
export function ledgerAtMonth(
  lines: readonly CloseLine[],
  billing: readonly PostedBilling[],
  month: MonthKey,
  baseCurrency: string,
  accrualRate: (currency: string) => Decimal | undefined,
): LedgerAtMonth {
  const byLine = check(lines, billing);
  const contracts = Map.groupBy(lines, (line) => line.contractKey);
  const releasedBefore = new Map<string, Money>();
  const missingRates = new Set<string>();
  const out: ContractAtMonth[] = [];
  for (const [contractKey, contractLines] of contracts) {
    const currency = contractLines[0]!.currency;
    const starts = [
      ...contractLines.flatMap((l) => l.revenue.map((s) => s.start)),
      ...contractLines.flatMap((l) => (byLine.get(l.lineKey) ?? []).map((b) => b.date)),
    ];
    const first = starts.reduce((a, b) => (compareDates(a, b) <= 0 ? a : b), lastDayOf(month));
    const pool: Pool = { foreign: ZERO, base: ZERO };
    const released = new Map(contractLines.map((l) => [l.lineKey, ZERO]));
    const billedToDeferred = new Map(contractLines.map((l) => [l.lineKey, ZERO]));
    let consumedBefore = new Map(contractLines.map((l) => [l.lineKey, ZERO]));
    let state: ContractAtMonth | undefined;
    for (const m of monthsBetween(monthOf(first), month)) {
      const start = `${m}-01`;
      const end = lastDayOf(m);
      const inMonth = (e: PostedBilling) => compareDates(e.date, start) >= 0 && compareDates(e.date, end) <= 0;
      const rows = contractLines.map((line) => {
        const entries = (byLine.get(line.lineKey) ?? []).filter((e) => compareDates(e.date, end) <= 0);
        const billedForeign = sum(entries.map((e) => signed(e, money(e.amount))));
        const recognisedForeign = recognisedThrough(line.revenue, end);
        const now = entries.filter(inMonth);
        const toRevenue = now.filter((e) => e.accountCode !== line.deferredAccount);
        const toDeferred = now.filter((e) => e.accountCode === line.deferredAccount);
        return {
          line,
          now,
          position: billedForeign.minus(recognisedForeign),
          recognisedForeign,
          toRevenueBase: sum(toRevenue.map((e) => signed(e, baseOf(e)))),
          toDeferredBase: sum(toDeferred.map((e) => signed(e, baseOf(e)))),
        };
      });
      for (const row of rows) {
        for (const e of row.now) {
          pool.foreign = pool.foreign.plus(signed(e, money(e.amount)));
          pool.base = pool.base.plus(signed(e, baseOf(e)));
          if (e.currencyRate !== undefined) pool.lastRate = e.currencyRate;
        }
        const key = row.line.lineKey;
        billedToDeferred.set(key, billedToDeferred.get(key)!.plus(row.toDeferredBase));
      }
      const net = sum(rows.map((r) => r.position));
      const deferredForeign = net.gt(0) ? net : ZERO;
      const unbilledForeign = net.lt(0) ? net.abs() : ZERO;
      const accruals = rows.map((r) => (net.lt(0) ? r.position.times(-1) : ZERO));
      // Earned out of billing to date (foreign): recognised less what sits in the accrual.
      const consumed = rows.map((r, i) => r.recognisedForeign.minus(accruals[i]!));
      const carried = poolAfter(pool, deferredForeign, currency === baseCurrency, contractKey);
      const consumedBase = pool.base.minus(carried);
      pool.foreign = deferredForeign;
      pool.base = carried;
      const shares = allocateByWeights(
        consumedBase,
        consumed.map((c, i) => c.minus(consumedBefore.get(rows[i]!.line.lineKey)!)),
      );
      if (m === month) for (const [key, value] of released) releasedBefore.set(key, value);
      rows.forEach((r, i) => {
        released.set(r.line.lineKey, released.get(r.line.lineKey)!.plus(shares[i]!).minus(r.toRevenueBase));
      });
      consumedBefore = new Map(rows.map((r, i) => [r.line.lineKey, consumed[i]!]));
      if (m !== month) continue;
      let unbilled = ZERO;
      let accrualBase: Money[] = accruals.map(() => ZERO);
      if (unbilledForeign.gt(0)) {
        const rate = currency === baseCurrency ? '1' : accrualRate(currency);
        if (rate === undefined) missingRates.add(currency);
        else {
          unbilled = toBaseAmount(unbilledForeign, rate);
          accrualBase = allocateByWeights(unbilled, accruals);
        }
      }
      state = {
        contractKey,
        currency,
        deferredForeign,
        unbilledForeign,
        deferred: carried,
        unbilled,
        lines: rows.map((r, i) => ({
          line: r.line,
          recognisedForeign: r.recognisedForeign,
          released: released.get(r.line.lineKey)!,
          billedToDeferred: billedToDeferred.get(r.line.lineKey)!,
          accrualForeign: accruals[i]!,
          accrual: accrualBase[i]!,
        })),
      };
    }
    if (state) out.push(state);
  }
  if (missingRates.size > 0) {
    throw new DomainError(
      'INVALID_CLOSE',
      `Cannot close ${month}: unbilled revenue in ${[...missingRates].sort().join(', ')} needs the month-end rate (${[
        ...missingRates,
      ]
        .sort()
        .map((c) => `${c} per ${baseCurrency}`)
        .join(', ')}) on the close`,
    );
  }
  return { month, contracts: out, releasedBefore };
}

/** The pool's base amount once its foreign amount is `target` (see the rates decision above). */
function poolAfter(pool: Pool, target: Money, inBase: boolean, contractKey: string): Money {
  if (target.eq(0)) return ZERO;
  if (pool.foreign.gt(0) && target.lte(pool.foreign)) return round(pool.base.times(target).div(pool.foreign));
  const existing = pool.foreign.gt(0) ? pool.base : ZERO;
  const growth = target.minus(pool.foreign.gt(0) ? pool.foreign : ZERO);
  if (inBase) return existing.plus(growth);
  if (pool.lastRate === undefined) {
    throw new DomainError(
      'INVALID_CLOSE',
      `Contract ${contractKey} holds deferred revenue but no document gave it a rate`,
    );
  }
  return existing.plus(toBaseAmount(growth, pool.lastRate));
}

/** The day after `month` ends (the accrual reversal's date). */
export const firstDayAfter = (month: MonthKey): IsoDate => addDays(lastDayOf(month), 1);
