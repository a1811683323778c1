'use strict';
// Gate 3: apex-ls CheckForIssues, the closest offline stand-in for compiling in an org: unknown fields, types and
// methods fail. It reads sfdx-project.json (namespace included) and the objects in force-app.
const { java, rel } = require('./lib');

function run(projectDir) {
  const result = java(['io.github.apexdevtools.apexls.CheckForIssues', '-w', projectDir, '-n', '-f', 'json']);
  // Exit 0 = clean, 4 = issues found; anything else means the tool itself failed.
  if (result.status !== 0 && result.status !== 4) {
    return {
      gate: 'apex-ls',
      problems: [
        { file: 'sfdx-project.json', line: 1, message: `apex-ls failed (${result.status}): ${result.stderr}` },
      ],
    };
  }
  const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
  const problems = report.files.flatMap((entry) =>
    entry.messages.map((m) => ({
      file: rel(projectDir, entry.path),
      line: m.start.line,
      message: `${m.category}: ${m.message}`,
    })),
  );
  if (result.status === 4 && problems.length === 0) {
    problems.push({ file: 'sfdx-project.json', line: 1, message: 'apex-ls reported issues it did not list' });
  }
  return { gate: 'apex-ls', problems };
}

module.exports = { run };
