/**
 * The close's ManualJournals as Xero stores them: tax-free (LineAmountTypes NoTax, stated rather than left to Xero's
 * default) and kept off cash-basis reports (ShowOnCashBasisReports false: deferral and accrual exist only on an accrual
 * basis), read back through the API from the Xero emulator.
 */
import { harness, teardown, UK, type Harness } from './__fixtures__/client-harness';
import { XeroJournalClient } from './journal-client';

describe('XeroJournalClient against the Xero emulator', () => {
  let h: Harness;
  let journals: XeroJournalClient;
  beforeAll(async () => {
    h = await harness();
    journals = new XeroJournalClient({
      config: { apiBaseUrl: h.emu.apiUrl, httpTimeoutMs: 5_000 },
      tokens: h.tokens,
      scheduler: h.scheduler,
      retry: { baseDelayMs: 20 },
    });
  });
  afterAll(async () => teardown(h));

  it('posts a journal as NoTax and off cash-basis reports', async () => {
    const key = 'POST_CLOSE:a0f000000000001AAA:1:RECOGNITION';
    const posted = await journals.createManualJournal(UK, {
      key,
      date: '2026-01-31',
      narration: `Ledgerline month-end close, UK_Ltd, January 2026: revenue recognised from deferred revenue [${key}]`,
      lines: [
        {
          accountCode: '835',
          description: 'Deferred revenue released in January 2026',
          amount: '100.00',
          tracking: [],
        },
        { accountCode: '200', description: 'Revenue recognised in January 2026', amount: '-100.00', tracking: [] },
      ],
    });
    const res = await fetch(`${h.emu.apiUrl}/ManualJournals/${posted.manualJournalId}`, {
      headers: {
        Authorization: `Bearer ${await h.tokens.getAccessToken(await h.tokens.connectionIdForTenant(UK))}`,
        'xero-tenant-id': UK,
        Accept: 'application/json',
      },
    });
    const [stored] = ((await res.json()) as { ManualJournals: Record<string, unknown>[] }).ManualJournals;
    expect(stored).toMatchObject({ Status: 'POSTED', LineAmountTypes: 'NoTax', ShowOnCashBasisReports: false });
  });
});
