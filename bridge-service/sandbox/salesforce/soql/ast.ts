/** SOQL syntax tree: the subset a bridge needs (see parser.ts for the grammar). */

export interface FieldRef {
  kind: 'field';
  path: string[];
  pos: number;
  alias?: string;
}

export type AggregateFn = 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'MIN' | 'MAX' | 'AVG';

export interface Aggregate {
  kind: 'agg';
  fn: AggregateFn;
  /** undefined for COUNT() */
  arg?: FieldRef;
  alias?: string;
  pos: number;
}

export interface SubQuery {
  kind: 'subquery';
  query: Query;
}

export type SelectItem = FieldRef | Aggregate | SubQuery;

export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: number }
  | { kind: 'datetime'; value: number }
  | { kind: 'dateRange'; start: number; end: number; text: string };

export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE';

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'cmp'; field: FieldRef; op: Operator; value: Value }
  | { kind: 'in'; field: FieldRef; negated: boolean; values: Value[] }
  | { kind: 'semijoin'; field: FieldRef; negated: boolean; query: Query }
  | { kind: 'includes'; field: FieldRef; negated: boolean; values: string[] };

export interface OrderItem {
  field: FieldRef | Aggregate;
  descending: boolean;
  nullsLast: boolean;
}

export interface Query {
  select: SelectItem[];
  from: string;
  fromPos: number;
  alias?: string;
  where?: Condition;
  groupBy: FieldRef[];
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
  /** the query text, for error messages */
  text: string;
}
