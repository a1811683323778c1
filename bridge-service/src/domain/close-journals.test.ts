import Big from 'big.js';

import { contractPositionsAt } from './balances';
import { proposeClose, type CloseInput, type ProposedJournal } from './close-journals';
import { creditNoteSegments, lastDayOf } from './revenue';
import { billed, closeInput, line, NORTH, postedOf, segment, view, YEAR_2026 } from './__fixtures__/close';

const fixed = (v: Big) => v.toFixed(2);
const kinds = (journals: ProposedJournal[]) => journals.map((j) => j.kind);
const of = (journals: ProposedJournal[], kind: ProposedJournal['kind']) => journals.find((j) => j.kind === kind);

/** Closes `months` in order, each reading what the ones before it posted. */
function closeMonths(months: string[], base: Partial<CloseInput>) {
  const posted: ReturnType<typeof postedOf> = [];
  return months.map((month) => {
    const proposal = proposeClose(closeInput(month, { ...base, history: { kind: 'posted', lines: [...posted] } }));
    posted.push(...postedOf(month, proposal.journals));
    return proposal;
  });
}

describe('month-end close: the journals', () => {
  it('billed upfront to deferred revenue: 1,200.00 for 2026 by calendar month releases 100.00 a month', () => {
    const [jan, feb] = closeMonths(['2026-01', '2026-02'], {
      lines: [line('L1', 'C1', { tracking: NORTH })],
      billing: [billed('L1', '2026-01-01', '1200.00')],
    });
    expect(kinds(jan!.journals)).toEqual(['recognition']);
    expect(view(jan!.journals[0])).toEqual(['835 100.00', '200 -100.00']);
    expect(jan!.journals[0]!.lines[1]).toMatchObject({
      description: 'Revenue recognised in January 2026, released from deferred revenue',
      tracking: NORTH,
    });
    expect(jan!.journals[0]).toMatchObject({
      key: 'CLOSE:UK_Ltd:2026-01:v1:RECOGNITION',
      date: '2026-01-31',
      narration:
        'Ledgerline month-end close, UK_Ltd, January 2026: revenue recognised from deferred revenue [CLOSE:UK_Ltd:2026-01:v1:RECOGNITION]',
    });
    expect(view(feb!.journals[0])).toEqual(['835 100.00', '200 -100.00']);
    expect(feb!.expected.deferred).toEqual([{ accountCode: '835', balance: new Big('1000.00') }]);
    expect(feb!.rollForward).toEqual({
      opening: new Big('1100.00'),
      billedToDeferred: new Big(0),
      released: new Big('100.00'),
      closing: new Big('1000.00'),
      accrued: new Big(0),
    });
    expect(feb!.catchUp.eq(0)).toBe(true);
  });

  it('billed monthly in arrears: January accrued and reversed on 1 February; February releases its invoice and accrues', () => {
    // 1,200.00 over 2026 by month, invoiced 100.00 on the 1st of the month after (to deferred revenue, a ratable line).
    const billing = ['02', '03'].map((m) => billed('L1', `2026-${m}-01`, '100.00'));
    const [jan, feb] = closeMonths(['2026-01', '2026-02'], { lines: [line('L1', 'C1')], billing });
    expect(kinds(jan!.journals)).toEqual(['accrual', 'accrual-reversal']);
    expect(view(of(jan!.journals, 'accrual'))).toEqual(['630 100.00', '200 -100.00']);
    expect(of(jan!.journals, 'accrual-reversal')).toMatchObject({ date: '2026-02-01' });
    expect(view(of(jan!.journals, 'accrual-reversal'))).toEqual(['630 -100.00', '200 100.00']);
    // February: billed 100.00, earned 200.00 to date: 100.00 unbilled. The February invoice is released in full.
    expect(view(of(feb!.journals, 'recognition'))).toEqual(['835 100.00', '200 -100.00']);
    expect(view(of(feb!.journals, 'accrual'))).toEqual(['630 100.00', '200 -100.00']);
    expect(feb!.expected).toEqual({
      deferred: [{ accountCode: '835', balance: new Big(0) }],
      accrued: { accountCode: '630', balance: new Big('100.00') },
    });
  });

  it('a point-in-time item invoiced to revenue before delivery is moved into deferred revenue, then released on delivery', () => {
    const setup = line('S', 'C1', { revenue: [segment('4500.00', '2026-02-15', '2026-02-15', 'point-in-time')] });
    const [jan, feb, mar] = closeMonths(['2026-01', '2026-02', '2026-03'], {
      lines: [setup],
      billing: [billed('S', '2026-01-10', '4500.00', { accountCode: '200' })],
    });
    expect(view(jan!.journals[0])).toEqual(['200 4500.00', '835 -4500.00']);
    expect(jan!.journals[0]!.lines.map((l) => l.description)).toEqual([
      'Billed ahead of delivery, moved to deferred revenue in January 2026',
      'Deferred revenue for what is billed but not yet earned, January 2026',
    ]);
    expect(view(feb!.journals[0])).toEqual(['835 4500.00', '200 -4500.00']);
    expect(mar!.journals).toEqual([]);
  });

  it('nets lines within a contract: a line behind billing is released from the one ahead, nothing is accrued', () => {
    const lines = [line('A', 'C1'), line('B', 'C1', { revenueAccount: '260' })];
    const [jan] = closeMonths(['2026-01'], { lines, billing: [billed('A', '2026-01-01', '1200.00')] });
    // A: billed 1,200.00, earned 100.00; B: billed nothing, earned 100.00; the contract holds 1,000.00 deferred.
    expect(view(jan!.journals[0])).toEqual(['835 200.00', '200 -100.00', '260 -100.00']);
    expect(jan!.expected.deferred[0]!.balance.toFixed(2)).toBe('1000.00');
    const positions = contractPositionsAt(
      lines.map((l) => ({ ...l, entity: 'UK_Ltd' })),
      [{ lineKey: 'A', date: '2026-01-01', amount: '1200.00', kind: 'invoice' }],
      '2026-01-31',
    );
    expect(fixed(positions.get('C1')!.deferred)).toBe('1000.00');
    // A second contract, unbilled, is accrued on its own: contracts never net.
    const [both] = closeMonths(['2026-01'], {
      lines: [...lines, line('X', 'C2')],
      billing: [billed('A', '2026-01-01', '1200.00')],
    });
    expect(view(of(both!.journals, 'accrual'))).toEqual(['630 100.00', '200 -100.00']);
  });

  it('a USD contract in a GBP entity releases at the invoice rate, and the last release empties the pool exactly', () => {
    // USD 12,000.00 billed 1 Jan at 1.2712 USD per GBP: GBP 9,439.90 deferred (12,000 ÷ 1.2712 = 9,439.899…).
    const usd = line('U', 'C9', { currency: 'USD', revenue: [segment('12000.00', '2026-01-01', '2026-12-31')] });
    const months = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);
    const closes = closeMonths(months, {
      lines: [usd],
      billing: [billed('U', '2026-01-01', '12000.00', { currencyRate: '1.2712' })],
    });
    const releases = closes.map((c) => c.rollForward.released.toFixed(2));
    // January: the pool keeps round(9,439.90 × 11,000 ÷ 12,000) = 8,653.24, so 786.66 is released.
    expect(releases.slice(0, 2)).toEqual(['786.66', '786.66']);
    expect(releases.reduce((s, r) => s.plus(r), new Big(0)).toFixed(2)).toBe('9439.90');
    expect(closes[11]!.expected.deferred[0]!.balance.toFixed(2)).toBe('0.00');
    expect(closes[0]!.currencies).toEqual([
      expect.objectContaining({ currency: 'USD', deferredForeign: new Big('11000.00'), deferred: new Big('8653.24') }),
    ]);
  });

  it('accrues foreign unbilled revenue at the month-end rate, and refuses to guess a missing rate', () => {
    const usd = line('U', 'C9', { currency: 'USD', revenue: [segment('12000.00', '2026-01-01', '2026-12-31')] });
    const input = closeInput('2026-01', { lines: [usd], monthEndRates: { USD: '1.25' } });
    const proposal = proposeClose(input);
    expect(view(of(proposal.journals, 'accrual'))).toEqual(['630 800.00', '200 -800.00']);
    expect(proposal.currencies[0]).toMatchObject({ currency: 'USD', rate: '1.25', unbilled: new Big('800.00') });
    expect(() => proposeClose({ ...input, monthEndRates: {} })).toThrow(
      'Cannot close 2026-01: unbilled revenue in USD needs the month-end rate (USD per GBP) on the close',
    );
  });

  it('catches up a late credit note dated in a closed month in the open month, once, and says so', () => {
    // 1,200.00 billed upfront; January and February closed (100.00 each). In March a concession credit note of 120.00
    // dated 15 February arrives: 15.00 is for service delivered (taken on its date), 105.00 spread over 15 Feb – 31 Dec
    // (10.5 months): 5.00 in February, 10.00 a month after. Recognised to 28 Feb: 200 − 15 − 5 = 180; to 31 Mar: 270.
    const base = { lines: [line('L1', 'C1')], billing: [billed('L1', '2026-01-01', '1200.00')] };
    const [jan, feb] = closeMonths(['2026-01', '2026-02'], base);
    const concession = creditNoteSegments({
      amount: '120.00',
      date: '2026-02-15',
      servicePeriod: YEAR_2026,
      method: 'monthly',
    });
    const history = [...postedOf('2026-01', jan!.journals), ...postedOf('2026-02', feb!.journals)];
    const late: Partial<CloseInput> = {
      lines: [line('L1', 'C1', { revenue: [...line('L1', 'C1').revenue, ...concession] })],
      billing: [...base.billing, billed('L1', '2026-02-15', '120.00', { kind: 'credit-note', document: 'CN-0001' })],
    };
    const mar = proposeClose(closeInput('2026-03', { ...late, history: { kind: 'posted', lines: history } }));
    // Released to date must be 270.00; 200.00 was: March releases 70.00 = its own 90.00 less 20.00 over-released.
    expect(view(mar.journals[0])).toEqual(['835 70.00', '200 -70.00']);
    expect(fixed(mar.catchUp)).toBe('-20.00');
    expect(fixed(mar.expected.deferred[0]!.balance)).toBe('810.00'); // 1,200 − 120 − 270
    // The April close, reading March's journal, releases April's 90.00 only.
    const apr = proposeClose(
      closeInput('2026-04', {
        ...late,
        history: { kind: 'posted', lines: [...history, ...postedOf('2026-03', mar.journals)] },
      }),
    );
    expect(view(apr.journals[0])).toEqual(['835 90.00', '200 -90.00']);
  });

  it("an entity's first close posts the month's movement only", () => {
    const proposal = proposeClose(
      closeInput('2026-06', {
        lines: [line('L1', 'C1')],
        billing: [billed('L1', '2026-01-01', '1200.00')],
        history: { kind: 'first-close' },
      }),
    );
    expect(view(proposal.journals[0])).toEqual(['835 100.00', '200 -100.00']);
    expect(fixed(proposal.expected.deferred[0]!.balance)).toBe('600.00');
  });

  it('the close after the first counts what the first took as booked: July releases 100.00, not 600.00', () => {
    // 1,200.00 billed 1 January, recognised monthly; Ledgerline's first close is June (Jan–May booked before it).
    const base = { lines: [line('L1', 'C1')], billing: [billed('L1', '2026-01-01', '1200.00')] };
    const june = proposeClose(closeInput('2026-06', { ...base, history: { kind: 'first-close' } }));
    expect(view(june.journals[0])).toEqual(['835 100.00', '200 -100.00']);
    // Its starting point is recorded with it (never posted): 500.00 released before June.
    expect(june.opening.map((l) => `${l.accountCode} ${l.amount.toFixed(2)}`)).toEqual(['835 500.00', '200 -500.00']);
    const history = postedOf('2026-06', june.journals, june.opening);
    const july = proposeClose(closeInput('2026-07', { ...base, history: { kind: 'posted', lines: history } }));
    expect(view(july.journals[0])).toEqual(['835 100.00', '200 -100.00']);
    expect(fixed(july.catchUp)).toBe('0.00');
    expect(july.opening).toEqual([]);
    // A backdated concession before June (60.00 credited on 1 March for March–December) is caught up as a difference.
    const concession = creditNoteSegments({
      amount: '60.00',
      date: '2026-03-01',
      servicePeriod: { start: '2026-03-01', end: '2026-12-31' },
      method: 'monthly',
    });
    const late = proposeClose(
      closeInput('2026-07', {
        lines: [line('L1', 'C1', { revenue: [...line('L1', 'C1').revenue, ...concession] })],
        billing: [...base.billing, billed('L1', '2026-03-01', '60.00', { kind: 'credit-note', document: 'CN-0002' })],
        history: { kind: 'posted', lines: history },
      }),
    );
    // 6.00 a month from March: 24.00 over March–June already taken, July 94.00 of its own.
    expect(view(late.journals[0])).toEqual(['835 70.00', '200 -70.00']);
    expect(fixed(late.catchUp)).toBe('-24.00');
  });

  it('a month partly posted is proposed again for what is missing only: an accrual already in Xero is not posted twice', () => {
    // Arrears: January earns 100.00, not billed. Version 1's accrual reached Xero, its reversal did not.
    const base = { lines: [line('L1', 'C1')], billing: [billed('L1', '2026-02-01', '100.00')] };
    const v1 = proposeClose(closeInput('2026-01', base));
    expect(kinds(v1.journals)).toEqual(['accrual', 'accrual-reversal']);
    const inXero = postedOf('2026-01', [of(v1.journals, 'accrual')!]);
    const v2 = proposeClose(closeInput('2026-01', { ...base, history: { kind: 'posted', lines: inXero } }));
    expect(kinds(v2.journals)).toEqual(['accrual-reversal']);
    expect(view(of(v2.journals, 'accrual-reversal'))).toEqual(['630 -100.00', '200 100.00']);
    expect(v2.expected.accrued.balance.toFixed(2)).toBe('100.00');
  });

  it('every journal balances to the cent, over uneven days, several currencies, lines and tracking', () => {
    const lines = [
      line('A', 'C1', { revenue: [segment('1000.00', '2026-01-15', '2027-01-14', 'daily')], tracking: NORTH }),
      line('B', 'C1', { revenue: [segment('333.33', '2026-01-15', '2026-04-14', 'daily')], revenueAccount: '260' }),
      line('U', 'C2', { currency: 'USD', revenue: [segment('999.99', '2026-01-10', '2026-07-09', 'daily')] }),
    ];
    const billing = [
      billed('A', '2026-01-15', '1000.00'),
      billed('U', '2026-03-01', '500.00', { currencyRate: '1.271' }),
    ];
    const months = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05'];
    const closes = closeMonths(months, { lines, billing, monthEndRates: { USD: '1.2733' } });
    for (const close of closes) {
      for (const j of close.journals) {
        expect(j.lines.reduce((s, l) => s.plus(l.amount), new Big(0)).toFixed(2)).toBe('0.00');
        expect(j.total.gt(0)).toBe(true);
      }
    }
    // The foreign contract's positions agree with balances.ts at each month end.
    for (const [i, month] of months.entries()) {
      const usdBilling = billing.filter((b) => b.lineKey === 'U');
      const p = contractPositionsAt(
        [lines[2]!].map((l) => ({ ...l, entity: 'UK_Ltd' })),
        usdBilling,
        lastDayOf(month),
      ).get('C2')!;
      const row = closes[i]!.currencies.find((c) => c.currency === 'USD')!;
      expect([fixed(row.deferredForeign), fixed(row.unbilledForeign)]).toEqual([fixed(p.deferred), fixed(p.unbilled)]);
    }
  });

  it('warns about a line posted to neither its revenue nor its deferred account, and refuses shared accounts', () => {
    const proposal = proposeClose(
      closeInput('2026-01', {
        lines: [line('L1', 'C1')],
        billing: [billed('L1', '2026-01-01', '1200.00', { accountCode: '4000', document: 'INV-0007' })],
      }),
    );
    expect(proposal.warnings).toEqual([
      "INV-0007 (Seats (L1)) posted to 4000, which is neither its revenue account (200) nor its deferred revenue account (835): correct the line's account in Xero",
    ]);
    expect(() =>
      proposeClose(closeInput('2026-01', { lines: [line('L1', 'C1', { deferredAccount: '200' })] })),
    ).toThrow(/deferred revenue account 200 is also a revenue account/);
  });
});
