import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { skipUnlessCi } from '../shared/missing-input';
import type { CallRecord } from './call-log';

// Xero's OpenAPI descriptions are vendored beside this file (MIT; openapi/README.md says where from), so the check
// runs on every clone. XERO_OPENAPI_DIR points it at another copy (e.g. a newer spec).
export const VENDORED_SPEC_DIR = path.join(__dirname, 'openapi');
export const SPEC_FILE = path.join(process.env.XERO_OPENAPI_DIR ?? VENDORED_SPEC_DIR, 'xero_accounting.yaml');
const API_PREFIX = '/api.xro/2.0';

type JsonSchemaRef = { $ref: string };
interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  params: number;
  request?: JsonSchemaRef;
  responses: Record<string, JsonSchemaRef | undefined>;
}
interface Spec {
  paths: Record<string, Record<string, unknown>>;
}

function jsonSchema(content: unknown): JsonSchemaRef | undefined {
  const schema = (content as { 'application/json'?: { schema?: JsonSchemaRef } } | undefined)?.['application/json']
    ?.schema;
  return schema?.$ref ? schema : undefined;
}

/** Every operation with a matcher for concrete paths; literal segments win over templates. */
function operations(spec: Spec): Operation[] {
  const out: Operation[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const method of ['get', 'put', 'post', 'delete']) {
      const op = item[method] as
        { requestBody?: { content?: unknown }; responses?: Record<string, { content?: unknown }> } | undefined;
      if (!op) continue;
      const responses: Operation['responses'] = {};
      for (const [status, response] of Object.entries(op.responses ?? {}))
        responses[status] = jsonSchema(response.content);
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
      out.push({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`, 'i'),
        params: (template.match(/\{/g) ?? []).length,
        request: jsonSchema(op.requestBody?.content),
        responses,
      });
    }
  }
  return out.sort((a, b) => a.params - b.params);
}

/**
 * swagger-parser (ESM inside) runs in a child Node process because Jest's CommonJS runtime cannot load
 * it: parse the YAML, drop the known defect (a sibling `type` next to the $ref in
 * paths./Accounts.parameters[0]), validate the spec, print it as JSON.
 */
const LOAD_SPEC = `
const SwaggerParser = require('@apidevtools/swagger-parser');
(async () => {
  const spec = await SwaggerParser.parse(process.argv[1]);
  const first = spec.paths['/Accounts'] && spec.paths['/Accounts'].parameters && spec.paths['/Accounts'].parameters[0];
  if (first && first.$ref) delete first.type;
  await SwaggerParser.validate(structuredClone(spec));
  process.stdout.write(JSON.stringify(spec));
})().catch((err) => { process.stderr.write(String(err && err.message)); process.exit(1); });
`;

/** The validated spec as JSON, cached in the temp dir per spec version so each test file pays once. */
function loadSpec(file: string): Spec {
  const stat = statSync(file);
  const key = createHash('sha256').update(`${file}:${stat.size}:${stat.mtimeMs}`).digest('hex').slice(0, 16);
  const cache = path.join(tmpdir(), `ledgerline-xero-openapi-${key}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as Spec;
  const out = execFileSync(process.execPath, ['-e', LOAD_SPEC, file], {
    cwd: __dirname,
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  const partial = `${cache}.${process.pid}`;
  writeFileSync(partial, out);
  renameSync(partial, cache);
  return JSON.parse(out) as Spec;
}

export interface ConformanceReport {
  problems: string[];
  /** Bodies validated. */
  checked: number;
  /** Operations exercised, e.g. `PUT /Invoices`. */
  covered: Set<string>;
}

export interface ConformanceChecker {
  validator(ref: string): ValidateFunction;
  check(calls: readonly CallRecord[]): ConformanceReport;
}

/**
 * A checker over the Xero Accounting spec. A missing spec fails in CI (`CI=true`) and is skipped loudly elsewhere
 * (`skipUnlessCi`); the result then says why.
 */
export function openApiChecker(
  options: { specFile?: string; env?: Record<string, string | undefined> } = {},
): ConformanceChecker | { skipped: string } {
  const file = options.specFile ?? SPEC_FILE;
  if (!existsSync(file))
    return skipUnlessCi(`the Xero OpenAPI conformance check has no spec: ${file} does not exist`, options.env);
  const spec = loadSpec(file);
  const ops = operations(spec);
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(spec as object, 'xero-accounting');
  const validators = new Map<string, ValidateFunction>();
  const validator = (ref: string) => {
    let fn = validators.get(ref);
    if (!fn) {
      fn = ajv.getSchema(`xero-accounting${ref}`);
      if (!fn) throw new Error(`no schema ${ref} in the spec`);
      validators.set(ref, fn);
    }
    return fn;
  };
  return {
    validator,
    check(calls) {
      const report: ConformanceReport = { problems: [], checked: 0, covered: new Set() };
      const validate = (
        call: CallRecord,
        where: 'request' | 'response',
        ref: JsonSchemaRef | undefined,
        body: unknown,
      ) => {
        if (!ref || body === undefined || body === null || body === '') return;
        const fn = validator(ref.$ref);
        report.checked++;
        if (!fn(body)) {
          const detail = (fn.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
          report.problems.push(
            `${call.method} ${call.path} ${where} (${call.status}) vs ${ref.$ref}: ${detail.join('; ')}`,
          );
        }
      };
      for (const call of calls) {
        if (!call.path.startsWith(API_PREFIX) || call.outcome !== 'answered') continue;
        const local = call.path.slice(API_PREFIX.length);
        const op = ops.find((o) => o.method === call.method && o.pattern.test(local));
        if (!op) {
          // Unknown paths answer 404 like Xero; anything else is an emulator route the spec does not have.
          if (call.status !== 404) report.problems.push(`${call.method} ${call.path}: no operation in the spec`);
          continue;
        }
        report.covered.add(`${op.method} ${op.template}`);
        if (call.method !== 'GET') validate(call, 'request', op.request, call.requestBody);
        validate(call, 'response', op.responses[String(call.status)], call.responseBody);
      }
      return report;
    },
  };
}
