/**
 * How an object's schema is declared (objects/): its API name without namespace, the fields the bridge reads or
 * writes with the kind of value each holds, and the relationships it queries through. Record types are derived
 * from the declaration, so a field the schema does not name cannot be read or written without a type error, and
 * schema.test.ts checks every declaration against force-app and the standard objects.
 */
import { z } from 'zod';

/** The kinds of value the bridge reads or writes; the schema test maps metadata field types onto these. */
export type FieldKind = 'id' | 'text' | 'number' | 'date' | 'datetime' | 'boolean' | 'picklist' | 'reference';

export type FieldMap = Readonly<Record<string, FieldKind>>;

/** A lookup this object holds: `Account` (AccountId → Account), `Invoice__r` (Invoice__c → Invoice__c). */
export interface ParentRelationship {
  field: string;
  object: string;
}

/** A child relationship of this object: `Payments__r` (Payment__c.Invoice__c → this). */
export interface ChildRelationship {
  object: string;
  field: string;
}

export interface SObjectSchema<
  N extends string = string,
  F extends FieldMap = FieldMap,
  P extends Readonly<Record<string, ParentRelationship>> = Readonly<Record<string, ParentRelationship>>,
  C extends Readonly<Record<string, ChildRelationship>> = Readonly<Record<string, ChildRelationship>>,
> {
  readonly name: N;
  readonly fields: F;
  readonly parents: P;
  readonly children: C;
}

/** Declares an object's schema (names without the namespace prefix). */
export function sobject<
  const N extends string,
  const F extends FieldMap,
  const P extends Readonly<Record<string, ParentRelationship>> = Record<never, ParentRelationship>,
  const C extends Readonly<Record<string, ChildRelationship>> = Record<never, ChildRelationship>,
>(name: N, fields: F, relationships: { parents?: P; children?: C } = {}): SObjectSchema<N, F, P, C> {
  return {
    name,
    fields,
    parents: relationships.parents ?? ({} as P),
    children: relationships.children ?? ({} as C),
  };
}

interface KindValues {
  id: string;
  text: string;
  number: number;
  date: string;
  datetime: string;
  boolean: boolean;
  picklist: string;
  reference: string;
}

export type FieldName<S extends SObjectSchema> = keyof S['fields'] & string;

/** The value of a field as SOQL returns it: Id always set, anything else may be null. */
export type FieldValue<S extends SObjectSchema, K extends FieldName<S>> = S['fields'][K] extends 'id'
  ? string
  : KindValues[S['fields'][K]] | null;

/** A record as written (names without namespace): any of the object's fields but Id, each a value or null to clear it. */
export type SObjectWrite<S extends SObjectSchema> = {
  [K in Exclude<FieldName<S>, 'Id'>]?: KindValues[S['fields'][K]] | null;
};

/** A write to an existing record, by Id. */
export type SObjectUpdate<S extends SObjectSchema> = SObjectWrite<S> & { Id: string };

const KIND_SCHEMAS: Record<FieldKind, z.ZodType> = {
  id: z.string(),
  text: z.string().nullable(),
  number: z.number().nullable(),
  date: z.string().nullable(),
  datetime: z.string().nullable(),
  boolean: z.boolean().nullable(),
  picklist: z.string().nullable(),
  reference: z.string().nullable(),
};

/**
 * The zod schema of one field as SOQL returns it. `absentAsNull` is for fields the query may leave out (a field that
 * exists only with an org feature, such as CurrencyIsoCode in a multi-currency org).
 */
export function fieldSchema(kind: FieldKind, absentAsNull = false): z.ZodType {
  return absentAsNull ? KIND_SCHEMAS[kind].optional().transform((value) => value ?? null) : KIND_SCHEMAS[kind];
}
