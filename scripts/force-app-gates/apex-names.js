'use strict';
// Gate: the custom names the Apex uses exist in the package's metadata. apex-ls (the gate before) fails an unknown
// field read off a custom object's record, but not one inside SOQL, nor a custom field read off a standard object:
// `opportunity.Amended_Opportunitx__c` and `SELECT Amended_Opportunitx__c FROM Opportunity` both passed it, and an org
// refuses both when the package is deployed. This gate resolves every field and relationship of every static SOQL
// query against the object it reads (FROM, child relationships in subqueries, parent paths like `Invoice__r.Status__c`)
// and every other custom name in the code (`X__c`, `X__r`, `X__mdt`, `X__e`, `Label.X`) against the names the package
// defines. Standard fields are not checked (the platform's, not the package's); names inside string literals (dynamic
// SOQL) are not either.
const fs = require('node:fs');
const path = require('node:path');
const { ApexParserFactory, ApexErrorListener } = require('@apexdevtools/apex-parser');
const { XMLParser } = require('fast-xml-parser');
const { sourceFiles, rel } = require('./lib');
const { STANDARD_OBJECTS } = require('./uiapi/standard-objects');

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false });
const REFERENCE_TYPES = new Set(['Lookup', 'MasterDetail', 'Hierarchy']);
const CUSTOM = /__(c|r)$/i;
/** Relationships every record has (to User), whatever the object. */
const SYSTEM_PARENTS = { owner: 'user', createdby: 'user', lastmodifiedby: 'user' };

/**
 * The package's objects as SOQL reads them, keyed in lower case (Apex and SOQL names are case-insensitive):
 * fields, parent relationships (`X__r` and standard ones such as Opportunity.Account) and child relationships.
 */
function readModel(projectDir) {
  const objects = new Map();
  const objectNamed = (name) => {
    const key = name.toLowerCase();
    if (!objects.has(key)) objects.set(key, { name, fields: new Set(), parents: new Map(), children: new Map() });
    return objects.get(key);
  };
  for (const [name, table] of Object.entries(STANDARD_OBJECTS)) {
    const object = objectNamed(name);
    for (const [field, type] of Object.entries(table.fields)) {
      object.fields.add(field.toLowerCase());
      if (typeof type !== 'string') {
        const relationship = type.relationship ?? field.replace(/Id$/, '');
        object.parents.set(relationship.toLowerCase(), type.reference.toLowerCase());
      }
    }
    for (const [child, [childObject]] of Object.entries(table.children)) {
      object.children.set(child.toLowerCase(), childObject.toLowerCase());
    }
  }
  const objectOf = (file) => {
    const parts = file.split(path.sep);
    return parts[parts.lastIndexOf('objects') + 1];
  };
  const metadata = sourceFiles(projectDir, (n) => n.endsWith('.object-meta.xml') || n.endsWith('.field-meta.xml'));
  for (const file of metadata) {
    const object = objectNamed(objectOf(file));
    if (!file.endsWith('.field-meta.xml')) continue;
    const field = xml.parse(fs.readFileSync(file, 'utf8')).CustomField ?? {};
    const name = String(field.fullName ?? path.basename(file, '.field-meta.xml'));
    object.fields.add(name.toLowerCase());
    if (!REFERENCE_TYPES.has(field.type)) continue;
    const target = String(field.referenceTo ?? (field.type === 'Hierarchy' ? 'User' : ''));
    object.parents.set(name.replace(/__c$/i, '__r').toLowerCase(), target.toLowerCase());
    if (field.relationshipName) {
      objectNamed(target).children.set(`${field.relationshipName}__r`.toLowerCase(), object.name.toLowerCase());
    }
  }
  return objects;
}

/** Every custom name the package defines, to check names outside SOQL against. */
function definedNames(objects, labels) {
  const names = new Set(labels.map((l) => `label.${l.toLowerCase()}`));
  for (const [key, object] of objects) {
    names.add(key);
    for (const field of object.fields) names.add(field);
    for (const parent of object.parents.keys()) names.add(parent);
    for (const child of object.children.keys()) names.add(child);
  }
  return names;
}

function readLabels(projectDir) {
  const files = sourceFiles(projectDir, (n) => n.endsWith('.labels-meta.xml'));
  return files
    .flatMap((file) => [xml.parse(fs.readFileSync(file, 'utf8')).CustomLabels?.labels ?? []].flat())
    .map((label) => String(label.fullName));
}

