import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Big from 'big.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../shared/clock';
import type { IdentityServer } from './auth';
import type { CallLog, CallRecord } from './call-log';
import { writeContact, findContact } from './contacts';
import type { DocKind, ElementResult } from './documents';
import { documents, findDocument, markEmailed, writeDocument } from './documents';
import type { FaultPlan } from './faults';
import type { IdempotencyStore } from './idempotency';
import { fingerprint } from './idempotency';
import { deleteAllocation, deletePayment, writeAllocation, writePayment } from './payments';
import type { RateLimiter } from './rate-limiter';
import type { StoredDocument, Tenant, XeroStore } from './store';
import { allocationView, contactView, creditNoteView, invoiceView, paymentView } from './store';
import { compileOrder, compileWhere, QueryError } from './where';
import { amount, msDate, toJson, ZERO_GUID } from './wire';

export interface AccountingDeps {
  store: XeroStore;
  identity: IdentityServer;
  limiter: RateLimiter;
  faults: FaultPlan;
  idempotency: IdempotencyStore;
  calls: CallLog;
  clock: Clock;
  recordBodies: boolean;
  providerName: string;
  rawBodies: WeakMap<object, string>;
  /** Resolvers of hung requests, released on close. */
  hangs: Set<() => void>;
}

interface CallContext {
  record: CallRecord;
  started: number;
  tenantId?: string;
  release?: () => void;
  idem?: { complete: (r: { status: number; contentType: string; body: string }) => void };
  dropAfterCommit?: boolean;
}

// Route schemas: query values stay strings (xero-node sends them as text); bodies are checked with zod per
// element so one bad element cannot fail its siblings.
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;
const allocationParams = {
  type: 'object',
  required: ['id', 'allocationId'],
  properties: { id: { type: 'string', minLength: 1 }, allocationId: { type: 'string', minLength: 1 } },
} as const;
const flag = { type: 'string', enum: ['true', 'false'] } as const;
const writeQuery = {
  type: 'object',
  properties: { summarizeErrors: flag, unitdp: { type: 'string', enum: ['2', '4'] }, allowBackorders: flag },
} as const;
const listQuery = {
  type: 'object',
  properties: {
    where: { type: 'string' },
    order: { type: 'string' },
    page: { type: 'string', pattern: '^[0-9]+$' },
    pageSize: { type: 'string', pattern: '^[0-9]+$' },
    unitdp: { type: 'string', enum: ['2', '4'] },
    IDs: { type: 'string' },
    InvoiceNumbers: { type: 'string' },
    ContactIDs: { type: 'string' },
    Statuses: { type: 'string' },
    includeArchived: flag,
    createdByMyApp: flag,
    summaryOnly: flag,
    searchTerm: { type: 'string' },
  },
} as const;

export const NOT_FOUND_TEXT = "The resource you're looking for cannot be found";

type Query = Record<string, string | undefined>;

function query(req: FastifyRequest): Query {
  const out: Query = {};
  for (const [key, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : undefined;
  }
  return out;
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
}

function problem(status: number, title: string, detail: string): Record<string, unknown> {
  return { Type: null, Title: title, Status: status, Detail: detail, Instance: randomUUID(), Extensions: {} };
}

function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(toJson(body));
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('text/plain; charset=utf-8').send(NOT_FOUND_TEXT);
}

function unitdp(q: Query): 2 | 4 {
  return q.unitdp === '4' ? 4 : 2;
}

