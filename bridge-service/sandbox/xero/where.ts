import Big from 'big.js';
import { parseMsDate, WireNumber } from './wire';

/** A `where` or `order` the emulator cannot read; answered with a 400 like Xero's parse errors. */
export class QueryError extends Error {}

type Token = { kind: 'str' | 'num' | 'id' | 'op'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"') {
      let text = '';
      i++;
      while (i < source.length && source[i] !== '"') {
        if (source[i] === '\\' && i + 1 < source.length) i++;
        text += source[i];
        i++;
      }
      if (source[i] !== '"') throw new QueryError('Unterminated string in where clause');
      i++;
      tokens.push({ kind: 'str', text });
    } else if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^-?\d+(\.\d+)?/.exec(source.slice(i));
      if (!match) throw new QueryError(`Unexpected '${ch}' in where clause`);
      tokens.push({ kind: 'num', text: match[0] });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'id', text: match[0] });
      i += match[0].length;
    } else {
      const two = source.slice(i, i + 2);
      if (['==', '!=', '>=', '<=', '&&', '||'].includes(two)) {
        tokens.push({ kind: 'op', text: two });
        i += 2;
      } else if ('<>!(),.'.includes(ch)) {
        tokens.push({ kind: 'op', text: ch });
        i++;
      } else {
        throw new QueryError(`Unexpected '${ch}' in where clause`);
      }
    }
  }
  return tokens;
}

type Value = string | number | boolean | null | undefined | Big | { date: number };
type Node = (record: Record<string, unknown>) => Value;

/** Parses the `where` dialect the bridge uses (and a little more): comparisons, AND/OR/NOT, guid(), DateTime(), Contains/StartsWith/EndsWith. */
export function compileWhere(source: string): (record: Record<string, unknown>) => boolean {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => {
    const token = tokens[pos++];
    if (!token) throw new QueryError('Unexpected end of where clause');
    return token;
  };
  const expectOp = (text: string) => {
    const token = take();
    if (token.kind !== 'op' || token.text !== text) throw new QueryError(`Expected '${text}' in where clause`);
  };
  const isWord = (word: string) => {
    const token = peek();
    return token?.kind === 'id' && token.text.toUpperCase() === word;
  };

  function parseOr(): Node {
    let left = parseAnd();
    while (isWord('OR') || (peek()?.kind === 'op' && peek()?.text === '||')) {
      take();
      const l = left;
      const r = parseAnd();
      left = (rec) => truthy(l(rec)) || truthy(r(rec));
    }
    return left;
  }
  function parseAnd(): Node {
    let left = parseUnary();
    while (isWord('AND') || (peek()?.kind === 'op' && peek()?.text === '&&')) {
      take();
      const l = left;
      const r = parseUnary();
      left = (rec) => truthy(l(rec)) && truthy(r(rec));
    }
    return left;
  }
  function parseUnary(): Node {
    if (isWord('NOT') || (peek()?.kind === 'op' && peek()?.text === '!')) {
      take();
      const inner = parseUnary();
      return (rec) => !truthy(inner(rec));
    }
    return parseComparison();
  }
  function parseComparison(): Node {
    const left = parseOperand();
    const token = peek();
    if (token?.kind === 'op' && ['==', '!=', '>', '<', '>=', '<='].includes(token.text)) {
      take();
      const right = parseOperand();
      return (rec) => compareOp(token.text, left(rec), right(rec));
    }
    return left;
  }
  function parseOperand(): Node {
    const token = take();
    if (token.kind === 'op' && token.text === '(') {
      const inner = parseOr();
      expectOp(')');
      return inner;
    }
    if (token.kind === 'str') return () => token.text;
    if (token.kind === 'num') return () => new Big(token.text);
    if (token.kind !== 'id') throw new QueryError(`Unexpected '${token.text}' in where clause`);
    const word = token.text;
    const upper = word.toUpperCase();
    if (upper === 'TRUE') return () => true;
    if (upper === 'FALSE') return () => false;
    if (upper === 'NULL') return () => null;
    if (upper === 'GUID' && peek()?.text === '(') {
      take();
      const value = take();
      expectOp(')');
      return () => value.text.toLowerCase();
    }
    if (upper === 'DATETIME' && peek()?.text === '(') {
      take();
      const parts: number[] = [];
      while (peek()?.text !== ')') {
        const part = take();
        if (part.kind === 'num') parts.push(Number(part.text));
        else if (part.kind === 'str')
          parts.push(
            ...part.text
              .split(/[^0-9]+/)
              .filter(Boolean)
              .map(Number),
          );
        else if (part.text !== ',') throw new QueryError('Bad DateTime() in where clause');
      }
      take();
      const [y = 1970, m = 1, d = 1, h = 0, mi = 0, s = 0] = parts;
      const ms = Date.UTC(y, m - 1, d, h, mi, s);
      return () => ({ date: ms });
    }
    const pathParts = [word];
    let method: string | undefined;
    let argument: Node | undefined;
    while (peek()?.text === '.') {
      take();
      const part = take();
      if (part.kind !== 'id') throw new QueryError('Bad field path in where clause');
      if (peek()?.text === '(') {
        take();
        method = part.text.toLowerCase();
        if (peek()?.text !== ')') argument = parseOperand();
        expectOp(')');
        break;
      }
      pathParts.push(part.text);
    }
    return (rec) => {
      const value = readPath(rec, pathParts);
      if (method === undefined) return value;
      const text = typeof value === 'string' ? value.toLowerCase() : '';
      const arg = argument ? String(argument(rec) ?? '').toLowerCase() : '';
      switch (method) {
        case 'contains':
          return text.includes(arg);
        case 'startswith':
          return text.startsWith(arg);
        case 'endswith':
          return text.endsWith(arg);
        case 'tolower':
        case 'toupper':
          return text;
        default:
          throw new QueryError(`Unsupported method ${method} in where clause`);
      }
    };
  }

  const root = parseOr();
  if (pos !== tokens.length) throw new QueryError(`Unexpected '${tokens[pos]?.text}' in where clause`);
  return (record) => truthy(root(record));
}

