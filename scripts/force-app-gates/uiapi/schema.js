'use strict';
// The UI API GraphQL schema the package's queries run against in an org, built offline from force-app metadata plus
// a table of the standard objects the package reaches (standard-objects.js). It follows the documented shape
// (shared/reference/salesforce-graphql.md, rules in brackets): `uiapi { query { <Object>(…) } }` returning Relay
// connections [1, 2]; `Id` a bare ID! [4]; every other field an object with `value` and `displayValue` [5];
// parents as records, children as connections [7, 8]; `where`/`orderBy` input types [12–15]; custom names also under
// their namespaced spelling [17]. Where the real schema is richer, the model is smaller, so an unmodelled field fails
// the gate instead of passing it; the fix is to model it from Salesforce's documentation, never to loosen a rule.
//
// `node scripts/force-app-gates/uiapi/schema.js [--project DIR]` prints the SDL.
const fs = require('node:fs');
const path = require('node:path');
const { XMLParser } = require('fast-xml-parser');
const { GraphQLSchema, buildSchema } = require('graphql');
const { REPO_ROOT, sourceFiles } = require('../lib');
const { STANDARD_OBJECTS } = require('./standard-objects');

/** Metadata field types → UI API value types (formula fields carry their return type in <type>). */
const VALUE_TYPES = {
  AutoNumber: 'String',
  Checkbox: 'Boolean',
  Currency: 'Currency',
  Date: 'Date',
  DateTime: 'DateTime',
  Email: 'Email',
  EncryptedText: 'EncryptedString',
  Html: 'RichTextArea',
  LongTextArea: 'LongTextArea',
  MultiselectPicklist: 'MultiPicklist',
  Number: 'Double',
  Percent: 'Percent',
  Phone: 'PhoneNumber',
  Picklist: 'Picklist',
  // A roll-up summary's type follows the summarised field; COUNT and SUM of numbers are Double, the common case.
  Summary: 'Double',
  Text: 'String',
  TextArea: 'TextArea',
  Time: 'Time',
  Url: 'Url',
};
const REFERENCE_TYPES = new Set(['Lookup', 'MasterDetail', 'Hierarchy']);

/**
 * GraphQL scalar behind each value type; the custom ones accept any literal, as [16] allows (rules.js then checks
 * the literals a `where` compares a custom picklist with against its values).
 */
const SCALARS = {
  String: 'String',
  ID: 'ID',
  Boolean: 'Boolean',
  Int: 'Int',
  Long: 'Long',
  Double: 'Double',
  Currency: 'Currency',
  Percent: 'Percent',
  Date: 'Date',
  DateTime: 'DateTime',
  Time: 'Time',
  Picklist: 'Picklist',
  MultiPicklist: 'MultiPicklist',
  Url: 'Url',
  Email: 'Email',
  PhoneNumber: 'PhoneNumber',
  TextArea: 'TextArea',
  LongTextArea: 'LongTextArea',
  RichTextArea: 'RichTextArea',
  EncryptedString: 'EncryptedString',
};
const BUILT_IN_SCALARS = new Set(['String', 'ID', 'Boolean', 'Int', 'Float']);
// Long text, rich text and encrypted text cannot be filtered or ordered; multi-select picklists cannot be ordered [15].
const NOT_FILTERABLE = new Set(['LongTextArea', 'RichTextArea', 'EncryptedString']);
const NOT_ORDERABLE = new Set([...NOT_FILTERABLE, 'MultiPicklist']);
const LIKE_TYPES = new Set(['String', 'TextArea', 'Url', 'Email', 'PhoneNumber', 'Picklist']);
// Not UI API objects [3]: custom metadata types, platform events, big objects, external objects, and their kin.
const NOT_UI_API = /__(mdt|e|b|x|Share|History|Feed|ChangeEvent)$/;

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/** The project's namespace from sfdx-project.json ('' when there is none). */
function projectNamespace(projectDir) {
  const project = JSON.parse(fs.readFileSync(path.join(projectDir, 'sfdx-project.json'), 'utf8'));
  return project.namespace ?? '';
}

function emptyObject(name, overrides = {}) {
  return { name, custom: name.endsWith('__c'), owner: false, nameField: false, fields: [], children: [], ...overrides };
}

/**
 * The data model the schema is built from: every UI API object in force-app (custom objects with their fields, and
 * the custom fields on standard objects) merged with the standard-object table.
 * @returns {Map<string, {name, custom, owner, nameField, fields: object[], children: object[]}>}
 */
