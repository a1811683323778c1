/** Settings: TaxRates, Currencies, TrackingCategories, BrandingThemes (Organisation and Accounts have their own files). */
import Big from 'big.js';
import type { FastifyInstance } from 'fastify';
import type { Tenant } from '../store';
import { amount, msDate } from '../wire';
import { idParams, notFound, query, sendJson, writeQuery, type Kit } from './kit';

export function registerSettings(app: FastifyInstance, kit: Kit): void {
  const { tenantOf, envelope, listing } = kit;

  app.get('/TaxRates', async (req, reply) => {
    const org = tenantOf(req).org;
    return listing(req, reply, {
      records: org.taxRates,
      updatedAt: () => org.createdAt,
      collection: 'TaxRates',
      pageable: false,
      view: (rate) => {
        const value = amount(new Big(rate.Rate));
        return {
          Name: rate.Name,
          TaxType: rate.TaxType,
          ReportTaxType: rate.ReportTaxType,
          CanApplyToAssets: true,
          CanApplyToEquity: true,
          CanApplyToExpenses: true,
          CanApplyToLiabilities: true,
          CanApplyToRevenue: true,
          DisplayTaxRate: value,
          EffectiveRate: value,
          Status: rate.Status,
          TaxComponents: [{ Name: rate.Name, Rate: value, IsCompound: false, IsNonRecoverable: false }],
        };
      },
    });
  });

  app.get('/Currencies', async (req, reply) => {
    const org = tenantOf(req).org;
    return listing(req, reply, {
      records: org.currencies,
      updatedAt: () => org.createdAt,
      collection: 'Currencies',
      pageable: false,
      view: (c) => ({ ...c }),
    });
  });

  app.put('/Currencies', async (req, reply) => {
    const org = tenantOf(req).org;
    const body = req.body as { Code?: unknown; Description?: unknown } | undefined;
    const code = typeof body?.Code === 'string' ? body.Code.toUpperCase() : '';
    if (!/^[A-Z]{3}$/.test(code)) {
      return sendJson(reply, 400, {
        ErrorNumber: 10,
        Type: 'ValidationException',
        Message: 'A validation exception occurred',
        Elements: [{ ValidationErrors: [{ Message: 'Currency Code is not valid' }] }],
      });
    }
    if (!org.currencies.some((c) => c.Code === code))
      org.currencies.push({ Code: code, Description: typeof body?.Description === 'string' ? body.Description : code });
    return sendJson(reply, 200, envelope({ Currencies: org.currencies.filter((c) => c.Code === code) }));
  });

  app.get('/TrackingCategories', async (req, reply) => {
    const org = tenantOf(req).org;
    const includeArchived = query(req).includearchived === 'true';
    return listing(req, reply, {
      records: org.trackingCategories.filter((c) => includeArchived || c.Status === 'ACTIVE'),
      updatedAt: () => org.createdAt,
      collection: 'TrackingCategories',
      pageable: false,
      view: (c) => ({
        Name: c.Name,
        Status: c.Status,
        TrackingCategoryID: c.TrackingCategoryID,
        Options: c.Options.filter((o) => includeArchived || o.Status === 'ACTIVE').map((o) => ({
          TrackingOptionID: o.TrackingOptionID,
          Name: o.Name,
          Status: o.Status,
          HasValidationErrors: false,
          IsDeleted: o.Status === 'DELETED',
          IsArchived: o.Status === 'ARCHIVED',
          IsActive: o.Status === 'ACTIVE',
        })),
      }),
    });
  });

  const themeView = (org: Tenant['org'], theme: Tenant['org']['brandingThemes'][number]) => ({
    BrandingThemeID: theme.BrandingThemeID,
    Name: theme.Name,
    Type: 'INVOICE',
    SortOrder: theme.SortOrder,
    CreatedDateUTC: msDate(org.createdAt),
  });
  app.get('/BrandingThemes', async (req, reply) => {
    const org = tenantOf(req).org;
    return sendJson(reply, 200, envelope({ BrandingThemes: org.brandingThemes.map((t) => themeView(org, t)) }));
  });
  app.get<{ Params: { id: string } }>(
    '/BrandingThemes/:id',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const org = tenantOf(req).org;
      const theme = org.brandingThemes.find((t) => t.BrandingThemeID === req.params.id.toLowerCase());
      return theme ? sendJson(reply, 200, envelope({ BrandingThemes: [themeView(org, theme)] })) : notFound(reply);
    },
  );
}
