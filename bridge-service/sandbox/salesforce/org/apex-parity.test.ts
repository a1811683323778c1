/**
 * Reads the package's Apex (force-app/main/default/classes) and fails when the events it publishes differ from what
 * the emulator's org modules publish: the Invoice_Request__e fields build() fills, the request-key rule, and per
 * class the actions, key record, version rule, ids and payload keys of every publish site.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApexMirror, RequestSite, VersionRule } from './apex-mirror';
import { APPROVAL_REQUIRED_LABEL } from './approval-outcome';
import type { SalesforceOrg, TriggerHandler } from '../salesforce-org';
import type { SRecord } from '../store';
import { creditNoteTriggerHandler, mirror as creditNoteMirror } from './credit-note-trigger-handler';
import { creditPayload, mirror as invoiceActionsMirror } from './invoice-actions';
import {
  ACTIONS,
  BUILD_FIELDS,
  MANY,
  REQUESTED_BY_FIELD,
  REQUESTS_FIELD,
  REQUESTS_LENGTH,
  requestKey,
} from './invoice-request-publisher';
import { invoiceTriggerHandler, mirror as invoiceMirror, sentBack } from './invoice-trigger-handler';
import { monthEndCloseTriggerHandler, mirror as closeMirror } from './month-end-close-trigger-handler';
import { opportunityTriggerHandler, mirror as opportunityMirror } from './opportunity-trigger-handler';

const CLASSES = join(__dirname, '..', '..', '..', '..', 'force-app', 'main', 'default', 'classes');
const TRIGGERS = join(CLASSES, '..', 'triggers');
const apex = (name: string): string =>
  readFileSync(join(CLASSES, `${name}.cls`), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');

/** Arguments of every call to `callee(` in the source, split at top-level commas (strings, generics, blocks kept whole). */
function calls(src: string, callee: string): { args: string[]; index: number }[] {
  const out: { args: string[]; index: number }[] = [];
  const pattern = new RegExp(`(?<![\\w.])${callee.replace(/\./g, '\\.')}\\s*\\(`, 'g');
  for (let m = pattern.exec(src); m; m = pattern.exec(src)) {
    let depth = 0;
    let current = '';
    const args: string[] = [];
    let i = m.index + m[0].length;
    for (; i < src.length; i++) {
      const c = src.charAt(i);
      if (c === "'") {
        const end = src.indexOf("'", i + 1);
        current += src.slice(i, end + 1);
        i = end;
        continue;
      }
      if ('({[<'.includes(c)) depth++;
      if (')}]>'.includes(c)) {
        if (depth === 0 && c === ')') break;
        depth--;
      }
      if (c === ',' && depth === 0) {
        args.push(current.trim());
        current = '';
        continue;
      }
      current += c;
    }
    if (current.trim()) args.push(current.trim());
    out.push({ args: args.map((a) => a.replace(/\s+/g, ' ')), index: m.index });
  }
  return out;
}

function constants(src: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of src.matchAll(/static final String (\w+)\s*=\s*'([^']*)'\s*;/g)) out.set(m[1]!, m[2]!);
  return out;
}

const publisherConstants = constants(apex('InvoiceRequestPublisher'));

function actionOf(expr: string): string {
  const m = /^InvoiceRequestPublisher\.(\w+)$/.exec(expr);
  const value = m ? publisherConstants.get(m[1]!) : undefined;
  if (!value) throw new Error(`cannot resolve action expression: ${expr}`);
  return value;
}

