// In an org the UI API builds each user's GraphQL schema from what that user may read: one field the user cannot read
// fails the card's whole query (receivables list, plans and credit alike), which no fixture would show. So every
// custom field the card's query selects, filters or orders on must be readable through each permission set whose
// users see the Account page. Master-detail and required fields are not listed in permission sets (always readable).
const fs = require('node:fs');
const path = require('node:path');
const { parse, visit, TypeInfo, visitWithTypeInfo, getNamedType } = require('graphql');

const REPO_ROOT = path.resolve(__dirname, '../../../../../..');
const { buildUiApiSchema } = require(path.join(REPO_ROOT, 'scripts/force-app-gates/uiapi/schema'));
const { componentQueries } = require(path.join(REPO_ROOT, 'scripts/force-app-gates/graphql'));
const APP = path.join(REPO_ROOT, 'force-app/main/default');
const PERMISSION_SETS = ['Ledgerline_Sales', 'Ledgerline_Finance', 'Ledgerline_Admin'];

function fieldsTheQueryReads() {
  const schema = buildUiApiSchema(REPO_ROOT);
  const [query] = componentQueries(REPO_ROOT).filter((q) => q.file.endsWith('accountReceivables.js'));
  const typeInfo = new TypeInfo(schema);
  const read = new Set();
  const note = (typeName, field) => {
    if (!field.endsWith('__c')) return;
    // A root field is an object the query reads; every other one a field of the object it sits on.
    if (typeName === 'RecordQuery') read.add(field);
    else read.add(`${typeName.replace(/_(Filter|OrderBy)$/, '')}.${field}`);
  };
  visit(
    parse(query.text),
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent) note(parent.name, node.name.value);
      },
      ObjectField(node) {
        const parent = typeInfo.getParentInputType();
        if (parent) note(getNamedType(parent).name, node.name.value);
      },
    }),
  );
  return [...read].sort();
}

function alwaysReadable(qualified) {
  const [object, field] = qualified.split('.');
  if (!field) return false;
  const file = path.join(APP, 'objects', object, 'fields', `${field}.field-meta.xml`);
  const xml = fs.readFileSync(file, 'utf8');
  return /<type>MasterDetail<\/type>/.test(xml) || /<required>true<\/required>/.test(xml);
}

/** The objects and fields a permission set lets its users read (Object, Object.Field). */
function readableIn(permissionSet) {
  const xml = fs.readFileSync(path.join(APP, 'permissionsets', `${permissionSet}.permissionset-meta.xml`), 'utf8');
  const granted = (block, flag, key) =>
    [...xml.matchAll(new RegExp(`<${block}>([\\s\\S]*?)</${block}>`, 'g'))]
      .filter(([, body]) => body.includes(`<${flag}>true</${flag}>`))
      .map(([, body]) => new RegExp(`<${key}>([^<]+)</${key}>`).exec(body)[1]);
  return new Set([
    ...granted('objectPermissions', 'allowRead', 'object'),
    ...granted('fieldPermissions', 'readable', 'field'),
  ]);
}

describe('the Account card query, as each user reads it', () => {
  const fields = fieldsTheQueryReads();

  it('reads the customer credit fields it shows', () => {
    expect(fields).toEqual(
      expect.arrayContaining([
        'Customer_Credit__c',
        'Credit_Note__c',
        'Customer_Credit__c.Remaining_Credit__c',
        'Customer_Credit__c.Account__c',
        'Credit_Note__c.Remaining_Credit__c',
        'Credit_Allocation__c.Amount__c',
        'Credit_Allocation__c.Status__c',
      ]),
    );
  });

  it.each(PERMISSION_SETS)('reads only objects and fields %s can read', (permissionSet) => {
    const readable = readableIn(permissionSet);
    expect(fields.filter((field) => !readable.has(field) && !alwaysReadable(field))).toEqual([]);
  });
});
