'use strict';
// Checks one GraphQL query the way an org would: first every GraphQL spec rule against the UI API schema (graphql-js
// `validate`), then the wire adapter's and the managed package's own rules, which no spec rule covers
// (numbers as in shared/reference/salesforce-graphql.md):
//   [9]  one level of child relationships: a child connection inside another child connection is refused;
//   [7]  at most 5 parent relationships chained;
//   [18] every own-namespace custom object, field and relationship is aliased to its unprefixed name, because the
//        platform prefixes it in the package and the response key would change with it;
//   [19] no variables in @skip / @include;
//   [12] a string literal a `where` compares a custom picklist with is one of the field's values (the scalars accept
//        any literal [16], and in an org a value the picklist does not have matches nothing, silently);
//   [20] `first` at most 2000, the most records a query or subquery returns.
const {
  GraphQLError,
  Kind,
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  parse,
  validate,
} = require('graphql');

const MAX_PARENT_DEPTH = 5;
const MAX_FIRST = 2000;
// Picklist operators whose operands are values (like takes a pattern); for multi-select picklists, `a;b` is a set.
const PICKLIST_OPERATORS = {
  PicklistOperators: ['eq', 'ne', 'lt', 'gt', 'lte', 'gte', 'in', 'nin'],
  MultiPicklistOperators: ['eq', 'ne', 'includes', 'excludes'],
};

const isRecordType = (type) => isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Record');
const isConnectionType = (type) => isObjectType(type) && type.name.endsWith('Connection') && !!type.getFields().edges;

/**
 * The unprefixed form of an own-namespace custom name (`ldgr__Total__c` or `Total__c` → `Total__c`), or null for a
 * standard name or one from another namespace.
 */
function ownCustomName(name, namespace) {
  const parts = name.split('__');
  if (!/^[cr]$/.test(parts.at(-1))) return null;
  if (parts.length === 2) return name;
  if (parts.length === 3 && namespace && parts[0] === namespace) return parts.slice(1).join('__');
  return null;
}

function at(node, message) {
  const { line, column } = node.loc.startToken;
  return { line, column, message };
}

/**
 * @param {import('graphql').GraphQLSchema} schema the UI API schema
 * @param {string} text the query
 * @param {string} namespace the package namespace ('' when none)
 * @returns {Array<{line: number, column: number, message: string}>} positions inside `text`
 */
