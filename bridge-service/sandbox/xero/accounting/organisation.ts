/** GET /Organisation: the organisation's settings, with its lock dates when set (lock-dates.ts). */
import type { FastifyInstance } from 'fastify';
import { msDate } from '../wire';
import { sendJson, type Kit } from './kit';

const dayMs = (day: string) => msDate(Date.parse(`${day}T00:00:00Z`));

export function registerOrganisation(app: FastifyInstance, kit: Kit): void {
  const { tenantOf, envelope } = kit;
  app.get('/Organisation', async (req, reply) => {
    const org = tenantOf(req).org;
    return sendJson(
      reply,
      200,
      envelope({
        Organisations: [
          {
            OrganisationID: org.organisationId,
            APIKey: '',
            Name: org.name,
            LegalName: org.legalName,
            PaysTax: true,
            Version: org.version,
            OrganisationType: 'COMPANY',
            BaseCurrency: org.baseCurrency,
            CountryCode: org.countryCode,
            IsDemoCompany: false,
            OrganisationStatus: 'ACTIVE',
            FinancialYearEndDay: org.financialYearEndDay,
            FinancialYearEndMonth: org.financialYearEndMonth,
            SalesTaxBasis: 'ACCRUALS',
            SalesTaxPeriod: 'QUARTERLY',
            DefaultSalesTax: 'Tax Exclusive',
            DefaultPurchasesTax: 'Tax Exclusive',
            // Shown only when set, as Xero does.
            ...(org.periodLockDate !== undefined ? { PeriodLockDate: dayMs(org.periodLockDate) } : {}),
            ...(org.endOfYearLockDate !== undefined ? { EndOfYearLockDate: dayMs(org.endOfYearLockDate) } : {}),
            CreatedDateUTC: msDate(org.createdAt),
            OrganisationEntityType: 'COMPANY',
            Timezone: org.timezone,
            ShortCode: org.shortCode,
            Edition: 'BUSINESS',
            Class: 'PREMIUM',
            Addresses: [],
            Phones: [],
            ExternalLinks: [],
            PaymentTerms: {},
          },
        ],
      }),
    );
  });
}
