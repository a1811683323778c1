import { planAdjustment, type PostedClose, type PostedJournal } from './close-adjustments';
import { proposeClose, type CloseProposal } from './close-journals';
import { creditNoteSegments } from './revenue';
import { billed, closeInput, line, postedOf, view, YEAR_2026 } from './__fixtures__/close';

/** A proposal's journals as posted to Xero. */
const asPosted = (proposal: CloseProposal): PostedJournal[] =>
  proposal.journals.map((j, i) => ({
    kind: j.kind,
    key: j.key,
    xeroId: `mj-${i}`,
    date: j.date,
    lines: j.lines.map((l) => ({ ...l, amount: l.amount.toFixed(2) })),
  }));

describe('month-end close: a change after posting', () => {
  // 1,200.00 for 2026 by calendar month, billed upfront on 1 January to deferred revenue; January closed: 100.00.
  const lines = [line('L1', 'C1')];
  const billing = [billed('L1', '2026-01-01', '1200.00')];
  const january = proposeClose(closeInput('2026-01', { lines, billing }));
  const posted = (extra: Partial<PostedClose> = {}): PostedClose => ({
    entity: 'UK_Ltd',
    month: '2026-01',
    journals: asPosted(january),
    tiedOut: false,
    laterClosePosted: false,
    ...extra,
  });
  // The late change: a concession credit note of 120.00 dated 31 January over the year. 9.68 is for service already
  // delivered (1 – 30 January: 120 × (30/31) ÷ 12 = 9.677), taken on its date; 110.32 is spread over 31 Jan – 31 Dec,
  // 11 1/31 months (342/31): 0.32 in January (110.32 ÷ 342), 10.00 a month after. January now earns 90.00.
  const concession = creditNoteSegments({
    amount: '120.00',
    date: '2026-01-31',
    servicePeriod: YEAR_2026,
    method: 'monthly',
  });
  const changed = {
    lines: [line('L1', 'C1', { revenue: [...lines[0]!.revenue, ...concession] })],
    billing: [...billing, billed('L1', '2026-01-31', '120.00', { kind: 'credit-note', document: 'CN-0009' })],
  };
  const recomputed = (version: number) =>
    proposeClose(closeInput('2026-01', { ...changed, closeKey: `CLOSE:UK_Ltd:2026-01:v${version}` }));

  it('does nothing when the posted journals still match', () => {
    const plan = planAdjustment({ posted: posted(), recomputed: january, lock: {}, adjustmentKey: 'ADJ:1' });
    expect(plan).toEqual({
      action: 'none',
      reason: 'The journals posted for January 2026 still match the schedules: nothing to post.',
    });
  });

  it('voids and reposts while the month is open and nothing relied on it', () => {
    const again = recomputed(2);
    const plan = planAdjustment({ posted: posted(), recomputed: again, lock: {}, adjustmentKey: 'ADJ:1' });
    expect(plan.action).toBe('void-and-repost');
    if (plan.action !== 'void-and-repost') return;
    expect(plan.void.map((j) => j.xeroId)).toEqual(['mj-0']);
    expect(plan.post.map((j) => j.key)).toEqual(['CLOSE:UK_Ltd:2026-01:v2:RECOGNITION']);
    expect(view(plan.post[0])).toEqual(['835 90.00', '200 -90.00']);
  });

  it('posts a delta, dated in the month, once the month is tied out', () => {
    const plan = planAdjustment({
      posted: posted({ tiedOut: true }),
      recomputed: recomputed(2),
      lock: {},
      adjustmentKey: 'ADJ:CLOSE:UK_Ltd:2026-01:1',
    });
    expect(plan.action).toBe('delta');
    if (plan.action !== 'delta') return;
    expect(plan.post).toHaveLength(1);
    expect(plan.post[0]).toMatchObject({
      kind: 'adjustment',
      date: '2026-01-31',
      key: 'ADJ:CLOSE:UK_Ltd:2026-01:1:ADJUSTMENT',
    });
    expect(view(plan.post[0])).toEqual(['200 10.00', '835 -10.00']);
    expect(plan.reason).toBe(
      'January 2026 has been relied on (tied out): the journals posted for January 2026 stay as they are, and the difference is posted as an adjustment dated 31 Jan 2026.',
    );
  });

  it('posts the delta in the first open month when the month is locked, and the next close counts it once', () => {
    const lock = { periodLockDate: '2026-02-28' };
    const plan = planAdjustment({ posted: posted(), recomputed: recomputed(2), lock, adjustmentKey: 'ADJ:1' });
    if (plan.action !== 'delta') throw new Error(plan.action);
    expect(plan.post.map((j) => [j.kind, j.date])).toEqual([['adjustment', '2026-03-31']]);
    expect(plan.reason).toContain('is locked in Xero');
    expect(plan.reason).toContain('dated 31 Mar 2026, the first open month');
    // February was closed before the credit note arrived (100.00). The March close reads January's close, January's
    // adjustment and February's close: January's 10.00 is not caught up again, February's 10.00 is (180.00 earned to
    // 28 February, 190.00 released), and March earns 90.00: 80.00 released.
    const feb = proposeClose(
      closeInput('2026-02', {
        lines,
        billing,
        history: { kind: 'posted', lines: postedOf('2026-01', january.journals) },
      }),
    );
    const closes = [...postedOf('2026-01', january.journals), ...postedOf('2026-02', feb.journals)];
    const withAdjustment = [...closes, ...postedOf('2026-01', plan.post)];
    const mar = proposeClose(closeInput('2026-03', { ...changed, history: { kind: 'posted', lines: withAdjustment } }));
    expect(mar.catchUp.toFixed(2)).toBe('-10.00');
    expect(view(mar.journals[0])).toEqual(['835 80.00', '200 -80.00']);
    const withoutAdjustment = proposeClose(
      closeInput('2026-03', { ...changed, history: { kind: 'posted', lines: closes } }),
    );
    expect(withoutAdjustment.catchUp.toFixed(2)).toBe('-20.00');
  });

  it('adjusts an open month accrual with its reversal; a locked month leaves it to the next close', () => {
    // In arrears: nothing billed, 100.00 accrued in January; a backdated price rise to 1,320.00 makes it 110.00.
    const arrears = proposeClose(closeInput('2026-01', { lines }));
    const rise = proposeClose(
      closeInput('2026-01', {
        lines: [line('L1', 'C1', { revenue: [{ method: 'monthly', ...YEAR_2026, amount: '1320.00' }] })],
      }),
    );
    const postedArrears = posted({ journals: asPosted(arrears), tiedOut: true });
    const open = planAdjustment({ posted: postedArrears, recomputed: rise, lock: {}, adjustmentKey: 'ADJ:2' });
    if (open.action !== 'delta') throw new Error(open.action);
    expect(open.post.map((j) => [j.kind, j.date, ...view(j)])).toEqual([
      ['accrual', '2026-01-31', '630 10.00', '200 -10.00'],
      ['accrual-reversal', '2026-02-01', '630 -10.00', '200 10.00'],
    ]);
    const locked = planAdjustment({
      posted: postedArrears,
      recomputed: rise,
      lock: { periodLockDate: '2026-01-31' },
      adjustmentKey: 'ADJ:2',
    });
    if (locked.action !== 'delta') throw new Error(locked.action);
    expect(locked.post).toEqual([]);
    expect(locked.reason).toContain('The accrual difference needs no journal: the next close accrues afresh.');
  });
});
