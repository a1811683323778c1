/**
 * Pure receivables arithmetic for the Ledgerline components: money in integer cents, calendar dates as YYYY-MM-DD
 * strings, ageing buckets, simple DSO and corporate-currency totals. No platform imports, so every function here is
 * unit-tested without rendering anything.
 *
 * Ageing and simple DSO are a client copy, kept on purpose, of the reference in bridge-service/src/domain/receivables.ts:
 * the card computes them with the user's today from ReceivablesController's groups. Same names (amounts here are
 * integer cents, hence the Cents suffix); bridge-service/src/domain/receivables.cases.json holds the two equal.
 *
 * Decisions (see README "Components"):
 * - Money is summed in integer cents and only divided by 100 for display, so 0.1 + 0.2 never shows as 0.30000000000000004.
 * - Amounts are never added across currencies. A corporate-currency total exists only when every currency in it has a
 *   rate; otherwise it is omitted and the currencies without a rate are named.
 * - Ageing is by due date against the user's today: not yet due (day 0, the due date itself) is Current; then
 *   1–30, 31–60, 61–90 and 90+ days past due. Day 30 is in 1–30, day 60 in 31–60, day 90 in 61–90, day 91 in 90+.
 * - Simple DSO per currency = open receivables ÷ credit sales in the period × days in the period (90). Credit sales
 *   are the totals of invoices issued in the period (authorised, partially paid or paid; drafts and voided invoices
 *   are not sales). Credit notes are not netted off. No sales in the period → no DSO (shown as a dash).
 */

const MS_PER_DAY = 86400000;

export const BUCKETS = ['current', 'days1to30', 'days31to60', 'days61to90', 'days90plus'];

/** Invoice statuses that are receivables: sent to the customer and not settled. */
export const OPEN_STATUSES = ['Authorised', 'Partially Paid'];
/** Invoice statuses that never count toward totals. */
export const VOID_STATUSES = ['Voided', 'Deleted'];
/** Invoice statuses that are still drafts in Xero (not yet invoiced to the customer). */
export const DRAFT_STATUSES = ['Draft', 'Awaiting Approval', 'Approved'];

/**
 * A record amount (number or numeric string, 2 dp) as integer cents; null and empty count as zero.
 * @param {number|string|null|undefined} value
 * @returns {number}
 */
export function toCents(value) {
  if (value === null || value === undefined || value === '') return 0;
  const number = Number(value);
  if (!Number.isFinite(number)) return 0;
  // Scale-2 values times 100 land within 1e-9 of an integer; rounding removes the binary noise.
  return Math.round(number * 100);
}

/**
 * Integer cents back to a number for lightning-formatted-number.
 * @param {number} cents
 * @returns {number}
 */
export function fromCents(cents) {
  return cents / 100;
}

/**
 * Whole days from one calendar date to another (positive when `to` is later). Dates are YYYY-MM-DD; time zones play
 * no part because both are read as UTC midnights.
 * @param {string} from
 * @param {string} to
 * @returns {number}
 */
export function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY);
}

/**
 * Adds whole days to a calendar date.
 * @param {string} date YYYY-MM-DD
 * @param {number} days may be negative
 * @returns {string} YYYY-MM-DD
 */