function readModel(projectDir) {
  const objects = new Map();
  for (const [name, table] of Object.entries(STANDARD_OBJECTS)) {
    const fields = Object.entries(table.fields).map(([field, type]) =>
      typeof type === 'string'
        ? { name: field, type, custom: false }
        : { name: field, type: 'ID', custom: false, referenceTo: type.reference, relationship: type.relationship },
    );
    const children = Object.entries(table.children).map(([child, [childObject, field]]) => ({
      name: child,
      custom: false,
      childObject,
      field,
    }));
    objects.set(name, emptyObject(name, { owner: table.owner, nameField: table.nameField, fields, children }));
  }

  const metadata = sourceFiles(projectDir, (n) => n.endsWith('.object-meta.xml') || n.endsWith('.field-meta.xml'));
  const objectOf = (file) => {
    const parts = file.split(path.sep);
    return parts[parts.lastIndexOf('objects') + 1];
  };
  const settings = new Set();
  for (const file of metadata.filter((f) => f.endsWith('.object-meta.xml'))) {
    const name = objectOf(file);
    const object = xml.parse(fs.readFileSync(file, 'utf8')).CustomObject ?? {};
    if (object.customSettingsType) settings.add(name); // custom settings are not UI API objects [3]
    if (NOT_UI_API.test(name) || settings.has(name)) continue;
    const existing = objects.get(name) ?? emptyObject(name);
    existing.nameField = existing.nameField || !!object.nameField || existing.custom;
    existing.owner = existing.custom ? object.sharingModel !== 'ControlledByParent' : existing.owner;
    objects.set(name, existing);
  }
  for (const file of metadata.filter((f) => f.endsWith('.field-meta.xml'))) {
    const objectName = objectOf(file);
    if (NOT_UI_API.test(objectName) || settings.has(objectName)) continue;
    const field = xml.parse(fs.readFileSync(file, 'utf8')).CustomField ?? {};
    const name = field.fullName ?? path.basename(file, '.field-meta.xml');
    if (!objects.has(objectName)) objects.set(objectName, emptyObject(objectName));
    const object = objects.get(objectName);
    if (REFERENCE_TYPES.has(field.type)) {
      const referenceTo = field.referenceTo ?? (field.type === 'Hierarchy' ? 'User' : undefined);
      object.fields.push({ name, type: 'ID', custom: true, referenceTo, relationship: name.replace(/__c$/, '__r') });
      if (field.relationshipName) {
        if (!objects.has(referenceTo)) objects.set(referenceTo, emptyObject(referenceTo));
        objects.get(referenceTo).children.push({
          name: `${field.relationshipName}__r`,
          custom: true,
          childObject: objectName,
          field: name,
        });
      }
    } else {
      const type = VALUE_TYPES[field.type];
      if (!type) throw new Error(`${objectName}.${name}: field type ${field.type} is not modelled in uiapi/schema.js`);
      const values = [field.valueSet?.valueSetDefinition?.value ?? []].flat().map((v) => v.fullName);
      // a picklist's own values (a global value set's are not read: its filters go unchecked)
      object.fields.push({ name, type, custom: true, ...(values.length > 0 ? { values } : {}) });
    }
  }
  // A parent the package points at but nobody modelled still gets a type, with the fields every record has.
  for (const object of [...objects.values()]) {
    for (const field of object.fields) {
      if (field.referenceTo && !objects.has(field.referenceTo)) {
        objects.set(field.referenceTo, emptyObject(field.referenceTo));
      }
    }
  }
  return objects;
}

/** A custom name and, in a namespaced project, its namespaced spelling too [17]. */
function spellings(name, custom, namespace) {
  return custom && namespace ? [name, `${namespace}__${name}`] : [name];
}

function valueTypeSdl() {
  const lines = [];
  for (const [valueType, scalar] of Object.entries(SCALARS)) {
    if (!BUILT_IN_SCALARS.has(scalar)) lines.push(`scalar ${scalar}`);
    lines.push(`type ${valueType}Value {\n  value: ${scalar}\n  displayValue: String\n}`);
  }
  return lines;
}

