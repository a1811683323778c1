import { groupedBars, linePoints, shares, waterfall, WATERFALL_STEPS } from 'c/cockpitCharts';

// The domain's worked cases (bridge-service/src/domain/kpi-mrr.test.ts computes the same bridges): one file, both tests.
const CASES = require('../../../../../../bridge-service/src/domain/kpi.cases.json');

/** A case's bridge in the cockpit's field names (FinanceCockpitController.MonthFigures). */
const asMonth = (c) => ({
  openingMrr: Number(c.opening),
  fxMrr: Number(c.fx),
  newMrr: Number(c.new),
  expansionMrr: Number(c.expansion),
  reactivationMrr: Number(c.reactivation),
  contractionMrr: Number(c.contraction),
  churnMrr: Number(c.churn),
  mrr: Number(c.closing),
});

describe('c-cockpit-charts', () => {
  it.each(CASES.mrrBridges.map((c) => [c.name, c]))('the waterfall of "%s" ends on its closing MRR', (_name, c) => {
    const chart = waterfall(asMonth(c));
    expect(chart.ties).toBe(true);
    expect(chart.endCents).toBe(Math.round(Number(c.closing) * 100));
    expect(chart.bars.map((b) => b.key)).toEqual(WATERFALL_STEPS.map((s) => s.key));
    // Each movement starts where the one before ended.
    for (let i = 2; i < chart.bars.length - 1; i++) expect(chart.bars[i].fromCents).toBe(chart.bars[i - 1].toCents);
  });

  it('draws decreases red, increases green, the totals from zero', () => {
    const [, february] = CASES.mrrBridges;
    const { bars, zeroY } = waterfall(asMonth(february), { width: 800, height: 200 });
    const byKey = Object.fromEntries(bars.map((b) => [b.key, b]));
    expect(byKey.churn.className).toBe('bar bar-decrease');
    expect(byKey.fx.className).toBe('bar bar-decrease'); // -30.77
    expect(byKey.new.className).toBe('bar bar-increase');
    expect(byKey.closing.className).toBe('bar bar-total');
    expect(byKey.opening.y + byKey.opening.height).toBeCloseTo(zeroY, 1);
    expect(byKey.closing.height).toBeGreaterThan(byKey.opening.height); // 5,300.00 against 4,640.00
  });

  it('says when the steps do not reach the closing figure', () => {
    const broken = { ...asMonth(CASES.mrrBridges[0]), mrr: 1 };
    expect(waterfall(broken).ties).toBe(false);
  });

  it('puts negative bars below zero and the line through each month', () => {
    const rows = [
      { futureBillings: 1000, weightedPipeline: 500, cash: 1200 },
      { futureBillings: -200, weightedPipeline: 0, cash: 0 },
    ];
    const chart = groupedBars(
      rows,
      [
        { key: 'billings', field: 'futureBillings' },
        { key: 'pipeline', field: 'weightedPipeline' },
      ],
      { field: 'cash' },
      { width: 200, height: 100 },
    );
    const [credit] = chart.groups[1].bars;
    expect(credit.y).toBeCloseTo(chart.zeroY, 1);
    expect(chart.groups[1].bars[1].height).toBe(0);
    expect(chart.points.split(' ')).toHaveLength(2);
  });

  it('skips blank DSO months and shares the ageing by amount', () => {
    expect(linePoints([30, null, 45]).dots.map((d) => d.key)).toEqual(['0', '2']);
    expect(shares([3992.31, 600, 0, 0, 0])).toEqual([86.93, 13.07, 0, 0, 0]);
    expect(shares([0, 0])).toEqual([0, 0]);
  });
});
