import Big from 'big.js';

/** Xero echoes failed batch elements with this id (reference §4). */
export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

/** A decimal on the wire with a fixed number of places (Xero prints 2 dp amounts, 4 dp quantities). */
export class WireNumber {
  constructor(
    readonly value: Big,
    readonly dp: number,
  ) {}
}

export const amount = (value: Big): WireNumber => new WireNumber(value, 2);
export const fixed = (value: Big, dp: number): WireNumber => new WireNumber(value, dp);

type RawJson = (text: string) => unknown;
// JSON.rawJSON (Node >= 21) lets a decimal reach the wire without passing through a binary float.
const rawJSON: RawJson = (JSON as unknown as { rawJSON: RawJson }).rawJSON;

/** Serialises a response view: WireNumber and Big become exact JSON numbers. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, current: unknown) {
    const original = key === '' ? current : this[key];
    if (original instanceof WireNumber) return rawJSON(original.value.toFixed(original.dp));
    if (original instanceof Big) return rawJSON(original.toString());
    return current;
  });
}

/**
 * Parses a request body keeping every JSON number as an exact Big (from its source text), so amounts
 * such as 25.06 are never binary floats inside the emulator.
 */
export function parseJson(text: string): unknown {
  const reviver = (_key: string, value: unknown, context?: { source?: string }): unknown =>
    typeof value === 'number' && context?.source !== undefined ? new Big(context.source) : value;
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

/** Xero's JSON date form. */
export function msDate(ms: number): string {
  return `/Date(${ms}+0000)/`;
}

/** `2019-03-11T00:00:00`, the `DateString` form (no zone, no millis). */
export function dateTimeString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** Epoch ms of a `YYYY-MM-DD` day at UTC midnight. */
export function dayToMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** `YYYY-MM-DD` of an epoch ms, in UTC (the emulator's organisations all keep UTC days). */
export function msToDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Adds the `/Date(..)/` and `...String` pair for a calendar day. */
export function dayPair(day: string | undefined, name: string): Record<string, string> {
  if (day === undefined) return {};
  const ms = dayToMs(day);
  return { [name]: msDate(ms), [`${name}String`]: dateTimeString(ms) };
}

const MS_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

/**
 * Reads a request date as a calendar day. Accepts `YYYY-MM-DD`, an ISO date-time (what xero-node sends
 * when a Date object is re-posted) and `/Date(ms)/`; returns undefined for anything else.
 */
export function parseDay(value: string): string | undefined {
  const ms = MS_DATE.exec(value);
  if (ms) return msToDay(Number(ms[1]));
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Number.isNaN(dayToMs(value)) ? undefined : value;
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : value.slice(0, 10);
  }
  return undefined;
}

/** Reads `/Date(ms+0000)/` back to epoch ms (used by where-filters and tests). */
export function parseMsDate(value: string): number | undefined {
  const match = MS_DATE.exec(value);
  return match ? Number(match[1]) : undefined;
}
