/**
 * How the emulator's indexes key a field's value, one rule per way the org compares values. A rule must give two
 * values the comparison treats as equal the same key (it may also give equal keys to values that differ: every
 * lookup is followed by the comparison itself), so an index never hides a match.
 */
import { normalizeId } from './ids';
import type { FieldDef } from './schema/types';
import { UNKEYED, type KeyRule } from './store';

/** `value === key`: a lookup field's raw value against a record's Id (children of a parent). */
export const EXACT: KeyRule = {
  name: 'exact',
  keyOf: (v) => (typeof v === 'string' ? v : undefined),
};

/** SOQL on an id or reference field: 15- and 18-character ids alike (`normalizeId(v) ?? String(v)`). */
export const SOQL_ID: KeyRule = {
  name: 'soql-id',
  keyOf: (v) => (v === null || v === undefined ? undefined : (normalizeId(v) ?? String(v))),
};

const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/**
 * SOQL text equality is `localeCompare` of the lower-cased values, which also equates strings that differ only by
 * characters the collation ignores or by Unicode normalisation. For printable ASCII on both sides it is plain
 * equality, when the runtime's collation neither ignores nor merges printable ASCII characters: checked once here.
 * Values outside printable ASCII are never keyed (always compared), and a query with such a literal scans.
 */
function asciiCollationIsExact(): boolean {
  const chars = [...new Set(Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i).toLowerCase()))];
  for (const c of chars) if (`a${c}b`.localeCompare('ab') === 0) return false;
  for (let i = 0; i < chars.length; i += 1)
    for (let j = i + 1; j < chars.length; j += 1) if (chars[i]!.localeCompare(chars[j]!) === 0) return false;
  return true;
}

let asciiExact: boolean | undefined;

/** The SOQL text rule, or undefined where this runtime's collation makes lower-cased ASCII an unsafe key. */
export function soqlTextRule(): KeyRule | undefined {
  asciiExact ??= asciiCollationIsExact();
  return asciiExact ? SOQL_TEXT : undefined;
}

const SOQL_TEXT: KeyRule = {
  name: 'soql-text',
  keyOf: (v) => {
    if (v === null || v === undefined) return undefined;
    const text = String(v);
    return PLAIN_ASCII.test(text) ? text.toLowerCase() : UNKEYED;
  },
};

/** Whether a SOQL text literal can be looked up by the SOQL text rule. */
export const isPlainAscii = (text: string) => PLAIN_ASCII.test(text);

const SAME_ID: KeyRule = {
  name: 'same-id',
  // sameValue compares normalised ids, and two values that are not ids compare equal (undefined === undefined).
  keyOf: (v) => (v === null || v === undefined ? undefined : (normalizeId(v) ?? '\u0000not an id')),
};
const SAME_CASE_SENSITIVE: KeyRule = {
  name: 'same-case-sensitive',
  keyOf: (v) => (v === null || v === undefined ? undefined : String(v)),
};
const SAME_CASE_INSENSITIVE: KeyRule = {
  name: 'same-case-insensitive',
  keyOf: (v) => (v === null || v === undefined ? undefined : String(v).toLowerCase()),
};

/** The rule of `sameValue` for this field (external ids in upserts and foreign keys, unique fields). */
export function sameValueRule(field: FieldDef): KeyRule {
  if (field.type === 'id' || field.type === 'reference') return SAME_ID;
  return field.caseSensitive ? SAME_CASE_SENSITIVE : SAME_CASE_INSENSITIVE;
}

/** `String(value ?? '').toLowerCase()`: the REST API's GET and PATCH by external id. */
export const REST_EXTERNAL_ID: KeyRule = {
  name: 'rest-external-id',
  keyOf: (v) => String(v ?? '').toLowerCase(),
};
