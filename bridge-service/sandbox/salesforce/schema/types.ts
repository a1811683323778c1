/** The emulator's view of an org schema: what describe returns, reduced to what validation and SOQL need. */
import type { FormulaNode } from './formula';

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'multipicklist'
  | 'boolean'
  | 'double'
  | 'int'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'email'
  | 'phone'
  | 'url';

export interface PicklistDef {
  values: string[];
  restricted: boolean;
  defaultValue?: string;
}

/** A roll-up summary field (Summary type), computed when read. */
export interface SummaryDef {
  operation: 'count' | 'sum' | 'min' | 'max';
  childObject: string;
  childField: string;
  /** the child's field that points at this object */
  foreignKey: string;
  summarizedField?: string;
}

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  length?: number;
  precision?: number;
  scale?: number;
  required: boolean;
  unique: boolean;
  caseSensitive: boolean;
  externalId: boolean;
  createable: boolean;
  updateable: boolean;
  custom: boolean;
  picklist?: PicklistDef;
  referenceTo?: string[];
  relationshipName?: string;
  masterDetail?: boolean;
  defaultValue?: string | number | boolean;
  autoNumber?: { format: string };
  summary?: SummaryDef;
  /** formula fields are evaluated when read (schema/formula.ts) */
  formula?: string;
  /** formulaTreatBlanksAs BlankAsZero */
  blankAsZero?: boolean;
}

export type ObjectKind = 'standard' | 'custom' | 'event' | 'metadata' | 'setting';

export interface ChildRelationship {
  relationshipName: string;
  childObject: string;
  field: string;
  cascadeDelete: boolean;
}

export interface ObjectDef {
  name: string;
  label: string;
  keyPrefix: string;
  kind: ObjectKind;
  custom: boolean;
  /** lower-cased field name -> definition */
  fields: Map<string, FieldDef>;
  childRelationships: ChildRelationship[];
  /** platform events: PublishImmediately ignores rollbacks; StandardVolume events are kept 24 h, HighVolume 72 h */
  event?: { publishImmediately: boolean; retentionMs: number };
  /** the package's active validation rules on this object (schema/validation-rules.ts) */
  validationRules?: ValidationRuleDef[];
}

/** An active validation rule: a record whose errorConditionFormula is true is refused with errorMessage. */
export interface ValidationRuleDef {
  /** fullName, e.g. Closed_Snapshot_Is_Frozen */
  name: string;
  formula: string;
  ast: FormulaNode;
  errorMessage: string;
  /** the field the error is shown on (its org name), else the error is at the top of the page */
  errorDisplayField?: string;
}

/** Object permissions, as a permission set or profile grants them. */
export interface ObjectAccess {
  create: boolean;
  read: boolean;
  edit: boolean;
  delete: boolean;
  viewAll: boolean;
  modifyAll: boolean;
}

/** Field-level security, as a permission set or profile grants it. */
export interface FieldAccess {
  read: boolean;
  edit: boolean;
}

export interface PermissionSetDef {
  name: string;
  /** lower-cased object name (namespaced as in the org) -> access */
  objects: Map<string, ObjectAccess>;
  /** lower-cased `Object.Field` (namespaced as in the org) -> field-level security */
  fields: Map<string, FieldAccess>;
  /** lower-cased custom metadata types (customMetadataTypeAccesses) and custom settings (customSettingAccesses) */
  customMetadataTypes: Set<string>;
  customSettings: Set<string>;
  customPermissions: Set<string>;
  userPermissions: Set<string>;
}

export interface Schema {
  namespace: string;
  /** the package's permission sets by name */
  permissionSets: Map<string, PermissionSetDef>;
  /** false in a single-currency org: no CurrencyIsoCode on records, no CurrencyType */
  multiCurrency: boolean;
  objects: Map<string, ObjectDef>;
  /** custom metadata records by type, already shaped as records */
  customMetadata: Map<string, Record<string, unknown>[]>;
}