function operatorSdl() {
  const lines = [
    'enum DateLiteral { TODAY YESTERDAY TOMORROW LAST_WEEK THIS_WEEK NEXT_WEEK LAST_MONTH THIS_MONTH NEXT_MONTH ' +
      'LAST_90_DAYS NEXT_90_DAYS THIS_QUARTER LAST_QUARTER NEXT_QUARTER THIS_YEAR LAST_YEAR NEXT_YEAR ' +
      'THIS_FISCAL_QUARTER LAST_FISCAL_QUARTER NEXT_FISCAL_QUARTER THIS_FISCAL_YEAR LAST_FISCAL_YEAR NEXT_FISCAL_YEAR }',
    'input DateRange {\n' +
      ['days', 'weeks', 'months', 'quarters', 'years', 'fiscal_quarters', 'fiscal_years']
        .flatMap((unit) => [`  last_n_${unit}: Int`, `  next_n_${unit}: Int`])
        .join('\n') +
      '\n  n_days_ago: Int\n}',
    'input DateInput {\n  value: Date\n  literal: DateLiteral\n  range: DateRange\n}',
    'input DateTimeInput {\n  value: DateTime\n  literal: DateLiteral\n  range: DateRange\n}',
  ];
  for (const [valueType, scalar] of Object.entries(SCALARS)) {
    if (NOT_FILTERABLE.has(valueType)) continue;
    const input = { Date: 'DateInput', DateTime: 'DateTimeInput' }[valueType] ?? scalar;
    let ops;
    if (valueType === 'Boolean') ops = [`eq: ${input}`, `ne: ${input}`];
    else if (valueType === 'MultiPicklist') {
      ops = [`eq: ${input}`, `ne: ${input}`, `includes: [${input}]`, `excludes: [${input}]`];
    } else {
      ops = ['eq', 'ne', 'lt', 'gt', 'lte', 'gte'].map((op) => `${op}: ${input}`);
      ops.push(`in: [${input}]`, `nin: [${input}]`);
      if (LIKE_TYPES.has(valueType)) ops.push(`like: ${input}`);
    }
    lines.push(`input ${valueType}Operators {\n${ops.map((op) => `  ${op}`).join('\n')}\n}`);
  }
  lines.push(
    'enum ResultOrder { ASC DESC }',
    'enum NullOrder { FIRST LAST }',
    'input OrderByClause {\n  order: ResultOrder\n  nulls: NullOrder\n}',
  );
  return lines;
}

const RECORD_FIELDS = [
  'Id: ID!',
  'ApiName: String!',
  'WeakEtag: Long!',
  'DisplayValue: String',
  'LastModifiedById: IDValue',
  'LastModifiedDate: DateTimeValue',
  'SystemModstamp: DateTimeValue',
  'RecordTypeId(fallback: Boolean): IDValue',
];

function connectionArgs(object, { root }) {
  const args = [
    'first: Int',
    'after: String',
    `where: ${object}_Filter`,
    `orderBy: ${object}_OrderBy`,
    'upperBound: Int',
  ];
  // scope and updateMRU belong to top-level objects only [2, 8]
  return root ? [...args, 'scope: RecordScope', 'updateMRU: Boolean'] : args;
}

