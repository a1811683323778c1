import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { CreditNote, CurrencyCode, Invoice } from 'xero-node';
import type { CallRecord } from './call-log';
import type { Harness } from './test-helpers';
import { failure, startHarness, UK, US } from './test-helpers';

// The vendored specs live beside the repository, never inside it.
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const specDir = process.env.XERO_OPENAPI_DIR ?? path.resolve(repoRoot, '..', 'shared', 'reference', 'xero-openapi');
const specFile = path.join(specDir, 'xero_accounting.yaml');
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
  paths: Record<string, Record<string, unknown> & { parameters?: Record<string, unknown>[] }>;
}

function jsonSchema(content: unknown): JsonSchemaRef | undefined {
  const schema = (content as { 'application/json'?: { schema?: JsonSchemaRef } } | undefined)?.['application/json']
    ?.schema;
  return schema?.$ref ? schema : undefined;
}

/** Every operation of the spec with a matcher for concrete paths (literal segments win over templates). */
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
 * swagger-parser (ESM inside) runs in a child Node process, because Jest's CommonJS runtime cannot load
 * it: parse the YAML, drop the known defect (a sibling `type` next to the $ref in
 * paths./Accounts.parameters[0]), validate the spec, and hand the document back as JSON.
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

function loadSpec(file: string): Spec {
  const out = execFileSync(process.execPath, ['-e', LOAD_SPEC, file], {
    cwd: __dirname,
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  return JSON.parse(out) as Spec;
}

describe('xero emulator: conformance with the Xero Accounting OpenAPI spec', () => {
  const present = existsSync(specFile);
  let h: Harness;
  let ajv: Ajv;
  let ops: Operation[];
  const validators = new Map<string, ValidateFunction>();
  const validator = (ref: string) => {
    let fn = validators.get(ref);
    if (!fn) {
      fn = ajv.getSchema(`xero-accounting${ref}`) as ValidateFunction;
      if (!fn) throw new Error(`no schema ${ref}`);
      validators.set(ref, fn);
    }
    return fn;
  };

  beforeAll(async () => {
    if (!present) return;
    const spec = loadSpec(specFile);
    ops = operations(spec);
    ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema(spec as object, 'xero-accounting');
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    if (h) await h.close();
  });

  it('catches a body that breaks the spec (the validator is live)', () => {
    if (!present) return;
    const validate = validator('#/components/schemas/Invoices');
    expect(validate({ Invoices: [{ Total: 'eighty-seven', Status: 'ALMOST_PAID' }] })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/Invoices/0/Total', '/Invoices/0/Status']),
    );
  });

  it('validates every request body sent and every JSON response returned in a representative scenario', async () => {
    if (!present) {
      // eslint-disable-next-line no-console -- the skip must be visible in the test output
      console.warn(
        `skipped: Xero OpenAPI spec not found at ${specFile} (the conformance check needs ../shared/reference/xero-openapi)`,
      );
      return;
    }
    const api = h.xero.accountingApi;
    // Settings
    await api.getOrganisations(UK);
    await api.getTaxRates(UK);
    await api.getAccounts(UK, undefined, 'Type=="BANK"');
    await api.getCurrencies(UK);
    await api.createCurrency(US, { code: CurrencyCode.EUR, description: 'Euro' });
    await api.getTrackingCategories(UK);
    await api.getBrandingThemes(UK);
    // Contacts
    const contacts = await api.createContacts(UK, {
      contacts: [{ name: 'Spec Co', contactNumber: 'SPEC-1', emailAddress: 'ap@spec.example' }],
    });
    const contactID = contacts.body.contacts?.[0]?.contactID as string;
    await api.updateOrCreateContacts(UK, { contacts: [{ contactNumber: 'SPEC-1', name: 'Spec Company' }] }, false);
    await failure(api.createContacts(UK, { contacts: [{ name: 'Spec Company' }] }));
    await api.getContact(UK, contactID);
    await api.getContactByContactNumber(UK, 'SPEC-1');
    await api.getContacts(UK, undefined, undefined, undefined, undefined, 1);
    // Invoices
    const line = {
      description: 'Subscription',
      quantity: 2,
      unitAmount: 49.5,
      accountCode: '200',
      taxType: 'OUTPUT2',
      tracking: [{ name: 'Region', option: 'North' }],
    };
    const made = await api.createInvoices(
      UK,
      {
        invoices: [
          {
            type: Invoice.TypeEnum.ACCREC,
            contact: { contactID },
            date: '2026-02-01',
            dueDate: '2026-03-01',
            reference: 'SPEC',
            lineItems: [line],
          },
          { type: Invoice.TypeEnum.ACCREC, lineItems: [line] },
        ],
      },
      false,
      4,
      'spec-key-1',
    );
    const invoiceID = made.body.invoices?.[0]?.invoiceID as string;
    await failure(
      api.createInvoices(UK, {
        invoices: [
          { type: Invoice.TypeEnum.ACCREC, contact: { contactID }, lineItems: [{ ...line, accountCode: '999' }] },
        ],
      }),
    );
    await api.updateInvoice(UK, invoiceID, { invoices: [{ status: Invoice.StatusEnum.AUTHORISED }] });
    await api.getInvoice(UK, invoiceID, 4);
    await api.getInvoices(
      UK,
      undefined,
      'Status=="AUTHORISED"',
      'Date DESC',
      undefined,
      undefined,
      [contactID],
      ['AUTHORISED'],
      1,
      undefined,
      undefined,
      undefined,
      undefined,
      10,
    );
    await api.getInvoices(UK, new Date(Date.now() - 60_000));
    await api.getOnlineInvoice(UK, invoiceID);
    await api.emailInvoice(UK, invoiceID, {});
    // Payments
    const paid = await api.createPayments(UK, {
      payments: [
        { invoice: { invoiceID }, account: { code: '090' }, amount: 20, date: '2026-02-10', reference: 'Part' },
      ],
    });
    await api.createPayment(UK, { invoice: { invoiceID }, account: { code: '090' }, amount: 5, date: '2026-02-11' });
    await api.deletePayment(UK, paid.body.payments?.[0]?.paymentID as string, { status: 'DELETED' });
    await api.getPayments(UK, undefined, undefined, undefined, 1);
    await failure(
      api.createPayments(UK, { payments: [{ invoice: { invoiceID }, account: { code: '090' }, amount: 100000 }] }),
    );
    // Credit notes
    const notes = await api.createCreditNotes(UK, {
      creditNotes: [
        {
          type: CreditNote.TypeEnum.ACCRECCREDIT,
          contact: { contactID },
          date: '2026-02-12',
          lineItems: [{ description: 'Credit', quantity: 1, unitAmount: 10, accountCode: '200' }],
        },
      ],
    });
    const creditNoteID = notes.body.creditNotes?.[0]?.creditNoteID as string;
    await api.updateCreditNote(UK, creditNoteID, { creditNotes: [{ status: CreditNote.StatusEnum.AUTHORISED }] });
    const allocation = await api.createCreditNoteAllocation(UK, creditNoteID, {
      allocations: [{ invoice: { invoiceID }, amount: 6, date: '2026-02-13' }],
    });
    await api.deleteCreditNoteAllocations(UK, creditNoteID, allocation.body.allocations?.[0]?.allocationID as string);
    await api.getCreditNote(UK, creditNoteID);
    await api.getCreditNotes(UK, undefined, undefined, undefined, 1);

    const problems: string[] = [];
    let checked = 0;
    const covered = new Set<string>();
    const check = (call: CallRecord, where: 'request' | 'response', ref: JsonSchemaRef | undefined, body: unknown) => {
      if (!ref || body === undefined || body === null || body === '') return;
      const validate = validator(ref.$ref);
      checked++;
      if (!validate(body)) {
        const detail = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
        problems.push(`${call.method} ${call.path} ${where} (${call.status}) vs ${ref.$ref}: ${detail.join('; ')}`);
      }
    };
    for (const call of h.emulator.control.calls()) {
      const local = call.path.slice(API_PREFIX.length);
      const op = ops.find((o) => o.method === call.method && o.pattern.test(local));
      if (!op) {
        problems.push(`${call.method} ${call.path}: no operation in the spec`);
        continue;
      }
      covered.add(`${op.method} ${op.template}`);
      if (call.method !== 'GET') check(call, 'request', op.request, call.requestBody);
      check(call, 'response', op.responses[String(call.status)], call.responseBody);
    }
    expect(problems).toEqual([]);
    expect(covered.size).toBeGreaterThanOrEqual(24);
    expect(checked).toBeGreaterThanOrEqual(40);
  });
});
