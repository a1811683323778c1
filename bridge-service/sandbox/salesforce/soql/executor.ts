/** Runs a parsed SOQL query against the org: field-path resolution, filters, ordering, subqueries, aggregates. */
import Big from 'big.js';
import { SalesforceError } from '../errors';
import { parseDateTime } from '../field-values';
import { normalizeId } from '../ids';
import { EXACT, isPlainAscii, SOQL_ID, soqlTextRule } from '../record-keys';
import type { ApiAccess, SalesforceOrg } from '../salesforce-org';
import type { FieldDef, ObjectDef } from '../schema/types';
import { UNKEYED, type KeyRule, type SRecord } from '../store';
import type { Aggregate, Condition, FieldRef, Query, Value } from './ast';
import { parseSoql, queryError } from './parser';

export interface QueryContext {
  org: SalesforceOrg;
  /**
   * The caller's object permissions and field-level security: an object they cannot read is not supported, a field
   * they cannot read has no such column, as in an org; undefined reads everything.
   */
  access?: ApiAccess | undefined;
  apiVersion: string;
  includeDeleted?: boolean;
  defaultNamespace?: string;
}

export interface QueryOutput {
  totalSize: number;
  records: Record<string, unknown>[];
}

interface ResolvedPath {
  refs: FieldDef[];
  leaf: FieldDef;
}

const MAX_OFFSET = 2000;

export function runSoql(text: string, ctx: QueryContext): QueryOutput {
  const query = parseSoql(text, ctx.org.clock.now());
  return new Executor(ctx).run(query);
}

class Executor {
  private readonly paths = new WeakMap<FieldRef, ResolvedPath>();
  constructor(private readonly ctx: QueryContext) {}

  private objectFor(q: Query): ObjectDef {
    const def = this.ctx.org.findObject(q.from, this.ctx.defaultNamespace);
    if (!def || def.kind === 'event' || !this.canRead(def)) {
      throw queryError(
        q.text,
        q.fromPos,
        `sObject type '${q.from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
        'INVALID_TYPE',
      );
    }
    return def;
  }

  private canRead(def: ObjectDef, field?: FieldDef): boolean {
    const access = this.ctx.access;
    if (!access) return true;
    return access.object(def).read && (!field || access.field(def, field).read);
  }

  run(q: Query): QueryOutput {
    const def = this.objectFor(q);
    this.compile(q, def);
    let rows = this.candidates(q, def, this.ctx.includeDeleted);
    if (q.where) rows = rows.filter((r) => this.test(q, def, r, q.where!));
    const aggregate = q.groupBy.length > 0 || q.select.some((s) => s.kind === 'agg');
    if (aggregate) return this.aggregate(q, def, rows);
    rows = this.sort(q, def, rows);
    if ((q.offset ?? 0) > MAX_OFFSET)
      throw new SalesforceError(400, 'NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
    rows = rows.slice(q.offset ?? 0, q.limit !== undefined ? (q.offset ?? 0) + q.limit : undefined);
    return { totalSize: rows.length, records: rows.map((r) => this.output(q, def, r)) };
  }

  // ---- compile: resolve every field reference up front, so bad fields fail even on an empty table ------------

  private compile(q: Query, def: ObjectDef): void {
    for (const item of q.select) {
      if (item.kind === 'field') this.resolve(q, def, item);
      else if (item.kind === 'agg' && item.arg) this.resolve(q, def, item.arg);
      else if (item.kind === 'subquery') {
        const rel = this.childRelationship(q, def, item.query);
        this.compile(item.query, this.ctx.org.object(rel.childObject));
      }
    }
    if (q.select.some((s) => s.kind === 'agg' && !s.arg) && q.select.length > 1) {
      throw queryError(q.text, 0, 'COUNT() cannot be combined with other fields');
    }
    for (const g of q.groupBy) this.resolve(q, def, g);
    for (const o of q.orderBy) {
      if (o.field.kind === 'field') this.resolve(q, def, o.field);
      else if (o.field.arg) this.resolve(q, def, o.field.arg);
    }
    if (q.where) this.compileCondition(q, def, q.where);
  }

  private compileCondition(q: Query, def: ObjectDef, c: Condition): void {
    switch (c.kind) {
      case 'and':
      case 'or':
        c.items.forEach((i) => this.compileCondition(q, def, i));
        return;
      case 'not':
        this.compileCondition(q, def, c.item);
        return;
      case 'cmp':
      case 'in': {
        const path = this.resolve(q, def, c.field);
        const values = c.kind === 'cmp' ? [c.value] : c.values;
        for (const v of values) this.checkLiteral(q, c.field, path.leaf, v);
        return;
      }
      case 'semijoin': {
        this.resolve(q, def, c.field);
        this.compile(c.query, this.objectFor(c.query));
        return;
      }
      case 'includes':
        this.resolve(q, def, c.field);
        return;
    }
  }

  private checkLiteral(q: Query, ref: FieldRef, field: FieldDef, v: Value): void {
    if (v.kind === 'null') return;
    const bad = (type: string, quoted: boolean): never => {
      throw queryError(
        q.text,
        ref.pos,
        `value of filter criterion for field '${field.name}' must be of type ${type} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
        'INVALID_QUERY_FILTER_OPERATOR',
      );
    };
    const numeric = ['double', 'currency', 'percent', 'int'].includes(field.type);
    if (field.type === 'date' && !(v.kind === 'date' || v.kind === 'dateRange')) bad('date', false);
    if (field.type === 'datetime' && !(v.kind === 'datetime' || v.kind === 'dateRange')) bad('dateTime', false);
    if (numeric && v.kind !== 'number') bad(field.type === 'int' ? 'int' : 'double', false);
    if (field.type === 'boolean' && v.kind !== 'boolean') bad('boolean', false);
    const textual = !numeric && !['date', 'datetime', 'boolean'].includes(field.type);
    if (textual && v.kind !== 'string') bad('string', true);
  }

