/**
 * Field-level security for the bridge's user. It runs on "Minimum Access - API Only Integrations" with the
 * Ledgerline_Integration permission set and the org-owned Ledgerline_Integration_Standard_Access (a packaged set cannot
 * grant standard fields: the install drops them) and nothing else, so a standard field neither grants is invisible to
 * it: a query naming it fails whole with INVALID_FIELD (salesforce.md §4), an update naming it is refused. The
 * Salesforce emulator enforces FLS on REST (sandbox/salesforce/access.ts) only for the paths a test runs; this test
 * covers every field the bridge declares. It derives what the bridge reads from its object schemas (objects/: every field a selection or a
 * query may name must be declared there, or it is a type error) and what it writes from the typed writes in src/
 * (SObjectUpdate / SObjectWrite / WriteRecord of a standard object), so a field added later is checked too.
 *
 * Which standard fields field-level security can hide (a describe's `permissionable`) is the platform's; where this
 * file is unsure, it says so. To settle one in an org: `SELECT QualifiedApiName, IsPermissionable FROM EntityParticle
 * WHERE EntityDefinition.QualifiedApiName = 'OpportunityLineItem'` (Tooling API). The package's custom fields on
 * standard objects are always permissionable; scripts/force-app-metadata checks their grants in more detail.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import ts from 'typescript';
import { loadSchema } from '../../sandbox/salesforce/schema/metadata-loader';
import * as objects from './objects';
import { STANDARD_OBJECTS } from './objects';

const FORCE_APP = path.resolve(__dirname, '../../../force-app');
const SRC = path.resolve(__dirname, '..');
const PERMISSION_SETS = [
  path.join(FORCE_APP, 'main/default/permissionsets/Ledgerline_Integration.permissionset-meta.xml'),
  path.join(
    FORCE_APP,
    '../force-app-unpackaged/main/default/permissionsets/Ledgerline_Integration_Standard_Access.permissionset-meta.xml',
  ),
];

/** Fields no object lets field-level security hide: the record id, the audit fields, the owner, the currency. */
const SYSTEM_FIELDS: Record<string, string> = {
  Id: 'the record id',
  CreatedDate: 'an audit field',
  CreatedById: 'an audit field',
  LastModifiedDate: 'an audit field',
  LastModifiedById: 'an audit field',
  SystemModstamp: 'an audit field',
  OwnerId: 'the owner, always visible',
  CurrencyIsoCode: 'the record currency (multi-currency orgs), always visible',
};

/**
 * Standard fields the bridge declares that have no field-level security, beyond SYSTEM_FIELDS and the fields the
 * org's describe marks required or master-detail (those are always visible, and the Metadata API refuses them in
 * fieldPermissions). Each is listed with why; `unsure` marks what the platform documentation does not settle, to be
 * confirmed with the EntityParticle query above (if it is permissionable, grant read and drop it from here).
 */
const NOT_PERMISSIONABLE: Record<string, { why: string; unsure?: true }> = {
  'Opportunity.IsClosed': { why: 'derived from StageName (the OpportunityStage), read-only, no FLS' },
  'Opportunity.IsWon': { why: 'derived from StageName (the OpportunityStage), read-only, no FLS' },
  'OpportunityLineItem.UnitPrice': { why: 'Sales Price, required on every line (always visible)' },
  'OpportunityLineItem.HasSchedule': { why: 'set by the platform from the line schedules, read-only, no FLS' },
  'OpportunityLineItem.SortOrder': { why: 'the line order; not listed in Field-Level Security', unsure: true },
  'OpportunityLineItem.Product2Id': {
    why: 'set from the PricebookEntry, not editable; believed not permissionable',
    unsure: true,
  },
  'OpportunityLineItem.TotalPrice': {
    why: 'computed from Sales Price, Quantity and Discount; believed visible with the line',
    unsure: true,
  },
  'OpportunityLineItemSchedule.Revenue': {
    why: 'the schedule object takes no custom fields and has no field-level security of its own (its access follows the line)',
    unsure: true,
  },
  'OpportunityLineItemSchedule.Quantity': {
    why: 'the schedule object has no field-level security of its own',
    unsure: true,
  },
  'OpportunityLineItemSchedule.Description': {
    why: 'the schedule object has no field-level security of its own',
    unsure: true,
  },
};

