'use strict';
// The GraphQL fixtures the LWC Jest tests (and the preview) feed the wire adapter must be what an org returns for the
// component's query: `uiapi.query.<Object>.edges[].node`, `{ value }` objects, the aliased (unprefixed) keys and the
// `__r` connections the query selects, nothing more and nothing less. Each fixture is checked by executing the
// component's own query (found in its .js the way the graphql gate finds it) against the UI API schema built from
// force-app, with the fixture as the data source: the result must be the fixture again. A fixture key the query does
// not select, a selected field the fixture lacks, a wrong relationship name or a value of the wrong type fails.
//
// Fixture names: lwc/<component>/__tests__/data/graphql.<operation name>[.<variant>].json; the `errors` variant holds
// the wire's `errors` array instead of data.
const fs = require('node:fs');
const path = require('node:path');
const { getOperationAST, parse } = require('graphql');
const { REPO_ROOT } = require('./lib');
const { replayFixture, strictSchema } = require('./uiapi/fixtures');
const { componentQueries } = require('./graphql');

const LWC = path.join(REPO_ROOT, 'force-app/main/default/lwc');

function fixtureFiles() {
  return fs
    .readdirSync(LWC)
    .map((component) => path.join(LWC, component, '__tests__', 'data'))
    .filter((dir) => fs.existsSync(dir))
    .flatMap((dir) =>
      fs
        .readdirSync(dir)
        .filter((name) => /^graphql\..+\.json$/.test(name))
        .map((name) => path.join(dir, name)),
    )
    .sort();
}

const schema = strictSchema(REPO_ROOT);
const queries = new Map(
  componentQueries(REPO_ROOT).map((query) => {
    const document = parse(query.text);
    return [getOperationAST(document).name.value, { ...query, document }];
  }),
);
const fixtures = fixtureFiles().map((file) => {
  const [, operation, variant] = /^graphql\.([^.]+)(?:\.([^.]+))?\.json$/.exec(path.basename(file));
  return { file, name: path.relative(REPO_ROOT, file), operation, variant };
});

test('there are GraphQL fixtures and component queries to check', () => {
  expect(queries.size).toBeGreaterThan(0);
  expect(fixtures.length).toBeGreaterThan(0);
});

test.each([...queries.keys()])('query %s has a data fixture', (operation) => {
  expect(fixtures.filter((f) => f.operation === operation && f.variant !== 'errors').length).toBeGreaterThan(0);
});

describe.each(fixtures.map((fixture) => [fixture.name, fixture]))('%s', (_name, fixture) => {
  const content = JSON.parse(fs.readFileSync(fixture.file, 'utf8'));

  test('belongs to a query a component runs', () => {
    expect([...queries.keys()]).toContain(fixture.operation);
  });

  if (fixture.variant === 'errors') {
    test('is a GraphQL errors array', () => {
      expect(Array.isArray(content)).toBe(true);
      expect(content.length).toBeGreaterThan(0);
      for (const error of content) expect(typeof error.message).toBe('string');
    });
    return;
  }

  test('is exactly what the org returns for the query', () => {
    const query = queries.get(fixture.operation);
    const result = replayFixture(schema, query.document, content);
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual(content);
  });
});
