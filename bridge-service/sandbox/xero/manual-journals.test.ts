import type { ManualJournal } from 'xero-node';
import { ManualJournal as MJ } from 'xero-node';
import type { Harness } from './test-helpers';
import { failure, startHarness, UK, US } from './test-helpers';

type Line = {
  lineAmount: number;
  accountCode: string;
  description?: string;
  tracking?: { name: string; option: string }[];
};
const journal = (lines: Line[], extra: Partial<ManualJournal> = {}): ManualJournal => ({
  narration: 'Revenue recognition, January 2026',
  date: '2026-01-31',
  status: MJ.StatusEnum.POSTED,
  journalLines: lines,
  ...extra,
});
const recognition: Line[] = [
  { lineAmount: 100, accountCode: '835', description: 'Released from deferred revenue' },
  { lineAmount: -100, accountCode: '200', description: 'Revenue', tracking: [{ name: 'Region', option: 'North' }] },
];

describe('xero emulator: chart of accounts, organisation lock dates and manual journals through xero-node', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  afterEach(() => h.emulator.control.setLockDates(UK, { periodLockDate: null, endOfYearLockDate: null }));

  it('lists the chart of accounts with type, class and system account, filtered by where, and reads one', async () => {
    const all = (await h.xero.accountingApi.getAccounts(UK)).body.accounts ?? [];
    const byCode = new Map(all.map((a) => [a.code, a]));
    expect(byCode.get('835')).toMatchObject({ name: 'Deferred Revenue', type: 'CURRLIAB', _class: 'LIABILITY' });
    expect(byCode.get('630')).toMatchObject({ name: 'Accrued Revenue', type: 'CURRENT', _class: 'ASSET' });
    expect(byCode.get('610')).toMatchObject({ systemAccount: 'DEBTORS', _class: 'ASSET' });
    expect(byCode.get('820')).toMatchObject({ systemAccount: 'GST' });
    expect(byCode.get('499')).toMatchObject({ systemAccount: 'REALISEDCURRENCYGAIN' });
    expect(byCode.get('299')).toMatchObject({ status: 'ARCHIVED' });
    const liabilities = await h.xero.accountingApi.getAccounts(US, undefined, 'Type=="CURRLIAB"');
    expect(liabilities.body.accounts?.map((a) => a.code).sort()).toEqual(['200', '220', '240', '260']);
    const one = await h.xero.accountingApi.getAccount(UK, byCode.get('835')?.accountID as string);
    expect(one.body.accounts?.[0]?.code).toBe('835');
  });

  it('shows the lock dates on the Organisation only once an adviser set them', async () => {
    const before = (await h.xero.accountingApi.getOrganisations(UK)).body.organisations?.[0];
    expect(before?.periodLockDate).toBeUndefined();
    expect(before?.endOfYearLockDate).toBeUndefined();
    h.emulator.control.setLockDates(UK, { periodLockDate: '2026-01-31', endOfYearLockDate: '2025-12-31' });
    const after = (await h.xero.accountingApi.getOrganisations(UK)).body.organisations?.[0];
    expect(new Date(after?.periodLockDate as string).toISOString().slice(0, 10)).toBe('2026-01-31');
    expect(new Date(after?.endOfYearLockDate as string).toISOString().slice(0, 10)).toBe('2025-12-31');
    expect(() => h.emulator.control.setLockDates(UK, { periodLockDate: '31/01/2026' })).toThrow(/YYYY-MM-DD/);
  });

  it("keeps Xero's defaults unless told otherwise: NoTax, and shown on cash-basis reports", async () => {
    const made = async (extra: Partial<ManualJournal>) => {
      const created = await h.xero.accountingApi.createManualJournals(UK, {
        manualJournals: [journal(recognition, { status: MJ.StatusEnum.DRAFT, ...extra })],
      });
      const id = created.body.manualJournals?.[0]?.manualJournalID as string;
      return (await h.xero.accountingApi.getManualJournal(UK, id)).body.manualJournals?.[0];
    };
    expect(await made({})).toMatchObject({ lineAmountTypes: 'NoTax', showOnCashBasisReports: true });
    expect(await made({ showOnCashBasisReports: false })).toMatchObject({ showOnCashBasisReports: false });
  });

  it('posts a balanced journal in base currency, with tracking, and reads it back with its lines', async () => {
    const created = await h.xero.accountingApi.createManualJournals(UK, { manualJournals: [journal(recognition)] });
    const mj = created.body.manualJournals?.[0] as ManualJournal;
    expect(mj).toMatchObject({ status: 'POSTED', narration: 'Revenue recognition, January 2026' });
    expect(mj.journalLines?.map((l) => [l.accountCode, l.lineAmount])).toEqual([
      ['835', 100],
      ['200', -100],
    ]);
    expect(mj.journalLines?.[1]?.tracking?.[0]).toMatchObject({ name: 'Region', option: 'North' });
    const read = await h.xero.accountingApi.getManualJournal(UK, mj.manualJournalID as string);
    expect(read.body.manualJournals?.[0]?.journalLines).toHaveLength(2);
    const listed = await h.xero.accountingApi.getManualJournals(UK, undefined, 'Status=="POSTED"', undefined, 1);
    expect(listed.body.manualJournals?.map((j) => j.manualJournalID)).toContain(mj.manualJournalID);
  });

  it("refuses an unbalanced post with Xero's message, keeps an unbalanced draft, and posts it once it balances", async () => {
    const unbalanced: Line[] = [
      { lineAmount: 100, accountCode: '835' },
      { lineAmount: -90, accountCode: '200' },
    ];
    const refused = await failure(
      h.xero.accountingApi.createManualJournals(UK, { manualJournals: [journal(unbalanced)] }),
    );
    expect(refused.statusCode).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('The total debits (100.00) must equal total credits (-90.00)');
    const draft = await h.xero.accountingApi.createManualJournals(UK, {
      manualJournals: [journal(unbalanced, { status: MJ.StatusEnum.DRAFT })],
    });
    const id = draft.body.manualJournals?.[0]?.manualJournalID as string;
    const stillUnbalanced = await failure(
      h.xero.accountingApi.updateManualJournal(UK, id, {
        manualJournals: [{ narration: 'x', status: MJ.StatusEnum.POSTED }],
      }),
    );
    expect(JSON.stringify(stillUnbalanced.body)).toContain('must equal total credits');
    const posted = await h.xero.accountingApi.updateManualJournal(UK, id, {
      manualJournals: [{ narration: 'Fixed', status: MJ.StatusEnum.POSTED, journalLines: recognition }],
    });
    expect(posted.body.manualJournals?.[0]).toMatchObject({ status: 'POSTED', narration: 'Fixed' });
    const voided = await h.xero.accountingApi.updateManualJournal(UK, id, {
      manualJournals: [{ narration: 'Fixed', status: MJ.StatusEnum.VOIDED }],
    });
    expect(voided.body.manualJournals?.[0]?.status).toBe('VOIDED');
    const final = await failure(
      h.xero.accountingApi.updateManualJournal(UK, id, {
        manualJournals: [{ narration: 'x', status: MJ.StatusEnum.POSTED }],
      }),
    );
    expect(JSON.stringify(final.body)).toContain('A VOIDED manual journal cannot become POSTED');
  });

  it('refuses archived and system accounts and more than 2 dp; removes an unknown account code with a warning', async () => {
    const res = await h.xero.accountingApi.createManualJournals(
      UK,
      {
        manualJournals: [
          journal([
            { lineAmount: 10, accountCode: '299' },
            { lineAmount: -10, accountCode: '200' },
          ]),
          journal([
            { lineAmount: 10, accountCode: '610' },
            { lineAmount: -10, accountCode: '200' },
          ]),
          journal([
            { lineAmount: 10.005, accountCode: '835' },
            { lineAmount: -10.005, accountCode: '200' },
          ]),
          journal([
            { lineAmount: 10, accountCode: '476' },
            { lineAmount: -10, accountCode: '200' },
          ]),
          journal(recognition),
        ],
      },
      false,
    );
    const [archived, system, precise, unknown, good] = res.body.manualJournals ?? [];
    expect(archived?.validationErrors?.[0]?.message).toMatch(/'299' has been archived/);
    expect(system?.validationErrors?.[0]?.message).toMatch(/'610' \(Accounts Receivable\) is a system account/);
    expect(precise?.validationErrors?.[0]?.message).toMatch(/more than 2 decimal places/);
    expect(unknown?.validationErrors?.map((e) => e.message)).toEqual(['Each journal line must have an account code.']);
    expect(good?.statusAttributeString).toBe('OK');
    const draft = await h.xero.accountingApi.createManualJournals(
      UK,
      { manualJournals: [journal([{ lineAmount: 10, accountCode: '476' }], { status: MJ.StatusEnum.DRAFT })] },
      false,
    );
    expect(draft.body.manualJournals?.[0]?.warnings?.[0]?.message).toBe(
      "Account code '476' has been removed as it does not match a recognised account.",
    );
  });

  it('refuses to post, edit or void on or before a lock date, says which, and keeps drafts', async () => {
    h.emulator.control.setLockDates(UK, { periodLockDate: '2026-01-31', endOfYearLockDate: '2025-12-31' });
    const onLock = await failure(
      h.xero.accountingApi.createManualJournals(UK, { manualJournals: [journal(recognition)] }),
    );
    expect(JSON.stringify(onLock.body)).toContain(
      'The date 31 Jan 2026 is on or before the period lock date (31 Jan 2026)',
    );
    const yearEnd = await failure(
      h.xero.accountingApi.createManualJournals(UK, { manualJournals: [journal(recognition, { date: '2025-12-31' })] }),
    );
    expect(JSON.stringify(yearEnd.body)).toContain('end of year lock date (31 Dec 2025)');
    const draft = await h.xero.accountingApi.createManualJournals(UK, {
      manualJournals: [journal(recognition, { status: MJ.StatusEnum.DRAFT })],
    });
    expect(draft.body.manualJournals?.[0]?.status).toBe('DRAFT');
    const open = await h.xero.accountingApi.createManualJournals(UK, {
      manualJournals: [journal(recognition, { date: '2026-02-01' })],
    });
    const id = open.body.manualJournals?.[0]?.manualJournalID as string;
    h.emulator.control.setLockDates(UK, { periodLockDate: '2026-02-28' });
    const voidLocked = await failure(
      h.xero.accountingApi.updateManualJournal(UK, id, {
        manualJournals: [{ narration: 'n', status: MJ.StatusEnum.VOIDED }],
      }),
    );
    expect(JSON.stringify(voidLocked.body)).toContain('period lock date (28 Feb 2026)');
  });

  it('creates one journal for a replayed Idempotency-Key', async () => {
    const body = { manualJournals: [journal(recognition, { narration: 'Idempotent close UK 2026-01' })] };
    const first = await h.xero.accountingApi.createManualJournals(UK, body, undefined, 'CLOSE:UK:2026-01:RECOGNITION');
    const again = await h.xero.accountingApi.createManualJournals(UK, body, undefined, 'CLOSE:UK:2026-01:RECOGNITION');
    expect(again.body.manualJournals?.[0]?.manualJournalID).toBe(first.body.manualJournals?.[0]?.manualJournalID);
    const listed = await h.xero.accountingApi.getManualJournals(
      UK,
      undefined,
      'Narration=="Idempotent close UK 2026-01"',
    );
    expect(listed.body.manualJournals).toHaveLength(1);
  });

  it('needs the accounting.manualjournals scope to write and its .read variant to read', async () => {
    const readOnly = h.emulator.control.issueTokens({ scope: 'offline_access accounting.manualjournals.read' });
    const client = h.client();
    client.setTokenSet({ ...readOnly, expires_at: Math.floor(h.emulator.control.now() / 1000) + readOnly.expires_in });
    await expect(client.accountingApi.getManualJournals(UK)).resolves.toBeDefined();
    const refused = await failure(
      client.accountingApi.createManualJournals(UK, { manualJournals: [journal(recognition)] }),
    );
    expect(refused.statusCode).toBe(401);
  });
});