/** The version rule an Apex expression implements. Anything unrecognised fails the test: review it, then teach this. */
function versionOf(expr: string, src: string): VersionRule {
  const literal = /^'([^']*)'$/.exec(expr);
  if (literal) return { literal: literal[1]! };
  const constant = constants(src).get(expr);
  if (constant !== undefined) return { literal: constant };
  if (/^String\.valueOf\(System\.now\(\)\.getTime\(\)\)$/.test(expr)) return { rule: 'epochMillis' };
  const counter = /^String\.valueOf\((\w+)\)$/.exec(expr);
  // `Integer version = close.Version__c == null ? 1 : close.Version__c.intValue();`: the record's own field.
  const field =
    counter &&
    new RegExp(`Integer ${counter[1]} = \\w+\\.(\\w+) == null \\? 1 : \\w+\\.\\1\\.intValue\\(\\);`).exec(
      src.replace(/\s+/g, ' '),
    );
  if (field) return { rule: 'field', field: field[1]! };
  if (
    counter &&
    new RegExp(`Integer ${counter[1]} =[^;]*creditNotes\\.get\\(invoice\\.Id\\)[^;]*: 0\\) \\+ 1;`).test(
      src.replace(/\s+/g, ' '),
    )
  ) {
    return { rule: 'creditNoteCount+1' };
  }
  throw new Error(`unrecognised request-key version expression: ${expr}`);
}

/** `record.Field__c` -> `Field__c`; `null` -> undefined. */
function fieldOf(expr: string): string | undefined {
  if (expr === 'null') return undefined;
  const m = /^\w+\.(\w+)$/.exec(expr);
  if (!m) throw new Error(`unrecognised record expression: ${expr}`);
  return m[1];
}