function objectSdl(object, namespace) {
  const fields = [
    ...RECORD_FIELDS,
    'CreatedById: IDValue',
    'CreatedDate: DateTimeValue',
    'CreatedBy: User',
    'LastModifiedBy: User',
  ];
  const filters = [
    `and: [${object.name}_Filter]`,
    `or: [${object.name}_Filter]`,
    `not: ${object.name}_Filter`,
    'Id: IDOperators',
    'CreatedById: IDOperators',
    'CreatedDate: DateTimeOperators',
    'LastModifiedById: IDOperators',
    'LastModifiedDate: DateTimeOperators',
    'SystemModstamp: DateTimeOperators',
    'CreatedBy: User_Filter',
    'LastModifiedBy: User_Filter',
  ];
  const orders = [
    'Id: OrderByClause',
    'CreatedDate: OrderByClause',
    'LastModifiedDate: OrderByClause',
    'SystemModstamp: OrderByClause',
    'CreatedBy: User_OrderBy',
    'LastModifiedBy: User_OrderBy',
  ];
  if (object.nameField) {
    fields.push('Name: StringValue');
    filters.push('Name: StringOperators');
    orders.push('Name: OrderByClause');
  }
  if (object.owner) {
    fields.push('OwnerId: IDValue');
    filters.push('OwnerId: IDOperators');
    orders.push('OwnerId: OrderByClause');
    // A custom object's Owner can be a queue as well as a user (polymorphic), so only standard owners are modelled.
    if (!object.custom) {
      fields.push('Owner: User');
      filters.push('Owner: User_Filter');
      orders.push('Owner: User_OrderBy');
    }
  }
  for (const field of object.fields) {
    for (const name of spellings(field.name, field.custom, namespace)) {
      fields.push(`${name}: ${field.type}Value`);
      if (!NOT_FILTERABLE.has(field.type)) filters.push(`${name}: ${field.type}Operators`);
      if (!NOT_ORDERABLE.has(field.type)) orders.push(`${name}: OrderByClause`);
    }
    if (field.referenceTo && field.relationship) {
      for (const name of spellings(field.relationship, field.custom, namespace)) {
        fields.push(`${name}: ${field.referenceTo}`);
        filters.push(`${name}: ${field.referenceTo}_Filter`);
        orders.push(`${name}: ${field.referenceTo}_OrderBy`);
      }
    }
  }
  for (const child of object.children) {
    for (const name of spellings(child.name, child.custom, namespace)) {
      const args = connectionArgs(child.childObject, { root: false }).join(', ');
      fields.push(`${name}(${args}): ${child.childObject}Connection`);
    }
  }
  const block = (keyword, name, lines) => `${keyword} ${name} {\n${lines.map((line) => `  ${line}`).join('\n')}\n}`;
  return [
    block('type', `${object.name} implements Record`, fields),
    block('type', `${object.name}Edge`, [`node: ${object.name}`, 'cursor: String!']),
    block('type', `${object.name}Connection`, [
      `edges: [${object.name}Edge]`,
      'pageInfo: PageInfo!',
      'totalCount: Int!',
      'pageResultCount: Int!',
    ]),
    block('input', `${object.name}_Filter`, filters),
    block('input', `${object.name}_OrderBy`, orders),
  ];
}

/** The SDL of the UI API schema for a project. */
function uiApiSdl(projectDir, model = [...readModel(projectDir).values()]) {
  const namespace = projectNamespace(projectDir);
  const objects = [...model].sort((a, b) => a.name.localeCompare(b.name));
  const roots = objects.flatMap((object) =>
    spellings(object.name, object.custom, namespace).map(
      (name) => `  ${name}(${connectionArgs(object.name, { root: true }).join(', ')}): ${object.name}Connection`,
    ),
  );
  return [
    'type Query {\n  uiapi: UIAPI!\n}',
    'type UIAPI {\n  query: RecordQuery!\n}',
    `type RecordQuery {\n${roots.join('\n')}\n}`,
    'enum RecordScope { EVERYTHING MINE TEAM }',
    'type PageInfo {\n  hasNextPage: Boolean!\n  hasPreviousPage: Boolean!\n  startCursor: String\n  endCursor: String\n}',
    `interface Record {\n${RECORD_FIELDS.map((field) => `  ${field}`).join('\n')}\n}`,
    ...valueTypeSdl(),
    ...operatorSdl(),
    ...objects.flatMap((object) => objectSdl(object, namespace)),
  ].join('\n\n');
}

/**
 * The values of each custom picklist, by object then field (both spellings [17]), for the rules to check `where`
 * literals against: SDL has no place for them. Standard picklists are left out: their values are the org's.
 * @returns {Map<string, Map<string, string[]>>}
 */
function picklistValues(objects, namespace) {
  const picklists = new Map();
  for (const object of objects) {
    const fields = new Map();
    for (const field of object.fields.filter((f) => f.values)) {
      for (const name of spellings(field.name, field.custom, namespace)) fields.set(name, field.values);
    }
    if (fields.size > 0) picklists.set(object.name, fields);
  }
  return picklists;
}

/**
 * The UI API schema for a project, as a graphql-js schema (throws when the SDL itself is invalid), carrying the
 * custom picklists' values in `extensions.picklists` (picklistValues).
 */
function buildUiApiSchema(projectDir) {
  const namespace = projectNamespace(projectDir);
  const objects = [...readModel(projectDir).values()];
  const schema = buildSchema(uiApiSdl(projectDir, objects));
  return new GraphQLSchema({ ...schema.toConfig(), extensions: { picklists: picklistValues(objects, namespace) } });
}

if (require.main === module) {
  const i = process.argv.indexOf('--project');
  console.log(uiApiSdl(path.resolve(i >= 0 ? process.argv[i + 1] : REPO_ROOT)));
}

module.exports = { buildUiApiSchema, uiApiSdl, readModel, projectNamespace };
