/**
 * `GET /query?q=…&columns=true`: the columns a SOQL query returns, without its rows. The Salesforce CLI asks for
 * them after every `sf data query` to lay out its table (plugin-data `retrieveColumns`), and the Developer Console
 * does the same. Names come back as the schema spells them, which is how the rows' keys are spelled.
 */
import { parseSoql } from '../soql/parser';
import type { FieldRef, Query, SelectItem } from '../soql/ast';
import type { SalesforceOrg } from '../salesforce-org';
import type { FieldDef, ObjectDef } from '../schema/types';

export interface ColumnMetadata {
  aggregate: boolean;
  apexType: string | null;
  booleanType: boolean;
  columnName: string;
  custom: boolean;
  displayName: string;
  foreignKeyName: string | null;
  insertable: boolean;
  joinColumns: ColumnMetadata[];
  numberType: boolean;
  textType: boolean;
  updatable: boolean;
}

const APEX_TYPE: Record<string, string> = {
  id: 'Id',
  reference: 'Id',
  boolean: 'Boolean',
  double: 'Double',
  currency: 'Double',
  percent: 'Double',
  int: 'Integer',
  date: 'Date',
  datetime: 'Datetime',
};

function column(name: string, def: FieldDef | undefined, join: ColumnMetadata[] = []): ColumnMetadata {
  const type = def?.type;
  return {
    aggregate: false,
    apexType: type ? (APEX_TYPE[type] ?? 'String') : null,
    booleanType: type === 'boolean',
    columnName: name,
    custom: def?.custom ?? false,
    displayName: name,
    foreignKeyName: null,
    insertable: def?.createable ?? false,
    joinColumns: join,
    numberType: type === 'double' || type === 'currency' || type === 'percent' || type === 'int',
    textType:
      type !== undefined && !['boolean', 'double', 'currency', 'percent', 'int', 'date', 'datetime'].includes(type),
    updatable: def?.updateable ?? false,
  };
}

export function queryColumns(
  org: SalesforceOrg,
  text: string,
  defaultNamespace?: string,
): { columnMetadata: ColumnMetadata[]; entityName: string; groupBy: boolean; idSelected: boolean; keyPrefix: string } {
  const query = parseSoql(text, org.clock.now());
  const def = org.findObject(query.from, defaultNamespace);
  if (!def) throw new Error(`unknown object ${query.from}`);

  const fieldOf = (object: ObjectDef, name: string): FieldDef | undefined =>
    object.fields.get(name.toLowerCase()) ??
    (defaultNamespace ? object.fields.get(`${defaultNamespace}__${name}`.toLowerCase()) : undefined) ??
    (org.schema.namespace ? object.fields.get(`${org.schema.namespace}__${name}`.toLowerCase()) : undefined);

  /** A relationship segment: the reference field whose relationshipName it is, and the object it points at. */
  const relationshipOf = (object: ObjectDef, name: string) => {
    const lower = name.toLowerCase();
    const field = [...object.fields.values()].find(
      (f) =>
        f.relationshipName !== undefined &&
        [f.relationshipName, f.relationshipName.replace(/^[A-Za-z0-9]+__/, '')].some((r) => r.toLowerCase() === lower),
    );
    const target = field?.referenceTo?.[0] ? org.findObject(field.referenceTo[0]) : undefined;
    return field && target ? { name: field.relationshipName!, target } : undefined;
  };

  function columnsOf(q: Query, object: ObjectDef): ColumnMetadata[] {
    const out: ColumnMetadata[] = [];
    let expr = 0;
    const place = (list: ColumnMetadata[], path: string[], from: ObjectDef) => {
      const [head, ...rest] = path as [string, ...string[]];
      if (rest.length === 0) {
        const field = fieldOf(from, head);
        list.push(column(field?.name ?? head, field));
        return;
      }
      const rel = relationshipOf(from, head);
      const name = rel?.name ?? head;
      let join = list.find((c) => c.columnName === name && !c.aggregate);
      if (!join) {
        join = column(name, undefined);
        list.push(join);
      }
      if (rel) place(join.joinColumns, rest, rel.target);
    };
    for (const item of q.select as SelectItem[]) {
      if (item.kind === 'field') place(out, (item as FieldRef).path, object);
      else if (item.kind === 'agg') {
        const arg = item.arg ? item.arg.path.join('.') : '';
        const name = item.alias ?? `expr${expr++}`;
        out.push({ ...column(name, undefined), aggregate: true, displayName: `${item.fn}(${arg})` });
      } else {
        const rel = [...object.childRelationships].find(
          (r) => r.relationshipName.toLowerCase() === item.query.from.toLowerCase(),
        );
        const child = rel ? org.findObject(rel.childObject) : undefined;
        out.push({
          ...column(rel?.relationshipName ?? item.query.from, undefined),
          aggregate: true,
          joinColumns: child ? columnsOf(item.query, child) : [],
        });
      }
    }
    return out;
  }

  return {
    columnMetadata: columnsOf(query, def),
    entityName: def.name,
    groupBy: query.groupBy.length > 0,
    idSelected: query.select.some(
      (s) => s.kind === 'field' && s.path.length === 1 && s.path[0]!.toLowerCase() === 'id',
    ),
    keyPrefix: def.keyPrefix,
  };
}
