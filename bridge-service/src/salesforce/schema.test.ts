import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { FieldKind, PACKAGE_FIELDS, PACKAGE_RELATIONSHIPS, STANDARD_FIELDS, salesforceNames } from './schema';

const OBJECTS_DIR = path.resolve(__dirname, '../../../force-app/main/default/objects');
const parser = new XMLParser();

// Which metadata field types can carry each kind of value the bridge reads or writes.
const COMPATIBLE: Record<FieldKind, readonly string[]> = {
  id: [],
  text: ['Text', 'TextArea', 'LongTextArea', 'Url', 'Email', 'Phone'],
  number: ['Number', 'Currency', 'Percent'],
  date: ['Date'],
  datetime: ['DateTime'],
  boolean: ['Checkbox'],
  picklist: ['Picklist'],
  reference: ['Lookup', 'MasterDetail'],
};

interface FieldMeta {
  type: string;
  relationshipName?: string;
  referenceTo?: string;
}

function readField(objectName: string, fieldName: string): FieldMeta | undefined {
  const file = path.join(OBJECTS_DIR, objectName, 'fields', `${fieldName}.field-meta.xml`);
  if (!fs.existsSync(file)) return undefined;
  return parser.parse(fs.readFileSync(file, 'utf8')).CustomField as FieldMeta;
}

describe('bridge schema module against force-app', () => {
  const cases = Object.entries(PACKAGE_FIELDS).flatMap(([objectName, fields]) =>
    Object.entries(fields).map(
      ([fieldName, kind]) => [`${objectName}.${fieldName}`, objectName, fieldName, kind] as const,
    ),
  );

  it.each(cases)('%s exists in force-app with a compatible type', (_label, objectName, fieldName, kind) => {
    const meta = readField(objectName, fieldName);
    expect(meta).toBeDefined();
    expect(COMPATIBLE[kind as FieldKind]).toContain(meta?.type);
  });

  it.each(Object.entries(PACKAGE_RELATIONSHIPS))(
    '%s is reachable from its parent through the declared relationship',
    (child, relationship) => {
      const meta = readField(child, relationship.field);
      expect(meta?.referenceTo).toBe(relationship.parent);
      expect(meta?.relationshipName).toBe(relationship.name);
    },
  );

  it('declares only standard objects the integration reads', () => {
    expect(Object.keys(STANDARD_FIELDS).sort()).toEqual([
      'Account',
      'Contact',
      'Opportunity',
      'OpportunityLineItem',
      'Product2',
    ]);
  });
});

describe('salesforceNames', () => {
  const ns = salesforceNames('ldgr__');

  it('prefixes custom names and leaves standard names alone', () => {
    expect(ns.api('Invoice__c')).toBe('ldgr__Invoice__c');
    expect(ns.api('Name')).toBe('Name');
    expect(ns.api('Opportunity__r.Account.Name')).toBe('ldgr__Opportunity__r.Account.Name');
    expect(ns.api('ldgr__Invoice__c')).toBe('ldgr__Invoice__c');
    expect(ns.channel('Invoice_Request__e')).toBe('/event/ldgr__Invoice_Request__e');
    expect(salesforceNames('').api('Invoice__c')).toBe('Invoice__c');
  });

  it('strips the prefix from nested records', () => {
    const stripped = ns.strip({
      Id: 'a01',
      ldgr__Total__c: 10,
      ldgr__Invoice_Lines__r: { records: [{ ldgr__Description__c: 'x' }] },
    });
    expect(stripped).toEqual({ Id: 'a01', Total__c: 10, Invoice_Lines__r: { records: [{ Description__c: 'x' }] } });
  });
});