interface FieldPermission {
  field: string;
  readable: boolean;
  editable: boolean;
}

/** The field permissions of both sets the bridge's user holds. */
function permissionSetFields(): Map<string, FieldPermission> {
  const parser = new XMLParser({ isArray: (name) => name === 'fieldPermissions', parseTagValue: false });
  return new Map(
    PERMISSION_SETS.flatMap((file) => {
      const set = parser.parse(fs.readFileSync(file, 'utf8')).PermissionSet as {
        fieldPermissions?: { field: string; readable: string; editable: string }[];
      };
      return (set.fieldPermissions ?? []).map((f): [string, FieldPermission] => [
        f.field,
        { field: f.field, readable: f.readable === 'true', editable: f.editable === 'true' },
      ]);
    }),
  );
}

const org = loadSchema({ forceAppDir: FORCE_APP, namespace: '' });
const describeField = (objectName: string, fieldName: string) =>
  org.objects.get(objectName.toLowerCase())?.fields.get(fieldName.toLowerCase());

/** Why a standard field needs no grant, or undefined when field-level security can hide it. */
function alwaysVisible(objectName: string, fieldName: string): string | undefined {
  if (fieldName.endsWith('__c')) return undefined;
  const system = SYSTEM_FIELDS[fieldName];
  if (system) return system;
  const described = describeField(objectName, fieldName);
  if (described?.masterDetail) return 'master-detail, always visible';
  if (described?.required) return 'required, always visible';
  return NOT_PERMISSIONABLE[`${objectName}.${fieldName}`]?.why;
}

/** The standard fields the bridge reads: every field its schemas of the standard objects declare. */
const READS = STANDARD_OBJECTS.flatMap((object) =>
  Object.keys(object.fields).map((field) => `${object.name}.${field}`),
);

// ── What the bridge writes to standard objects, read from its source ──────────────────────────────────────────────

const WRITE_TYPES = new Set(['SObjectUpdate', 'SObjectWrite', 'WriteRecord']);
/** The schema export names (objects/index.ts) of the standard objects, to their API names. */
const STANDARD_EXPORTS = new Map(
  Object.entries(objects)
    .filter(([, value]) => (STANDARD_OBJECTS as readonly unknown[]).includes(value))
    .map(([exportName, value]) => [exportName, (value as (typeof STANDARD_OBJECTS)[number]).name]),
);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const unwrap = (node: ts.Expression): ts.Expression =>
  ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)
    ? unwrap(node.expression)
    : node;

/** The object literals a typed write annotates: a function's returned literal, or a variable's initializer. */
function annotatedLiterals(typeRef: ts.TypeReferenceNode): ts.ObjectLiteralExpression[] | undefined {
  const owner = typeRef.parent;
  const literal = (e: ts.Expression | undefined) => {
    const inner = e && unwrap(e);
    return inner && ts.isObjectLiteralExpression(inner) ? inner : undefined;
  };
  if ((ts.isArrowFunction(owner) || ts.isFunctionDeclaration(owner)) && owner.type === typeRef && owner.body) {
    if (!ts.isBlock(owner.body)) {
      const found = literal(owner.body);
      return found ? [found] : undefined;
    }
    const returned: (ts.ObjectLiteralExpression | undefined)[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node)) return;
      if (ts.isReturnStatement(node)) returned.push(literal(node.expression));
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(owner.body, visit);
    return returned.length > 0 && returned.every(Boolean) ? (returned as ts.ObjectLiteralExpression[]) : undefined;
  }
  if (ts.isVariableDeclaration(owner) && owner.type === typeRef) {
    const found = literal(owner.initializer);
    return found ? [found] : undefined;
  }
  if (ts.isSatisfiesExpression(owner) && owner.type === typeRef) {
    const found = literal(owner.expression);
    return found ? [found] : undefined;
  }
  return undefined;
}

