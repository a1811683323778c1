/**
 * Reads the package's schema from force-app source metadata (objects, fields, validation rules, platform events,
 * custom metadata records, hierarchy custom settings) and merges it with the built-in standard objects. Generic on
 * purpose: whatever the package adds shows up here without code changes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { checkFormula, formulaFields, parseFormula } from './formula';
import { field, standardObjects, STANDARD_CHILD_RELATIONSHIPS } from './standard-objects';
import type {
  FieldDef,
  FieldType,
  ObjectAccess,
  ObjectDef,
  ObjectKind,
  PermissionSetDef,
  FieldAccess,
  Schema,
  SummaryDef,
  ValidationRuleDef,
} from './types';

const xml = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) =>
    ['value', 'values', 'customValue', 'criteriaItems', 'action', 'approvalStep', 'fieldUpdates'].includes(name),
});

export function parseXmlFile(path: string): Record<string, unknown> {
  return xml.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

type Node = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const bool = (v: unknown): boolean => v === 'true' || v === true;
const num = (v: unknown): number | undefined => (str(v) === undefined ? undefined : Number(v));
const asNode = (v: unknown): Node => (v && typeof v === 'object' ? (v as Node) : {});
const nodes = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : v ? [v as Node] : []);

const CUSTOM_SUFFIX = /__(c|e|mdt|r|x|b)$/;

/** Adds the namespace prefix to a package name (`Invoice__c` -> `ldgr__Invoice__c`), leaving standard names alone. */
export function qualify(name: string, namespace: string): string {
  if (!namespace || !CUSTOM_SUFFIX.test(name)) return name;
  const parts = name.split('.');
  return parts.map((p) => (CUSTOM_SUFFIX.test(p) && p.split('__').length === 2 ? `${namespace}__${p}` : p)).join('.');
}

const TYPE_MAP: Record<string, FieldType> = {
  Text: 'string',
  EncryptedText: 'string',
  TextArea: 'textarea',
  LongTextArea: 'textarea',
  Html: 'textarea',
  Number: 'double',
  Currency: 'currency',
  Percent: 'percent',
  Checkbox: 'boolean',
  Date: 'date',
  DateTime: 'datetime',
  Time: 'string',
  Picklist: 'picklist',
  MultiselectPicklist: 'multipicklist',
  Lookup: 'reference',
  MasterDetail: 'reference',
  MetadataRelationship: 'reference',
  Hierarchy: 'reference',
  Email: 'email',
  Phone: 'phone',
  Url: 'url',
  AutoNumber: 'string',
  Summary: 'double',
};

export interface LoadOptions {
  forceAppDir: string;
  namespace?: string;
  /**
   * Multi-currency on (default), as the scratch definition sets it. Off, the org is single-currency as most orgs
   * are: no record has CurrencyIsoCode, users have no DefaultCurrencyIsoCode, and CurrencyType and
   * DatedConversionRate do not exist (a query on them is INVALID_TYPE).
   */
  multiCurrency?: boolean;
}

/** The objects and fields that exist only in a multi-currency org. */
export const MULTI_CURRENCY_OBJECTS: readonly string[] = ['currencytype', 'datedconversionrate'];
export const MULTI_CURRENCY_FIELDS: readonly string[] = ['currencyisocode', 'defaultcurrencyisocode'];

function dropMultiCurrency(objects: Map<string, ObjectDef>): void {
  for (const name of MULTI_CURRENCY_OBJECTS) objects.delete(name);
  for (const def of objects.values()) for (const f of MULTI_CURRENCY_FIELDS) def.fields.delete(f);
}

function objectKind(name: string, meta: Node): ObjectKind {
  if (name.endsWith('__e')) return 'event';
  if (name.endsWith('__mdt')) return 'metadata';
  if (str(meta.customSettingsType)) return 'setting';
  return name.endsWith('__c') ? 'custom' : 'standard';
}