function truthy(value: Value): boolean {
  return value === true;
}

/** Reads a dotted path case-insensitively from a wire view, normalising numbers and dates. */
export function readPath(record: Record<string, unknown>, parts: string[]): Value {
  let current: unknown = record;
  for (const part of parts) {
    if (current === null || typeof current !== 'object') return undefined;
    const obj = current as Record<string, unknown>;
    const key = Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? undefined : obj[key];
  }
  if (current instanceof WireNumber) return current.value;
  if (typeof current === 'string') {
    const ms = parseMsDate(current);
    return ms === undefined ? current : { date: ms };
  }
  if (
    current instanceof Big ||
    typeof current === 'boolean' ||
    typeof current === 'number' ||
    current === null ||
    current === undefined
  ) {
    return current as Value;
  }
  return undefined;
}

function compareValues(a: Value, b: Value): number | undefined {
  if (a === undefined || a === null || b === undefined || b === null) return a == b ? 0 : undefined;
  const asDate = (v: Value) => (typeof v === 'object' && v !== null && 'date' in v ? v.date : undefined);
  const da = asDate(a);
  const db = asDate(b);
  if (da !== undefined || db !== undefined) {
    if (da === undefined || db === undefined) return undefined;
    return Math.sign(da - db);
  }
  const asBig = (v: Value) => (v instanceof Big ? v : typeof v === 'number' ? new Big(v) : undefined);
  const na = asBig(a);
  const nb = asBig(b);
  if (na && nb) return na.cmp(nb);
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b ? 0 : undefined;
  const sa = String(a).toLowerCase();
  const sb = String(b).toLowerCase();
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}

function compareOp(op: string, a: Value, b: Value): boolean {
  const c = compareValues(a, b);
  if (op === '!=') return c !== 0;
  if (c === undefined) return false;
  switch (op) {
    case '==':
      return c === 0;
    case '>':
      return c > 0;
    case '<':
      return c < 0;
    case '>=':
      return c >= 0;
    default:
      return c <= 0;
  }
}

/** `order=Date DESC, InvoiceNumber` as a comparator over wire views. */
export function compileOrder(source: string): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  const keys = source
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [field, direction = 'ASC', ...rest] = part.split(/\s+/);
      if (!field || rest.length > 0 || !/^(ASC|DESC)$/i.test(direction) || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(field)) {
        throw new QueryError(`Cannot order by '${part}'`);
      }
      return { path: field.split('.'), sign: direction.toUpperCase() === 'DESC' ? -1 : 1 };
    });
  return (a, b) => {
    for (const key of keys) {
      const c = compareValues(readPath(a, key.path), readPath(b, key.path)) ?? 0;
      if (c !== 0) return c * key.sign;
    }
    return 0;
  };
}