/** Every standard-object field the bridge's typed writes set, and the writes it cannot read (file:line). */
function standardWrites(files: readonly string[]): { writes: Set<string>; unresolved: string[] } {
  const writes = new Set<string>();
  const unresolved: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    if (![...WRITE_TYPES].some((t) => text.includes(t))) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isTypeReferenceNode(node) && WRITE_TYPES.has(node.typeName.getText(source))) {
        const arg = node.typeArguments?.[0];
        const objectName =
          arg && ts.isTypeQueryNode(arg) ? STANDARD_EXPORTS.get(arg.exprName.getText(source)) : undefined;
        if (objectName) {
          const where = `${path.relative(SRC, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
          const literals = annotatedLiterals(node);
          if (!literals) unresolved.push(`${where} (${node.getText(source)})`);
          for (const lit of literals ?? []) {
            for (const prop of lit.properties) {
              if ((ts.isPropertyAssignment(prop) || ts.isShorthandPropertyAssignment(prop)) && prop.name) {
                const name = prop.name.getText(source).replace(/^['"]|['"]$/g, '');
                if (name !== 'Id') writes.add(`${objectName}.${name}`);
              } else {
                unresolved.push(`${where} (${prop.getText(source)})`);
              }
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { writes, unresolved };
}

describe("the bridge user's permission sets grant every field it reads and writes on standard objects", () => {
  const granted = permissionSetFields();

  it.each(READS.filter((f) => !alwaysVisible(...(f.split('.') as [string, string]))))('%s is readable', (field) => {
    expect({ field, readable: granted.get(field)?.readable ?? false }).toEqual({ field, readable: true });
  });

  it('lists no field field-level security cannot hide (the Metadata API refuses required fields)', () => {
    const listed = [...granted.keys()].filter((field) => {
      const [objectName, fieldName] = field.split('.') as [string, string];
      return STANDARD_EXPORTS.has(objectName) && alwaysVisible(objectName, fieldName);
    });
    expect(listed).toEqual([]);
  });

  it('keeps no exemption for a field the bridge no longer declares', () => {
    expect(Object.keys(NOT_PERMISSIONABLE).filter((field) => !READS.includes(field))).toEqual([]);
  });

  const { writes, unresolved } = standardWrites(sourceFiles(SRC));

  it('reads every typed write to a standard object', () => {
    expect(unresolved).toEqual([]);
    // the summary fields (services/summaries.ts) are the bridge's writes to Opportunity and Account
    expect([...writes]).toEqual(
      expect.arrayContaining(['Opportunity.Amount_Due__c', 'Account.Receivables_Summary__c']),
    );
  });

  it.each([...writes].sort())('%s is editable', (field) => {
    expect(granted.get(field)).toMatchObject({ readable: true, editable: true });
  });
});

describe('standardWrites', () => {
  const write = (body: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-access-'));
    const file = path.join(dir, 'writer.ts');
    fs.writeFileSync(file, body);
    try {
      return standardWrites([file]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it('finds the fields of returned and assigned literals', () => {
    const { writes, unresolved } = write(
      [
        'const a = (id: string): SObjectUpdate<typeof Opportunity> => ({ Id: id, Probability: 10 });',
        'function b(): SObjectWrite<typeof Contact> { if (x) return { Email: y }; return { AccountId: z }; }',
        'const c: SObjectWrite<typeof Account> = { AccountNumber: "1" };',
        'const d: SObjectWrite<typeof Invoice> = { Total__c: 1 };',
      ].join('\n'),
    );
    expect([...writes].sort()).toEqual([
      'Account.AccountNumber',
      'Contact.AccountId',
      'Contact.Email',
      'Opportunity.Probability',
    ]);
    expect(unresolved).toEqual([]);
  });

  it('reports a write it cannot read instead of passing it', () => {
    const { unresolved } = write(
      [
        'const e: SObjectUpdate<typeof Account>[] = [];',
        'const f = (): SObjectWrite<typeof Opportunity> => ({ ...base, Amount: 1 });',
      ].join('\n'),
    );
    expect(unresolved).toHaveLength(2);
  });
});
