import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { loadSchema } from '../../sandbox/salesforce/schema/metadata-loader';
import type { FieldType } from '../../sandbox/salesforce/schema/types';
import { ALL_OBJECTS, PACKAGE_OBJECTS, STANDARD_OBJECTS } from './objects';
import { salesforceNames } from './schema';
import type { FieldKind } from './sobject';

const FORCE_APP = path.resolve(__dirname, '../../../force-app');
const OBJECTS_DIR = path.join(FORCE_APP, 'main/default/objects');
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

// The same for the field types of a describe (the standard objects, as the Salesforce emulator models them).
const COMPATIBLE_DESCRIBED: Record<FieldKind, readonly FieldType[]> = {
  id: ['id'],
  text: ['string', 'textarea', 'email', 'phone', 'url'],
  number: ['double', 'int', 'currency', 'percent'],
  date: ['date'],
  datetime: ['datetime'],
  boolean: ['boolean'],
  picklist: ['picklist'],
  reference: ['reference'],
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

const fieldsOf = (objects: readonly (typeof ALL_OBJECTS)[number][]) =>
  objects.flatMap((object) =>
    Object.entries(object.fields).map(
      ([fieldName, kind]) => [`${object.name}.${fieldName}`, object.name, fieldName, kind] as const,
    ),
  );

describe('bridge schema module against force-app', () => {
  const custom = fieldsOf(ALL_OBJECTS).filter(([, , fieldName]) => fieldName.endsWith('__c'));

  it.each(custom)('%s exists in force-app with a compatible type', (_label, objectName, fieldName, kind) => {
    const meta = readField(objectName, fieldName);
    expect(meta).toBeDefined();
    expect(COMPATIBLE[kind]).toContain(meta?.type);
  });

  const childRelationships = ALL_OBJECTS.flatMap((parent) =>
    Object.entries(parent.children).map(
      ([name, child]) => [`${parent.name}.${name}`, parent.name, name, child] as const,
    ),
  ).filter(([, , name]) => name.endsWith('__r'));

  it.each(childRelationships)(
    '%s is reachable from its parent through the declared relationship',
    (_label, parentName, name, child) => {
      const meta = readField(child.object, child.field);
      expect(meta?.referenceTo).toBe(parentName);
      expect(`${meta?.relationshipName}__r`).toBe(name);
    },
  );

  it('declares only standard objects the integration reads', () => {
    expect(STANDARD_OBJECTS.map((o) => o.name).sort()).toEqual([
      'Account',
      'Contact',
      'Opportunity',
      'OpportunityLineItem',
      // billing plans follow a line's Opportunity Product schedule where the org uses them (issue 15)
      'OpportunityLineItemSchedule',
      'Product2',
    ]);
  });

  it('declares every package object there is', () => {
    const inForceApp = fs.readdirSync(OBJECTS_DIR).filter((name) => /__(c|e|mdt)$/.test(name));
    expect(PACKAGE_OBJECTS.map((o) => o.name).sort()).toEqual(inForceApp.sort());
  });
});

describe('bridge schema module against the org schema (standard objects + force-app)', () => {
  const org = loadSchema({ forceAppDir: FORCE_APP, namespace: '' });
  const describeObject = (name: string) => org.objects.get(name.toLowerCase());
  const describeField = (objectName: string, fieldName: string) =>
    describeObject(objectName)?.fields.get(fieldName.toLowerCase());

  it.each(fieldsOf(ALL_OBJECTS))('%s exists with a compatible type', (_label, objectName, fieldName, kind) => {
    const described = describeField(objectName, fieldName);
    expect(described).toBeDefined();
    expect(COMPATIBLE_DESCRIBED[kind]).toContain(described?.type);
  });

  const parents = ALL_OBJECTS.flatMap((object) =>
    Object.entries(object.parents).map(
      ([name, parent]) => [`${object.name}.${name}`, object.name, name, parent] as const,
    ),
  );

  it.each(parents)('%s is a lookup to the declared object', (_label, objectName, name, parent) => {
    const described = describeField(objectName, parent.field);
    expect(described?.referenceTo).toContain(parent.object);
    expect(described?.relationshipName).toBe(name);
  });

  const children = ALL_OBJECTS.flatMap((object) =>
    Object.entries(object.children).map(
      ([name, child]) => [`${object.name}.${name}`, object.name, name, child] as const,
    ),
  );

  it.each(children)('%s lists the declared child object', (_label, objectName, name, child) => {
    const relationship = describeObject(objectName)?.childRelationships.find((r) => r.relationshipName === name);
    expect(relationship).toMatchObject({ childObject: child.object, field: child.field });
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
