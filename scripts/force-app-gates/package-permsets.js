'use strict';
// Gate 8: a packaged permission set grants nothing on standard objects or standard fields. Salesforce's packaging guide
// (2GP, "Permission Set Groups"): "You can't include object permissions for standard objects in managed packages.
// During package installation, all object permissions for standard objects are ignored, and aren't installed in the
// org." and "You can only package permissions for metadata that's included in your package" (so FLS on a standard
// field such as Opportunity.Amount is dropped too). Such an entry passes every offline check and every scratch-org
// test, and the subscriber's user silently lacks the access. It belongs in an org-owned set in the unpackaged folder.
// Field permissions on the package's own custom fields of standard objects (Account.Amount_Due__c) are packaged metadata
// and stay.
const fs = require('node:fs');
const path = require('node:path');
const { XMLParser } = require('fast-xml-parser');
const { walk, rel } = require('./lib');

const RULE =
  'Salesforce ignores it when the package installs ("You can\'t include object permissions for standard objects in ' +
  'managed packages"; "You can only package permissions for metadata that\'s included in your package": Second-' +
  'Generation Managed Packaging guide, Permission Set Groups); grant it in an org-owned permission set in the ' +
  'unpackaged folder';

// Suffixes of objects a package can own: custom, platform event, custom metadata, external, big object, knowledge.
const PACKAGEABLE_OBJECT = /__(c|e|mdt|x|b|kav)$/;

const isStandardObject = (object) => !PACKAGEABLE_OBJECT.test(object);
const isStandardField = (field) => {
  const [object, name] = field.split('.');
  return isStandardObject(object) && !name.endsWith('__c');
};

/**
 * The package directories whose metadata goes into a package version: those naming a `package`, minus any folder
 * another entry declares as its unpackagedMetadata (deployed beside the package, never in it).
 */
function packagedDirs(projectDir) {
  const project = JSON.parse(fs.readFileSync(path.join(projectDir, 'sfdx-project.json'), 'utf8'));
  const dirs = project.packageDirectories ?? [];
  const unpackaged = new Set(
    dirs.filter((d) => d.unpackagedMetadata?.path).map((d) => path.resolve(projectDir, d.unpackagedMetadata.path)),
  );
  return dirs
    .filter((d) => d.package)
    .map((d) => path.resolve(projectDir, d.path))
    .filter((dir) => !unpackaged.has(dir));
}

const parser = new XMLParser({
  parseTagValue: false,
  isArray: (name) => name === 'objectPermissions' || name === 'fieldPermissions',
});

/** The 1-based line of `<tag>value</tag>` in `text`. */
function lineOf(text, tag, value) {
  const index = text.indexOf(`<${tag}>${value}</${tag}>`);
  return index < 0 ? 1 : text.slice(0, index).split('\n').length;
}

/** The problems of one permission set file: its standard-object and standard-field entries. */
function permissionSetProblems(projectDir, file) {
  const text = fs.readFileSync(file, 'utf8');
  const set = parser.parse(text).PermissionSet ?? {};
  const where = rel(projectDir, file);
  const problems = [];
  for (const entry of set.objectPermissions ?? []) {
    if (!isStandardObject(entry.object)) continue;
    problems.push({
      file: where,
      line: lineOf(text, 'object', entry.object),
      message: `objectPermissions on the standard object ${entry.object} in a packaged permission set: ${RULE}`,
    });
  }
  for (const entry of set.fieldPermissions ?? []) {
    if (!isStandardField(entry.field)) continue;
    problems.push({
      file: where,
      line: lineOf(text, 'field', entry.field),
      message: `fieldPermissions on the standard field ${entry.field} in a packaged permission set: ${RULE}`,
    });
  }
  return problems;
}

function run(projectDir) {
  const files = packagedDirs(projectDir).flatMap((dir) =>
    walk(dir, (name) => name.endsWith('.permissionset-meta.xml')),
  );
  return {
    gate: 'package-permsets',
    checked: files.length,
    problems: files.flatMap((file) => permissionSetProblems(projectDir, file)),
  };
}

module.exports = { run, packagedDirs, isStandardObject, isStandardField };
