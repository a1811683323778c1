// Xero's OAuth scopes as the emulator enforces them (shared/reference/month-end.md §1): apps created on or after
// 2 March 2026 cannot ask for the broad scopes, and every API call must be covered by the token's scopes.
import { Invoice } from 'xero-node';
import { scopesAllow, scopesFor } from './scopes';
import { failure, startHarness, UK, type Harness } from './test-helpers';

const GRANULAR = 'offline_access accounting.invoices accounting.payments accounting.contacts accounting.settings';

async function authorize(h: Harness, scope: string): Promise<Response> {
  const app = h.emulator.seed.app;
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: app.redirectUris[0]!,
    scope,
    state: 'st-1',
  });
  return fetch(`${h.emulator.identityUrl}/identity/connect/authorize?${params.toString()}`, { redirect: 'manual' });
}

/** A xero-node client whose token carries exactly `scope`. */
function clientWith(h: Harness, scope: string) {
  const xero = h.client();
  const tokens = h.emulator.control.issueTokens({ scope });
  xero.setTokenSet({ ...tokens, expires_at: Math.floor(h.emulator.control.now() / 1000) + tokens.expires_in });
  return xero;
}

const draft = () => ({
  invoices: [
    {
      type: Invoice.TypeEnum.ACCREC,
      contact: { name: 'Scope Test Ltd' },
      lineItems: [{ description: 'Seat', quantity: 1, unitAmount: 100, accountCode: '200', taxType: 'OUTPUT2' }],
    },
  ],
});

