/**
 * SOQL from the object schemas: a selection names the fields it reads (typed against the object's schema), the
 * parents and child relationships it follows, and so types the rows it returns. Reading a field a query did not
 * select, or one the schema does not know, is a type error; the rendered SOQL applies the namespace prefix, and
 * every row is validated against the selection when it arrives (namespace stripped).
 */
import { z } from 'zod';
import type { SalesforceNames } from './schema';
import { fieldSchema, type FieldName, type FieldValue, type SObjectSchema } from './sobject';

/** What a selection nested in another one (a parent, a child subquery) is used for. */
interface Nested {
  selectList(names: SalesforceNames, prefix?: string): string[];
  rowSchema(): z.ZodType;
}

/** A child relationship's rows as SOQL returns them (null when there are none). */
export type ChildRows<R> = { records: R[] } | null;

/** The rows of a child relationship, or none. */
export function childRecords<R>(children: ChildRows<R> | undefined): R[] {
  return children?.records ?? [];
}

/** Helpers a WHERE clause is written with: typed field names, namespace applied. */
export interface WhereContext<S extends SObjectSchema> {
  field(name: FieldName<S>): string;
  /** A field of a parent (`Invoice__r.Request_Key__c`). */
  path(relationship: keyof S['parents'] & string, field: string): string;
  /** Another selection as a semi-join subquery (`AccountId IN (SELECT AccountId FROM Opportunity WHERE …)`). */
  subquery<T extends SObjectSchema>(selection: Selection<T, unknown>, where: (q: WhereContext<T>) => string): string;
}

export interface QueryShape<S extends SObjectSchema> {
  where?: (q: WhereContext<S>) => string;
  orderBy?: readonly FieldName<S>[];
}

interface ParentPart {
  relationship: string;
  selection: Nested;
}

interface ChildPart {
  relationship: string;
  selection: Nested;
  orderBy: readonly string[];
}

/** The fields of one object a query reads, and the rows it therefore returns (`R`). */
export class Selection<S extends SObjectSchema, R> implements Nested {
  /** Declared for type inference only: the row a query of this selection returns. */
  declare readonly row: R;

  private constructor(
    readonly object: S,
    private readonly fields: readonly FieldName<S>[],
    private readonly absent: ReadonlySet<string>,
    private readonly parents: readonly ParentPart[],
    private readonly children: readonly ChildPart[],
  ) {}

  /**
   * Selects these fields of `object`. `leaveOut` names selected fields this org does not have (e.g. CurrencyIsoCode
   * without multi-currency): they are not queried and read as null.
   */
  static of<S extends SObjectSchema, const F extends readonly FieldName<S>[]>(
    object: S,
    fields: F,
    leaveOut: readonly F[number][] = [],
  ): Selection<S, { [K in F[number]]: FieldValue<S, K> }> {
    return new Selection<S, { [K in F[number]]: FieldValue<S, K> }>(object, fields, new Set(leaveOut), [], []);
  }

  /** Also reads a parent through a lookup (`Account`, `Invoice__r`); the row holds it, or null. */
  with<K extends keyof S['parents'] & string, P extends SObjectSchema<S['parents'][K]['object']>, PR>(
    relationship: K,
    parent: Selection<P, PR>,
  ): Selection<S, R & { [X in K]: PR | null }> {
    return new Selection<S, R & { [X in K]: PR | null }>(
      this.object,
      this.fields,
      this.absent,
      [...this.parents, { relationship, selection: parent }],
      this.children,
    );
  }

  /** Also reads a child relationship as a subquery (`(SELECT … FROM Payments__r)`). */
  withChildren<K extends keyof S['children'] & string, C extends SObjectSchema<S['children'][K]['object']>, CR>(
    relationship: K,
    child: Selection<C, CR>,
    orderBy: readonly FieldName<C>[] = [],
  ): Selection<S, R & { [X in K]: ChildRows<CR> }> {
    return new Selection<S, R & { [X in K]: ChildRows<CR> }>(this.object, this.fields, this.absent, this.parents, [
      ...this.children,
      { relationship, selection: child, orderBy },
    ]);
  }

  /** The SELECT list (parent fields as paths, children as subqueries), namespace applied. */
  selectList(names: SalesforceNames, prefix = ''): string[] {
    const own = this.fields.filter((f) => !this.absent.has(f)).map((f) => `${prefix}${names.api(f)}`);
    const parents = this.parents.flatMap(({ relationship, selection }) =>
      selection.selectList(names, `${prefix}${names.api(relationship)}.`),
    );
    const children = this.children.map(
      ({ relationship, selection, orderBy }) =>
        `(SELECT ${selection.selectList(names).join(', ')} FROM ${names.api(relationship)}` +
        `${orderBy.length > 0 ? ` ORDER BY ${orderBy.map(names.api).join(', ')}` : ''})`,
    );
    return [...own, ...parents, ...children];
  }

  /** The query, namespace applied. */
  soql(names: SalesforceNames, shape: QueryShape<S> = {}): string {
    const where = shape.where ? ` WHERE ${shape.where(whereContext<S>(names))}` : '';
    const orderBy = shape.orderBy?.length ? ` ORDER BY ${shape.orderBy.map(names.api).join(', ')}` : '';
    return `SELECT ${this.selectList(names).join(', ')} FROM ${names.api(this.object.name)}${where}${orderBy}`;
  }

  private schemaCache: z.ZodType | undefined;

  /** The zod schema of a row (namespace already stripped); unknown keys such as `attributes` are dropped. */
  rowSchema(): z.ZodType {
    this.schemaCache ??= z.object({
      ...Object.fromEntries(this.fields.map((f) => [f, fieldSchema(this.object.fields[f]!, this.absent.has(f))])),
      ...Object.fromEntries(
        this.parents.map(({ relationship, selection }) => [
          relationship,
          selection
            .rowSchema()
            .nullish()
            .transform((v) => v ?? null),
        ]),
      ),
      ...Object.fromEntries(
        this.children.map(({ relationship, selection }) => [
          relationship,
          z
            .object({ records: z.array(selection.rowSchema()) })
            .nullish()
            .transform((v) => v ?? null),
        ]),
      ),
    });
    return this.schemaCache;
  }

  /** A record as Salesforce returned it, namespace stripped and checked against this selection. */
  parse(names: SalesforceNames, record: unknown): R {
    // The schema was built from this selection's own fields, parents and children: its output is an R.
    return this.rowSchema().parse(names.strip(record)) as R;
  }
}

/** Shorthand for Selection.of. */
export const select = Selection.of;

/** The row type of a selection. */
export type RowOf<T> = T extends { readonly row: infer R } ? R : never;

function whereContext<S extends SObjectSchema>(names: SalesforceNames): WhereContext<S> {
  return {
    field: (name) => names.api(name),
    path: (relationship, field) => `${names.api(relationship)}.${names.api(field)}`,
    subquery: (selection, where) => selection.soql(names, { where }),
  };
}

/** Fields a domain type reads that a selection does not select. */
export type Unselected<Row, Needed> = Exclude<keyof Needed, keyof Row>;

/**
 * A compile-time check that a selection reads every field a domain type declares: with one missing, the argument
 * must be `{ notSelected: 'Field__c' }` and `'every field'` fails to type-check, naming the field.
 */
export function selectsEvery<Row, Needed>(
  _proof: [Unselected<Row, Needed>] extends [never] ? 'every field' : { notSelected: Unselected<Row, Needed> },
): void {}
