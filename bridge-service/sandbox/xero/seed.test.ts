import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadSeed } from './seed';

// The emulator's organisations must be the ones the Salesforce package routes to (Billing_Entity__mdt).
const metadataDir = path.resolve(__dirname, '..', '..', '..', 'force-app', 'main', 'default', 'customMetadata');

function records(): Record<string, string>[] {
  if (!existsSync(metadataDir)) return [];
  return readdirSync(metadataDir)
    .filter((file) => file.startsWith('Billing_Entity.') && file.endsWith('.md-meta.xml'))
    .map((file) => {
      const xml = readFileSync(path.join(metadataDir, file), 'utf8');
      const fields: Record<string, string> = { file };
      for (const match of xml.matchAll(/<field>([^<]+)<\/field>\s*<value[^>]*>([^<]*)<\/value>/g))
        fields[match[1] as string] = match[2] as string;
      return fields;
    });
}

describe('xero emulator seed', () => {
  const seed = loadSeed();

  it('has the three Ledgerline organisations with a bank account 090 and a default branding theme', () => {
    expect(seed.organisations.map((o) => [o.tenantId, o.baseCurrency])).toEqual([
      ['11111111-1111-4111-8111-111111111111', 'GBP'],
      ['22222222-2222-4222-8222-222222222222', 'USD'],
      ['33333333-3333-4333-8333-333333333333', 'EUR'],
    ]);
    for (const org of seed.organisations) {
      expect(org.accounts.find((a) => a.Code === '090')?.Type).toBe('BANK');
      expect(org.brandingThemes.some((t) => t.SortOrder === 0)).toBe(true);
      expect(org.trackingCategories.some((c) => c.Name === 'Region' && c.Status === 'ACTIVE')).toBe(true);
    }
    expect(seed.users[0]?.tenantIds).toHaveLength(3);
  });

  it('serves every Billing_Entity__mdt sample record: tenant, currencies, account code, tax type, branding theme', () => {
    const entities = records();
    // The package ships these records; none found means they moved, and this check must not pass by default.
    expect(entities.map((e) => e.file)).toEqual(expect.arrayContaining([expect.stringMatching(/^Billing_Entity\./)]));
    for (const entity of entities) {
      const org = seed.organisations.find((o) => o.tenantId === entity.Xero_Tenant_Id__c);
      expect({ file: entity.file, found: Boolean(org) }).toEqual({ file: entity.file, found: true });
      if (!org) continue;
      expect(org.baseCurrency).toBe(entity.Base_Currency__c);
      for (const code of (entity.Currencies__c ?? '').split(',').filter(Boolean))
        expect(org.currencies.map((c) => c.Code)).toContain(code);
      if (entity.Account_Code__c) expect(org.accounts.map((a) => a.Code)).toContain(entity.Account_Code__c);
      if (entity.Tax_Type__c) expect(org.taxRates.map((t) => t.TaxType)).toContain(entity.Tax_Type__c);
      if (entity.Branding_Theme_Id__c)
        expect(org.brandingThemes.map((t) => t.BrandingThemeID)).toContain(entity.Branding_Theme_Id__c);
    }
  });
});
