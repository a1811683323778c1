/** Type coercion and validation of field values on write, with the error codes and messages Salesforce uses. */
import Big from 'big.js';
import { SalesforceError } from './errors';
import { normalizeId } from './ids';
import type { FieldDef } from './schema/types';

/**
 * Salesforce's datetime wire format: `2026-01-15T09:00:00.000+0000`. Whole seconds: "dateTime fields are full
 * timestamps with a precision of one second" (SOAP API Developer Guide, Primitive Data Types), so a value written
 * with milliseconds comes back without them, and so do CreatedDate and SystemModstamp.
 */
export function formatDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('Z', '+0000');
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function parseDateTime(value: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value.trim());
  if (!m) return undefined;
  const zone =
    m[3] === undefined || m[3] === 'Z' ? 'Z' : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3];
  const t = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`);
  return Number.isNaN(t) ? undefined : t;
}

const jsonError = (value: unknown, type: string): SalesforceError =>
  new SalesforceError(
    400,
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${type} from VALUE_STRING value ${String(value)} or request may be missing a required field`,
  );

/** Converts a JSON value to the stored form for the field's type (the deserialisation step). */
export function coerce(def: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (def.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw jsonError(value, 'boolean');
    case 'double':
    case 'currency':
    case 'percent':
    case 'int': {
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      if (value === '') return null;
      throw jsonError(value, def.type === 'int' ? 'int' : 'double');
    }
    case 'date': {
      if (typeof value !== 'string') throw jsonError(value, 'date');
      const t = parseDateTime(value);
      if (t === undefined) throw jsonError(value, 'date');
      return formatDate(t);
    }
    case 'datetime': {
      if (typeof value !== 'string') throw jsonError(value, 'datetime');
      const t = parseDateTime(value);
      if (t === undefined) throw jsonError(value, 'datetime');
      return formatDateTime(t);
    }
    case 'reference':
    case 'id': {
      if (typeof value !== 'string') throw jsonError(value, 'id');
      if (value === '') return null;
      const id = normalizeId(value);
      if (!id)
        throw new SalesforceError(400, 'MALFORMED_ID', `${def.label}: id value of incorrect type: ${value}`, [
          def.name,
        ]);
      return id;
    }
    default:
      if (typeof value === 'object') throw jsonError(JSON.stringify(value), 'String');
      return value === '' ? null : String(value);
  }
}

/** Save-time checks of one already-coerced value: length, range, restricted picklists. */
export function checkValue(def: FieldDef, value: unknown, picklistValues?: string[]): unknown {
  if (value === null) return null;
  if (
    typeof value === 'string' &&
    def.length !== undefined &&
    ['string', 'textarea', 'email', 'phone', 'url'].includes(def.type)
  ) {
    if (value.length > def.length) {
      throw new SalesforceError(
        400,
        'STRING_TOO_LONG',
        `${def.label}: data value too large: ${value} (max length=${def.length})`,
        [def.name],
      );
    }
  }
  if (def.type === 'email' && typeof value === 'string' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    throw new SalesforceError(400, 'INVALID_EMAIL_ADDRESS', `${def.label}: invalid email address: ${value}`, [
      def.name,
    ]);
  }
  if ((def.type === 'picklist' || def.type === 'multipicklist') && typeof value === 'string') {
    const allowed = picklistValues ?? def.picklist?.values ?? [];
    if (def.picklist?.restricted) {
      const chosen = def.type === 'multipicklist' ? value.split(';') : [value];
      const bad = chosen.find((v) => !allowed.includes(v));
      if (bad !== undefined) {
        throw new SalesforceError(
          400,
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `${def.label}: bad value for restricted picklist field: ${bad}`,
          [def.name],
        );
      }
    }
  }
  if (typeof value === 'number' && ['double', 'currency', 'percent', 'int'].includes(def.type)) {
    return checkNumber(def, value);
  }
  return value;
}

/** Rounds to the field's scale (half up, as Salesforce does) and rejects values with too many integer digits. */
function checkNumber(def: FieldDef, value: number): number {
  const scale = def.scale ?? 0;
  const precision = def.precision ?? 18;
  const rounded = new Big(value).round(scale, Big.roundHalfUp);
  const intDigits = rounded.abs().round(0, Big.roundDown).toFixed(0).replace(/^0$/, '').length;
  if (intDigits > precision - scale) {
    throw new SalesforceError(
      400,
      'NUMBER_OUTSIDE_VALID_RANGE',
      `${def.label}: value outside of valid range on numeric field: ${value}`,
      [def.name],
    );
  }
  return Number(rounded.toFixed(scale));
}
