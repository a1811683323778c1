import Big from 'big.js';

import { proposeClose } from './close-journals';
import { journalCandidates, tieOut, type TieOutInput } from './close-tieout';
import { billed, closeInput, line } from './__fixtures__/close';

describe('month-end close: the tie-out against Xero', () => {
  // January: 1,200.00 billed upfront to 835 (1,100.00 left deferred after the close), and a contract in arrears with
  // 100.00 accrued in 630.
  const proposal = proposeClose(
    closeInput('2026-01', {
      lines: [line('L1', 'C1'), line('L2', 'C2')],
      billing: [billed('L1', '2026-01-01', '1200.00')],
    }),
  );
  const input = (trialBalance: TieOutInput['trialBalance'], extra: Partial<TieOutInput> = {}): TieOutInput => ({
    entity: 'UK_Ltd',
    month: '2026-01',
    baseCurrency: 'GBP',
    expected: proposal.expected,
    trialBalance,
    ...extra,
  });
  // Trial balance figures are debit positive: deferred revenue is a credit (negative).
  const tied = [
    { accountCode: '835', balance: '-1100.00' },
    { accountCode: '630', balance: '100.00' },
  ];

  it('ties when the deferred revenue (credit) and accrued revenue (debit) balances equal the schedules to the cent', () => {
    const result = tieOut(input(tied));
    expect(result.status).toBe('Tied');
    expect(
      result.accounts.map((a) => [a.accountCode, a.role, a.expected.toFixed(2), a.actual.toFixed(2), a.ties]),
    ).toEqual([
      ['835', 'deferred', '1100.00', '1100.00', true],
      ['630', 'accrued', '100.00', '100.00', true],
    ]);
    expect(result.summary).toBe(
      "UK_Ltd January 2026 ties: Xero's deferred and accrued revenue equal the schedules to the cent",
    );
  });

  it('names a manual journal made in Xero when it equals the difference', () => {
    const result = tieOut(
      input(
        [
          { accountCode: '835', balance: '-1050.00' },
          { accountCode: '630', balance: '100.00' },
        ],
        {
          candidates: [
            {
              kind: 'manual-journal',
              accountCode: '835',
              amount: '50.00',
              reference: "'Year-end tidy' of 31 Jan 2026",
            },
            {
              kind: 'manual-journal',
              accountCode: '200',
              amount: '-50.00',
              reference: "'Year-end tidy' of 31 Jan 2026",
            },
          ],
        },
      ),
    );
    expect(result.status).toBe('Difference');
    expect(result.difference).toEqual(new Big('50.00'));
    expect(result.accounts[0]!.causes).toEqual([
      "Likely cause: a manual journal made in Xero: 'Year-end tidy' of 31 Jan 2026 (-50.00 GBP on 835)",
    ]);
    expect(result.summary).toBe(
      'UK_Ltd January 2026 does not tie: deferred revenue 835 is 1,050.00 in Xero, 1,100.00 by the schedules (-50.00 GBP)',
    );
  });

  it('names an invoice line coded to the wrong account, and the unposted journals of a close', () => {
    const miscoded = tieOut(
      input([{ accountCode: '835', balance: '-2300.00' }, tied[1]!], {
        candidates: [
          {
            kind: 'miscoded-line',
            accountCode: '835',
            amount: '-1200.00',
            reference: 'INV-0042 (Setup), a point-in-time item',
          },
        ],
      }),
    );
    expect(miscoded.accounts[0]!.causes).toEqual([
      'Likely cause: an invoice line coded to the wrong account: INV-0042 (Setup), a point-in-time item (1,200.00 GBP on 835)',
    ]);
    // Before the close is posted Xero still holds 1,200.00 deferred and nothing accrued.
    const unposted = tieOut(
      input([{ accountCode: '835', balance: '-1200.00' }], {
        candidates: journalCandidates(proposal, 'unposted-journal'),
      }),
    );
    expect(unposted.accounts.map((a) => a.causes)).toEqual([
      [
        'Likely cause: a close journal not posted yet: the recognition journal of 31 Jan 2026 (CLOSE:UK_Ltd:2026-01:v1:RECOGNITION) (100.00 GBP on 835)',
      ],
      [
        'Likely cause: a close journal not posted yet: the accrual journal of 31 Jan 2026 (CLOSE:UK_Ltd:2026-01:v1:ACCRUAL) (-100.00 GBP on 630)',
      ],
    ]);
  });

  it('puts a residue of a cent a foreign line down to conversion, and anything else down as unexplained', () => {
    const fx = tieOut(input([{ accountCode: '835', balance: '-1100.02' }, tied[1]!], { foreignLines: { '835': 3 } }));
    expect(fx.accounts[0]!.causes).toEqual([
      'Foreign-currency conversion: 0.02 GBP across 3 foreign-currency line(s) on 835 is within a cent a line; Xero converted those lines on its own',
    ]);
    const odd = tieOut(input([{ accountCode: '835', balance: '-1137.50' }, tied[1]!], { foreignLines: { '835': 3 } }));
    expect(odd.accounts[0]!.causes).toEqual([
      "Unexplained: 37.50 GBP. Open Xero's Account Transactions report for 835 up to 31 Jan 2026 and look for entries Ledgerline did not make",
    ]);
  });
});