function systemFieldsFor(kind: ObjectKind, meta: Node): FieldDef[] {
  const ro = { createable: false, updateable: false };
  const sys = [
    field('Id', 'id', { ...ro, length: 18, label: 'Record ID' }),
    field('CreatedDate', 'datetime', ro),
    field('CreatedById', 'reference', { ...ro, referenceTo: ['User'], relationshipName: 'CreatedBy' }),
  ];
  if (kind === 'event') {
    return [...sys, field('ReplayId', 'string', ro), field('EventUuid', 'string', { ...ro, length: 36 })];
  }
  if (kind === 'metadata') {
    return [
      field('Id', 'id', { ...ro, length: 18 }),
      field('DeveloperName', 'string', { ...ro, length: 40 }),
      field('MasterLabel', 'string', { ...ro, length: 40 }),
      field('Label', 'string', { ...ro, length: 40 }),
      field('QualifiedApiName', 'string', { ...ro, length: 70 }),
      field('NamespacePrefix', 'string', { ...ro, length: 15 }),
      field('Language', 'string', { ...ro, length: 40 }),
    ];
  }
  const nameField = asNode(meta.nameField);
  const name =
    str(nameField.type) === 'AutoNumber'
      ? field('Name', 'string', {
          ...ro,
          length: 80,
          label: str(nameField.label) ?? 'Name',
          autoNumber: { format: str(nameField.displayFormat) ?? 'A-{0000}' },
        })
      : field('Name', 'string', { length: 80, required: kind !== 'setting', label: str(nameField.label) ?? 'Name' });
  const out = [
    ...sys,
    name,
    field('IsDeleted', 'boolean', ro),
    field('LastModifiedDate', 'datetime', ro),
    field('LastModifiedById', 'reference', { ...ro, referenceTo: ['User'], relationshipName: 'LastModifiedBy' }),
    field('SystemModstamp', 'datetime', ro),
    field('CurrencyIsoCode', 'picklist', {
      length: 3,
      label: 'Currency ISO Code',
      picklist: { values: [], restricted: true },
    }),
  ];
  if (kind === 'setting')
    out.push(
      field('SetupOwnerId', 'reference', {
        referenceTo: ['Organization', 'Profile', 'User'],
        relationshipName: 'SetupOwner',
        label: 'Location',
      }),
    );
  return out;
}

