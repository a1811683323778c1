'use strict';
// Gate 5: `sf project convert source` (the Salesforce CLI, offline) succeeds, and its package.xml lists every
// component in the source, so nothing is silently left out of the package.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { XMLParser } = require('fast-xml-parser');
const { packageDirs, walk, rel, salesforceCli } = require('./lib');

const QUIET_CLI = { SF_DISABLE_TELEMETRY: 'true', SF_AUTOUPDATE_DISABLE: 'true', SF_SKIP_NEW_VERSION_CHECK: 'true' };

// Source folder -> [metadata type, how a file name becomes a member name]. Bundles (lwc) count once per folder.
const byFile = (suffix) => (file) => (file.endsWith(suffix) ? path.basename(file, suffix) : null);
const FOLDERS = {
  classes: ['ApexClass', byFile('.cls')],
  triggers: ['ApexTrigger', byFile('.trigger')],
  permissionsets: ['PermissionSet', byFile('.permissionset-meta.xml')],
  customMetadata: ['CustomMetadata', byFile('.md-meta.xml')],
  flexipages: ['FlexiPage', byFile('.flexipage-meta.xml')],
  approvalProcesses: ['ApprovalProcess', byFile('.approvalProcess-meta.xml')],
  quickActions: ['QuickAction', byFile('.quickAction-meta.xml')],
  tabs: ['CustomTab', byFile('.tab-meta.xml')],
  layouts: ['Layout', byFile('.layout-meta.xml')],
  applications: ['CustomApplication', byFile('.app-meta.xml')],
  connectedApps: ['ConnectedApp', byFile('.connectedApp-meta.xml')],
  externalClientApps: ['ExternalClientApplication', byFile('.eca-meta.xml')],
  extlClntAppOauthSettings: ['ExtlClntAppOauthSettings', byFile('.ecaOauth-meta.xml')],
  email: ['EmailTemplate', null],
  reportTypes: ['ReportType', byFile('.reportType-meta.xml')],
};
// Folders of reports and dashboards: the folder (its `<name>.<kind>Folder-meta.xml` beside the directory) is listed as
// `<name>/` (the CLI marks folders with a slash) and each item inside as `<folder>/<item>`, both under one type.
const IN_FOLDERS = { reports: ['Report', '.report-meta.xml'], dashboards: ['Dashboard', '.dashboard-meta.xml'] };
// Children of an object folder listed as `<Object>.<name>`.
const OBJECT_CHILDREN = {
  fields: ['CustomField', '.field-meta.xml'],
  listViews: ['ListView', '.listView-meta.xml'],
  validationRules: ['ValidationRule', '.validationRule-meta.xml'],
};

/** The components the source holds, as "Type:Member" strings. */
function expectedComponents(projectDir) {
  const expected = new Set();
  for (const dir of packageDirs(projectDir)) {
    for (const file of walk(dir, () => true)) {
      const parts = path.relative(dir, file).split(path.sep);
      const folderIndex = parts.findIndex((p) => p === 'objects' || p === 'lwc' || p in FOLDERS || p in IN_FOLDERS);
      if (folderIndex < 0) continue;
      const folder = parts[folderIndex];
      const rest = parts.slice(folderIndex + 1);
      if (folder === 'lwc' && rest.length >= 2) expected.add(`LightningComponentBundle:${rest[0]}`);
      else if (folder === 'objects' && rest.length === 2 && rest[1].endsWith('.object-meta.xml')) {
        expected.add(`CustomObject:${rest[0]}`);
      } else if (folder === 'objects' && rest.length === 3 && OBJECT_CHILDREN[rest[1]]) {
        const [type, suffix] = OBJECT_CHILDREN[rest[1]];
        expected.add(`${type}:${rest[0]}.${path.basename(rest[2], suffix)}`);
      } else if (folder in IN_FOLDERS) {
        const [type, suffix] = IN_FOLDERS[folder];
        const folderMeta = /^(.+)\.(report|dashboard)Folder-meta\.xml$/.exec(rest[0]);
        if (rest.length === 1 && folderMeta) expected.add(`${type}:${folderMeta[1]}/`);
        else if (rest.length === 2 && rest[1].endsWith(suffix))
          expected.add(`${type}:${rest[0]}/${path.basename(rest[1], suffix)}`);
      } else if (FOLDERS[folder]?.[1]) {
        const member = FOLDERS[folder][1](file);
        if (member) expected.add(`${FOLDERS[folder][0]}:${member}`);
      }
    }
  }
  return expected;
}

function listedComponents(packageXml) {
  const parsed = new XMLParser({ isArray: (name) => name === 'types' || name === 'members' }).parse(packageXml);
  const listed = new Set();
  for (const type of parsed.Package.types ?? []) {
    for (const member of type.members) listed.add(`${type.name}:${member}`);
  }
  return listed;
}

function run(projectDir) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ldgr-convert-'));
  try {
    // --source-dir may repeat (--root-dir may not), so every package directory that exists is converted in one run.
    const dirs = packageDirs(projectDir)
      .filter((dir) => fs.existsSync(dir))
      .flatMap((dir) => ['--source-dir', rel(projectDir, dir)]);
    const result = spawnSync(
      salesforceCli(),
      ['project', 'convert', 'source', ...dirs, '--output-dir', out, '--json'],
      {
        cwd: projectDir,
        encoding: 'utf8',
        env: { ...process.env, ...QUIET_CLI },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    let report;
    try {
      report = JSON.parse(result.stdout);
    } catch {
      report = { status: result.status ?? 1, message: (result.stderr || result.stdout || 'no output').trim() };
    }
    if (report.status !== 0) {
      const file = /(\/\S+?):\s/.exec(report.message ?? '')?.[1];
      const where = file ? rel(projectDir, file) : 'sfdx-project.json';
      return {
        gate: 'convert',
        problems: [{ file: where, line: 1, message: `sf project convert source: ${report.message}` }],
      };
    }
    const listed = listedComponents(fs.readFileSync(path.join(out, 'package.xml'), 'utf8'));
    const problems = [...expectedComponents(projectDir)]
      .filter((component) => !listed.has(component))
      .map((component) => ({ file: 'package.xml', line: 1, message: `converted package is missing ${component}` }));
    return { gate: 'convert', checked: listed.size, problems };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

module.exports = { run, expectedComponents };
