import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserAccess } from './access';
import { loadPermissionSets } from './schema/metadata-loader';
import { readSeed } from './seed';
import { DEFAULT_FORCE_APP_DIR } from './server';

const API_ONLY = 'Minimum Access - API Only Integrations';
const STANDARD_OBJECTS = ['Opportunity', 'Account', 'Contact', 'Product2', 'Pricebook2'];

describe("the bridge user's access, as a subscriber org installs it", () => {
  const sets = loadPermissionSets(DEFAULT_FORCE_APP_DIR, 'ldgr');
  const access = new UserAccess(sets);
  access.assign('packaged-only@acme.test', API_ONLY, ['Ledgerline_Integration']);
  const seed = readSeed();
  const seeded = seed.users.find((u) => u.Username === seed.integrationUser)!;
  access.assign(seeded.Username, seeded.profile ?? 'Standard User', seeded.permissionSets ?? []);

  it.each(STANDARD_OBJECTS)('the packaged set alone gives no access to %s (the install drops it)', (object) => {
    expect(access.objectAccess('packaged-only@acme.test', object, true)).toMatchObject({ read: false, edit: false });
  });

  it('the seeded integration user holds the org-owned standard-access set, as README install step 6.1 assigns', () => {
    expect(seeded).toMatchObject({
      profile: API_ONLY,
      permissionSets: ['Ledgerline_Integration', 'Ledgerline_Integration_Standard_Access'],
    });
    const grants = Object.fromEntries(
      STANDARD_OBJECTS.map((object) => {
        const a = access.objectAccess(seeded.Username, object, true);
        return [object, `${a.read ? 'R' : ''}${a.edit ? 'E' : ''}`];
      }),
    );
    expect(grants).toEqual({ Opportunity: 'RE', Account: 'RE', Contact: 'R', Product2: 'R', Pricebook2: 'R' });
  });

  it("keeps the packaged set's access to the package's own objects (namespaced)", () => {
    expect(access.objectAccess('packaged-only@acme.test', 'ldgr__Invoice__c', false)).toMatchObject({
      read: true,
      modifyAll: true,
    });
    expect(access.objectAccess('packaged-only@acme.test', 'ldgr__Invoice_Request__e', false).read).toBe(true);
  });
});

describe('loadPermissionSets', () => {
  const SET = (objects: string[]) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">\n${objects
      .map(
        (o) =>
          `    <objectPermissions>\n        <allowRead>true</allowRead>\n        <object>${o}</object>\n    </objectPermissions>\n`,
      )
      .join('')}    <label>X</label>\n</PermissionSet>\n`;
  let project: string;
  const write = (dir: string, name: string, objects: string[]) => {
    const folder = join(project, dir, 'main', 'default', 'permissionsets');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${name}.permissionset-meta.xml`), SET(objects));
  };
  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'ledgerline-permsets-'));
    writeFileSync(
      join(project, 'sfdx-project.json'),
      JSON.stringify({ packageDirectories: [{ path: 'force-app', package: 'P' }, { path: 'force-app-unpackaged' }] }),
    );
  });
  afterEach(() => rmSync(project, { recursive: true, force: true }));

  it("drops a packaged set's standard-object permissions and keeps an org-owned set's", () => {
    write('force-app', 'Packaged', ['Opportunity', 'Widget__c']);
    write('force-app-unpackaged', 'Org_Owned', ['Opportunity', 'Widget__c']);
    const sets = loadPermissionSets(join(project, 'force-app'), 'ldgr');
    expect([...sets.get('Packaged')!.objects.keys()]).toEqual(['ldgr__widget__c']);
    expect([...sets.get('Org_Owned')!.objects.keys()]).toEqual(['opportunity', 'ldgr__widget__c']);
  });

  it('refuses a permission set defined in two package directories', () => {
    write('force-app', 'Twice', []);
    write('force-app-unpackaged', 'Twice', []);
    expect(() => loadPermissionSets(join(project, 'force-app'), '')).toThrow(/permission set Twice is defined twice/);
  });
});
