import { DomainError } from './errors';
import {
  assertPeriodOpen,
  checkCloseOrder,
  checkPeriodOpen,
  closeAccountProblems,
  firstOpenMonth,
} from './close-rules';
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
        'back before 31 Jan 2026, and the close is proposed again the next morning for you to approve; or leave ' +
        'January 2026 closed and let the February 2026 close, the first open month, post the difference there.',
    );
    // After part of a close was posted, the message says what is in Xero instead.
    const partly = checkPeriodOpen('UK_Ltd', '2026-01', { periodLockDate: '2026-01-31' }, undefined, 'In Xero: X.');
    expect(partly.open ? '' : partly.message).toContain(
      'and nothing can be posted on or before it. In Xero: X. To close',
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

describe('month-end close: closes post in month order', () => {
  const posted = (month: string, postedAt: string) => ({ month, status: 'Tied', postedAt });

  it('waits while an earlier close can still post, naming it', () => {
    const closes = [posted('2025-12', '2026-01-02T08:00:00Z'), { month: '2026-01', status: 'Pending Approval' }];
    expect(checkCloseOrder('UK_Ltd', '2026-02', closes, {})).toEqual({
      ok: false,
      kind: 'waiting',
      message:
        "February 2026 waits for January 2026: UK_Ltd's closes post in month order, and its January 2026 close is " +
        'Pending Approval. Approve and post January 2026 first (or, if it is Refused, fix what it says); February 2026 ' +
        'is proposed again as soon as January 2026 is posted.',
    });
    expect(checkCloseOrder('UK_Ltd', '2026-01', closes, {})).toEqual({ ok: true });
  });

  it('does not wait for a Refused close whose month is locked: the first open month carries the difference', () => {
    const closes = [{ month: '2026-01', status: 'Refused' }];
    expect(checkCloseOrder('UK_Ltd', '2026-02', closes, { periodLockDate: '2026-01-31' })).toEqual({ ok: true });
    expect(checkCloseOrder('UK_Ltd', '2026-02', closes, {})).toMatchObject({ ok: false, kind: 'waiting' });
  });

  it('does not wait for a close a later posted close carried: it will never post', () => {
    const closes = [{ month: '2026-01', status: 'Refused' }, posted('2026-02', '2026-03-02T08:00:00Z')];
    expect(checkCloseOrder('UK_Ltd', '2026-03', closes, {})).toEqual({ ok: true });
  });

  it('never posts a month after a later close of the entity was posted: that close carried it', () => {
    const check = checkCloseOrder('UK_Ltd', '2026-01', [posted('2026-02', '2026-03-02T08:00:00Z')], {});
    expect(check).toMatchObject({ ok: false, kind: 'carried' });
    expect(check.ok ? '' : check.message).toBe(
      "UK_Ltd's February 2026 close was posted before this one and released everything earned up to its month end, " +
        'January 2026 included: January 2026 is not posted, and this close stays Refused.',
    );
  });

  it('at posting, refuses a version proposed before an earlier close was posted: its figures do not count it', () => {
    // Posted_At__c as Salesforce returns it; Proposed_At__c as the bridge wrote it.
    const closes = [posted('2026-01', '2026-02-05T10:00:00.000+0000')];
    expect(checkCloseOrder('UK_Ltd', '2026-02', closes, {}, { proposedAt: '2026-02-05T10:00:01.000Z' })).toEqual({
      ok: true,
    });
    const stale = checkCloseOrder(
      'UK_Ltd',
      '2026-02',
      closes,
      {},
      {
        proposedAt: '2026-02-01T07:00:00Z',
        inXero: 'Nothing was posted.',
      },
    );
    expect(stale).toMatchObject({ ok: false, kind: 'stale' });
    expect(stale.ok ? '' : stale.message).toBe(
      "This version of February 2026 was proposed before UK_Ltd's January 2026 close was posted, so it does not count " +
        "January 2026's journals. Nothing was posted. It is proposed again the next morning for you to approve.",
    );
    // A close written before Proposed At existed is taken as stale when an earlier close is posted.
    expect(checkCloseOrder('UK_Ltd', '2026-02', closes, {}, { proposedAt: undefined })).toMatchObject({
      kind: 'stale',
    });
  });
});
