'use strict';
// What an org checks when reports, dashboards, report types, list views, apps and tabs are deployed, checked here
// without one (the CLI's conversion only places files). Two sources of truth:
// - the Metadata API's own types, as jsforce ships them (lib/api/metadata/schema.js, generated from the Metadata
//   WSDL): every element must be one the type has, in the type's order, with every required one present;
// - the package's own metadata: a report type's objects and columns, a report's columns, filters and groupings (in
//   the custom-report-type form `Object__c$Field__c`, `Object__c.Children__r$Field__c`), the reports a dashboard
//   shows, the fields of a list view, the tabs of an app.
// Each check returns a list of problems, so the tests can also prove that a bad file would be caught.
const fs = require('node:fs');
const path = require('node:path');
const { XMLParser } = require('fast-xml-parser');
const { ApiSchemas } = require('jsforce/lib/api/metadata/schema');

const ROOT = path.resolve(__dirname, '..', '..');
const APP = path.join(ROOT, 'force-app', 'main', 'default');

// Ordered parse: every element in document order, so element order can be checked against the type.
const ordered = new XMLParser({ ignoreAttributes: true, parseTagValue: false, preserveOrder: true });
const plain = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name) =>
    [
      'columns',
      'criteriaItems',
      'groupingsDown',
      'groupingsAcross',
      'sections',
      'components',
      'filters',
      'tabs',
      'formFactors',
      'values',
    ].includes(name),
});

const read = (file) => fs.readFileSync(file, 'utf8');
const rel = (file) => path.relative(ROOT, file);
const files = (dir, suffix) =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(suffix)) : [];

/** Every way an XML file breaks its Metadata API type: unknown, missing or misordered elements, at any depth. */
function schemaProblems(xml, typeName, where) {
  const [, root] = ordered.parse(xml);
  const problems = [];
  const walk = (nodes, type, at) => {
    const schema = ApiSchemas[type];
    if (!schema) return;
    const props = {};
    for (let t = schema; t; t = ApiSchemas[t.extends]) Object.assign(props, t.props);
    const order = Object.keys(props);
    const seen = [];
    for (const node of nodes) {
      const tag = Object.keys(node).find((k) => k !== ':@');
      if (tag === '#text') continue;
      if (!(tag in props) && tag !== 'fullName') {
        problems.push(`${where}: ${at} has no element <${tag}> (Metadata API ${type})`);
        continue;
      }
      seen.push(tag);
      const spec = props[tag];
      const child = Array.isArray(spec) ? spec[0] : String(spec ?? '').replace(/^\?/, '');
      if (ApiSchemas[child]) walk(node[tag], child, `${at}.${tag}`);
    }
    for (const [prop, spec] of Object.entries(props)) {
      const required = typeof spec === 'string' && !spec.startsWith('?');
      if (required && !seen.includes(prop) && prop !== 'fullName') {
        problems.push(`${where}: ${at} lacks <${prop}> (required by Metadata API ${type})`);
      }
    }
    const positions = seen.filter((t) => t !== 'fullName').map((t) => order.indexOf(t));
    if (positions.some((p, i) => i > 0 && p < positions[i - 1])) {
      problems.push(`${where}: ${at}'s elements are not in the Metadata API order of ${type}`);
    }
  };
  walk(root[typeName] ?? [], typeName, typeName);
  return problems;
}

/** The package's objects: field names and types per object, and each child relationship name → child object. */
function loadSchema() {
  const objects = {};
  const children = {};
  for (const name of fs.readdirSync(path.join(APP, 'objects'))) {
    const fieldsDir = path.join(APP, 'objects', name, 'fields');
    objects[name] = {};
    for (const file of files(fieldsDir, '.field-meta.xml')) {
      const field = plain.parse(read(path.join(fieldsDir, file))).CustomField;
      objects[name][field.fullName] = field;
      if (field.relationshipName && field.referenceTo) {
        children[`${field.referenceTo}.${field.relationshipName}__r`] = name;
      }
    }
  }
  return { objects, children };
}

// Standard fields every object reports on (the report type lists them by these names).
const STANDARD = ['Name', 'Id', 'CreatedDate', 'LastModifiedDate', 'Owner', 'CreatedBy', 'LastModifiedBy'];

