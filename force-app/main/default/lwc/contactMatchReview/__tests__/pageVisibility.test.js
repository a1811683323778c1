// A card on a record page whose Apex a permission set does not grant shows that set's users an access error instead
// of the card (every rep, for the Contact Match Review card on the Account page: Ledgerline_Sales grants neither
// ContactMatchController nor Contact_Match_Review__c). So a card on a record page must be visible only to users who
// can use it: every page-user permission set that lacks one of its Apex classes is kept out by a component
// visibility rule on a custom permission that set does not hold, and every set that holds it grants the classes.
const fs = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '../../../../../..');
const APP = path.join(REPO_ROOT, 'force-app/main/default');
const LWC = path.join(APP, 'lwc');
const PAGE_USERS = ['Ledgerline_Sales', 'Ledgerline_Finance', 'Ledgerline_Admin'];

const read = (...parts) => fs.readFileSync(path.join(APP, ...parts), 'utf8');
const blocks = (xml, tag) =>
  [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map(([, body]) => body);
const value = (xml, tag) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];

/** The Apex classes a component calls, its own and its child components' (c-*). */
function apexClassesOf(component, seen = new Set()) {
  if (seen.has(component) || !fs.existsSync(path.join(LWC, component))) return new Set();
  seen.add(component);
  const files = fs.readdirSync(path.join(LWC, component)).filter((f) => /\.(js|html)$/.test(f));
  const classes = new Set();
  for (const file of files) {
    const text = fs.readFileSync(path.join(LWC, component, file), 'utf8');
    for (const [, name] of text.matchAll(/@salesforce\/apex\/(\w+)\.\w+/g)) classes.add(name);
    for (const [, tag] of text.matchAll(/<c-([a-z0-9-]+)/g)) {
      const child = tag.replace(/-([a-z0-9])/g, (_m, c) => c.toUpperCase());
      for (const name of apexClassesOf(child, seen)) classes.add(name);
    }
  }
  return classes;
}

function permissionSet(name) {
  const xml = read('permissionsets', `${name}.permissionset-meta.xml`);
  const enabled = (tag, key) =>
    blocks(xml, tag)
      .filter((body) => value(body, 'enabled') === 'true')
      .map((body) => value(body, key));
  return {
    name,
    classes: new Set(enabled('classAccesses', 'apexClass')),
    customPermissions: new Set(enabled('customPermissions', 'name')),
  };
}

/** The custom permissions a component instance's visibility rule requires (criteria ANDed, each EQUAL true). */
function requiredPermissions(instance) {
  const rule = blocks(instance, 'visibilityRule')[0];
  if (!rule) return [];
  const filter = value(rule, 'booleanFilter');
  if (filter && /OR|NOT/i.test(filter)) throw new Error(`unsupported booleanFilter ${filter}`);
  return blocks(rule, 'criteria').map((criterion) => {
    const match = /^\{!\$Permission\.CustomPermission\.(\w+)\}$/.exec(value(criterion, 'leftValue'));
    expect(match).not.toBeNull();
    expect([value(criterion, 'operator'), value(criterion, 'rightValue')]).toEqual(['EQUAL', 'true']);
    return match[1];
  });
}

const recordPageCards = fs
  .readdirSync(path.join(APP, 'flexipages'))
  .map((file) => read('flexipages', file))
  .filter((xml) => /<type>RecordPage<\/type>\s*<\/FlexiPage>\s*$/.test(xml))
  .flatMap((xml) =>
    blocks(xml, 'componentInstance')
      .filter((instance) => fs.existsSync(path.join(LWC, value(instance, 'componentName'))))
      .map((instance) => ({ page: value(xml, 'masterLabel'), component: value(instance, 'componentName'), instance })),
  );
const sets = PAGE_USERS.map(permissionSet);

test('the record pages hold Ledgerline cards, the Contact Match Review card among them', () => {
  expect(recordPageCards.map((card) => card.component)).toEqual(expect.arrayContaining(['contactMatchReview']));
});

describe.each(recordPageCards.map((card) => [`${card.page}: ${card.component}`, card]))('%s', (_name, card) => {
  const classes = [...apexClassesOf(card.component)];
  const required = requiredPermissions(card.instance);

  it('shows no user an access error: a set without its Apex is kept out by the visibility rule', () => {
    for (const set of sets) {
      const missing = classes.filter((name) => !set.classes.has(name));
      const sees = required.every((permission) => set.customPermissions.has(permission));
      expect({ set: set.name, sees, missing: sees ? missing : [] }).toEqual({ set: set.name, sees, missing: [] });
    }
  });

  it('is visible to every set that can use it, through a custom permission that exists', () => {
    for (const permission of required) {
      expect(fs.existsSync(path.join(APP, 'customPermissions', `${permission}.customPermission-meta.xml`))).toBe(true);
    }
    const canUse = sets.filter((set) => classes.every((name) => set.classes.has(name))).map((set) => set.name);
    const sees = sets
      .filter((set) => required.every((permission) => set.customPermissions.has(permission)))
      .map((set) => set.name);
    expect(sees).toEqual(canUse);
  });
});

test('finance and admins see the Contact Match Review card on the Account page, reps do not', () => {
  const card = recordPageCards.find((c) => c.component === 'contactMatchReview');
  const required = requiredPermissions(card.instance);
  // A permission of its own, not the finance one for voiding and crediting invoices: granting the card grants no more.
  expect(required).toEqual(['Ledgerline_Review_Contact_Matches']);
  const sees = sets
    .filter((set) => required.every((permission) => set.customPermissions.has(permission)))
    .map((set) => set.name);
  expect(sees).toEqual(['Ledgerline_Finance', 'Ledgerline_Admin']);
});
