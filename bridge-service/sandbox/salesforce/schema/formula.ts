/**
 * A small evaluator for formula fields and validation rules: literals, fields of the record and of its parents
 * (`Parent__r.Field__c`, resolved by the caller), arithmetic, comparisons, & concatenation, && / ||, and the functions
 * in FUNCTIONS. Dates are UTC days. checkFormula says, before anything runs, what a formula uses that this evaluator
 * cannot do, so a formula is never half-read.
 */
const DAY = 86_400_000;

type Val = number | string | boolean | null | { date: number };
export type FormulaNode = Node;
type Node =
  | { k: 'lit'; v: Val }
  | { k: 'field'; name: string }
  | { k: 'call'; fn: string; args: Node[] }
  | { k: 'bin'; op: string; l: Node; r: Node }
  | { k: 'not'; e: Node }
  | { k: 'neg'; e: Node };

function tokenize(src: string): string[] {
  const re =
    /\s*(\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_][\w.]*|&&|\|\||<>|!=|==|<=|>=|[-+*/&=<>!(),])/gy;
  const out: string[] = [];
  let pos = 0;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    out.push(m[1]!);
    pos = re.lastIndex;
  }
  if (src.slice(pos).trim()) throw new Error(`formula: cannot read ${src.slice(pos)}`);
  return out;
}

const PRECEDENCE: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '=': 3,
  '==': 3,
  '!=': 3,
  '<>': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '&': 5,
  '*': 6,
  '/': 6,
};