/** A report type's tables (`Object__c`, `Object__c.Children__r`) and the columns of each. */
function reportTypeTables(reportType, schema) {
  const tables = { [reportType.baseObject]: reportType.baseObject };
  let table = reportType.baseObject;
  for (let join = reportType.join; join; join = join.join) {
    const child = schema.children[`${tables[table]}.${join.relationship}`];
    const next = `${table}.${join.relationship}`;
    tables[next] = child;
    table = next;
  }
  return tables;
}

function reportTypeProblems(file, schema) {
  const where = rel(file);
  const type = plain.parse(read(file)).ReportType;
  const problems = schemaProblems(read(file), 'ReportType', where);
  if (!schema.objects[type.baseObject] && !['Account', 'Opportunity'].includes(type.baseObject)) {
    problems.push(`${where}: base object ${type.baseObject} is not in the package`);
  }
  const tables = reportTypeTables(type, schema);
  for (const [table, object] of Object.entries(tables)) {
    if (!object) problems.push(`${where}: ${table} is not a child relationship of the package`);
  }
  const columns = {};
  for (const section of type.sections ?? []) {
    for (const column of section.columns ?? []) {
      const object = tables[column.table];
      if (!object) {
        problems.push(`${where}: column ${column.field} is in table ${column.table}, which the report type has not`);
        continue;
      }
      if (!STANDARD.includes(column.field) && !schema.objects[object]?.[column.field]) {
        problems.push(`${where}: ${object} has no field ${column.field}`);
      }
      (columns[column.table] ??= new Set()).add(column.field);
    }
  }
  return { problems, columns };
}

function loadReportTypes(schema) {
  const dir = path.join(APP, 'reportTypes');
  const types = {};
  for (const file of files(dir, '.reportType-meta.xml')) {
    types[path.basename(file, '.reportType-meta.xml')] = reportTypeProblems(path.join(dir, file), schema);
  }
  return types;
}

const DATE_GRANULARITY = ['None', 'Day', 'Week', 'Month', 'Quarter', 'Year', 'FiscalQuarter', 'FiscalYear'];

function reportProblems(file, reportTypes) {
  const where = rel(file);
  const xml = read(file);
  const report = plain.parse(xml).Report;
  const problems = schemaProblems(xml, 'Report', where);
  const typeName = String(report.reportType).replace(/__c$/, '');
  const type = reportTypes[typeName];
  if (!String(report.reportType).endsWith('__c') || !type) {
    return [...problems, `${where}: report type ${report.reportType} is not one of the package's (Name__c)`];
  }
  const known = (column) => {
    const at = column.lastIndexOf('$');
    return at > 0 && type.columns[column.slice(0, at)]?.has(column.slice(at + 1));
  };
  const used = [
    ...(report.columns ?? []).map((c) => ['column', c.field]),
    ...(report.filter?.criteriaItems ?? []).map((c) => ['filter', c.column]),
    ...(report.groupingsDown ?? []).map((g) => ['grouping', g.field]),
    ...(report.groupingsAcross ?? []).map((g) => ['grouping', g.field]),
    ...(report.sortColumn ? [['sort column', report.sortColumn]] : []),
    ...(report.timeFrameFilter ? [['date column', report.timeFrameFilter.dateColumn]] : []),
  ];
  for (const [what, column] of used) {
    if (!known(column)) problems.push(`${where}: ${what} ${column} is not a column of report type ${typeName}`);
  }
  for (const grouping of [...(report.groupingsDown ?? []), ...(report.groupingsAcross ?? [])]) {
    if (!DATE_GRANULARITY.includes(grouping.dateGranularity)) {
      problems.push(`${where}: grouping ${grouping.field} has dateGranularity ${grouping.dateGranularity}`);
    }
  }
  if (report.format === 'Summary' && (report.groupingsDown ?? []).length === 0) {
    problems.push(`${where}: a Summary report needs a grouping (and a dashboard needs one to chart it)`);
  }
  return problems;
}

