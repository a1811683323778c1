/**
 * The bridge's External Client App in the package (issue 13 item 17): what force-app ships is what the metadata
 * allows a package to carry, nothing secret or org-specific rides along, the offline convert gate holds it to the
 * package, and the emulator's app pre-authorises a permission set the package really has.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { BRIDGE_APP_PERMISSION_SETS } from '../sandbox-bridge';
import { selfSignedCertificate } from './certificate';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the gate is plain JS
const { expectedComponents } = require('../../../scripts/force-app-gates/convert.js') as {
  expectedComponents(projectDir: string): Set<string>;
};

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SOURCE = path.join(ROOT, 'force-app', 'main', 'default');
const parse = (file: string) => new XMLParser({ parseTagValue: false }).parse(readFileSync(file, 'utf8'));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

describe('the Ledgerline Bridge External Client App in force-app', () => {
  it('ships the app, packaged, and its OAuth settings with the api and refresh_token scopes', () => {
    const app = parse(
      path.join(SOURCE, 'externalClientApps', 'Ledgerline_Bridge.eca-meta.xml'),
    ).ExternalClientApplication;
    expect(app).toMatchObject({ label: 'Ledgerline Bridge', distributionState: 'Packaged', isProtected: 'false' });
    const oauth = parse(
      path.join(SOURCE, 'extlClntAppOauthSettings', 'Ledgerline_Bridge_oauth.ecaOauth-meta.xml'),
    ).ExtlClntAppOauthSettings;
    expect(oauth.externalClientApplication).toBe('Ledgerline_Bridge');
    expect(String(oauth.commaSeparatedOauthScopes).split(/,\s*/).sort()).toEqual(['Api', 'RefreshToken']);
    // generated when the package version is built against the app's OAuth consumer; a stale one fails deploys
    expect(oauth.oauthLink).toBeUndefined();
  });

  it('ships no consumer key, secret, certificate or org policy: the admin sets those in each org', () => {
    for (const folder of ['extlClntAppGlobalOauthSets', 'extlClntAppOauthPolicies', 'extlClntAppPolicies'])
      expect({ folder, exists: existsSync(path.join(SOURCE, folder)) }).toEqual({ folder, exists: false });
    const secrets = files(path.join(ROOT, 'force-app')).filter((file) =>
      /<(consumerKey|consumerSecret|certificate)>/.test(readFileSync(file, 'utf8')),
    );
    expect(secrets).toEqual([]);
  });

  it('is held to the package by the convert gate', () => {
    expect([...expectedComponents(ROOT)]).toEqual(
      expect.arrayContaining([
        'ExternalClientApplication:Ledgerline_Bridge',
        'ExtlClntAppOauthSettings:Ledgerline_Bridge_oauth',
      ]),
    );
  });

  it("pre-authorises, in the sandbox, a permission set the package ships (as the admin's policy does)", () => {
    for (const name of BRIDGE_APP_PERMISSION_SETS)
      expect(existsSync(path.join(SOURCE, 'permissionsets', `${name}.permissionset-meta.xml`))).toBe(true);
  });
});

describe('selfSignedCertificate', () => {
  it('encodes a serial that starts with zero bytes minimally, as DER requires (1 in 256 random serials did)', () => {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const serial of [
      Buffer.from('0000' + '01'.repeat(14), 'hex'),
      Buffer.from('00000080' + '11'.repeat(14), 'hex'),
    ]) {
      expect(() => selfSignedCertificate(keys, { serial })).not.toThrow();
    }
  });
});