function tryParse(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The Accounting API under /api.xro/2.0: auth, tenant, limits, faults and idempotency, then the resources. */
export function registerAccounting(app: FastifyInstance, deps: AccountingDeps): void {
  const { store, identity, limiter, faults, idempotency, calls, clock } = deps;
  const contexts = new WeakMap<FastifyRequest, CallContext>();
  const ctxOf = (req: FastifyRequest) => contexts.get(req) as CallContext;
  const tenantOf = (req: FastifyRequest) => store.tenant(ctxOf(req).tenantId as string) as Tenant;

  const envelope = (extra: Record<string, unknown>) => ({
    Id: randomUUID(),
    Status: 'OK',
    ProviderName: deps.providerName,
    DateTimeUTC: msDate(clock.now()),
    ...extra,
  });

  app.addHook('onRequest', async (req, reply) => {
    const [path = '', search = ''] = req.url.split('?');
    const tenantHeader = req.headers['xero-tenant-id'];
    const tenantId = typeof tenantHeader === 'string' ? tenantHeader.toLowerCase() : undefined;
    const key = req.headers['idempotency-key'];
    const ctx: CallContext = {
      started: performance.now(),
      record: calls.start({
        method: req.method,
        path,
        query: search,
        tenantId,
        at: clock.now(),
        idempotencyKey: typeof key === 'string' ? key : undefined,
      }),
    };
    contexts.set(req, ctx);
    reply.raw.once('close', () => {
      ctx.release?.();
      const record = ctx.record;
      record.ms = Math.round((performance.now() - ctx.started) * 10) / 10;
      if (ctx.dropAfterCommit) {
        record.outcome = 'dropped-after-commit';
        record.status = 0;
      } else if (reply.raw.writableFinished) {
        record.outcome = 'answered';
        record.status = reply.raw.statusCode;
      } else {
        record.outcome = 'aborted';
        record.status = 0;
      }
      if (deps.recordBodies) record.requestBody = tryParse(deps.rawBodies.get(req.raw));
    });

    const authorization = req.headers.authorization;
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    const access = identity.verifyAccess(token);
    reply.headers(limiter.headers(tenantId !== undefined && store.tenant(tenantId) ? tenantId : undefined));
    if (!access.ok)
      return sendJson(reply.header('www-authenticate', 'Bearer'), 401, problem(401, 'Unauthorized', access.detail));
    if (tenantId === undefined || !store.tenant(tenantId) || !identity.isConnected(access.userId, tenantId)) {
      return sendJson(reply, 403, problem(403, 'Forbidden', 'AuthenticationUnsuccessful'));
    }
    ctx.tenantId = tenantId;

    const admission = limiter.admit(tenantId);
    reply.headers(admission.headers);
    if (!admission.ok) {
      ctx.record.rateLimitProblem = admission.problem;
      return reply
        .code(429)
        .header('Retry-After', String(admission.retryAfterSeconds))
        .header('X-Rate-Limit-Problem', admission.problem)
        .send();
    }
    ctx.release = admission.release;
    ctx.record.admittedAt = admission.at;

    const fault = faults.pick(req.method, path);
    if (!fault) return;
    ctx.record.fault = fault.kind === 'status' ? `status ${fault.status ?? 500}` : fault.kind;
    switch (fault.kind) {
      case 'status': {
        const status = fault.status ?? 500;
        return sendJson(
          reply,
          status,
          problem(status, status === 503 ? 'Service Unavailable' : 'Internal Server Error', 'Injected fault'),
        );
      }
      case 'hang':
        // Never answers; the caller's timeout (or emulator close) ends it.
        await new Promise<void>((resolve) => {
          deps.hangs.add(resolve);
          reply.raw.once('close', () => {
            deps.hangs.delete(resolve);
            resolve();
          });
        });
        return reply.hijack();
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));
        return;
      case 'drop-after-commit':
        ctx.dropAfterCommit = true;
        return;
    }
  });

  app.addHook('preHandler', async (req, reply) => {
    const ctx = ctxOf(req);
    const key = ctx.record.idempotencyKey;
    if (key === undefined || req.method === 'GET') return;
    if (key.length > 128) {
      return sendJson(reply, 400, {
        ErrorNumber: 10,
        Type: 'ValidationException',
        Message: 'Idempotency-Key must be 128 characters or fewer',
      });
    }
    const print = fingerprint({
      tenantId: ctx.tenantId ?? '',
      method: req.method,
      url: req.url,
      body: deps.rawBodies.get(req.raw) ?? '',
    });
    for (;;) {
      const decision = idempotency.begin(key, print);
      if (decision.kind === 'mismatch') {
        return sendJson(reply, 400, {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Message: 'The Idempotency-Key has already been used with a different request',
        });
      }
      if (decision.kind === 'replay') {
        return reply.code(decision.response.status).type(decision.response.contentType).send(decision.response.body);
      }
      if (decision.kind === 'pending') {
        const response = await decision.wait;
        if (response) return reply.code(response.status).type(response.contentType).send(response.body);
        continue;
      }
      ctx.idem = { complete: decision.complete };
      reply.raw.once('close', () => {
        // The handler never produced an answer (client gone first): forget the key.
        if (ctx.idem) decision.abandon();
      });
      return;
    }
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const ctx = contexts.get(req);
    if (!ctx) return payload;
    const body = typeof payload === 'string' ? payload : payload === null || payload === undefined ? '' : undefined;
    if (deps.recordBodies && body !== undefined) ctx.record.responseBody = tryParse(body);
    if (ctx.idem && body !== undefined) {
      ctx.idem.complete({
        status: reply.statusCode,
        contentType: String(reply.getHeader('content-type') ?? 'application/json'),
        body,
      });
      ctx.idem = undefined;
    }
    if (ctx.dropAfterCommit) {
      // The write is committed (and remembered under its Idempotency-Key); the answer is lost.
      req.raw.socket?.destroy();
    }
    return payload;
  });

  app.setNotFoundHandler((_req, reply) => notFound(reply));
  app.setErrorHandler((error: Error & { statusCode?: number }, _req, reply) => {
    if (error instanceof QueryError)
      return sendJson(reply, 400, { ErrorNumber: 16, Type: 'QueryParseException', Message: error.message });
    const status = error.statusCode ?? 500;
    if (status < 500)
      return sendJson(reply, 400, { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: error.message });
    app.log.error({ err: error }, 'xero emulator handler failed');
    return sendJson(reply, 500, problem(500, 'Internal Server Error', 'An error occurred in Xero.'));
  });

  // ----- helpers shared by the batch endpoints --------------------------------------------------

  /** The elements of a body: `{Collection:[...]}` or a single element object. */
  function elements(req: FastifyRequest, collection: string): unknown[] | undefined {
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
    const items = body[collection];
    if (Array.isArray(items)) return items;
    if (items !== undefined) return undefined;
    return Object.keys(body).length > 0 ? [body] : [];
  }

  function badBody(reply: FastifyReply, collection: string): FastifyReply {
    return sendJson(reply, 400, {
      ErrorNumber: 14,
      Type: 'PostDataInvalidException',
      Message: `The request body must contain ${collection}`,
    });
  }

  /**
   * Xero's batch semantics: each element stands alone. summarizeErrors absent/true -> 400 listing only
   * the failures while the successes stay saved; false -> 200 with every element and its status.
   */
  function batch(
    req: FastifyRequest,
    reply: FastifyReply,
    collection: string,
    idKey: string,
    items: unknown[],
    write: (item: unknown) => ElementResult,
    view: (id: string) => Record<string, unknown>,
  ): FastifyReply {
    const summarize = query(req).summarizeerrors !== 'false';
    const results = items.map((item) => ({ item, result: write(item) }));
    const echo = (item: unknown, errors: string[]) => ({
      ...(item !== null && typeof item === 'object' ? (item as Record<string, unknown>) : {}),
      [idKey]: ZERO_GUID,
      ...(idKey === 'ContactID' ? { HasValidationErrors: true } : { HasErrors: true }),
      ValidationErrors: errors.map((Message) => ({ Message })),
    });
    if (summarize) {
      const failed = results.filter((r) => !r.result.ok);
      if (failed.length > 0) {
        return sendJson(reply, 400, {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Message: 'A validation exception occurred',
          Elements: failed.map((r) => echo(r.item, r.result.ok ? [] : r.result.errors)),
        });
      }
      return sendJson(
        reply,
        200,
        envelope({ [collection]: results.map((r) => (r.result.ok ? view(r.result.id) : {})) }),
      );
    }
    return sendJson(
      reply,
      200,
      envelope({
        [collection]: results.map(({ item, result }) => {
          if (!result.ok) return { ...echo(item, result.errors), StatusAttributeString: 'ERROR' };
          const warned = result.warnings.length > 0;
          return {
            ...view(result.id),
            StatusAttributeString: warned ? 'WARNING' : 'OK',
            ...(warned ? { Warnings: result.warnings.map((Message) => ({ Message })) } : {}),
          };
        }),
      }),
    );
  }

  interface ListOptions<T> {
    records: T[];
    updatedAt: (record: T) => number;
    view: (record: T, paged: boolean) => Record<string, unknown>;
    keep?: (record: T, q: Query) => boolean;
    collection: string;
    pageable: boolean;
  }

  function listing<T>(req: FastifyRequest, reply: FastifyReply, options: ListOptions<T>): FastifyReply {
    const q = query(req);
    const header = req.headers['if-modified-since'];
    let since: number | undefined;
    if (typeof header === 'string' && header !== '') {
      const parsed = Date.parse(header);
      if (Number.isNaN(parsed)) {
        return sendJson(reply, 400, {
          ErrorNumber: 14,
          Type: 'PostDataInvalidException',
          Message: `If-Modified-Since '${header}' is not a date`,
        });
      }
      since = Math.floor(parsed / 1000) * 1000;
    }
    const page = q.page !== undefined ? Number(q.page) : undefined;
    if (page !== undefined && (!Number.isInteger(page) || page < 1)) {
      return sendJson(reply, 400, {
        ErrorNumber: 10,
        Type: 'ValidationException',
        Message: 'page must be a positive integer',
      });
    }
    const paged = options.pageable && page !== undefined;
    const where = q.where ? compileWhere(q.where) : undefined;
    const order = q.order ? compileOrder(q.order) : undefined;
    let views = options.records
      .filter((record) => since === undefined || Math.floor(options.updatedAt(record) / 1000) * 1000 >= since)
      .filter((record) => !options.keep || options.keep(record, q))
      .map((record) => options.view(record, paged))
      .filter((view) => !where || where(view));
    if (order) views = [...views].sort(order);
    const extra: Record<string, unknown> = {};
    if (paged && page !== undefined) {
      const requested = q.pagesize !== undefined ? Number(q.pagesize) : 100;
      const pageSize = Number.isInteger(requested) && requested >= 1 ? Math.min(requested, 1000) : 100;
      const itemCount = views.length;
      extra.pagination = { page, pageSize, pageCount: Math.ceil(itemCount / pageSize), itemCount };
      views = views.slice((page - 1) * pageSize, page * pageSize);
    }
    return sendJson(reply, 200, envelope({ ...extra, [options.collection]: views }));
  }

  const viewOptions = (q: Query, withLines: boolean) => ({ unitdp: unitdp(q), withLines, rounding: store.rounding });

  // ----- settings -----------------------------------------------------------------------------------

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
            FinancialYearEndDay: 31,
            FinancialYearEndMonth: 12,
            SalesTaxBasis: 'ACCRUALS',
            SalesTaxPeriod: 'QUARTERLY',
            DefaultSalesTax: 'Tax Exclusive',
            DefaultPurchasesTax: 'Tax Exclusive',
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

  app.get('/Accounts', async (req, reply) => {
    const org = tenantOf(req).org;
    return listing(req, reply, {
      records: org.accounts,
      updatedAt: () => org.createdAt,
      collection: 'Accounts',
      pageable: false,
      view: (account) => ({
        AccountID: account.AccountID,
        Code: account.Code,
        Name: account.Name,
        Status: account.Status,
        Type: account.Type,
        TaxType: account.TaxType,
        Class: account.Class,
        EnablePaymentsToAccount: account.EnablePaymentsToAccount,
        ShowInExpenseClaims: false,
        ...(account.BankAccountNumber !== undefined ? { BankAccountNumber: account.BankAccountNumber } : {}),
        ...(account.BankAccountType !== undefined ? { BankAccountType: account.BankAccountType } : {}),
        ...(account.CurrencyCode !== undefined ? { CurrencyCode: account.CurrencyCode } : {}),
        ReportingCode: account.Class === 'REVENUE' ? 'REV' : 'ASS',
        HasAttachments: false,
        UpdatedDateUTC: msDate(org.createdAt),
        AddToWatchlist: false,
      }),
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

  // ----- contacts -----------------------------------------------------------------------------------

  app.get('/Contacts', { schema: { querystring: listQuery } }, async (req, reply) => {
    const tenant = tenantOf(req);
    return listing(req, reply, {
      records: [...tenant.contacts.values()],
      updatedAt: (c) => c.updatedAt,
      collection: 'Contacts',
      pageable: true,
      keep: (c, q) => {
        const ids = list(q.ids)?.map((id) => id.toLowerCase());
        if (ids && !ids.includes(c.id)) return false;
        if (c.status === 'ARCHIVED' && q.includearchived !== 'true') return false;
        if (q.searchterm) {
          const term = q.searchterm.toLowerCase();
          const fields = [
            c.name,
            c.firstName,
            c.lastName,
            c.contactNumber,
            c.emailAddress,
            c.accountNumber,
            c.taxNumber,
          ];
          if (!fields.some((f) => f?.toLowerCase().includes(term))) return false;
        }
        return true;
      },
      view: (c) => contactView(tenant, c, query(req).summaryonly === 'true'),
    });
  });

  app.get<{ Params: { id: string } }>(
    '/Contacts/:id',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const contact = findContact(tenant, req.params.id);
      return contact ? sendJson(reply, 200, envelope({ Contacts: [contactView(tenant, contact)] })) : notFound(reply);
    },
  );

  const contactWriter = (mode: 'create' | 'upsert') => async (req: FastifyRequest, reply: FastifyReply) => {
    const tenant = tenantOf(req);
    const items = elements(req, 'Contacts');
    if (!items) return badBody(reply, 'Contacts');
    return batch(
      req,
      reply,
      'Contacts',
      'ContactID',
      items,
      (item) => writeContact(store, tenant.org.tenantId, item, mode),
      (id) => contactView(tenant, tenant.contacts.get(id) as NonNullable<ReturnType<typeof tenant.contacts.get>>),
    );
  };
  app.put('/Contacts', { schema: { querystring: writeQuery } }, contactWriter('create'));
  app.post('/Contacts', { schema: { querystring: writeQuery } }, contactWriter('upsert'));
  app.post<{ Params: { id: string } }>(
    '/Contacts/:id',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      if (!findContact(tenant, req.params.id)) return notFound(reply);
      const items = elements(req, 'Contacts');
      if (!items || items.length !== 1) return badBody(reply, 'one Contact');
      return batch(
        req,
        reply,
        'Contacts',
        'ContactID',
        items,
        (item) => writeContact(store, tenant.org.tenantId, item, 'upsert', req.params.id),
        (id) => contactView(tenant, tenant.contacts.get(id) as NonNullable<ReturnType<typeof tenant.contacts.get>>),
      );
    },
  );

  // ----- invoices and credit notes -------------------------------------------------------------------

  function registerDocuments(kind: DocKind, base: string, collection: string, idKey: string): void {
    const viewOf = (tenant: Tenant, q: Query, withLines: boolean) => (doc: StoredDocument) =>
      kind === 'invoice'
        ? invoiceView(tenant, doc, viewOptions(q, withLines))
        : creditNoteView(tenant, doc, viewOptions(q, withLines));

    app.get(base, { schema: { querystring: listQuery } }, async (req, reply) => {
      const tenant = tenantOf(req);
      const q0 = query(req);
      const summaryOnly = q0.summaryonly === 'true';
      return listing(req, reply, {
        records: [...documents(tenant, kind).values()],
        updatedAt: (d) => d.updatedAt,
        collection,
        pageable: true,
        keep: (d, q) => {
          const ids = list(q.ids)?.map((id) => id.toLowerCase());
          if (ids && !ids.includes(d.id)) return false;
          const numbers = list(q.invoicenumbers);
          if (kind === 'invoice' && numbers && !numbers.includes(d.number)) return false;
          const contactIds = list(q.contactids)?.map((id) => id.toLowerCase());
          if (contactIds && !contactIds.includes(d.contactId)) return false;
          const statuses = list(q.statuses)?.map((s) => s.toUpperCase());
          if (statuses && !statuses.includes(d.status)) return false;
          if (q.searchterm) {
            const term = q.searchterm.toLowerCase();
            if (!d.number.toLowerCase().includes(term) && !(d.reference ?? '').toLowerCase().includes(term))
              return false;
          }
          return true;
        },
        view: (d, paged) => {
          const view = viewOf(tenant, q0, paged && !summaryOnly)(d);
          if (summaryOnly) {
            delete view.Payments;
            delete view.CreditNotes;
            delete view.Prepayments;
            delete view.Overpayments;
          }
          return view;
        },
      });
    });

    app.get<{ Params: { id: string } }>(
      `${base}/:id`,
      { schema: { params: idParams, querystring: writeQuery } },
      async (req, reply) => {
        const tenant = tenantOf(req);
        const doc = findDocument(tenant, kind, req.params.id);
        return doc
          ? sendJson(reply, 200, envelope({ [collection]: [viewOf(tenant, query(req), true)(doc)] }))
          : notFound(reply);
      },
    );

    const writer = (mode: 'create' | 'upsert') => async (req: FastifyRequest, reply: FastifyReply) => {
      const tenant = tenantOf(req);
      const q = query(req);
      const items = elements(req, collection);
      if (!items) return badBody(reply, collection);
      const map = documents(tenant, kind);
      return batch(
        req,
        reply,
        collection,
        idKey,
        items,
        (item) => writeDocument(store, tenant.org.tenantId, kind, item, { mode, unitdp: unitdp(q) }),
        (id) => viewOf(tenant, q, true)(map.get(id) as StoredDocument),
      );
    };
    app.put(base, { schema: { querystring: writeQuery } }, writer('create'));
    app.post(base, { schema: { querystring: writeQuery } }, writer('upsert'));

    app.post<{ Params: { id: string } }>(
      `${base}/:id`,
      { schema: { params: idParams, querystring: writeQuery } },
      async (req, reply) => {
        const tenant = tenantOf(req);
        const q = query(req);
        const doc = findDocument(tenant, kind, req.params.id);
        if (!doc) return notFound(reply);
        const items = elements(req, collection);
        if (!items || items.length !== 1) return badBody(reply, `one ${collection.slice(0, -1)}`);
        const map = documents(tenant, kind);
        return batch(
          req,
          reply,
          collection,
          idKey,
          items,
          (item) =>
            writeDocument(store, tenant.org.tenantId, kind, item, {
              mode: 'upsert',
              unitdp: unitdp(q),
              pathId: doc.id,
            }),
          (id) => viewOf(tenant, q, true)(map.get(id) as StoredDocument),
        );
      },
    );
  }
  registerDocuments('invoice', '/Invoices', 'Invoices', 'InvoiceID');
  registerDocuments('creditnote', '/CreditNotes', 'CreditNotes', 'CreditNoteID');

  app.get<{ Params: { id: string } }>(
    '/Invoices/:id/OnlineInvoice',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const doc = findDocument(tenant, 'invoice', req.params.id);
      if (!doc) return notFound(reply);
      if (doc.type !== 'ACCREC' || doc.status === 'DRAFT' || doc.status === 'SUBMITTED' || doc.status === 'DELETED') {
        return sendJson(reply, 400, {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Message: 'A validation exception occurred',
          Elements: [
            { ValidationErrors: [{ Message: 'Online invoices are only available for approved sales invoices.' }] },
          ],
        });
      }
      const token = createHash('sha256').update(`${tenant.org.tenantId}/${doc.id}`).digest('base64url').slice(0, 40);
      return sendJson(
        reply,
        200,
        envelope({ OnlineInvoices: [{ OnlineInvoiceUrl: `${store.onlineInvoiceBase}/${token}` }] }),
      );
    },
  );

  app.post<{ Params: { id: string } }>(
    '/Invoices/:id/Email',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const doc = findDocument(tenant, 'invoice', req.params.id);
      if (!doc) return notFound(reply);
      const contact = tenant.contacts.get(doc.contactId);
      const errors: string[] = [];
      if (doc.type !== 'ACCREC' || (doc.status !== 'AUTHORISED' && doc.status !== 'PAID'))
        errors.push('Only approved sales invoices can be emailed.');
      if (!contact?.emailAddress) errors.push('The contact does not have an email address.');
      if (errors.length > 0) {
        return sendJson(reply, 400, {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Message: 'A validation exception occurred',
          Elements: [{ InvoiceID: doc.id, ValidationErrors: errors.map((Message) => ({ Message })) }],
        });
      }
      markEmailed(store, tenant, doc, contact?.emailAddress ?? '');
      return reply.code(204).send();
    },
  );

  // ----- allocations ------------------------------------------------------------------------------

  app.put<{ Params: { id: string } }>(
    '/CreditNotes/:id/Allocations',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const note = findDocument(tenant, 'creditnote', req.params.id);
      if (!note) return notFound(reply);
      const items = elements(req, 'Allocations');
      if (!items) return badBody(reply, 'Allocations');
      return batch(
        req,
        reply,
        'Allocations',
        'AllocationID',
        items,
        (item) => writeAllocation(store, tenant.org.tenantId, note, item),
        (id) =>
          allocationView(tenant, tenant.allocations.get(id) as NonNullable<ReturnType<typeof tenant.allocations.get>>),
      );
    },
  );

  app.delete<{ Params: { id: string; allocationId: string } }>(
    '/CreditNotes/:id/Allocations/:allocationId',
    { schema: { params: allocationParams } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const note = findDocument(tenant, 'creditnote', req.params.id);
      const allocation = tenant.allocations.get(req.params.allocationId.toLowerCase());
      if (!note || !allocation || allocation.creditNoteId !== note.id || allocation.deleted) return notFound(reply);
      deleteAllocation(store, tenant, allocation);
      return sendJson(reply, 200, allocationView(tenant, allocation));
    },
  );

  // ----- payments -----------------------------------------------------------------------------------

  app.get('/Payments', { schema: { querystring: listQuery } }, async (req, reply) => {
    const tenant = tenantOf(req);
    return listing(req, reply, {
      records: [...tenant.payments.values()],
      updatedAt: (p) => p.updatedAt,
      collection: 'Payments',
      pageable: true,
      view: (p) => paymentView(tenant, p, store.rounding),
    });
  });

  app.get<{ Params: { id: string } }>(
    '/Payments/:id',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const payment = tenant.payments.get(req.params.id.toLowerCase());
      return payment
        ? sendJson(reply, 200, envelope({ Payments: [paymentView(tenant, payment, store.rounding)] }))
        : notFound(reply);
    },
  );

  const paymentWriter = async (req: FastifyRequest, reply: FastifyReply) => {
    const tenant = tenantOf(req);
    const items = elements(req, 'Payments');
    if (!items) return badBody(reply, 'Payments');
    return batch(
      req,
      reply,
      'Payments',
      'PaymentID',
      items,
      (item) => writePayment(store, tenant.org.tenantId, item),
      (id) =>
        paymentView(
          tenant,
          tenant.payments.get(id) as NonNullable<ReturnType<typeof tenant.payments.get>>,
          store.rounding,
        ),
    );
  };
  app.put('/Payments', { schema: { querystring: writeQuery } }, paymentWriter);
  app.post('/Payments', { schema: { querystring: writeQuery } }, paymentWriter);

  app.post<{ Params: { id: string } }>(
    '/Payments/:id',
    { schema: { params: idParams, querystring: writeQuery } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const payment = tenant.payments.get(req.params.id.toLowerCase());
      if (!payment) return notFound(reply);
      const items = elements(req, 'Payments');
      const status = items?.length === 1 ? (items[0] as { Status?: unknown }).Status : undefined;
      if (status !== 'DELETED') {
        return sendJson(reply, 400, {
          ErrorNumber: 10,
          Type: 'ValidationException',
          Message: 'A validation exception occurred',
          Elements: [{ ValidationErrors: [{ Message: 'Payments can only be deleted: send {"Status":"DELETED"}.' }] }],
        });
      }
      return batch(
        req,
        reply,
        'Payments',
        'PaymentID',
        [{ Status: 'DELETED' }],
        () => deletePayment(store, tenant.org.tenantId, payment.id),
        (id) =>
          paymentView(
            tenant,
            tenant.payments.get(id) as NonNullable<ReturnType<typeof tenant.payments.get>>,
            store.rounding,
          ),
      );
    },
  );
}