export function addDays(date, days) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * The calendar date now in a time zone (the user's, from @salesforce/i18n/timeZone), as YYYY-MM-DD.
 * @param {string} [timeZone] IANA name; an unknown or missing zone falls back to UTC
 * @param {Date} [now]
 * @returns {string}
 */
export function todayIn(timeZone, now = new Date()) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timeZone || 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).formatToParts(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * Days past the due date; zero or negative means not yet overdue (the due date itself is day 0).
 * @param {string} dueDate YYYY-MM-DD
 * @param {string} today YYYY-MM-DD
 * @returns {number}
 */
export function daysPastDue(dueDate, today) {
  if (!dueDate) return 0;
  return daysBetween(dueDate, today);
}

/**
 * The ageing bucket for a number of days past due. Day 30 → 1–30, day 90 → 61–90, day 91 → 90+. A client copy of the
 * domain's ageingBucket (same names), held equal by receivables.cases.json.
 * @param {number} days from daysPastDue
 * @returns {string} one of BUCKETS
 */
export function ageingBucket(days) {
  if (days <= 0) return 'current';
  if (days <= 30) return 'days1to30';
  if (days <= 60) return 'days31to60';
  if (days <= 90) return 'days61to90';
  return 'days90plus';
}

function emptyBuckets() {
  return Object.fromEntries(BUCKETS.map((bucket) => [bucket, 0]));
}

/**
 * Ages open receivables per currency. Rows may be single invoices or groups (one row per currency and due date, as
 * ReceivablesController returns them).
 * @param {Array<{currencyCode: string, dueDate: string, amountDue: number, invoiceCount?: number}>} rows
 * @param {string} today YYYY-MM-DD
 * @returns {Array<{currencyCode: string, outstandingCents: number, overdueCents: number, openCount: number,
 *   buckets: Object<string, number>}>} one entry per currency, sorted by currency code
 */
export function ageReceivables(rows, today) {
  const byCurrency = new Map();
  for (const row of rows ?? []) {
    const currencyCode = row.currencyCode ?? '';
    if (!byCurrency.has(currencyCode)) {
      byCurrency.set(currencyCode, {
        currencyCode,
        outstandingCents: 0,
        overdueCents: 0,
        openCount: 0,
        buckets: emptyBuckets(),
      });
    }
    const entry = byCurrency.get(currencyCode);
    const cents = toCents(row.amountDue);
    const bucket = ageingBucket(daysPastDue(row.dueDate, today));
    entry.buckets[bucket] += cents;
    entry.outstandingCents += cents;
    if (bucket !== 'current') entry.overdueCents += cents;
    entry.openCount += row.invoiceCount ?? 1;
  }
  return [...byCurrency.values()].sort((a, b) => a.currencyCode.localeCompare(b.currencyCode));
}

/**
 * Simple DSO: receivables ÷ credit sales in the period × days in the period, to one decimal, rounded once half away
 * from zero as the domain's big.js does. A client copy of the domain's simpleDso, held equal by receivables.cases.json.
 * Worked in BigInt tenths of a day: in floating point 700.00 / 4,000.00 × 90 = 15.75 comes out 15.749… and 15.7.
 * @param {number} receivablesCents
 * @param {number} creditSalesCents
 * @param {number} periodDays
 * @returns {number|null} null when there were no credit sales in the period
 */
export function simpleDso(receivablesCents, creditSalesCents, periodDays) {
  if (!(creditSalesCents > 0)) return null;
  const numerator = BigInt(Math.round(receivablesCents)) * BigInt(Math.round(periodDays)) * 10n;
  const denominator = BigInt(Math.round(creditSalesCents));
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let tenths = magnitude / denominator;
  if ((magnitude % denominator) * 2n >= denominator) tenths += 1n;
  return Number(negative ? -tenths : tenths) / 10;
}

/** Kinds of customer credit, as the domain names them (ledger-documents CreditKind). */
export const CREDIT_KINDS = ['credit-note', 'overpayment', 'prepayment'];

/**
 * The customer credit an account holds, per currency, in cents: what credit notes, overpayments and prepayments still
 * hold (their remaining credit). A client copy of the domain's unallocatedCredit beside ageReceivables
 * (bridge-service/src/domain/receivables.ts, customer-credit.ts creditHeld), held equal by the unallocatedCredit cases
 * of receivables.cases.json. Credit is never netted into what is due: it stays a separate figure until finance
 * allocates it in Xero, and is never added across currencies. Nothing remaining, nothing held.
 * @param {Array<{kind: string, currencyCode: string, remainingCredit: number|string}>} credits
 * @returns {Array<{currencyCode: string, heldCents: number, byKind: Object<string, number>}>} sorted by currency code
 */
export function creditHeld(credits) {
  const byCurrency = new Map();
  for (const credit of credits ?? []) {
    const cents = toCents(credit.remainingCredit);
    if (cents <= 0) continue;
    const currencyCode = String(credit.currencyCode ?? '').toUpperCase();
    const entry = byCurrency.get(currencyCode) ?? {
      currencyCode,
      heldCents: 0,
      byKind: Object.fromEntries(CREDIT_KINDS.map((kind) => [kind, 0])),
    };
    entry.heldCents += cents;
    entry.byKind[credit.kind] = (entry.byKind[credit.kind] ?? 0) + cents;
    byCurrency.set(currencyCode, entry);
  }
  return [...byCurrency.values()].sort((a, b) => a.currencyCode.localeCompare(b.currencyCode));
}

/**
 * A positive rate (a number, as JSON carries it, or a decimal string) as an exact fraction units / 10^scale:
 * 1.36 → { units: 136n, scale: 2 }; 5e-7 → { units: 5n, scale: 7 }. A number's shortest decimal form is the value
 * Salesforce sent (ConversionRate has at most 9 decimals), so nothing is lost.
 * @param {number|string} rate
 * @returns {{units: bigint, scale: number}|null} null when it is not a positive decimal
 */
function exactRate(rate) {
  const match = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(String(rate ?? '').trim());
  if (!match || `${match[1]}${match[2] ?? ''}` === '') return null;
  const digits = `${match[1]}${match[2] ?? ''}`;
  const scale = (match[2] ?? '').length - Number(match[3] ?? 0);
  const units = BigInt(digits) * 10n ** BigInt(Math.max(0, -scale));
  return units > 0n ? { units, scale: Math.max(0, scale) } : null;
}

/**
 * cents ÷ rate in whole cents, exactly, half away from zero (the domain's rounding): 137751 ÷ 1.36 = 101287.5 →
 * 101288, where floating-point division gives 101287.49999999999 and Math.round 101287.
 * @param {number} cents integer cents
 * @param {{units: bigint, scale: number}} rate from exactRate
 * @returns {number}
 */
function divideCents(cents, rate) {
  const numerator = BigInt(Math.abs(cents)) * 10n ** BigInt(rate.scale);
  const rounded = Number((2n * numerator + rate.units) / (2n * rate.units));
  return cents < 0 ? -rounded : rounded;
}

/**
 * Converts per-currency amounts to the corporate currency with Salesforce conversion rates (units of the record
 * currency per one corporate unit, so corporate = amount ÷ rate). Each currency is rounded to cents once (exactly,
 * half away from zero), then added: the rule the KPIs convert by (bridge-service fx-rates.ts, never a rounded cross
 * rate); fx.cases.json holds both to the same cents.
 * @param {Array<{currencyCode: string, cents: number}>} amounts
 * @param {Object<string, number|string>} rates by ISO code; may be empty
 * @param {string} corporateCurrency
 * @returns {{currencyCode: string, cents: number}|{missing: string[]}} the total, or the codes without a rate
 */
export function corporateTotal(amounts, rates, corporateCurrency) {
  const known = rates ?? {};
  const rateOf = (code) => exactRate(known[code]);
  const missing = amounts.filter((a) => a.cents !== 0 && !rateOf(a.currencyCode)).map((a) => a.currencyCode);
  if (!corporateCurrency || missing.length > 0) return { missing };
  const cents = amounts.reduce(
    (sum, a) => (a.cents === 0 ? sum : sum + divideCents(a.cents, rateOf(a.currencyCode))),
    0,
  );
  return { currencyCode: corporateCurrency, cents };
}

/**
 * Per-currency totals of an opportunity's invoices, in cents. Voided and deleted invoices count nowhere; drafts
 * (not yet sent to the customer) count only in `draftCents`.
 * @param {Array<object>} invoices plain invoices: status, currencyCode, total, amountPaid, amountCredited, amountDue,
 *   dueDate
 * @param {string} today YYYY-MM-DD
 * @returns {Array<{currencyCode: string, invoicedCents: number, paidCents: number, creditedCents: number,
 *   dueCents: number, overdueCents: number, draftCents: number}>} sorted by currency code
 */
export function totalsByCurrency(invoices, today) {
  const byCurrency = new Map();
  for (const invoice of invoices ?? []) {
    if (VOID_STATUSES.includes(invoice.status)) continue;
    const currencyCode = invoice.currencyCode ?? '';
    if (!byCurrency.has(currencyCode)) {
      byCurrency.set(currencyCode, {
        currencyCode,
        invoicedCents: 0,
        paidCents: 0,
        creditedCents: 0,
        dueCents: 0,
        overdueCents: 0,
        draftCents: 0,
      });
    }
    const entry = byCurrency.get(currencyCode);
    if (DRAFT_STATUSES.includes(invoice.status)) {
      entry.draftCents += toCents(invoice.total);
      continue;
    }
    const due = toCents(invoice.amountDue);
    entry.invoicedCents += toCents(invoice.total);
    entry.paidCents += toCents(invoice.amountPaid);
    entry.creditedCents += toCents(invoice.amountCredited);
    entry.dueCents += due;
    if (due > 0 && daysPastDue(invoice.dueDate, today) > 0) entry.overdueCents += due;
  }
  return [...byCurrency.values()].sort((a, b) => a.currencyCode.localeCompare(b.currencyCode));
}

const SYNC_PROBLEMS = [
  ['connection', /\b(401|403)\b|unauthori[sz]ed|forbidden|invalid_grant|token|re-?connect|not connected|tenant/i],
  ['busy', /\b429\b|rate limit|too many requests|retry-after/i],
  ['unreachable', /\b50[234]\b|timed? ?out|econn|enotfound|network|unavailable|could not reach/i],
  ['rejected', /\b400\b|validation|invalid|required|not valid|must be|cannot|can't/i],
];

/**
 * What went wrong with a sync, in one of a few kinds a rep can act on, from the bridge's Sync_Message__c.
 * @param {string} message
 * @returns {'connection'|'busy'|'unreachable'|'rejected'|'unknown'}
 */
export function syncProblem(message) {
  const text = message ?? '';
  const found = SYNC_PROBLEMS.find(([, pattern]) => pattern.test(text));
  return found ? found[0] : 'unknown';
}