function checkQuery(schema, text, namespace) {
  let document;
  try {
    document = parse(text);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const [{ line, column } = { line: 1, column: 1 }] = error.locations ?? [];
    return [{ line, column, message: error.message }];
  }
  const problems = validate(schema, document).map((error) => {
    const [{ line, column } = { line: 1, column: 1 }] = error.locations ?? [];
    return { line, column, message: error.message };
  });

  const fragments = new Map(
    document.definitions
      .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const reported = new Set(); // a fragment spread twice reports its problems once
  const report = (problem) => {
    const key = `${problem.line}:${problem.column}:${problem.message}`;
    if (!reported.has(key)) {
      reported.add(key);
      problems.push(problem);
    }
  };

  function checkDirectives(node) {
    for (const directive of node.directives ?? []) {
      if (!['skip', 'include'].includes(directive.name.value)) continue;
      const condition = directive.arguments?.find((argument) => argument.name.value === 'if');
      if (condition?.value.kind === Kind.VARIABLE) {
        report(
          at(
            directive,
            `@${directive.name.value}(if: $${condition.value.name.value}): the GraphQL wire adapter does not support ` +
              'variables in @skip or @include; use a literal or select the field unconditionally',
          ),
        );
      }
    }
  }

  function checkAlias(field) {
    const name = field.name.value;
    const unprefixed = ownCustomName(name, namespace);
    if (!unprefixed || field.alias?.value === unprefixed) return;
    const fix = `${unprefixed}: ${name}`;
    report(
      at(
        field,
        field.alias
          ? `${name} is aliased "${field.alias.value}"; alias it to its unprefixed name (${fix}) so the code reads ` +
              'one spelling in every org'
          : `${name} needs an alias (${fix}): in the package the platform prefixes it ` +
              `(${namespace || '<ns>'}__${unprefixed}) and the response key changes with it`,
      ),
    );
  }

  const picklists = schema.extensions?.picklists ?? new Map();

  /** The string literals of a picklist field's operators that are none of its values. */
  function checkPicklist(operators, operatorType, objectName, fieldName) {
    const values = picklists.get(objectName)?.get(fieldName);
    if (!values || operators.kind !== Kind.OBJECT) return;
    const known = new Set(values.map((v) => v.toLowerCase())); // string comparisons are case-insensitive [12]
    for (const operator of operators.fields) {
      if (!PICKLIST_OPERATORS[operatorType].includes(operator.name.value)) continue;
      const literals = operator.value.kind === Kind.LIST ? operator.value.values : [operator.value];
      for (const literal of literals.filter((l) => l.kind === Kind.STRING)) {
        const parts = operatorType === 'MultiPicklistOperators' ? literal.value.split(';') : [literal.value];
        for (const value of parts.filter((p) => !known.has(p.toLowerCase()))) {
          report(
            at(
              literal,
              `${objectName}.${ownCustomName(fieldName, namespace) ?? fieldName} has no picklist value "${value}" ` +
                `(values: ${values.join(', ')}); the filter would match nothing in an org`,
            ),
          );
        }
      }
    }
  }

  /** A `where` value against its <Object>_Filter type: and/or/not, parent filters, picklist operators. */
  function checkFilter(node, filterType) {
    if (node.kind === Kind.LIST) {
      for (const item of node.values) checkFilter(item, filterType);
      return;
    }
    if (node.kind !== Kind.OBJECT || !isInputObjectType(filterType)) return; // variables; validate() did the rest
    const objectName = filterType.name.replace(/_Filter$/, '');
    for (const field of node.fields) {
      const definition = filterType.getFields()[field.name.value];
      const type = definition && getNamedType(definition.type);
      if (!type) continue;
      if (type.name.endsWith('_Filter')) checkFilter(field.value, type);
      else if (PICKLIST_OPERATORS[type.name]) checkPicklist(field.value, type.name, objectName, field.name.value);
    }
  }

  function checkArguments(field, definition) {
    for (const argument of field.arguments ?? []) {
      const name = argument.name.value;
      const argumentDefinition = definition.args.find((a) => a.name === name);
      if (!argumentDefinition) continue;
      if (name === 'where') checkFilter(argument.value, getNamedType(argumentDefinition.type));
      if (name === 'first' && argument.value.kind === Kind.INT && Number(argument.value.value) > MAX_FIRST) {
        report(
          at(
            argument.value,
            `first: ${argument.value.value} is more than the ${MAX_FIRST} records a query returns; page with ` +
              'after and pageInfo.endCursor',
          ),
        );
      }
    }
  }

  /** ctx: the child connection we are inside (or null) and how many parent relationships led here. */
  function walk(selectionSet, type, ctx, spreading) {
    for (const selection of selectionSet.selections) {
      checkDirectives(selection);
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || spreading.has(fragment.name.value)) continue; // validate() reports unknown and cyclic ones
        checkDirectives(fragment);
        const on = schema.getType(fragment.typeCondition.name.value);
        walk(fragment.selectionSet, on, ctx, new Set([...spreading, fragment.name.value]));
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        walk(selection.selectionSet, on, ctx, spreading);
        continue;
      }
      checkAlias(selection);
      const definition = isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : null;
      if (definition) checkArguments(selection, definition);
      if (!selection.selectionSet) continue;
      const fieldType = definition ? getNamedType(definition.type) : null; // unknown: validate() said so; aliases still checked
      let next = ctx;
      if (isRecordType(type) && isConnectionType(fieldType)) {
        if (ctx.child) {
          report(
            at(
              selection,
              `child relationship ${selection.name.value} is inside child relationship ${ctx.child}: the GraphQL ` +
                'wire adapter allows one level of child relationships; query ' +
                `${fieldType.name.replace(/Connection$/, '')} separately`,
            ),
          );
        }
        next = { child: selection.name.value, parents: 0 };
      } else if (isRecordType(type) && isRecordType(fieldType)) {
        next = { ...ctx, parents: ctx.parents + 1 };
        if (next.parents > MAX_PARENT_DEPTH) {
          report(
            at(
              selection,
              `parent relationship ${selection.name.value} is ${next.parents} levels deep; at most ` +
                `${MAX_PARENT_DEPTH} are allowed`,
            ),
          );
        }
      } else if (!isRecordType(type) && isConnectionType(fieldType)) {
        next = { child: null, parents: 0 }; // a top-level object under uiapi.query
      }
      walk(selection.selectionSet, fieldType, next, spreading);
    }
  }

  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    checkDirectives(definition);
    const root = schema.getRootType(definition.operation);
    if (root) walk(definition.selectionSet, root, { child: null, parents: 0 }, new Set());
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

module.exports = { checkQuery, ownCustomName };
