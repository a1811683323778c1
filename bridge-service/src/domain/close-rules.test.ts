import { DomainError } from './errors';
import { assertPeriodOpen, checkPeriodOpen, closeAccountProblems, firstOpenMonth } from './close-rules';
import type { TenantAccount } from './line-mapping';

describe('month-end close: lock dates', () => {
  it('is open when every journal date falls after both lock dates', () => {
    expect(checkPeriodOpen('UK_Ltd', '2026-02', {})).toEqual({ open: true });
    expect(
      checkPeriodOpen('UK_Ltd', '2026-02', { periodLockDate: '2026-01-31', endOfYearLockDate: '2025-12-31' }),
    ).toEqual({
      open: true,
    });
  });

  it('refuses a month whose end is on or before the period lock date, saying what to do', () => {
    const check = checkPeriodOpen('UK_Ltd', '2026-01', { periodLockDate: '2026-01-31' });
    expect(check).toMatchObject({ open: false, lock: 'period', lockDate: '2026-01-31', firstOpenMonth: '2026-02' });
    expect(check.open ? '' : check.message).toBe(
      "January 2026 is locked in UK_Ltd's Xero organisation: its period lock date is 31 Jan 2026, and nothing can be " +
        'posted on or before it. Nothing was posted. To close January 2026, ask your Xero adviser to move the lock date ' +
        'back before 31 Jan 2026, then approve the close again; or leave January 2026 closed and let the February 2026 ' +
        'close, the first open month, post the difference there.',
    );
  });

  it('names the end-of-year lock, which binds advisers too, when both apply', () => {
    const check = checkPeriodOpen('EU_BV', '2025-12', {
      periodLockDate: '2026-02-28',
      endOfYearLockDate: '2025-12-31',
    });
    expect(check).toMatchObject({
      open: false,
      lock: 'end-of-year',
      lockDate: '2025-12-31',
      firstOpenMonth: '2026-03',
    });
    expect(check.open ? '' : check.message).toContain(
      'its end-of-year lock date is 31 Dec 2025, and nobody can post on or before it, advisers included',
    );
  });

  it('locks a month whose reversal date alone is locked, and finds the first open month mid-month', () => {
    expect(checkPeriodOpen('UK_Ltd', '2026-01', { periodLockDate: '2026-02-01' }).open).toBe(false);
    expect(firstOpenMonth({ periodLockDate: '2026-02-14' })).toBe('2026-03');
    expect(firstOpenMonth({ periodLockDate: '2026-02-28' })).toBe('2026-03');
    expect(firstOpenMonth({})).toBeUndefined();
  });

  it('throws PERIOD_LOCKED for a locked month', () => {
    let caught: unknown;
    try {
      assertPeriodOpen('US_Inc', '2026-03', { periodLockDate: '2026-03-31' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe('PERIOD_LOCKED');
  });
});

describe('month-end close: the accounts it posts to', () => {
  const accounts: TenantAccount[] = [
    { code: '200', name: 'Sales', status: 'ACTIVE', type: 'REVENUE' },
    { code: '299', name: 'Legacy Sales', status: 'ARCHIVED', type: 'REVENUE' },
    { code: '610', name: 'Accounts Receivable', status: 'ACTIVE', type: 'CURRENT', systemAccount: 'DEBTORS' },
    { code: '630', name: 'Accrued Revenue', status: 'ACTIVE', type: 'CURRENT' },
    { code: '835', name: 'Deferred Revenue', status: 'ACTIVE', type: 'CURRLIAB' },
  ];
  it('accepts revenue, a liability for deferred and an asset for accrued revenue', () => {
    expect(
      closeAccountProblems(
        'UK_Ltd',
        [
          { accountCode: '200', role: 'revenue', setIn: 'Billing Entity UK_Ltd: Account Code' },
          { accountCode: '835', role: 'deferred', setIn: 'Billing Entity UK_Ltd: Deferred Revenue Account Code' },
          { accountCode: '630', role: 'accrued', setIn: 'Billing Entity UK_Ltd: Accrued Revenue Account Code' },
        ],
        accounts,
      ),
    ).toEqual([]);
  });

  it('names every wrong account and where to change it', () => {
    expect(
      closeAccountProblems(
        'UK_Ltd',
        [
          { accountCode: '299', role: 'revenue', setIn: 'product Legacy: Xero Account Code' },
          { accountCode: '630', role: 'deferred', setIn: 'Billing Entity UK_Ltd: Deferred Revenue Account Code' },
          { accountCode: '610', role: 'accrued', setIn: 'Billing Entity UK_Ltd: Accrued Revenue Account Code' },
          { accountCode: '999', role: 'revenue', setIn: 'product Seats: Xero Account Code' },
        ],
        accounts,
      ),
    ).toEqual([
      "account 299 is archived in UK_Ltd's Xero organisation: change it in product Legacy: Xero Account Code",
      "account 630 (Accrued Revenue) is CURRENT in UK_Ltd's Xero organisation, not a liability account (deferred revenue): change it in Billing Entity UK_Ltd: Deferred Revenue Account Code",
      "account 610 (Accounts Receivable) is a system account in UK_Ltd's Xero organisation: change it in Billing Entity UK_Ltd: Accrued Revenue Account Code",
      "account 999 is not in UK_Ltd's Xero organisation: change it in product Seats: Xero Account Code",
    ]);
  });
});
