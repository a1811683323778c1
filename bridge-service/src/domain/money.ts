import Big from 'big.js';

/** A decimal amount as the bridge passes it around: big.js, never a float. */
export type Money = Big;

// Xero rounds exact midpoints away from zero (4.545 -> 4.55, see shared finance reference §1.2).
const HALF_UP = Big.roundHalfUp;

/** Parses a decimal string or integer; throws on anything that is not a finite decimal number. */
export function money(value: string | number | Big): Money {
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new TypeError(`money(${value}): pass decimals as strings, never binary floats`);
  }
  try {
    return new Big(value);
  } catch {
    throw new TypeError(`money(${JSON.stringify(value)}): not a decimal number`);
  }
}

/** Rounds to `dp` decimal places (2 for amounts), half away from zero as Xero does. */
export function round(value: Money, dp = 2): Money {
  return value.round(dp, HALF_UP);
}

/** The fixed 2-dp string Xero and Salesforce expect on the wire. */
export function toWire(value: Money, dp = 2): string {
  return round(value, dp).toFixed(dp);
}

/** Sums amounts exactly. */
export function sum(values: readonly Money[]): Money {
  return values.reduce((total, value) => total.plus(value), new Big(0));
}

/** Number of decimal places `value` needs to be written exactly (`1.50` -> 1, `0.061171` -> 6, `100` -> 0). */
export function decimalPlaces(value: Money): number {
  return Math.max(0, value.c.length - value.e - 1);
}

/** `4000` -> `4,000.00`: rounded like {@link round}, with thousands separators, for summaries people read. */
export function formatAmount(value: Money, dp = 2): string {
  const [whole = '', fraction] = toWire(value, dp).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/**
 * Reads an amount that arrived as a JSON number (Salesforce and Xero send numbers) or a decimal string.
 * A JSON number is taken through its shortest round-trip decimal form (1200.5 -> "1200.5"), which is the
 * decimal the API wrote; no arithmetic ever happens on the float itself.
 */
export function fromApiNumber(value: number | string, label = 'amount'): Money {
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new TypeError(`${label} ${value} is not a finite number`);
  return money(typeof value === 'number' ? String(value) : value);
}