const kindOf = (node) => node.constructor.name;
const childrenOf = (node) => node.children ?? [];

/** Resolves a field path (`Invoice__r.Opportunity__c`) from an object; returns a problem, or null. */
function resolvePath(objects, objectKey, segments) {
  let current = objects.get(objectKey);
  for (const [index, segment] of segments.entries()) {
    if (!current) return null; // an object the package does not model: its fields are the platform's
    const key = segment.toLowerCase();
    const last = index === segments.length - 1;
    if (last) {
      if (CUSTOM.test(key) && !current.fields.has(key)) return `no field ${segment} on ${current.name}`;
      return null;
    }
    const parent = current.parents.get(key) ?? SYSTEM_PARENTS[key];
    if (parent === undefined) {
      return CUSTOM.test(key) ? `no relationship ${segment} on ${current.name}` : null;
    }
    current = objects.get(parent);
  }
  return null;
}

/** Checks one query (or subquery) reading `objectKey`, and the queries nested in it. */
function checkQuery(objects, query, objectKey, report) {
  const fromList = query.fromNameList();
  const visit = (node) => {
    if (node === fromList) return;
    const kind = kindOf(node);
    if (kind === 'QueryContext') return checkTopQuery(objects, node, report);
    if (kind === 'SubQueryContext') {
      const relationship = node.fromNameList().fieldName(0).getText();
      const childKey = objects.get(objectKey)?.children.get(relationship.toLowerCase());
      if (childKey === undefined) {
        if (objects.has(objectKey) && CUSTOM.test(relationship)) {
          report(node, `no child relationship ${relationship} on ${objects.get(objectKey).name}`);
        }
        return undefined;
      }
      return checkQuery(objects, node, childKey, report);
    }
    if (kind === 'FieldNameContext') {
      const problem = resolvePath(
        objects,
        objectKey,
        node.soqlId_list().map((id) => id.getText()),
      );
      if (problem) report(node, problem);
      return undefined;
    }
    for (const child of childrenOf(node)) visit(child);
    return undefined;
  };
  for (const child of childrenOf(query)) visit(child);
}

function checkTopQuery(objects, query, report) {
  const from = query.fromNameList().fieldName(0).getText();
  const objectKey = from.toLowerCase();
  if (CUSTOM.test(objectKey) || /__(mdt|e)$/i.test(objectKey)) {
    if (!objects.has(objectKey)) return report(query, `no object ${from}`);
  }
  return checkQuery(objects, query, objectKey, report);
}

/** Code without comments and string literals, same length and lines (so positions stay right). */
function codeOnly(source) {
  return source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:[^'\\\n]|\\.)*'/g, (m) => m.replace(/[^\n]/g, ' '));
}

class Quiet extends ApexErrorListener {
  apexSyntaxError() {} // the apex-parse gate reports syntax
}

function run(projectDir) {
  const objects = readModel(projectDir);
  const names = definedNames(objects, readLabels(projectDir));
  const files = sourceFiles(projectDir, (name) => name.endsWith('.cls') || name.endsWith('.trigger'));
  const problems = [];
  for (const file of files) {
    const source = fs.readFileSync(file, 'utf8');
    const report = (node, message) => problems.push({ file: rel(projectDir, file), line: node.start.line, message });
    const { parser } = ApexParserFactory.createLexerAndParser(source, new Quiet());
    const tree = file.endsWith('.trigger') ? parser.triggerUnit() : parser.compilationUnit();
    const walk = (node) => {
      if (kindOf(node) === 'QueryContext') return checkTopQuery(objects, node, report);
      for (const child of childrenOf(node)) walk(child);
      return undefined;
    };
    walk(tree);
    // Custom names anywhere else in the code: each must be one the package defines (a typo is no name at all).
    const code = codeOnly(source);
    for (const match of code.matchAll(/\b(?:Label\.\w+|\w+__(?:c|r|mdt|e))\b/gi)) {
      const name = match[0].toLowerCase().replace(/^system\./, '');
      if (names.has(name)) continue;
      const line = code.slice(0, match.index).split('\n').length;
      problems.push({
        file: rel(projectDir, file),
        line,
        message: `unknown ${name.startsWith('label.') ? 'label' : 'name'} ${match[0]}`,
      });
    }
  }
  return { gate: 'apex-names', checked: files.length, problems };
}

module.exports = { run, readModel };