function jsonGeneratorKeys(src: string, method: string): { top: string[]; lines: string[] } {
  const start = src.indexOf(`String ${method}(`);
  const body = src.slice(start, src.indexOf('return json.getAsString()', start));
  const loop = body.indexOf('for (');
  const keys = (text: string) =>
    [...text.matchAll(/json\.write(?:StringField|FieldName|NumberField|BooleanField)\('(\w+)'/g)].map((m) => m[1]!);
  return { top: keys(loop < 0 ? body : body.slice(0, loop)), lines: loop < 0 ? [] : keys(body.slice(loop)) };
}

function payloadOf(expr: string, src: string): { payloadKeys: string[] | null; lineKeys?: string[] } {
  if (expr === 'null') return { payloadKeys: null };
  const generator = /^(\w+)\(\w+\)$/.exec(expr);
  if (generator) {
    const { top, lines } = jsonGeneratorKeys(src, generator[1]!);
    return lines.length ? { payloadKeys: top, lineKeys: lines } : { payloadKeys: top };
  }
  const variable = new RegExp(`String ${expr} = JSON\\.serialize\\(\\s*new Map<String, Object>\\{([^}]*)\\}`).exec(src);
  if (variable) return { payloadKeys: [...variable[1]!.matchAll(/'(\w+)'\s*=>/g)].map((m) => m[1]!) };
  throw new Error(`unrecognised payload expression: ${expr}`);
}

/** Publish sites of one class: direct `requestKey(InvoiceRequestPublisher.X, ...)` or through a helper method. */
function apexSites(className: string): Omit<RequestSite, 'object'>[] {
  const src = apex(className);
  const keys = calls(src, 'InvoiceRequestPublisher.requestKey');
  const builds = calls(src, 'InvoiceRequestPublisher.build');
  const sites: Omit<RequestSite, 'object'>[] = [];
  for (const key of keys) {
    const [actionExpr, recordExpr, versionExpr] = key.args as [string, string, string];
    const build = builds.find((b) => b.index > key.index) ?? builds[0]!;
    const [, oppExpr, invExpr, , payloadExpr] = build.args as [string, string, string, string, string];
    const ids = (): RequestSite['ids'] => {
      const out: RequestSite['ids'] = {};
      const opp = fieldOf(oppExpr);
      const inv = fieldOf(invExpr);
      if (opp) out.Opportunity_Id__c = opp;
      if (inv) out.Invoice_Id__c = inv;
      return out;
    };
    if (actionExpr.startsWith('InvoiceRequestPublisher.')) {
      sites.push({
        action: actionOf(actionExpr) as RequestSite['action'],
        keyRecord: fieldOf(recordExpr)!,
        version: versionOf(versionExpr, src),
        ids: ids(),
        ...payloadOf(payloadExpr, src),
      });
      continue;
    }
    // a helper such as event(String action, Invoice__c invoice, String version, String payload)
    const helper = [...src.matchAll(/(?:private|public)\s+static\s+\w+\s+(\w+)\(([^)]*)\)\s*\{/g)]
      .filter((m) => m.index! < key.index)
      .pop();
    if (!helper) throw new Error(`requestKey with a non-constant action outside a helper in ${className}`);
    const params = helper[2]!.split(',').map((p) => p.trim().split(/\s+/).pop()!);
    for (const call of calls(src, helper[1]!)) {
      if (call.index === helper.index! + helper[0].indexOf(helper[1]!)) continue;
      const guard = [...src.slice(0, call.index).matchAll(/if \(action == InvoiceRequestPublisher\.(\w+)\)/g)].pop();
      if (!guard)
        throw new Error(`cannot tell which action ${helper[1]}(${call.args.join(', ')}) sends in ${className}`);
      const arg = (name: string): string => {
        const i = params.indexOf(name);
        return i >= 0 ? call.args[i]! : name;
      };
      sites.push({
        action: actionOf(`InvoiceRequestPublisher.${guard[1]}`) as RequestSite['action'],
        keyRecord: fieldOf(recordExpr)!,
        version: versionOf(arg(versionExpr), src),
        ids: ids(),
        ...payloadOf(arg(payloadExpr), src),
      });
    }
  }
  return sites;
}

describe('Apex parity: the emulator publishes what the package Apex publishes', () => {
  it('InvoiceRequestPublisher: build() fills the same event fields, and the key is ACTION:recordId:version', () => {
    const src = apex('InvoiceRequestPublisher');
    const signature = /Invoice_Request__e build\(([^)]*)\)/.exec(src);
    const params = signature![1]!.split(',').map((p) => p.trim().split(/\s+/).pop()!);
    const body = /return new Invoice_Request__e\(([\s\S]*?)\);/.exec(src)![1]!;
    const assigned = Object.fromEntries(
      body.split(',').map((a) => {
        const [field, expr] = a.split('=').map((s) => s.trim()) as [string, string];
        return [field, expr.replace(/^checkedAction\((\w+)\)$/, '$1')];
      }),
    );
    const apexMapping = params.map((p) => [p, Object.keys(assigned).find((f) => assigned[f] === p)]);
    expect(apexMapping).toEqual(Object.entries(BUILD_FIELDS));
    expect(assigned[REQUESTED_BY_FIELD]).toBe('UserInfo.getUserId()');
    expect(Object.keys(assigned).sort()).toEqual([...Object.values(BUILD_FIELDS), REQUESTED_BY_FIELD].sort());

    const keyBody = /String requestKey\(String (\w+), Id (\w+), String (\w+)\)\s*\{\s*return ([^;]+);/.exec(src)!;
    const [, a, r, v, expr] = keyBody as unknown as [string, string, string, string, string];
    expect(expr.replace(/\s+/g, '')).toBe(`checkedAction(${a})+':'+String.valueOf(${r})+':'+${v}`);
    expect(requestKey('AUTHORISE', 'a01000000000001AAA', '7')).toBe('AUTHORISE:a01000000000001AAA:7');
    expect([...publisherConstants.values()].sort()).toEqual([...ACTIONS, MANY].sort());
  });

  it('InvoiceRequestPublisher.packed(): the same envelope, request fields and length as the emulator packs', () => {
    const src = apex('InvoiceRequestPublisher');
    expect(publisherConstants.get('MANY')).toBe(MANY);
    expect(/Integer REQUESTS_LENGTH = (\d+);/.exec(src)?.[1]).toBe(String(REQUESTS_LENGTH));
    const field = readFileSync(
      join(CLASSES, '..', 'objects', 'Invoice_Request__e', 'fields', `${REQUESTS_FIELD}.field-meta.xml`),
      'utf8',
    );
    expect(/<length>(\d+)<\/length>/.exec(field)?.[1]).toBe(String(REQUESTS_LENGTH));
    // Each request serialized with the event's own field names: the ones build() fills and the requester.
    const start = src.indexOf('List<Invoice_Request__e> packed(');
    const packedBody = src.slice(start, src.indexOf('\n    }\n', start));
    const keys = [...packedBody.matchAll(/'(\w+__c)' => request\.(\w+__c)/g)].map((m) => {
      expect(m[1]).toBe(m[2]);
      return m[1]!;
    });
    expect(keys.sort()).toEqual([...Object.values(BUILD_FIELDS), REQUESTED_BY_FIELD].sort());
    // The envelope: MANY, the first request's key after it, the running user, the requests as a JSON array.
    const envelope =
      /private static Invoice_Request__e envelope\([\s\S]*?return new Invoice_Request__e\(([\s\S]*?)\);/.exec(src)![1]!;
    const assigned = Object.fromEntries(
      envelope.split(/,\s*(?=\w+__c\s*=)/).map((a) => {
        const [name, expr] = a.split(/=(.*)/s).map((x) => x.trim()) as [string, string];
        return [name, expr.replace(/\s+/g, '')];
      }),
    );
    expect(assigned).toEqual({
      Action__c: 'MANY',
      Request_Key__c: "MANY+':'+batch[0].Request_Key__c",
      [REQUESTED_BY_FIELD]: 'UserInfo.getUserId()',
      [REQUESTS_FIELD]: "'['+String.join(batchJson,',')+']'",
    });
  });

  it('InvoiceRequestPublisher.publish() checks no permission on the event, as the emulator (a save must not fail over one)', () => {
    const src = apex('InvoiceRequestPublisher');
    const start = src.indexOf('public static void publish(');
    const body = src.slice(start, src.indexOf('\n    }\n', start));
    expect(body).toContain('EventBus.publish(packed(requests))');
    expect(body).not.toMatch(/isCreateable\(\)|isAccessible\(\)|stripInaccessible|USER_MODE|publishWithAccessLevel/);
  });

  it('ApprovalOutcome: both triggers refuse an Approved no approval process step gave, as the emulator does', () => {
    const src = apex('ApprovalOutcome');
    expect(src).toContain(`record.addError(approvalStatusField, Label.${APPROVAL_REQUIRED_LABEL})`);
    expect(src.replace(/\s+/g, ' ')).toContain('(decision == null || !decision.isApproved())');
    expect(apex('ApprovalHistory')).toMatch(/if \(!seen\.add\(instance\.TargetObjectId\)\)/); // newest instance only
    for (const handler of ['InvoiceTriggerHandler', 'CreditNoteTriggerHandler', 'MonthEndCloseTriggerHandler']) {
      expect(apex(handler).replace(/\s+/g, ' ')).toMatch(
        /new ApprovalOutcome\([^)]*\) \.beforeUpdate\(records, oldById\)/,
      );
    }
  });

  it('InvoiceTriggerHandler: the emulator withdraws an approval on the same send-back condition as the Apex', () => {
    const src = apex('InvoiceTriggerHandler');
    const named = new Map([
      ...constants(src),
      ...[...constants(apex('ApprovalOutcome'))].map(([k, v]) => [`ApprovalOutcome.${k}`, v] as const),
    ]);
    const condition = /Boolean sentBack =([^;]+);/.exec(src.replace(/\s+/g, ' '))![1]!;
    // each clause of the Apex's conjunction: which record (after, or before the update), field, value
    const clauses = condition.split('&&').map((clause) => {
      const [, record, field, value] = /^(invoice|old\?)\.(\w+) == ([\w.]+)$/.exec(clause.trim()) ?? [];
      if (!record || !named.has(value!)) throw new Error(`cannot read the clause: ${clause}`);
      return { before: record === 'old?', field: field!, value: named.get(value!)! };
    });
    expect(clauses.map((c) => c.field)).toContain('Sync_Status__c');
    const records = (falsified?: number) => {
      const old: SRecord = { Id: 'a01000000000001AAA' };
      const rec: SRecord = { Id: old.Id };
      clauses.forEach((c, i) => ((c.before ? old : rec)[c.field] = i === falsified ? `not ${c.value}` : c.value));
      return [old, rec] as const;
    };
    const org = { n: (name: string) => name } as SalesforceOrg;
    expect(sentBack(org, ...records())).toBe(true);
    for (const i of clauses.keys()) expect([clauses[i], sentBack(org, ...records(i))]).toEqual([clauses[i], false]);
  });

  it('every Apex trigger runs on the same object and events as its emulator mirror', () => {
    const noOrg = {} as SalesforceOrg;
    const noLabels = (name: string) => name;
    const handlers: TriggerHandler[] = [
      opportunityTriggerHandler(noOrg, noLabels),
      invoiceTriggerHandler(noOrg, noLabels),
      creditNoteTriggerHandler(noOrg, noLabels),
      monthEndCloseTriggerHandler(noOrg, noLabels),
    ];
    const hook = (event: string) =>
      event.replace(
        /^(\w+) (\w)(\w+)$/,
        (_m, when: string, a: string, rest: string) => `${when}${a.toUpperCase()}${rest}`,
      );
    const fromApex = readdirSync(TRIGGERS)
      .filter((f) => f.endsWith('.trigger'))
      .map((f) => {
        const [, object, events] = /trigger \w+ on (\w+)\s*\(([^)]*)\)/.exec(readFileSync(join(TRIGGERS, f), 'utf8'))!;
        return [
          object!,
          events!
            .split(',')
            .map((e) => hook(e.trim().replace(/\s+/g, ' ')))
            .sort(),
        ];
      })
      .sort();
    const mirrored = handlers
      .map((h) => [
        h.object,
        Object.keys(h)
          .filter((k) => k !== 'object')
          .sort(),
      ])
      .sort();
    expect(mirrored).toEqual(fromApex);
  });

  it('read-only mode stops no request: only InvoiceActions reads it, for the message it gives the user', () => {
    const readers = readdirSync(CLASSES)
      .filter((f) => f.endsWith('.cls') && !f.endsWith('Test.cls') && f !== 'LedgerlineSettings.cls')
      .filter((f) => apex(f.replace(/\.cls$/, '')).includes('LedgerlineSettings.isReadOnly()'));
    expect(readers).toEqual(['InvoiceActions.cls']);
    expect(apex('InvoiceActions').replace(/\s+/g, ' ')).toMatch(
      /readOnly \? Label\.Ledgerline_Request_Queued_Read_Only : Label\.Ledgerline_Request_Sent/,
    );
  });

  const mirrors: ApexMirror[] = [opportunityMirror, invoiceMirror, creditNoteMirror, invoiceActionsMirror, closeMirror];
  it.each(mirrors.map((m) => [m.apexClass, m] as const))(
    '%s: same actions, key rule, ids and payload',
    (className, mirror) => {
      const fromApex = apexSites(className);
      const declared = mirror.sites.map(({ object: _object, ...rest }) => rest);
      const byAction = (s: { action: string }[]) => [...s].sort((x, y) => x.action.localeCompare(y.action));
      expect(byAction(fromApex)).toEqual(byAction(declared));
      // the class works on the object the emulator module hooks
      for (const site of mirror.sites) expect(apex(className)).toMatch(new RegExp(`\\b${site.object}\\b`));
    },
  );

  it('InvoiceActions: the emulator writes the CREDIT payload keys the mirror declares (and so the Apex)', () => {
    const site = invoiceActionsMirror.sites.find((x) => x.action === 'CREDIT')!;
    const full = JSON.parse(
      creditPayload({
        invoiceId: 'a01000000000001AAA',
        action: 'CREDIT',
        amount: 1,
        reason: 'r',
        lines: [{ description: 'd', quantity: 1, unitAmount: 1, accountCode: '200', taxType: 'OUTPUT2' }],
      }),
    ) as { lines: Record<string, string>[] };
    expect(Object.keys(full)).toEqual(site.payloadKeys);
    expect(Object.keys(full.lines[0]!)).toEqual(site.lineKeys);
  });
});