export function parseFormula(src: string): Node {
  const t = tokenize(src);
  let i = 0;
  const primary = (): Node => {
    const tok = t[i++];
    if (tok === undefined) throw new Error('formula: unexpected end');
    if (tok === '(') {
      const e = expr(0);
      if (t[i++] !== ')') throw new Error('formula: ) expected');
      return e;
    }
    if (tok === '!') return { k: 'not', e: primary() };
    if (tok === '-') return { k: 'neg', e: primary() };
    if (/^\d/.test(tok)) return { k: 'lit', v: Number(tok) };
    if (/^["']/.test(tok)) return { k: 'lit', v: tok.slice(1, -1).replace(/\\(.)/g, '$1') };
    const upper = tok.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') return { k: 'lit', v: upper === 'TRUE' };
    if (upper === 'NULL') return { k: 'lit', v: null };
    if (t[i] === '(') {
      i++;
      const args: Node[] = [];
      if (t[i] !== ')') {
        do args.push(expr(0));
        while (t[i] === ',' && ++i);
      }
      if (t[i++] !== ')') throw new Error('formula: ) expected');
      return { k: 'call', fn: upper, args };
    }
    return { k: 'field', name: tok };
  };
  const expr = (min: number): Node => {
    let left = primary();
    for (;;) {
      const op = t[i];
      const p = op === undefined ? undefined : PRECEDENCE[op];
      if (p === undefined || p <= min) return left;
      i++;
      left = { k: 'bin', op: op!, l: left, r: expr(p) };
    }
  };
  const root = expr(0);
  if (i !== t.length) throw new Error(`formula: unexpected ${t[i]}`);
  return root;
}

const blank = (v: Val): boolean => v === null || v === '';
const num = (v: Val, zero: boolean): number | null =>
  typeof v === 'number' ? v : v === null && zero ? 0 : typeof v === 'object' && v ? v.date / DAY : null;

export interface FormulaEnv {
  field(name: string): unknown;
  /** date fields are read as dates */
  isDate(name: string): boolean;
  now: number;
  blankAsZero: boolean;
  /**
   * Where the formula runs on a save (a validation rule): whether the record is new, and a field's value before the
   * save. Absent for formula fields, where ISNEW, PRIORVALUE and ISCHANGED do not exist.
   */
  save?: { isNew: boolean; prior(name: string): unknown };
}

/** The functions the evaluator knows, with their argument counts ([min, max]). */
const FUNCTIONS: Record<string, [number, number]> = {
  IF: [3, 3],
  AND: [1, Infinity],
  OR: [1, Infinity],
  NOT: [1, 1],
  ISBLANK: [1, 1],
  ISNULL: [1, 1],
  BLANKVALUE: [2, 2],
  ISPICKVAL: [2, 2],
  TODAY: [0, 0],
  NOW: [0, 0],
  TEXT: [1, 1],
  VALUE: [1, 1],
  ROUND: [2, 2],
  ABS: [1, 1],
  MIN: [1, Infinity],
  MAX: [1, Infinity],
  CASE: [3, Infinity],
  REGEX: [2, 2],
  ISNEW: [0, 0],
  PRIORVALUE: [1, 1],
  ISCHANGED: [1, 1],
};
/** Available only where a record is being saved (validation rules), as in Salesforce. */
const SAVE_FUNCTIONS = new Set(['ISNEW', 'PRIORVALUE', 'ISCHANGED']);

/**
 * Java regular-expression syntax (what Salesforce's REGEX reads) as a JavaScript RegExp matching the whole text.
 * The common subset means the same in both; a Java-only construct is refused rather than read differently.
 */
export function javaRegex(pattern: string): RegExp {
  const javaOnly = /\\[pPQEAZzGhHRX]|\(\?[a-zA-Z-]+[:)]|[*+?}]\+|\[[^\]]*&&/.exec(pattern);
  if (javaOnly) throw new Error(`REGEX: the Java construct ${javaOnly[0]} in "${pattern}" is not supported`);
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    throw new Error(`REGEX: cannot read "${pattern}": ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Refuses a formula the evaluator would not read as Salesforce does: an unknown function, a wrong number of
 * arguments, ISNEW/PRIORVALUE/ISCHANGED outside a validation rule, PRIORVALUE or ISCHANGED of anything but a field,
 * a REGEX pattern that is not a literal or uses Java-only syntax.
 */
export function checkFormula(node: Node, where: { validationRule: boolean }): void {
  if (node.k === 'not' || node.k === 'neg') return checkFormula(node.e, where);
  if (node.k === 'bin') {
    checkFormula(node.l, where);
    return checkFormula(node.r, where);
  }
  if (node.k !== 'call') return;
  const arity = FUNCTIONS[node.fn];
  if (!arity) throw new Error(`formula: unsupported function ${node.fn}`);
  const [min, max] = arity;
  if (node.args.length < min || node.args.length > max) {
    const count = min === max ? `${min}` : max === Infinity ? `${min} or more` : `${min} to ${max}`;
    throw new Error(`formula: ${node.fn} takes ${count} arguments, not ${node.args.length}`);
  }
  if (SAVE_FUNCTIONS.has(node.fn) && !where.validationRule)
    throw new Error(`formula: ${node.fn} is available only in validation rules`);
  if ((node.fn === 'PRIORVALUE' || node.fn === 'ISCHANGED') && node.args[0]!.k !== 'field')
    throw new Error(`formula: ${node.fn} takes a field`);
  if (node.fn === 'REGEX') {
    const pattern = node.args[1]!;
    if (pattern.k !== 'lit' || typeof pattern.v !== 'string') throw new Error('formula: REGEX takes a literal pattern');
    javaRegex(pattern.v);
  }
  for (const arg of node.args) checkFormula(arg, where);
}

/** The field names a formula reads (`Parent__r.Field__c` as written). */
export function formulaFields(node: Node): string[] {
  switch (node.k) {
    case 'field':
      return [node.name];
    case 'not':
    case 'neg':
      return formulaFields(node.e);
    case 'bin':
      return [...formulaFields(node.l), ...formulaFields(node.r)];
    case 'call':
      return node.args.flatMap(formulaFields);
    case 'lit':
      return [];
  }
}

const regexes = new Map<string, RegExp>();

export function evaluateFormula(node: Node, env: FormulaEnv): Val {
  const ev = (n: Node): Val => evaluateFormula(n, env);
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'field':
      return fieldValue(env, node.name, env.field(node.name));
    case 'not':
      return !ev(node.e);
    case 'neg': {
      const v = num(ev(node.e), env.blankAsZero);
      return v === null ? null : -v;
    }
    case 'bin': {
      const l = ev(node.l);
      const r = ev(node.r);
      switch (node.op) {
        case '&&':
          return !!l && !!r;
        case '||':
          return !!l || !!r;
        case '&':
          return `${l ?? ''}${r ?? ''}`;
        case '=':
        case '==':
          return JSON.stringify(l) === JSON.stringify(r);
        case '!=':
        case '<>':
          return JSON.stringify(l) !== JSON.stringify(r);
      }
      const a = num(l, env.blankAsZero);
      const b = num(r, env.blankAsZero);
      if (a === null || b === null) return null;
      switch (node.op) {
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        case '>=':
          return a >= b;
        case '+':
          return typeof l === 'object' && l ? { date: (a + b) * DAY } : a + b;
        case '-':
          // date - date is a number of days; date - n is a date
          return typeof l === 'object' && l && !(typeof r === 'object' && r) ? { date: (a - b) * DAY } : a - b;
        case '*':
          return a * b;
        case '/':
          return b === 0 ? null : a / b;
      }
      return null;
    }
    case 'call': {
      const a = node.args;
      switch (node.fn) {
        case 'IF':
          return ev(a[0]!) ? ev(a[1]!) : ev(a[2]!);
        case 'AND':
          return a.every((x) => !!ev(x));
        case 'OR':
          return a.some((x) => !!ev(x));
        case 'NOT':
          return !ev(a[0]!);
        case 'ISBLANK':
        case 'ISNULL':
          return blank(ev(a[0]!));
        case 'BLANKVALUE': {
          const v = ev(a[0]!);
          return blank(v) ? ev(a[1]!) : v;
        }
        case 'ISPICKVAL':
          return ev(a[0]!) === ev(a[1]!);
        case 'TODAY':
          return { date: Math.floor(env.now / DAY) * DAY };
        case 'NOW':
          return { date: env.now };
        case 'TEXT': {
          const v = ev(a[0]!);
          return v === null ? '' : typeof v === 'object' ? new Date(v.date).toISOString().slice(0, 10) : String(v);
        }
        case 'VALUE':
          return Number(ev(a[0]!));
        case 'ROUND': {
          const v = num(ev(a[0]!), env.blankAsZero);
          const d = Number(ev(a[1]!) ?? 0);
          return v === null ? null : Math.round(v * 10 ** d) / 10 ** d;
        }
        case 'ABS': {
          const v = num(ev(a[0]!), env.blankAsZero);
          return v === null ? null : Math.abs(v);
        }
        case 'MIN':
        case 'MAX': {
          const vs = a.map((x) => num(ev(x), env.blankAsZero)).filter((x): x is number => x !== null);
          return vs.length ? (node.fn === 'MIN' ? Math.min(...vs) : Math.max(...vs)) : null;
        }
        case 'REGEX': {
          // the whole text must match (Salesforce's REGEX is Java's String.matches); a blank text is ''
          const pattern = String(ev(a[1]!));
          const re = regexes.get(pattern) ?? javaRegex(pattern);
          regexes.set(pattern, re);
          const text = ev(a[0]!);
          return re.test(text === null ? '' : typeof text === 'object' ? String(text.date) : String(text));
        }
        case 'ISNEW':
          return saving(env, node.fn).isNew;
        case 'PRIORVALUE': {
          // on a new record PRIORVALUE is the value being saved (Salesforce Help, PRIORVALUE)
          const save = saving(env, node.fn);
          return save.isNew ? ev(a[0]!) : priorValue(env, save, a[0]!);
        }
        case 'ISCHANGED': {
          const save = saving(env, node.fn);
          return !save.isNew && JSON.stringify(priorValue(env, save, a[0]!)) !== JSON.stringify(ev(a[0]!));
        }
        case 'CASE': {
          const v = ev(a[0]!);
          for (let j = 1; j + 1 < a.length; j += 2)
            if (JSON.stringify(ev(a[j]!)) === JSON.stringify(v)) return ev(a[j + 1]!);
          return a.length % 2 === 0 ? ev(a[a.length - 1]!) : null;
        }
      }
      throw new Error(`formula: unsupported function ${node.fn}`);
    }
  }
}

function fieldValue(env: FormulaEnv, name: string, v: unknown): Val {
  if (v === undefined || v === null) return null;
  if (env.isDate(name) && typeof v === 'string') return { date: Date.parse(`${v.slice(0, 10)}T00:00:00Z`) };
  return v as Val;
}

function saving(env: FormulaEnv, fn: string): NonNullable<FormulaEnv['save']> {
  if (!env.save) throw new Error(`formula: ${fn} is available only in validation rules`);
  return env.save;
}

function priorValue(env: FormulaEnv, save: NonNullable<FormulaEnv['save']>, arg: Node): Val {
  if (arg.k !== 'field') throw new Error('formula: PRIORVALUE and ISCHANGED take a field');
  return fieldValue(env, arg.name, save.prior(arg.name));
}
