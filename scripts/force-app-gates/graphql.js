'use strict';
// Gate 6: every GraphQL query in every LWC runs in a namespaced org. There is no org here and no GraphQL in the
// Salesforce emulator, so the gate builds the UI API schema from force-app (uiapi/schema.js), finds every gql`…`
// template in the components' JavaScript (not their Jest tests), validates each with graphql-js against that schema
// (all spec rules), then applies the wire adapter's and the package's own rules (uiapi/rules.js). A query with a
// `${…}` interpolation cannot be checked, and says so.
const fs = require('node:fs');
const path = require('node:path');
const { sourceFiles, rel } = require('./lib');
const { buildUiApiSchema, projectNamespace } = require('./uiapi/schema');
const { extractGqlTemplates, filePosition } = require('./uiapi/extract');
const { checkQuery } = require('./uiapi/rules');

/** Every LWC JavaScript file (sourceFiles already leaves out __tests__). */
function componentScripts(projectDir) {
  return sourceFiles(projectDir, (name) => name.endsWith('.js')).filter((file) =>
    path.dirname(path.dirname(file)).split(path.sep).includes('lwc'),
  );
}

/** Every gql template in the project's components, with the file it is in. */
function componentQueries(projectDir) {
  return componentScripts(projectDir).flatMap((file) =>
    extractGqlTemplates(fs.readFileSync(file, 'utf8')).map((template) => ({ file, ...template })),
  );
}

function run(projectDir) {
  const schema = buildUiApiSchema(projectDir);
  const namespace = projectNamespace(projectDir);
  const queries = componentQueries(projectDir);
  const problems = [];
  for (const query of queries) {
    const file = rel(projectDir, query.file);
    if (query.interpolations.length > 0) {
      for (const line of query.interpolations) {
        problems.push({
          file,
          line,
          message: 'gql template with a ${…} interpolation cannot be checked offline; write the query out in full',
        });
      }
      continue;
    }
    for (const problem of checkQuery(schema, query.text, namespace)) {
      const { line, column } = filePosition(query, problem);
      problems.push({ file, line, message: `${problem.message} (column ${column})` });
    }
  }
  return { gate: 'graphql', checked: queries.length, problems };
}

module.exports = { run, componentQueries };
