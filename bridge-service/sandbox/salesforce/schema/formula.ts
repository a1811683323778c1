/**
 * A small evaluator for formula fields: literals, fields of the record, arithmetic, comparisons, & concatenation,
 * && / ||, and IF, AND, OR, NOT, ISBLANK, ISNULL, BLANKVALUE, ISPICKVAL, TODAY, NOW, TEXT, VALUE, ROUND, ABS, MIN,
 * MAX, CASE. Dates are UTC days. A formula it cannot read evaluates to null rather than guessing.
 */
const DAY = 86_400_000;

type Val = number | string | boolean | null | { date: number };
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
}

export function evaluateFormula(node: Node, env: FormulaEnv): Val {
  const ev = (n: Node): Val => evaluateFormula(n, env);
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'field': {
      const v = env.field(node.name);
      if (v === undefined || v === null) return null;
      if (env.isDate(node.name) && typeof v === 'string') return { date: Date.parse(`${v.slice(0, 10)}T00:00:00Z`) };
      return v as Val;
    }
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
