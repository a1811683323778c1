'use strict';
// Gate 4: PMD 7 (from the code analyzer's jars) with the security, best-practice, error-prone and performance
// categories. Zero violations, and every suppression carries a written reason.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { java, sourceFiles, rel } = require('./lib');

const RULESET = path.join(__dirname, 'pmd-ruleset.xml');

// A suppression counts as explained when a comment with words stands on its line or the line above.
const SUPPRESSION = /@SuppressWarnings\s*\(\s*'PMD|\/\/\s*NOPMD/i;
const REASON = /\/\/\s*(NOPMD\s*)?[^\s/].{8,}|\/\*.{10,}/;

function unexplainedSuppressions(projectDir, file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const problems = [];
  lines.forEach((line, index) => {
    if (!SUPPRESSION.test(line)) return;
    const explained = REASON.test(line.replace(/\/\/\s*NOPMD\s*$/i, '')) || REASON.test(lines[index - 1] ?? '');
    if (!explained) {
      problems.push({
        file: rel(projectDir, file),
        line: index + 1,
        message: 'PMD suppression without a written reason (add a comment saying why)',
      });
    }
  });
  return problems;
}

function run(projectDir) {
  const files = sourceFiles(projectDir, (name) => name.endsWith('.cls') || name.endsWith('.trigger'));
  if (files.length === 0) return { gate: 'pmd', checked: 0, problems: [] };

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ldgr-pmd-'));
  const input = path.join(work, 'in.json');
  const output = path.join(work, 'out.json');
  fs.writeFileSync(
    input,
    JSON.stringify({ ruleSetInputFile: RULESET, runDataPerLanguage: { apex: { filesToScan: files } } }),
  );
  try {
    const result = java(['com.salesforce.sfca.pmdwrapper.PmdWrapper', 'run', input, output]);
    if (result.status !== 0 || !fs.existsSync(output)) {
      return {
        gate: 'pmd',
        problems: [
          { file: rel(projectDir, RULESET), line: 1, message: `PMD failed: ${result.stderr || result.stdout}` },
        ],
      };
    }
    const report = JSON.parse(fs.readFileSync(output, 'utf8'));
    const problems = [
      ...report.violations.map((v) => ({
        file: rel(projectDir, v.codeLocation.file),
        line: v.codeLocation.startLine,
        message: `${v.rule}: ${v.message.trim()}`,
      })),
      ...report.processingErrors.map((e) => ({
        file: rel(projectDir, e.file ?? RULESET),
        line: 1,
        message: `PMD could not process: ${e.message ?? JSON.stringify(e)}`,
      })),
      ...files.flatMap((file) => unexplainedSuppressions(projectDir, file)),
    ];
    return { gate: 'pmd', checked: files.length, problems };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

module.exports = { run };
