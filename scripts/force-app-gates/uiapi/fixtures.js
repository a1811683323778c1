'use strict';
// Replays a wire-adapter fixture through its query: executes the query against the UI API schema with the fixture as
// the data, reading each field by its response key (the alias), as the org's JSON is keyed. An exact fixture comes
// back unchanged; anything else (a key the query does not select, a selected field missing, a value of the wrong
// kind) comes back different or with errors. Used by graphql-fixtures.test.js.
const { executeSync, isScalarType } = require('graphql');
const { buildUiApiSchema } = require('./schema');

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);
const isString = (value) => typeof value === 'string';
/** What the org puts in `value` for each UI API scalar (JSON numbers for numbers, ISO strings for dates). */
const SCALAR_VALUES = {
  Long: Number.isInteger,
  Double: isNumber,
  Currency: isNumber,
  Percent: isNumber,
  Date: (value) => isString(value) && /^\d{4}-\d{2}-\d{2}$/.test(value),
  DateTime: (value) => isString(value) && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(value),
  Time: (value) => isString(value) && /^\d{2}:\d{2}:\d{2}(\.\d{3})?Z?$/.test(value),
};

/** The UI API schema with scalars that refuse a value of the wrong kind (buildSchema's accept anything). */
function strictSchema(projectDir) {
  const schema = buildUiApiSchema(projectDir);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isScalarType(type) || type.astNode === undefined) continue; // built-ins coerce (and so change) on their own
    const accepts = SCALAR_VALUES[type.name] ?? isString;
    type.coerceOutputValue = (value) => {
      if (!accepts(value)) throw new TypeError(`${JSON.stringify(value)} is not a ${type.name} value`);
      return value;
    };
  }
  return schema;
}

/**
 * @param {import('graphql').GraphQLSchema} schema from strictSchema
 * @param {import('graphql').DocumentNode} document the component's query
 * @param {object} fixture the wire's `data` as a test feeds it
 * @returns {{errors: string[], data: object}} the messages of any errors, and the data as JSON would carry it
 */
function replayFixture(schema, document, fixture) {
  const result = executeSync({
    schema,
    document,
    rootValue: fixture,
    fieldResolver: (source, _args, _context, info) => source?.[info.path.key],
  });
  return {
    errors: (result.errors ?? []).map((error) => `${error.path?.join('.') ?? ''}: ${error.message}`),
    data: JSON.parse(JSON.stringify(result.data ?? null)),
  };
}

module.exports = { strictSchema, replayFixture };