  private resolve(q: Query, def: ObjectDef, ref: FieldRef): ResolvedPath {
    const cached = this.paths.get(ref);
    if (cached) return cached;
    let path = ref.path;
    if (path.length > 1 && q.alias && path[0]!.toLowerCase() === q.alias.toLowerCase()) path = path.slice(1);
    const refs: FieldDef[] = [];
    let current = def;
    for (let i = 0; i < path.length - 1; i++) {
      const name = path[i]!;
      const rel = [...current.fields.values()].find(
        (f) =>
          f.type === 'reference' &&
          !!f.relationshipName &&
          (f.relationshipName.toLowerCase() === name.toLowerCase() ||
            (this.ctx.defaultNamespace &&
              f.relationshipName.toLowerCase() === `${this.ctx.defaultNamespace}__${name}`.toLowerCase())),
      );
      const target = rel ? this.ctx.org.findObject(rel.referenceTo?.[0] ?? '') : undefined;
      if (!rel || !target || !this.canRead(current, rel) || !this.canRead(target)) {
        throw queryError(
          q.text,
          ref.pos,
          `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
          'INVALID_FIELD',
        );
      }
      refs.push(rel);
      current = target;
    }
    const leafName = path[path.length - 1]!;
    const leaf = this.ctx.org.findField(current, leafName, this.ctx.defaultNamespace);
    if (!leaf || !this.canRead(current, leaf)) {
      throw queryError(
        q.text,
        ref.pos,
        `No such column '${leafName}' on entity '${current.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
        'INVALID_FIELD',
      );
    }
    const resolved = { refs, leaf };
    this.paths.set(ref, resolved);
    return resolved;
  }

  private childRelationship(
    q: Query,
    parent: ObjectDef,
    sub: Query,
  ): { childObject: string; field: string; relationshipName: string } {
    const name = sub.from.toLowerCase();
    const ns = this.ctx.defaultNamespace;
    const rel = parent.childRelationships.find(
      (r) => r.relationshipName.toLowerCase() === name || (ns && r.relationshipName.toLowerCase() === `${ns}__${name}`),
    );
    const child = rel && this.ctx.org.findObject(rel.childObject);
    const childField = rel && child?.fields.get(rel.field.toLowerCase());
    if (!rel || !child || !childField || !this.canRead(child, childField)) {
      throw queryError(
        q.text,
        sub.fromPos,
        `Didn't understand relationship '${sub.from}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        'INVALID_TYPE',
      );
    }
    return rel;
  }

  // ---- indexes: the rows a WHERE can match ---------------------------------------------------------------------

  /**
   * The rows to test against the WHERE clause, in table order: from an index when one of its AND-ed conditions is
   * an equality or IN on an id, a lookup or a text field (directly or through one parent), else every row. Always a
   * superset of the matches: the WHERE clause is then applied to each row as before.
   */
  private candidates(q: Query, def: ObjectDef, includeDeleted = false): SRecord[] {
    if (q.where && def.kind !== 'metadata') {
      const conditions = q.where.kind === 'and' ? q.where.items : [q.where];
      for (const c of conditions) {
        const rows = this.indexed(q, def, c, includeDeleted);
        if (rows) return rows;
      }
    }
    return this.ctx.org.records(def, includeDeleted);
  }

  private indexed(q: Query, def: ObjectDef, c: Condition, includeDeleted: boolean): SRecord[] | undefined {
    if (c.kind === 'semijoin' && !c.negated) {
      const path = this.resolve(q, def, c.field);
      if (path.refs.length > 0 || !isIdField(path.leaf)) return undefined;
      const keys = [...this.semiJoin(c.query)].filter((v) => v !== null && v !== undefined).map(String);
      return this.ctx.org.recordsByKey(def, path.leaf.name, SOQL_ID, keys, includeDeleted);
    }
    if (!((c.kind === 'cmp' && c.op === '=') || (c.kind === 'in' && !c.negated))) return undefined;
    const path = this.resolve(q, def, c.field);
    const lookup = keysFor(path.leaf, c.kind === 'cmp' ? [c.value] : c.values);
    if (!lookup) return undefined;
    if (path.refs.length === 0) {
      return this.ctx.org.recordsByKey(def, path.leaf.name, lookup.rule, lookup.keys, includeDeleted);
    }
    // One parent away (Invoice__r.Request_Key__c IN ...): the matching parents, then their children.
    const ref = path.refs[0]!;
    const parent =
      path.refs.length === 1 && ref.referenceTo?.length === 1
        ? this.ctx.org.findObject(ref.referenceTo[0]!)
        : undefined;
    if (!parent || parent.kind === 'metadata') return undefined;
    const parents = this.ctx.org.recordsByKey(parent, path.leaf.name, lookup.rule, lookup.keys, true);
    return this.ctx.org.recordsByKey(
      def,
      ref.name,
      SOQL_ID,
      parents.map((p) => p.Id),
      includeDeleted,
    );
  }

  // ---- evaluation ----------------------------------------------------------------------------------------------

  /** Follows a path from a record; undefined target means a null relationship on the way. */
  private walk(def: ObjectDef, record: SRecord, path: ResolvedPath): { def: ObjectDef; record: SRecord } | undefined {
    let cur: { def: ObjectDef; record: SRecord } | undefined = { def, record };
    for (const ref of path.refs) {
      const id: unknown = cur.record[ref.name];
      cur = typeof id === 'string' ? this.ctx.org.getAny(id) : undefined;
      if (!cur) return undefined;
    }
    return cur;
  }

  private value(q: Query, def: ObjectDef, record: SRecord, ref: FieldRef): unknown {
    const path = this.resolve(q, def, ref);
    const target = this.walk(def, record, path);
    return target ? this.ctx.org.valueOf(target.def, target.record, path.leaf) : null;
  }

  private test(q: Query, def: ObjectDef, record: SRecord, c: Condition): boolean {
    switch (c.kind) {
      case 'and':
        return c.items.every((i) => this.test(q, def, record, i));
      case 'or':
        return c.items.some((i) => this.test(q, def, record, i));
      case 'not':
        return !this.test(q, def, record, c.item);
      case 'cmp': {
        const leaf = this.resolve(q, def, c.field).leaf;
        return compare(leaf, this.value(q, def, record, c.field), c.op, c.value);
      }
      case 'in': {
        const leaf = this.resolve(q, def, c.field).leaf;
        const v = this.value(q, def, record, c.field);
        const hit = this.inList(c, leaf)(v);
        return c.negated ? !hit && v !== null : hit;
      }
      case 'semijoin': {
        const ids = this.semiJoin(c.query);
        const v = this.value(q, def, record, c.field);
        const key = normalizeId(v) ?? v;
        const hit = ids.has(key);
        return c.negated ? !hit : hit;
      }
      case 'includes': {
        const v = this.value(q, def, record, c.field);
        const chosen = new Set(typeof v === 'string' ? v.split(';') : []);
        // each value may itself be 'a;b', meaning both
        const hit = c.values.some((group) => group.split(';').every((x) => chosen.has(x)));
        return c.negated ? !hit : hit;
      }
    }
  }

  private readonly inLists = new WeakMap<Condition, (v: unknown) => boolean>();

  /**
   * `v IN (literals)` as compare() judges it, literal by literal; for ids and plain-ASCII text, one Set lookup by
   * the same key the indexes use (record-keys.ts), so a 200-value list costs one lookup per row, not 200 compares.
   */
  private inList(c: Extract<Condition, { kind: 'in' }>, leaf: FieldDef): (v: unknown) => boolean {
    let matcher = this.inLists.get(c);
    if (matcher) return matcher;
    const slow = (v: unknown) => c.values.some((lit) => compare(leaf, v, '=', lit));
    const lookup = keysFor(leaf, c.values);
    if (!lookup) matcher = slow;
    else {
      const keys = new Set(lookup.keys);
      matcher = (v) => {
        if (v === null || v === undefined) return false;
        const key = lookup.rule.keyOf(v);
        return key === UNKEYED ? slow(v) : key !== undefined && keys.has(key);
      };
    }
    this.inLists.set(c, matcher);
    return matcher;
  }

  private readonly semiJoins = new WeakMap<Query, Set<unknown>>();
  private semiJoin(sub: Query): Set<unknown> {
    const cached = this.semiJoins.get(sub);
    if (cached) return cached;
    const def = this.objectFor(sub);
    const field = sub.select[0];
    if (sub.select.length !== 1 || !field || field.kind !== 'field')
      throw queryError(sub.text, sub.fromPos, 'semi join sub-selects must select exactly one field');
    let rows = this.candidates(sub, def);
    if (sub.where) rows = rows.filter((r) => this.test(sub, def, r, sub.where!));
    const set = new Set(
      rows.map((r) => {
        const v = this.value(sub, def, r, field);
        return normalizeId(v) ?? v;
      }),
    );
    this.semiJoins.set(sub, set);
    return set;
  }

  private sort(q: Query, def: ObjectDef, rows: SRecord[]): SRecord[] {
    if (!q.orderBy.length) return rows;
    const keyed = rows.map((r) => ({
      r,
      keys: q.orderBy.map((o) => (o.field.kind === 'field' ? this.value(q, def, r, o.field) : null)),
    }));
    keyed.sort((a, b) => {
      for (let i = 0; i < q.orderBy.length; i++) {
        const o = q.orderBy[i]!;
        const c = orderCompare(a.keys[i], b.keys[i], o.descending, o.nullsLast);
        if (c !== 0) return c;
      }
      return 0;
    });
    return keyed.map((k) => k.r);
  }

  // ---- output --------------------------------------------------------------------------------------------------

  private attributes(def: ObjectDef, record: SRecord): { type: string; url: string } {
    return { type: def.name, url: `/services/data/v${this.ctx.apiVersion}/sobjects/${def.name}/${record.Id}` };
  }

  private output(q: Query, def: ObjectDef, record: SRecord): Record<string, unknown> {
    const out: Record<string, unknown> = { attributes: this.attributes(def, record) };
    for (const item of q.select) {
      if (item.kind === 'field') {
        const path = this.resolve(q, def, item);
        let node = out;
        let cur: { def: ObjectDef; record: SRecord } | undefined = { def, record };
        let broken = false;
        for (const ref of path.refs) {
          const relName = ref.relationshipName!;
          const id: unknown = cur?.record[ref.name];
          cur = typeof id === 'string' ? this.ctx.org.getAny(id) : undefined;
          if (!cur) {
            if (!(relName in node)) node[relName] = null;
            broken = true;
            break;
          }
          if (!node[relName]) node[relName] = { attributes: this.attributes(cur.def, cur.record) };
          node = node[relName] as Record<string, unknown>;
        }
        if (!broken && cur) node[path.leaf.name] = this.ctx.org.valueOf(cur.def, cur.record, path.leaf);
      } else if (item.kind === 'subquery') {
        const rel = this.childRelationship(q, def, item.query);
        const child = this.ctx.org.object(rel.childObject);
        let rows = this.ctx.org
          .recordsByKey(child, rel.field, EXACT, [record.Id])
          .filter((r) => r[rel.field] === record.Id);
        const sub = item.query;
        if (sub.where) rows = rows.filter((r) => this.test(sub, child, r, sub.where!));
        rows = this.sort(sub, child, rows).slice(
          sub.offset ?? 0,
          sub.limit !== undefined ? (sub.offset ?? 0) + sub.limit : undefined,
        );
        out[rel.relationshipName] = rows.length
          ? { totalSize: rows.length, done: true, records: rows.map((r) => this.output(sub, child, r)) }
          : null;
      }
    }
    return out;
  }

  private aggregate(q: Query, def: ObjectDef, rows: SRecord[]): QueryOutput {
    const onlyCount = q.select.length === 1 && q.select[0]?.kind === 'agg' && !q.select[0].arg && !q.groupBy.length;
    if (onlyCount) return { totalSize: rows.length, records: [] };
    for (const item of q.select) {
      if (
        item.kind === 'field' &&
        !q.groupBy.some((g) => g.path.join('.').toLowerCase() === item.path.join('.').toLowerCase())
      ) {
        throw queryError(
          q.text,
          item.pos,
          `Field must be grouped or aggregated: ${item.path[item.path.length - 1]}`,
          'MALFORMED_QUERY',
        );
      }
    }
    const groups = new Map<string, SRecord[]>();
    for (const r of rows) {
      const key = JSON.stringify(q.groupBy.map((g) => this.value(q, def, r, g)));
      const list = groups.get(key) ?? [];
      list.push(r);
      groups.set(key, list);
    }
    if (!q.groupBy.length && !groups.size) groups.set('[]', []);
    let exprIndex = 0;
    const names = new Map<object, string>();
    for (const item of q.select) {
      if (item.kind === 'agg') names.set(item, item.alias ?? `expr${exprIndex++}`);
      if (item.kind === 'field') names.set(item, item.alias ?? this.resolve(q, def, item).leaf.name);
    }
    let out = [...groups.values()].map((members) => {
      const rec: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
      for (const item of q.select) {
        if (item.kind === 'field') rec[names.get(item)!] = members[0] ? this.value(q, def, members[0], item) : null;
        if (item.kind === 'agg') rec[names.get(item)!] = this.aggValue(q, def, members, item);
      }
      return rec;
    });
    if (q.orderBy.length) {
      const keyOf = (rec: Record<string, unknown>, o: (typeof q.orderBy)[number]): unknown => {
        const match = q.select.find((s) =>
          s.kind === 'agg' && o.field.kind === 'agg'
            ? s.fn === o.field.fn && s.arg?.path.join('.') === o.field.arg?.path.join('.')
            : s.kind === 'field' &&
              o.field.kind === 'field' &&
              s.path.join('.').toLowerCase() === o.field.path.join('.').toLowerCase(),
        );
        return match ? rec[names.get(match)!] : null;
      };
      out = out.sort((a, b) => {
        for (const o of q.orderBy) {
          const c = orderCompare(keyOf(a, o), keyOf(b, o), o.descending, o.nullsLast);
          if (c !== 0) return c;
        }
        return 0;
      });
    }
    out = out.slice(q.offset ?? 0, q.limit !== undefined ? (q.offset ?? 0) + q.limit : undefined);
    return { totalSize: out.length, records: out };
  }

  private aggValue(q: Query, def: ObjectDef, rows: SRecord[], agg: Aggregate): unknown {
    if (!agg.arg) return rows.length;
    const values = rows.map((r) => this.value(q, def, r, agg.arg!)).filter((v) => v !== null && v !== undefined);
    switch (agg.fn) {
      case 'COUNT':
        return values.length;
      case 'COUNT_DISTINCT':
        return new Set(values.map((v) => (typeof v === 'string' ? v.toLowerCase() : v))).size;
      case 'SUM':
        return values.length ? sumExact(values as number[]) : null;
      case 'AVG':
        return values.length ? sumExact(values as number[]) / values.length : null;
      case 'MIN':
        return values.length ? values.reduce((a, b) => (orderCompare(a, b, false, false) <= 0 ? a : b)) : null;
      case 'MAX':
        return values.length ? values.reduce((a, b) => (orderCompare(a, b, false, false) >= 0 ? a : b)) : null;
    }
  }
}

const isIdField = (field: FieldDef) => field.type === 'id' || field.type === 'reference';
const NOT_TEXT = ['double', 'currency', 'percent', 'int', 'date', 'datetime', 'boolean'];

/**
 * The index rule and keys for `field = literal` / `field IN (literals)`, as compare() judges equality; undefined
 * where no index serves it (computed fields, numbers, dates, or literals outside plain ASCII on text).
 */
function keysFor(field: FieldDef, literals: readonly Value[]): { rule: KeyRule; keys: string[] } | undefined {
  if (field.formula || field.summary) return undefined;
  const strings: string[] = [];
  for (const lit of literals) {
    if (lit.kind !== 'string') return undefined;
    strings.push(lit.value);
  }
  if (isIdField(field)) return { rule: SOQL_ID, keys: strings.map((v) => normalizeId(v) ?? v) };
  const text = soqlTextRule();
  if (NOT_TEXT.includes(field.type) || !text || !strings.every(isPlainAscii)) return undefined;
  return { rule: text, keys: strings.map((v) => v.toLowerCase()) };
}

/** Money sums in decimal, so 7600 + 2399.88 is 9999.88 and not 9999.880000000001. */
function sumExact(values: number[]): number {
  return Number(values.reduce((acc, v) => acc.plus(v), new Big(0)).toString());
}

function orderCompare(a: unknown, b: unknown, descending: boolean, nullsLast: boolean): number {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) {
    if (aNull && bNull) return 0;
    return aNull === nullsLast ? 1 : -1;
  }
  let c: number;
  if (typeof a === 'number' && typeof b === 'number') c = a - b;
  else if (typeof a === 'boolean' && typeof b === 'boolean') c = Number(a) - Number(b);
  else c = String(a).toLowerCase().localeCompare(String(b).toLowerCase());
  return descending ? -c : c;
}

function toMillis(field: FieldDef, v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  return parseDateTime(field.type === 'date' ? v.slice(0, 10) : v);
}

function likeToRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\' && i + 1 < pattern.length) {
      out += pattern.charAt(++i).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'is');
}

/** SOQL comparison semantics: text is case-insensitive, `!= x` matches nulls, date literals are ranges. */
function compare(field: FieldDef, v: unknown, op: string, lit: Value): boolean {
  if (lit.kind === 'null') {
    if (op === '=') return v === null || v === undefined;
    if (op === '!=') return v !== null && v !== undefined;
    return false;
  }
  if (v === null || v === undefined) return op === '!=';
  if (field.type === 'date' || field.type === 'datetime') {
    const t = toMillis(field, v);
    if (t === undefined) return false;
    if (lit.kind === 'dateRange') {
      const inRange = t >= lit.start && t < lit.end;
      switch (op) {
        case '=':
          return inRange;
        case '!=':
          return !inRange;
        case '<':
          return t < lit.start;
        case '<=':
          return t < lit.end;
        case '>':
          return t >= lit.end;
        case '>=':
          return t >= lit.start;
      }
      return false;
    }
    if (lit.kind === 'date' || lit.kind === 'datetime') return numeric(op, t, lit.value);
    return false;
  }
  if (lit.kind === 'number' && typeof v === 'number') return numeric(op, v, lit.value);
  if (lit.kind === 'boolean') return op === '=' ? v === lit.value : op === '!=' ? v !== lit.value : false;
  if (lit.kind === 'string') {
    if (op === 'LIKE') return likeToRegex(lit.value).test(String(v));
    if (field.type === 'id' || field.type === 'reference') {
      const a = normalizeId(v) ?? String(v);
      const b = normalizeId(lit.value) ?? lit.value;
      return op === '=' ? a === b : op === '!=' ? a !== b : numeric(op, a.localeCompare(b), 0);
    }
    const c = String(v).toLowerCase().localeCompare(lit.value.toLowerCase());
    return numeric(op, c, 0);
  }
  return false;
}

function numeric(op: string, a: number, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return false;
  }
}
