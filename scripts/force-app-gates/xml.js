'use strict';
// Gate 1: every *-meta.xml (and other metadata XML) is well-formed. The Salesforce CLI does not catch this.
const fs = require('node:fs');
const { XMLValidator } = require('fast-xml-parser');
const { sourceFiles, rel } = require('./lib');

function run(projectDir) {
  const files = sourceFiles(projectDir, (name) => name.endsWith('.xml'));
  const problems = [];
  for (const file of files) {
    const verdict = XMLValidator.validate(fs.readFileSync(file, 'utf8'));
    if (verdict !== true) {
      problems.push({ file: rel(projectDir, file), line: verdict.err.line, message: verdict.err.msg });
    }
  }
  return { gate: 'xml', checked: files.length, problems };
}

module.exports = { run };