/** A field default written as a formula literal: `"GBP"`, `12`, `true`. Anything else is not evaluated. */
function literalDefault(type: FieldType, raw: string | undefined): string | number | boolean | undefined {
  if (raw === undefined) return undefined;
  if (type === 'boolean') return raw.toLowerCase() === 'true';
  const quoted = /^(["'])(.*)\1$/.exec(raw);
  if (quoted) return quoted[2];
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return undefined;
}

function readGlobalValueSet(forceAppDir: string, name: string): { values: string[]; defaultValue?: string } {
  const path = join(forceAppDir, 'main', 'default', 'globalValueSets', `${name}.globalValueSet-meta.xml`);
  if (!existsSync(path)) return { values: [] };
  const root = asNode(parseXmlFile(path).GlobalValueSet);
  const values = ((root.customValue as Node[] | undefined) ?? []).map((v) => String(v.fullName));
  const dflt = ((root.customValue as Node[] | undefined) ?? []).find((v) => bool(v.default));
  return dflt ? { values, defaultValue: String(dflt.fullName) } : { values };
}

function parseField(forceAppDir: string, body: Node, namespace: string, objectName: string): FieldDef {
  const rawName = String(body.fullName);
  const name = qualify(rawName, namespace);
  const metaType = str(body.type) ?? (str(body.formula) ? 'Text' : 'Text');
  const type = TYPE_MAP[metaType] ?? 'string';
  const def = field(name, type, { label: str(body.label) ?? rawName, custom: true });
  def.required = bool(body.required) || metaType === 'MasterDetail';
  def.unique = bool(body.unique);
  def.externalId = bool(body.externalId);
  def.caseSensitive = bool(body.caseSensitive);
  const length = num(body.length);
  if (length !== undefined) def.length = length;
  if (metaType === 'TextArea' && def.length === undefined) def.length = 255;
  if (['Email', 'Phone', 'Url'].includes(metaType))
    def.length = metaType === 'Url' ? 255 : metaType === 'Email' ? 80 : 40;
  const precision = num(body.precision);
  const scale = num(body.scale);
  if (precision !== undefined) def.precision = precision;
  if (scale !== undefined) def.scale = scale;
  if (['Currency', 'Number', 'Percent'].includes(metaType) && def.precision === undefined) {
    def.precision = 18;
    def.scale = metaType === 'Currency' ? 2 : 0;
  }
  if (metaType === 'Picklist' || metaType === 'MultiselectPicklist') {
    const valueSet = asNode(body.valueSet);
    const definition = asNode(valueSet.valueSetDefinition);
    const entries = (definition.value as Node[] | undefined) ?? [];
    let values = entries.map((v) => String(v.fullName));
    let defaultValue = entries.find((v) => bool(v.default))?.fullName as string | undefined;
    if (str(valueSet.valueSetName)) {
      const global = readGlobalValueSet(forceAppDir, String(valueSet.valueSetName));
      values = global.values;
      defaultValue = global.defaultValue;
    }
    def.picklist = { values, restricted: bool(valueSet.restricted) || str(valueSet.valueSetName) !== undefined };
    if (defaultValue) def.picklist.defaultValue = defaultValue;
    def.length = 255;
  }
  if (type === 'reference') {
    def.referenceTo = [qualify(String(body.referenceTo ?? 'User'), namespace)];
    def.relationshipName = name.replace(/__c$/, '__r');
    def.masterDetail = metaType === 'MasterDetail';
    def.length = 18;
    if (def.masterDetail) def.updateable = bool(body.reparentableMasterDetail);
  }
  if (metaType === 'AutoNumber') {
    def.autoNumber = { format: str(body.displayFormat) ?? 'A-{0000}' };
    def.createable = def.updateable = false;
  }
  if (metaType === 'Summary') {
    const op = (str(body.summaryOperation) ?? 'count') as SummaryDef['operation'];
    const foreignKey = qualify(String(body.summaryForeignKey ?? ''), namespace).split('.');
    const summarized = str(body.summarizedField)
      ? qualify(String(body.summarizedField), namespace).split('.')
      : undefined;
    def.summary = {
      operation: op,
      childObject: foreignKey[0] ?? '',
      foreignKey: foreignKey[1] ?? '',
      childField: summarized?.[1] ?? 'Id',
    };
    if (summarized?.[1]) def.summary.summarizedField = summarized[1];
    def.createable = def.updateable = false;
    def.type = op === 'count' ? 'int' : 'currency';
    def.precision = 18;
    def.scale = op === 'count' ? 0 : 2;
  }
  if (str(body.formula)) {
    def.formula = String(body.formula);
    // read now, so a formula the emulator cannot compute stops the load instead of reading as blank later
    try {
      checkFormula(parseFormula(def.formula), { validationRule: false });
    } catch (err) {
      throw new Error(
        `Formula field ${objectName}.${name} cannot be computed by the emulator: ${(err as Error).message}`,
      );
    }
    def.blankAsZero = str(body.formulaTreatBlanksAs) === 'BlankAsZero';
    def.createable = def.updateable = false;
  }
  const dflt = literalDefault(type, str(body.defaultValue));
  if (dflt !== undefined) def.defaultValue = dflt;
  if (type === 'boolean' && def.defaultValue === undefined) def.defaultValue = false;
  return def;
}

function listDir(path: string): string[] {
  return existsSync(path) ? readdirSync(path).sort() : [];
}

/** Loads the org schema: built-in standard objects plus everything under `<forceAppDir>/main/default`. */
export function loadSchema(options: LoadOptions): Schema {
  const namespace = options.namespace ?? '';
  const base = join(options.forceAppDir, 'main', 'default');
  const objects = new Map<string, ObjectDef>();
  for (const def of standardObjects()) objects.set(def.name.toLowerCase(), def);

  const counters: Record<string, number> = { custom: 0, event: 0, metadata: 0, setting: 0 };
  const prefixFor = (kind: ObjectKind): string => {
    const n = counters[kind] ?? 0;
    counters[kind] = n + 1;
    const letter = kind === 'event' ? 'e' : kind === 'metadata' ? 'm' : 'a';
    return letter + n.toString(36).padStart(2, '0');
  };

  const objectsDir = join(base, 'objects');
  for (const dir of listDir(objectsDir)) {
    const name = qualify(dir, namespace);
    const metaPath = join(objectsDir, dir, `${dir}.object-meta.xml`);
    const meta = existsSync(metaPath) ? asNode(parseXmlFile(metaPath).CustomObject) : {};
    let def = objects.get(name.toLowerCase());
    if (!def) {
      const kind = objectKind(dir, meta);
      def = {
        name,
        label: str(meta.label) ?? dir,
        keyPrefix: kind === 'standard' ? '0XX' : prefixFor(kind === 'setting' ? 'custom' : kind),
        kind,
        custom: kind !== 'standard',
        fields: new Map(),
        childRelationships: [],
      };
      for (const f of systemFieldsFor(kind, meta)) def.fields.set(f.name.toLowerCase(), f);
      if (kind === 'event') {
        def.event = {
          publishImmediately: str(meta.publishBehavior) === 'PublishImmediately',
          retentionMs: (str(meta.eventType) === 'StandardVolume' ? 24 : 72) * 3_600_000,
        };
      }
      objects.set(name.toLowerCase(), def);
    }
    for (const file of listDir(join(objectsDir, dir, 'fields'))) {
      if (!file.endsWith('.field-meta.xml')) continue;
      const body = asNode(parseXmlFile(join(objectsDir, dir, 'fields', file)).CustomField);
      const f = parseField(options.forceAppDir, body, namespace, name);
      def.fields.set(f.name.toLowerCase(), f);
    }
    const rules = loadValidationRules(join(objectsDir, dir, 'validationRules'), def.name, namespace);
    if (rules.length) def.validationRules = rules;
  }

  // a master-detail child has no owner: the parent's owner controls it
  for (const def of objects.values()) {
    if (def.kind === 'custom' && ![...def.fields.values()].some((f) => f.masterDetail)) {
      def.fields.set(
        'ownerid',
        field('OwnerId', 'reference', { referenceTo: ['User'], relationshipName: 'Owner', label: 'Owner ID' }),
      );
    }
  }

  // child relationships, from the children's reference fields
  for (const child of objects.values()) {
    for (const f of child.fields.values()) {
      if (f.type !== 'reference' || !f.referenceTo) continue;
      const parent = objects.get((f.referenceTo[0] ?? '').toLowerCase());
      if (!parent) continue;
      let relName: string | undefined;
      if (f.custom) {
        const body = readChildRelationshipName(objectsDir, child.name, f.name, namespace);
        relName = body ? qualify(`${body}__r`, namespace) : undefined;
      } else {
        relName = STANDARD_CHILD_RELATIONSHIPS[child.name]?.[f.name];
      }
      if (relName && !parent.childRelationships.some((r) => r.relationshipName === relName)) {
        parent.childRelationships.push({
          relationshipName: relName,
          childObject: child.name,
          field: f.name,
          cascadeDelete: !!f.masterDetail,
        });
      }
    }
  }

  const customMetadata = new Map<string, Record<string, unknown>[]>();
  let mdtSeq = 0;
  for (const file of listDir(join(base, 'customMetadata'))) {
    const m = /^([^.]+)\.([^.]+)\.md-meta\.xml$/.exec(file);
    if (!m) continue;
    const typeName = qualify(`${m[1]}__mdt`, namespace);
    const typeDef = objects.get(typeName.toLowerCase());
    const body = asNode(parseXmlFile(join(base, 'customMetadata', file)).CustomMetadata);
    const label = str(body.label) ?? m[2];
    const record: Record<string, unknown> = {
      Id: '',
      DeveloperName: m[2],
      MasterLabel: label,
      Label: label,
      QualifiedApiName: namespace ? `${namespace}__${m[2]}` : m[2],
      NamespacePrefix: namespace || null,
      Language: 'en_US',
      __seq: mdtSeq++,
    };
    for (const v of (body.values as Node[] | undefined) ?? []) {
      const fname = qualify(String(v.field), namespace);
      const fdef = typeDef?.fields.get(fname.toLowerCase());
      const raw = v.value;
      const text = typeof raw === 'string' ? raw : raw === undefined || raw === '' ? null : String(raw);
      record[fdef?.name ?? fname] = coerceMetadataValue(fdef?.type, text);
    }
    const list = customMetadata.get(typeName) ?? [];
    list.push(record);
    customMetadata.set(typeName, list);
  }

  if (options.multiCurrency === false) dropMultiCurrency(objects);
  checkValidationRuleFields(objects, namespace);
  return {
    namespace,
    multiCurrency: options.multiCurrency !== false,
    objects,
    customMetadata,
    permissionSets: loadPermissionSets(options.forceAppDir, namespace),
  };
}

/** A rule the emulator cannot enforce stops the load: skipping it would pass saves the org refuses. */
function ruleError(objectName: string, rule: string, problem: string): Error {
  return new Error(`Validation rule ${objectName}.${rule} cannot be enforced by the emulator: ${problem}`);
}

/** The object's active validation rules (`<active>true</active>`), their formulas parsed and checked. */
function loadValidationRules(dir: string, objectName: string, namespace: string): ValidationRuleDef[] {
  const rules: ValidationRuleDef[] = [];
  for (const file of listDir(dir)) {
    const m = /^(.+)\.validationRule-meta\.xml$/.exec(file);
    if (!m) continue;
    const body = asNode(parseXmlFile(join(dir, file)).ValidationRule);
    if (!bool(body.active)) continue;
    const name = str(body.fullName) ?? m[1]!;
    const formula = str(body.errorConditionFormula);
    const errorMessage = str(body.errorMessage);
    if (!formula || !errorMessage) throw ruleError(objectName, name, 'it has no errorConditionFormula or errorMessage');
    let ast: ValidationRuleDef['ast'];
    try {
      ast = parseFormula(formula);
      checkFormula(ast, { validationRule: true });
    } catch (err) {
      throw ruleError(objectName, name, (err as Error).message);
    }
    const display = str(body.errorDisplayField);
    rules.push({
      name,
      formula,
      ast,
      errorMessage,
      ...(display ? { errorDisplayField: qualify(display, namespace) } : {}),
    });
  }
  return rules;
}

/** A field of `def` as a formula or metadata names it: with or without the package namespace. */
function fieldNamed(def: ObjectDef, name: string, namespace: string): FieldDef | undefined {
  return def.fields.get(name.toLowerCase()) ?? def.fields.get(qualify(name, namespace).toLowerCase());
}

/**
 * The field a formula's field reference reads: `Rate__c` on the object itself, `KPI_Snapshot__r.Status__c` through
 * the lookups named on the way (`hops`, each a reference field of the object before it).
 */
export function resolveFieldPath(
  objects: ReadonlyMap<string, ObjectDef>,
  def: ObjectDef,
  path: string,
  namespace: string,
): { hops: { field: FieldDef; parent: ObjectDef }[]; object: ObjectDef; field: FieldDef } | undefined {
  const parts = path.split('.');
  const hops: { field: FieldDef; parent: ObjectDef }[] = [];
  let current = def;
  for (const rel of parts.slice(0, -1)) {
    const names = [rel.toLowerCase(), qualify(rel, namespace).toLowerCase()];
    const lookup = [...current.fields.values()].find(
      (f) => f.type === 'reference' && names.includes(f.relationshipName?.toLowerCase() ?? ''),
    );
    const parent = lookup && objects.get((lookup.referenceTo?.[0] ?? '').toLowerCase());
    if (!lookup || !parent) return undefined;
    hops.push({ field: lookup, parent });
    current = parent;
  }
  const target = fieldNamed(current, parts[parts.length - 1]!, namespace);
  return target ? { hops, object: current, field: target } : undefined;
}

/** Every field a validation rule reads or shows its error on exists (a misspelt one would read as blank). */
function checkValidationRuleFields(objects: ReadonlyMap<string, ObjectDef>, namespace: string): void {
  for (const def of objects.values()) {
    for (const rule of def.validationRules ?? []) {
      for (const path of formulaFields(rule.ast)) {
        if (!resolveFieldPath(objects, def, path, namespace))
          throw ruleError(def.name, rule.name, `its formula reads ${path}, which ${def.name} does not have`);
      }
      if (rule.errorDisplayField && !fieldNamed(def, rule.errorDisplayField, namespace))
        throw ruleError(def.name, rule.name, `its errorDisplayField ${rule.errorDisplayField} is not a field`);
    }
  }
}

function readChildRelationshipName(
  objectsDir: string,
  objectName: string,
  fieldName: string,
  namespace: string,
): string | undefined {
  const strip = (n: string): string =>
    namespace && n.startsWith(`${namespace}__`) ? n.slice(namespace.length + 2) : n;
  const path = join(objectsDir, strip(objectName), 'fields', `${strip(fieldName)}.field-meta.xml`);
  return existsSync(path) ? str(asNode(parseXmlFile(path).CustomField).relationshipName) : undefined;
}

function coerceMetadataValue(type: FieldType | undefined, text: string | null): unknown {
  if (text === null) return null;
  if (type === 'boolean') return text === 'true';
  if (type === 'double' || type === 'currency' || type === 'percent' || type === 'int') return Number(text);
  return text;
}

/**
 * The source folders of the SFDX project `forceAppDir` belongs to: every package directory listed in the
 * sfdx-project.json beside it (so force-app-unpackaged/ is read with force-app/), or `forceAppDir` alone when it is
 * not in a project.
 */
export function projectSourceDirs(forceAppDir: string): string[] {
  const projectFile = join(dirname(forceAppDir), 'sfdx-project.json');
  if (!existsSync(projectFile)) return [forceAppDir];
  const project = JSON.parse(readFileSync(projectFile, 'utf8')) as { packageDirectories?: { path: string }[] };
  const dirs = (project.packageDirectories ?? []).map((d) => join(dirname(projectFile), d.path));
  const inProject = dirs.some((d) => relative(d, forceAppDir) === '');
  return inProject ? dirs : [forceAppDir, ...dirs];
}

// Objects a package can own; any other object permission is for a standard object.
const PACKAGEABLE_OBJECT = /__(c|e|mdt|x|b)$/i;

/**
 * The permission sets users can be given: the package's (`<forceAppDir>/main/default/permissionsets`) and the org's
 * own that the project deploys beside it (force-app-unpackaged/), custom names namespaced. A package install drops
 * a packaged set's permissions on standard objects (packaging guide: "all object permissions for standard objects
 * are ignored, and aren't installed in the org"), so the package's sets are loaded without them, as installed; a
 * user's standard-object access comes from the profile or an org-owned set.
 */
export function loadPermissionSets(forceAppDir: string, namespace: string): Map<string, PermissionSetDef> {
  const sets = new Map<string, PermissionSetDef>();
  for (const sourceDir of projectSourceDirs(forceAppDir)) {
    const packaged = relative(sourceDir, forceAppDir) === '';
    const dir = join(sourceDir, 'main', 'default', 'permissionsets');
    for (const file of listDir(dir)) {
      const m = /^(.+)\.permissionset-meta\.xml$/.exec(file);
      if (!m) continue;
      if (sets.has(m[1]!)) throw new Error(`permission set ${m[1]} is defined twice (${join(dir, file)})`);
      sets.set(m[1]!, readPermissionSet(join(dir, file), m[1]!, namespace, packaged));
    }
  }
  return sets;
}

function readPermissionSet(path: string, name: string, namespace: string, packaged: boolean): PermissionSetDef {
  const ps = parseXmlFile(path).PermissionSet as Node;
  const enabled = (entries: unknown) =>
    new Set(
      nodes(entries)
        .filter((e) => bool(e.enabled))
        .map((e) => String(e.name)),
    );
  const objects = new Map<string, ObjectAccess>();
  for (const o of nodes(ps.objectPermissions)) {
    const object = String(o.object);
    if (packaged && !PACKAGEABLE_OBJECT.test(object)) continue; // not installed with the package
    objects.set(qualify(object, namespace).toLowerCase(), {
      create: bool(o.allowCreate),
      read: bool(o.allowRead),
      edit: bool(o.allowEdit),
      delete: bool(o.allowDelete),
      viewAll: bool(o.viewAllRecords),
      modifyAll: bool(o.modifyAllRecords),
    });
  }
  const fields = new Map<string, FieldAccess>();
  for (const f of nodes(ps.fieldPermissions)) {
    const [object = '', field = ''] = String(f.field).split('.');
    // an install keeps the field permissions of the package's own fields only
    if (packaged && !PACKAGEABLE_OBJECT.test(object) && !PACKAGEABLE_OBJECT.test(field)) continue;
    fields.set(qualify(`${object}.${field}`, namespace).toLowerCase(), {
      read: bool(f.readable) || bool(f.editable),
      edit: bool(f.editable),
    });
  }
  const lowerNamespaced = (names: Set<string>) => new Set([...names].map((n) => qualify(n, namespace).toLowerCase()));
  return {
    name,
    objects,
    fields,
    customMetadataTypes: lowerNamespaced(enabled(ps.customMetadataTypeAccesses)),
    customSettings: lowerNamespaced(enabled(ps.customSettingAccesses)),
    customPermissions: enabled(ps.customPermissions),
    userPermissions: enabled(ps.userPermissions),
  };
}