/** Every problem with the package's report types, reports, dashboards, list views, app and tabs. */
function analyticsProblems() {
  const schema = loadSchema();
  const reportTypes = loadReportTypes(schema);
  const problems = Object.values(reportTypes).flatMap((t) => t.problems);
  const reportsDir = path.join(APP, 'reports');
  const reports = new Set();
  for (const file of files(reportsDir, '.reportFolder-meta.xml')) {
    problems.push(
      ...schemaProblems(read(path.join(reportsDir, file)), 'ReportFolder', rel(path.join(reportsDir, file))),
    );
  }
  for (const file of files(reportsDir, '.report-meta.xml')) {
    const folder = path.dirname(file);
    if (!fs.existsSync(path.join(reportsDir, `${folder}.reportFolder-meta.xml`))) {
      problems.push(`${rel(path.join(reportsDir, file))}: its folder ${folder} has no ${folder}.reportFolder-meta.xml`);
    }
    reports.add(`${folder}/${path.basename(file, '.report-meta.xml')}`);
    problems.push(...reportProblems(path.join(reportsDir, file), reportTypes));
  }
  const dashboardsDir = path.join(APP, 'dashboards');
  for (const file of files(dashboardsDir, '-meta.xml')) {
    const full = path.join(dashboardsDir, file);
    const xml = read(full);
    if (file.endsWith('.dashboardFolder-meta.xml')) {
      problems.push(...schemaProblems(xml, 'DashboardFolder', rel(full)));
      continue;
    }
    problems.push(...schemaProblems(xml, 'Dashboard', rel(full)));
    const dashboard = plain.parse(xml).Dashboard;
    for (const section of ['leftSection', 'middleSection', 'rightSection']) {
      for (const component of dashboard[section]?.components ?? []) {
        if (!reports.has(component.report))
          problems.push(`${rel(full)}: shows ${component.report}, not a package report`);
      }
    }
    if (dashboard.dashboardType === 'SpecifiedUser') {
      problems.push(`${rel(full)}: a packaged dashboard cannot name a running user; use LoggedInUser`);
    }
  }
  for (const object of Object.keys(schema.objects)) {
    const dir = path.join(APP, 'objects', object, 'listViews');
    for (const file of files(dir, '.listView-meta.xml')) {
      const full = path.join(dir, file);
      problems.push(...schemaProblems(read(full), 'ListView', rel(full)));
      const view = plain.parse(read(full)).ListView;
      for (const name of [...(view.columns ?? []), ...(view.filters ?? []).map((f) => f.field)]) {
        if (name !== 'NAME' && !schema.objects[object][name])
          problems.push(`${rel(full)}: ${object} has no field ${name}`);
      }
      for (const filter of view.filters ?? []) {
        const values = schema.objects[object][filter.field]?.valueSet?.valueSetDefinition?.value?.map(
          (v) => v.fullName,
        );
        // A picklist filter may name several values, comma-separated (any of them).
        for (const value of values ? String(filter.value).split(',') : []) {
          if (!values.includes(value))
            problems.push(`${rel(full)}: ${value} is not a value of ${object}.${filter.field}`);
        }
      }
    }
    const rulesDir = path.join(APP, 'objects', object, 'validationRules');
    for (const file of files(rulesDir, '.validationRule-meta.xml')) {
      problems.push(
        ...schemaProblems(read(path.join(rulesDir, file)), 'ValidationRule', rel(path.join(rulesDir, file))),
      );
    }
  }
  const tabs = new Set(files(path.join(APP, 'tabs'), '.tab-meta.xml').map((f) => path.basename(f, '.tab-meta.xml')));
  for (const file of files(path.join(APP, 'tabs'), '.tab-meta.xml')) {
    const full = path.join(APP, 'tabs', file);
    problems.push(...schemaProblems(read(full), 'CustomTab', rel(full)));
  }
  for (const file of files(path.join(APP, 'applications'), '.app-meta.xml')) {
    const full = path.join(APP, 'applications', file);
    problems.push(...schemaProblems(read(full), 'CustomApplication', rel(full)));
    for (const tab of plain.parse(read(full)).CustomApplication.tabs ?? []) {
      if (!tab.startsWith('standard-') && !tabs.has(tab)) problems.push(`${rel(full)}: tab ${tab} does not exist`);
    }
  }
  return problems;
}

module.exports = { analyticsProblems, schemaProblems, reportProblems, loadSchema, loadReportTypes };
