'use strict';
// Gate 0: the project files the 2GP commands read (sf package create / version create / promote cannot run here).
// sfdx-project.json and every scratch-org definition it names (or config/ holds) validate against Salesforce's own
// JSON schemas, the ones the installed Salesforce CLI ships (@salesforce/schemas), with ajv. On top of the schemas,
// which leave a scratch definition's top level and settings open: only keys the schema lists, so a misspelt
// "featurs" or "currencySetting" fails here instead of being ignored by the Dev Hub. And the API version: the
// project's sourceApiVersion is not older than the CLI's current default (the release's API version), and every
// -meta.xml in the package directories says the same version.
const fs = require('node:fs');
const path = require('node:path');
const Ajv = require('ajv');
const { SF_DIR, packageDirs, sourceFiles, rel, salesforceCli } = require('./lib');

const PROJECT_FILE = 'sfdx-project.json';
/** A package (0Ho) or package version (04t) id, 15 or 18 characters. */
const PACKAGING_ID = /^(0Ho|04t)[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/;

/** Salesforce's schemas and current API version, from the CLI in tools/sfcli (installed on first use). */
function cliFacts() {
  salesforceCli();
  const modules = path.join(SF_DIR, 'node_modules', '@salesforce');
  const read = (file) => JSON.parse(fs.readFileSync(path.join(modules, 'schemas', file), 'utf8'));
  const { DEFAULT_API_VERSION } = require(path.join(modules, 'templates', 'lib', 'utils', 'constants.js'));
  return {
    projectSchema: read('sfdx-project.schema.json'),
    scratchSchema: read('project-scratch-def.schema.json'),
    currentApiVersion: DEFAULT_API_VERSION,
  };
}

/** The 1-based line where `"key"` first appears in `text`, for a pointer such as /packageDirectories/0/definitionFile. */
function lineOf(text, pointer) {
  const key = pointer
    .split('/')
    .filter((part) => part && !/^\d+$/.test(part))
    .pop();
  if (!key) return 1;
  const index = text.indexOf(`"${key}"`);
  return index < 0 ? 1 : text.slice(0, index).split('\n').length;
}

function schemaProblems(ajv, schema, file, text, data) {
  const validate = ajv.compile(schema);
  if (validate(data)) return [];
  return validate.errors.map((e) => {
    const at = e.instancePath || '/';
    const detail = e.params?.additionalProperty ?? e.params?.allowedValues?.join(', ') ?? '';
    return {
      file,
      line: lineOf(text, `${at}/${e.params?.additionalProperty ?? ''}`),
      message: `${at} ${e.message}${detail ? ` (${detail})` : ''}`,
    };
  });
}

function readJson(projectDir, file, problems) {
  const full = path.join(projectDir, file);
  if (!fs.existsSync(full)) {
    problems.push({ file, line: 1, message: 'file not found' });
    return null;
  }
  const text = fs.readFileSync(full, 'utf8');
  try {
    return { text, data: JSON.parse(text) };
  } catch (err) {
    problems.push({ file, line: 1, message: `not JSON: ${err.message}` });
    return null;
  }
}

function scratchDefinitionProblems(ajv, schema, file, text, data) {
  const problems = schemaProblems(ajv, schema, file, text, data);
  const known = new Set(Object.keys(schema.properties));
  for (const key of Object.keys(data)) {
    if (!known.has(key)) problems.push({ file, line: lineOf(text, key), message: `unknown key "${key}"` });
  }
  const settings = new Set(Object.keys(schema.definitions.settings.properties));
  for (const key of Object.keys(data.settings ?? {})) {
    if (!settings.has(key)) problems.push({ file, line: lineOf(text, key), message: `unknown settings "${key}"` });
  }
  return problems;
}

const versionNumber = (v) => Number(String(v).split('.')[0]) + Number(String(v).split('.')[1] ?? 0) / 10;

function apiVersionProblems(projectDir, sourceApiVersion, currentApiVersion, text) {
  const problems = [];
  if (!/^\d+\.0$/.test(String(sourceApiVersion))) {
    problems.push({
      file: PROJECT_FILE,
      line: lineOf(text, 'sourceApiVersion'),
      message: 'sourceApiVersion is missing or not like "68.0"',
    });
    return problems;
  }
  if (versionNumber(sourceApiVersion) < versionNumber(currentApiVersion)) {
    problems.push({
      file: PROJECT_FILE,
      line: lineOf(text, 'sourceApiVersion'),
      message: `sourceApiVersion ${sourceApiVersion} is older than the current release's ${currentApiVersion} (the installed Salesforce CLI's default)`,
    });
  }
  for (const file of sourceFiles(projectDir, (name) => name.endsWith('-meta.xml'))) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const m = /<apiVersion>([^<]*)<\/apiVersion>/.exec(line);
      if (m && m[1] !== sourceApiVersion) {
        problems.push({
          file: rel(projectDir, file),
          line: i + 1,
          message: `apiVersion ${m[1]}, but sourceApiVersion is ${sourceApiVersion}`,
        });
      }
    });
  }
  return problems;
}

function run(projectDir) {
  const problems = [];
  const facts = cliFacts();
  const ajv = new Ajv({ allErrors: true, strict: false });
  const project = readJson(projectDir, PROJECT_FILE, problems);
  if (!project) return { gate: 'project', checked: 0, problems };
  problems.push(...schemaProblems(ajv, facts.projectSchema, PROJECT_FILE, project.text, project.data));

  const dirs = project.data.packageDirectories ?? [];
  const unpackaged = new Set(dirs.filter((d) => !d.package).map((d) => d.path));
  const definitions = new Set(
    fs.existsSync(path.join(projectDir, 'config'))
      ? fs
          .readdirSync(path.join(projectDir, 'config'))
          .filter((f) => f.endsWith('scratch-def.json'))
          .map((f) => `config/${f}`)
      : [],
  );
  if (project.data.packageAliases === undefined) {
    problems.push({
      file: PROJECT_FILE,
      line: 1,
      message: 'no packageAliases (sf package create and version create write the ids there)',
    });
  }
  for (const dir of dirs) {
    if (dir.package && !dir.definitionFile) {
      problems.push({
        file: PROJECT_FILE,
        line: lineOf(project.text, 'package'),
        message: `package ${dir.package} has no definitionFile: its versions would be built in an org without the features it needs`,
      });
    }
    if (dir.definitionFile) definitions.add(dir.definitionFile);
    if (dir.unpackagedMetadata && !unpackaged.has(dir.unpackagedMetadata.path)) {
      problems.push({
        file: PROJECT_FILE,
        line: lineOf(project.text, 'unpackagedMetadata'),
        message: `unpackagedMetadata ${dir.unpackagedMetadata.path} must be a package directory of its own, outside any package`,
      });
    }
  }
  for (const [alias, id] of Object.entries(project.data.packageAliases ?? {})) {
    if (!PACKAGING_ID.test(id)) {
      problems.push({
        file: PROJECT_FILE,
        line: lineOf(project.text, alias),
        message: `packageAliases "${alias}" is not a 0Ho or 04t id: ${id}`,
      });
    }
  }
  for (const file of definitions) {
    const definition = readJson(projectDir, file, problems);
    if (definition)
      problems.push(...scratchDefinitionProblems(ajv, facts.scratchSchema, file, definition.text, definition.data));
  }
  if (packageDirs(projectDir).length) {
    problems.push(
      ...apiVersionProblems(projectDir, project.data.sourceApiVersion, facts.currentApiVersion, project.text),
    );
  }
  return { gate: 'project', checked: 1 + definitions.size, problems };
}

module.exports = { run };
