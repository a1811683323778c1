'use strict';
// Gate 2: every .cls and .trigger parses. Errors are counted from the listener: the parser's own status stays 0.
const fs = require('node:fs');
const { ApexParserFactory, ApexErrorListener } = require('@apexdevtools/apex-parser');
const { sourceFiles, rel } = require('./lib');

class CollectingListener extends ApexErrorListener {
  constructor() {
    super();
    this.errors = [];
  }

  apexSyntaxError(line, column, message) {
    this.errors.push({ line, column, message });
  }
}

function run(projectDir) {
  const files = sourceFiles(projectDir, (name) => name.endsWith('.cls') || name.endsWith('.trigger'));
  const problems = [];
  for (const file of files) {
    const listener = new CollectingListener();
    const { parser } = ApexParserFactory.createLexerAndParser(fs.readFileSync(file, 'utf8'), listener);
    if (file.endsWith('.trigger')) parser.triggerUnit();
    else parser.compilationUnit();
    for (const error of listener.errors) {
      problems.push({ file: rel(projectDir, file), line: error.line, message: `syntax: ${error.message}` });
    }
  }
  return { gate: 'apex-parse', checked: files.length, problems };
}

module.exports = { run };
