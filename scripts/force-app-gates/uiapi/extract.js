'use strict';
// Finds every gql`…` tagged template in a JavaScript source and says where its text starts, so a problem found in the
// query can be reported at its line in the .js file. A template with `${…}` cannot be checked offline (its text is
// only known at run time), so its interpolations are returned for the gate to report.

/**
 * @param {string} source a JavaScript file
 * @returns {Array<{text: string, line: number, column: number, interpolations: number[]}>} each template's text
 *   (interpolations blanked out), the 1-based line and column where the text starts, and the lines of any `${`
 */
function extractGqlTemplates(source) {
  const templates = [];
  const tag = /\bgql\s*`/g;
  let match;
  while ((match = tag.exec(source)) !== null) {
    const start = match.index + match[0].length;
    const before = source.slice(0, start);
    const line = before.split('\n').length;
    const column = start - before.lastIndexOf('\n');
    let text = '';
    const interpolations = [];
    let i = start;
    for (; i < source.length && source[i] !== '`'; i += 1) {
      if (source[i] === '\\') {
        text += source[i] + (source[i + 1] ?? '');
        i += 1;
      } else if (source[i] === '$' && source[i + 1] === '{') {
        interpolations.push(line + text.split('\n').length - 1);
        let depth = 0;
        for (; i < source.length; i += 1) {
          if (source[i] === '{') depth += 1;
          else if (source[i] === '}' && --depth === 0) break;
          text += source[i] === '\n' ? '\n' : ' ';
        }
        text += ' ';
      } else {
        text += source[i];
      }
    }
    if (i >= source.length) throw new Error(`gql template at line ${line} is never closed`);
    templates.push({ text, line, column, interpolations });
    tag.lastIndex = i + 1;
  }
  return templates;
}

/** A position inside a template (1-based line and column of the template text) as a position in the file. */
function filePosition(template, { line, column }) {
  return { line: template.line + line - 1, column: line === 1 ? template.column + column - 1 : column };
}

module.exports = { extractGqlTemplates, filePosition };
