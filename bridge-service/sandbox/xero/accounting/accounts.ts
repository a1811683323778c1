/**
 * The chart of accounts: GET /Accounts (where/order, If-Modified-Since) and GET /Accounts/{AccountID}. Each organisation
 * is seeded with revenue, bank, receivables, accrued revenue (a current asset), payables, tax, deferred revenue (a
 * current liability), rounding, retained earnings and currency-gain accounts, Xero's system accounts marked as such.
 */
import type { FastifyInstance } from 'fastify';
import type { Tenant } from '../store';
import { msDate } from '../wire';
import { idParams, notFound, sendJson, type Kit } from './kit';

type Account = Tenant['org']['accounts'][number];

/** Xero's reporting codes by class (its standard reporting codes' top level). */
const REPORTING_CODE: Record<Account['Class'], string> = {
  ASSET: 'ASS',
  EQUITY: 'EQU',
  EXPENSE: 'EXP',
  LIABILITY: 'LIA',
  REVENUE: 'REV',
};

function accountView(org: Tenant['org'], account: Account): Record<string, unknown> {
  return {
    AccountID: account.AccountID,
    Code: account.Code,
    Name: account.Name,
    Status: account.Status,
    Type: account.Type,
    TaxType: account.TaxType,
    Class: account.Class,
    ...(account.SystemAccount !== undefined ? { SystemAccount: account.SystemAccount } : {}),
    EnablePaymentsToAccount: account.EnablePaymentsToAccount,
    ShowInExpenseClaims: false,
    ...(account.BankAccountNumber !== undefined ? { BankAccountNumber: account.BankAccountNumber } : {}),
    ...(account.BankAccountType !== undefined ? { BankAccountType: account.BankAccountType } : {}),
    ...(account.CurrencyCode !== undefined ? { CurrencyCode: account.CurrencyCode } : {}),
    ReportingCode: REPORTING_CODE[account.Class],
    HasAttachments: false,
    UpdatedDateUTC: msDate(org.createdAt),
    AddToWatchlist: false,
  };
}

export function registerAccounts(app: FastifyInstance, kit: Kit): void {
  const { tenantOf, envelope, listing } = kit;
  app.get('/Accounts', async (req, reply) => {
    const org = tenantOf(req).org;
    return listing(req, reply, {
      records: org.accounts,
      updatedAt: () => org.createdAt,
      collection: 'Accounts',
      pageable: false,
      view: (account) => accountView(org, account),
    });
  });
  app.get<{ Params: { id: string } }>('/Accounts/:id', { schema: { params: idParams } }, async (req, reply) => {
    const org = tenantOf(req).org;
    const account = org.accounts.find((a) => a.AccountID === req.params.id.toLowerCase());
    return account ? sendJson(reply, 200, envelope({ Accounts: [accountView(org, account)] })) : notFound(reply);
  });
}
