import { DomainError } from './errors';
import { parseBillingEntities, routeBillingEntity, routeOpportunity, type BillingEntity } from './billing-entity';
import { normaliseCountry } from './countries';

const record = (overrides: Record<string, unknown>) => ({
  xeroTenantId: `tenant-${String(overrides.developerName)}`,
  baseCurrency: 'GBP',
  countries: [],
  regions: [],
  currencies: [],
  accountCode: '200',
  taxType: 'OUTPUT2',
  lineAmountType: 'Exclusive',
  paymentTermsDays: 30,
  isDefault: false,
  autoEmail: false,
  ...overrides,
});

const { entities } = parseBillingEntities([
  record({ developerName: 'UK_Ltd', countries: 'GB;IE', currencies: 'GBP;EUR', isDefault: true }),
  record({
    developerName: 'US_Inc',
    baseCurrency: 'USD',
    countries: ['US', 'CA'],
    currencies: ['USD'],
    taxType: 'NONE',
    paymentTermsDays: 45,
  }),
  record({ developerName: 'EU_BV', baseCurrency: 'EUR', regions: 'EU', currencies: 'EUR' }),
]);

const route = (input: Parameters<typeof routeBillingEntity>[1], list: readonly BillingEntity[] = entities) => {
  const { entity, reason } = routeBillingEntity(list, input);
  return `${entity.developerName}/${reason}`;
};