describe('an app created on or after 2 March 2026 (the emulator default)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it.each(['accounting.transactions', 'accounting.transactions.read', 'accounting.reports.read'])(
    'is refused %s at authorisation with invalid_scope',
    async (broad) => {
      const res = await authorize(h, `offline_access accounting.contacts ${broad}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(new RegExp(`invalid_scope.*${broad.replace(/\./g, '\\.')}`));
      expect(() => h.emulator.control.issueTokens({ scope: `offline_access ${broad}` })).toThrow(/invalid_scope/);
    },
  );

  it('is refused a scope Xero does not have (a typo is not silently ignored)', async () => {
    const res = await authorize(h, 'offline_access accounting.invoice');
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/invalid_scope.*accounting\.invoice\b/);
  });

  it('is granted the granular scopes, and the code grant carries them', async () => {
    const res = await authorize(h, GRANULAR);
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('code')).toBeTruthy();
    expect(back.searchParams.get('scope')).toBe(GRANULAR);
  });
});

describe('an app created before 2 March 2026', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ appCreatedAt: '2025-06-30' });
  });
  afterAll(() => h.close());

  it('may still ask for accounting.transactions, which covers invoices and payments', async () => {
    const res = await authorize(h, 'offline_access accounting.transactions accounting.contacts accounting.settings');
    expect(res.status).toBe(302);
    const xero = clientWith(h, 'offline_access accounting.transactions accounting.contacts accounting.settings');
    await xero.accountingApi.createInvoices(UK, draft());
    expect((await xero.accountingApi.getPayments(UK)).response.status).toBe(200);
  });
});

describe('an API call needs a token scope that covers its endpoint', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("answers 401 AuthorizationUnsuccessful with Bearer error=insufficient_scope, in Xero's problem shape", async () => {
    const xero = clientWith(h, 'offline_access accounting.contacts accounting.settings');
    const refused = await failure(xero.accountingApi.createInvoices(UK, draft()));
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toMatchObject({ Title: 'Unauthorized', Status: 401, Detail: 'AuthorizationUnsuccessful' });
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer .*error="insufficient_scope"/);
    // the refused call is in the call log like any other
    const logged = h.emulator.control.calls({ path: '/Invoices' }).filter((c) => c.method === 'PUT');
    expect(logged.at(-1)).toMatchObject({ path: '/api.xro/2.0/Invoices', status: 401 });
  });

  it('lets a .read scope GET but not write', async () => {
    const xero = clientWith(h, 'offline_access accounting.invoices.read accounting.contacts');
    expect((await xero.accountingApi.getInvoices(UK)).response.status).toBe(200);
    expect((await failure(xero.accountingApi.createInvoices(UK, draft()))).statusCode).toBe(401);
  });

  it('keeps payments apart from invoices, and settings apart from contacts', async () => {
    const invoicesOnly = clientWith(h, 'offline_access accounting.invoices accounting.contacts');
    await invoicesOnly.accountingApi.createInvoices(UK, draft());
    expect((await failure(invoicesOnly.accountingApi.getPayments(UK))).statusCode).toBe(401);
    expect((await failure(invoicesOnly.accountingApi.getTaxRates(UK))).statusCode).toBe(401);
    expect((await failure(invoicesOnly.accountingApi.getOrganisations(UK))).statusCode).toBe(401);
    const settingsOnly = clientWith(h, 'offline_access accounting.settings.read');
    expect((await settingsOnly.accountingApi.getTaxRates(UK)).response.status).toBe(200);
    expect((await failure(settingsOnly.accountingApi.getContacts(UK))).statusCode).toBe(401);
  });

  it('still answers a bad token with 401 AuthenticationUnsuccessful before looking at scopes', async () => {
    const xero = h.client();
    xero.setTokenSet({ access_token: 'not-a-token', expires_at: Math.floor(Date.now() / 1000) + 600 });
    const refused = await failure(xero.accountingApi.getInvoices(UK));
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toMatchObject({ Detail: 'AuthenticationUnsuccessful' });
  });
});

describe("the path → scope table (month-end.md §1's table)", () => {
  it.each([
    ['/Invoices', 'accounting.invoices'],
    ['/Invoices/abc/OnlineInvoice', 'accounting.invoices'],
    ['/Invoices/abc/Email', 'accounting.invoices'],
    ['/CreditNotes/abc/Allocations', 'accounting.invoices'],
    ['/RepeatingInvoices', 'accounting.invoices'],
    ['/Quotes', 'accounting.invoices'],
    ['/PurchaseOrders', 'accounting.invoices'],
    ['/LinkedTransactions', 'accounting.invoices'],
    ['/Payments', 'accounting.payments'],
    ['/BatchPayments', 'accounting.payments'],
    ['/Overpayments/abc/Allocations', 'accounting.payments'],
    ['/Prepayments', 'accounting.payments'],
    ['/BankTransactions', 'accounting.banktransactions'],
    ['/BankTransfers', 'accounting.banktransactions'],
    ['/ManualJournals', 'accounting.manualjournals'],
    ['/Contacts/ABC-1', 'accounting.contacts'],
    ['/Organisation', 'accounting.settings'],
    ['/TaxRates', 'accounting.settings'],
    ['/Accounts', 'accounting.settings'],
    ['/Currencies', 'accounting.settings'],
    ['/TrackingCategories', 'accounting.settings'],
    ['/BrandingThemes', 'accounting.settings'],
    ['/Invoices/abc/Attachments/file.pdf', 'accounting.attachments'],
    ['/Reports/TrialBalance', 'accounting.reports.trialbalance.read'],
    ['/Reports/BalanceSheet', 'accounting.reports.balancesheet.read'],
    ['/Reports/AgedReceivablesByContact', 'accounting.reports.aged.read'],
    ['/Journals', 'accounting.journals.read'],
  ])('%s needs %s', (path, scope) => {
    expect(scopesFor(path)?.[0]).toBe(scope);
    expect(scopesAllow([scope], 'POST', path)).toBe(!scope.endsWith('.read'));
    expect(scopesAllow([scope.endsWith('.read') ? scope : `${scope}.read`], 'GET', path)).toBe(true);
    expect(scopesAllow(['offline_access', 'openid'], 'GET', path)).toBe(false);
  });

  it('lets the broad legacy scopes cover what they replaced, and nothing granular cover what it did not', () => {
    expect(scopesAllow(['accounting.transactions'], 'PUT', '/ManualJournals')).toBe(true);
    expect(scopesAllow(['accounting.transactions.read'], 'GET', '/Payments')).toBe(true);
    expect(scopesAllow(['accounting.transactions.read'], 'POST', '/Payments')).toBe(false);
    expect(scopesAllow(['accounting.reports.read'], 'GET', '/Reports/ProfitAndLoss')).toBe(true);
    expect(scopesAllow(['accounting.invoices'], 'GET', '/Payments')).toBe(false);
    expect(scopesAllow(['accounting.transactions'], 'GET', '/Contacts')).toBe(false);
  });
});