describe('billing-entity', () => {
  describe('routing', () => {
    it('honours an explicit override on the Opportunity, then on the Account (DeveloperName, any case)', () => {
      expect(route({ opportunityOverride: 'us_inc', accountOverride: 'EU_BV', country: 'GB', currency: 'GBP' })).toBe(
        'US_Inc/opportunity-override',
      );
      expect(route({ opportunityOverride: ' ', accountOverride: 'EU_BV', country: 'GB', currency: 'GBP' })).toBe(
        'EU_BV/account-override',
      );
    });

    it('refuses an unknown override instead of silently routing elsewhere', () => {
      expect(() => route({ accountOverride: 'Mars_Ltd', country: 'GB', currency: 'GBP' })).toThrow(
        'The Account names billing entity "Mars_Ltd", which is not in Billing_Entity__mdt (known: UK_Ltd, US_Inc, EU_BV)',
      );
    });

    it('prefers country and currency, then region and currency, then country, region, currency, default', () => {
      expect(route({ country: 'IE', currency: 'EUR' })).toBe('UK_Ltd/country-and-currency');
      expect(route({ country: 'DE', currency: 'EUR' })).toBe('EU_BV/region-and-currency');
      expect(route({ country: 'US', currency: 'GBP' })).toBe('US_Inc/country');
      expect(route({ country: 'FR', currency: 'USD' })).toBe('EU_BV/region');
      expect(route({ country: 'BR', currency: 'USD' })).toBe('US_Inc/currency');
      expect(route({ country: 'BR', currency: 'BRL' })).toBe('UK_Ltd/default');
      expect(route({ currency: 'JPY' })).toBe('UK_Ltd/default');
    });

    it('treats an empty currency list as the base currency only', () => {
      const [single] = parseBillingEntities([
        record({ developerName: 'AU_Pty', baseCurrency: 'AUD', countries: 'AU' }),
      ]).entities;
      expect(route({ country: 'NZ', currency: 'AUD' }, single ? [single] : [])).toBe('AU_Pty/currency');
    });

    it('names the country and currency when nothing serves them and there is no default', () => {
      const withoutDefault = entities.filter((e) => !e.isDefault);
      expect(() => route({ country: 'BR', currency: 'BRL' }, withoutDefault)).toThrow(
        'No billing entity serves country BR in currency BRL; add one in Billing_Entity__mdt or set a default',
      );
    });

    it('refuses to guess between two equally good entities', () => {
      const { entities: overlapping, warnings } = parseBillingEntities([
        record({ developerName: 'UK_Ltd', countries: 'GB', currencies: 'GBP' }),
        record({ developerName: 'UK_Services', countries: 'GB', currencies: 'GBP' }),
      ]);
      expect(warnings).toEqual([
        'UK_Ltd and UK_Services both serve GB in GBP: those opportunities need an explicit Billing_Entity__c',
      ]);
      let caught: unknown;
      try {
        route({ country: 'GB', currency: 'GBP' }, overlapping);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DomainError);
      expect((caught as DomainError).code).toBe('BILLING_ENTITY_AMBIGUOUS');
      expect((caught as DomainError).message).toMatch(/UK_Ltd and UK_Services both serve country GB in currency GBP/);
    });

    it('routes Salesforce rows: Account country name, single-currency org falls back to the corporate currency', () => {
      const opportunity = { Billing_Entity__c: null };
      expect(
        routeOpportunity(entities, opportunity, { BillingCountry: 'United States' }, 'USD').entity.developerName,
      ).toBe('US_Inc');
      expect(
        routeOpportunity(entities, { ...opportunity, CurrencyIsoCode: 'eur' }, { BillingCountryCode: 'NL' }, 'GBP')
          .reason,
      ).toBe('region-and-currency');
      expect(() => routeOpportunity(entities.slice(1), opportunity, { BillingCountry: 'Brasil' }, 'BRL')).toThrow(
        'No billing entity serves country BRASIL in currency BRL',
      );
    });
  });

  describe('record validation', () => {
    it('parses list fields stored as text and fills defaults', () => {
      const [uk] = entities;
      expect(uk).toMatchObject({
        countries: ['GB', 'IE'],
        currencies: ['GBP', 'EUR'],
        lineAmountType: 'Exclusive',
        isDefault: true,
      });
      expect(uk?.brandingThemeId).toBeUndefined();
    });

    it("knows the package's own UKI region (UK and Ireland): the shipped UK_Ltd record parses without warnings", () => {
      const { entities: shipped, warnings } = parseBillingEntities([
        record({ developerName: 'UK_Ltd', countries: 'GB,IE', regions: 'UKI', currencies: 'GBP', isDefault: true }),
      ]);
      expect(warnings).toEqual([]);
      expect(routeBillingEntity(shipped, { country: 'JE', currency: 'GBP' })).toMatchObject({
        entity: { developerName: 'UK_Ltd' },
        reason: 'region-and-currency',
      });
    });

    it('reports every problem at once: two defaults, duplicate names, bad fields, unknown regions', () => {
      expect(() =>
        parseBillingEntities([
          record({ developerName: 'A', isDefault: true }),
          record({ developerName: 'B', isDefault: true, baseCurrency: 'POUNDS', countries: 'GBR' }),
          record({ developerName: 'a', paymentTermsDays: -1, lineAmountType: 'Gross' }),
        ]),
      ).toThrow(
        expect.objectContaining({
          code: 'BILLING_ENTITY_CONFIG',
          problems: expect.arrayContaining([
            expect.stringMatching(/^B: baseCurrency must be a 3-letter ISO currency code/),
            expect.stringMatching(/^B: countries.0 must be 2-letter ISO codes/),
            expect.stringMatching(/^a: lineAmountType/),
            expect.stringMatching(/^a: paymentTermsDays/),
          ]),
        }),
      );
      expect(() =>
        parseBillingEntities([
          record({ developerName: 'A', isDefault: true }),
          record({ developerName: 'B', isDefault: true }),
        ]),
      ).toThrow('more than one default entity (A, B); mark exactly one or none');
      expect(() => parseBillingEntities([record({ developerName: 'A' }), record({ developerName: 'a' })])).toThrow(
        'a: DeveloperName is used by more than one record',
      );
    });

    it('refuses a tax-inclusive entity: the finance layer reads Salesforce prices as net of tax', () => {
      expect(() => parseBillingEntities([record({ developerName: 'UK_Ltd', lineAmountType: 'Inclusive' })])).toThrow(
        expect.objectContaining({
          code: 'BILLING_ENTITY_CONFIG',
          problems: [expect.stringMatching(/^UK_Ltd: lineAmountType Inclusive is not supported.*net of tax/)],
        }),
      );
      expect(
        parseBillingEntities([record({ developerName: 'US', lineAmountType: 'NoTax' })]).entities[0],
      ).toMatchObject({
        lineAmountType: 'NoTax',
      });
    });

    it('warns when two entities share one Xero tenant', () => {
      const { warnings } = parseBillingEntities([
        record({ developerName: 'A', xeroTenantId: 't-1' }),
        record({ developerName: 'B', xeroTenantId: 't-1' }),
      ]);
      expect(warnings).toEqual(['A and B share Xero tenant t-1: check that this is intended']);
    });

    it('reads regions as the field describes them ("EMEA", "North America"), with caller-defined ones', () => {
      const { entities: regional, warnings } = parseBillingEntities(
        [
          record({ developerName: 'Emea_Ltd', regions: 'EMEA', currencies: 'EUR, GBP' }),
          record({ developerName: 'Amer_Inc', baseCurrency: 'USD', regions: 'North America, LATAM' }),
          record({ developerName: 'Gulf', baseCurrency: 'AED', regions: 'GCC, Mars' }),
        ],
        { GCC: ['AE', 'SA', 'QA', 'KW', 'BH', 'OM'] },
      );
      expect(regional.map((e) => e.regions)).toEqual([['EMEA'], ['NORTH_AMERICA', 'LATAM'], ['GCC', 'MARS']]);
      expect(warnings).toEqual(['Gulf: region MARS is unknown, so it matches no country; list its countries instead']);
      const gcc = { GCC: ['AE', 'SA', 'QA', 'KW', 'BH', 'OM'] };
      const where = (country: string, currency: string) => {
        const { entity, reason } = routeBillingEntity(regional, { country, currency }, gcc);
        return `${entity.developerName}/${reason}`;
      };
      expect(where('ZA', 'GBP')).toBe('Emea_Ltd/region-and-currency');
      expect(where('BR', 'USD')).toBe('Amer_Inc/region-and-currency');
      expect(where('QA', 'AED')).toBe('Gulf/region-and-currency');
      expect(where('AE', 'EUR')).toBe('Emea_Ltd/region-and-currency');
      expect(() => where('AE', 'USD')).toThrow(/Emea_Ltd and Gulf both serve country AE in currency USD \(region\)/);
    });
  });

  it('normalises billing countries from codes and common names', () => {
    expect(normaliseCountry('gb')).toBe('GB');
    expect(normaliseCountry(null, 'United Kingdom')).toBe('GB');
    expect(normaliseCountry(undefined, ' uk ')).toBe('GB');
    expect(normaliseCountry(undefined, 'New  Zealand')).toBe('NZ');
    expect(normaliseCountry(undefined, 'Atlantis')).toBeUndefined();
    expect(normaliseCountry(undefined, '')).toBeUndefined();
  });
});
