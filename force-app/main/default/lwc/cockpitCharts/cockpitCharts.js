import { toCents } from 'c/receivablesCalc';

/**
 * Geometry for the finance cockpit's SVG charts. Every figure comes from the bridge (KPI_Snapshot__c, written by
 * bridge-service/src/domain); the only arithmetic here is where bars go, in integer cents so nothing drifts.
 * The waterfall is the one client computation over figures: its running total must land on the bridge's closing
 * MRR, and bridge-service/src/domain/kpi.cases.json holds it to the domain's worked cases (both Jest tests read it).
 */

/** The MRR bridge's steps, in order, as the domain defines them (kpi-mrr.ts): a sign for each movement. */
export const WATERFALL_STEPS = [
  { key: 'opening', field: 'openingMrr', kind: 'total' },
  { key: 'fx', field: 'fxMrr', kind: 'delta', sign: 1 },
  { key: 'new', field: 'newMrr', kind: 'delta', sign: 1 },
  { key: 'expansion', field: 'expansionMrr', kind: 'delta', sign: 1 },
  { key: 'reactivation', field: 'reactivationMrr', kind: 'delta', sign: 1 },
  { key: 'contraction', field: 'contractionMrr', kind: 'delta', sign: -1 },
  { key: 'churn', field: 'churnMrr', kind: 'delta', sign: -1 },
  { key: 'closing', field: 'mrr', kind: 'total' },
];

const PAD = { top: 12, right: 8, bottom: 28, left: 8 };

function scale(min, max, height, top = PAD.top) {
  const low = Math.min(0, min);
  const high = Math.max(0, max);
  const span = high - low || 1;
  const plot = height - top - PAD.bottom;
  return (cents) => top + ((high - cents) / span) * plot;
}

/**
 * The MRR bridge as waterfall bars. Opening and closing stand on zero; each movement starts where the last ended.
 * @param {object} month a cockpit month (openingMrr, fxMrr, newMrr, expansionMrr, reactivationMrr, contractionMrr,
 *   churnMrr, mrr; contraction and churn are positive amounts taken off)
 * @param {{width: number, height: number}} size the SVG's viewBox
 * @returns {{bars: object[], endCents: number, closingCents: number, ties: boolean, zeroY: number}}
 */
export function waterfall(month, { width = 640, height = 240 } = {}) {
  let running = 0;
  const spans = WATERFALL_STEPS.map((step) => {
    const cents = toCents(month?.[step.field]);
    if (step.kind === 'total') {
      if (step.key === 'opening') running = cents;
      return { ...step, cents, from: 0, to: cents };
    }
    const from = running;
    running += step.sign * cents;
    return { ...step, cents: step.sign * cents, from, to: running };
  });
  const values = spans.flatMap((s) => [s.from, s.to]);
  const y = scale(Math.min(...values), Math.max(...values), height);
  const slot = (width - PAD.left - PAD.right) / spans.length;
  const barWidth = Math.max(4, slot * 0.7);
  const bars = spans.map((s, i) => {
    const top = y(Math.max(s.from, s.to));
    const bottom = y(Math.min(s.from, s.to));
    let className = 'bar bar-total';
    if (s.kind === 'delta' && s.cents === 0) className = 'bar bar-zero';
    else if (s.kind === 'delta') className = s.cents < 0 ? 'bar bar-decrease' : 'bar bar-increase';
    return {
      key: s.key,
      cents: s.cents,
      fromCents: s.from,
      toCents: s.to,
      x: round(PAD.left + i * slot + (slot - barWidth) / 2),
      y: round(top),
      width: round(barWidth),
      height: round(Math.max(1, bottom - top)),
      labelX: round(PAD.left + i * slot + slot / 2),
      labelY: height - 8,
      className,
    };
  });
  const closingCents = toCents(month?.mrr);
  return { bars, endCents: running, closingCents, ties: running === closingCents, zeroY: round(y(0)) };
}

/**
 * Grouped bars by month (one bar per series), negative values drawn below zero, and an optional line series.
 * @param {object[]} rows one per month
 * @param {{key: string, field: string}[]} series the bars
 * @param {{field: string}|undefined} line a series drawn as a line over the bars
 * @param {{width: number, height: number}} size the viewBox
 */
export function groupedBars(rows, series, line, { width = 640, height = 240 } = {}) {
  const list = rows ?? [];
  const values = list.flatMap((row) => [...series, ...(line ? [line] : [])].map((s) => toCents(row[s.field])));
  const y = scale(Math.min(0, ...values), Math.max(0, ...values), height);
  const slot = (width - PAD.left - PAD.right) / Math.max(1, list.length);
  const barWidth = Math.max(2, (slot * 0.8) / series.length);
  const groups = list.map((row, i) => {
    const left = PAD.left + i * slot + slot * 0.1;
    return {
      key: String(i),
      labelX: round(PAD.left + i * slot + slot / 2),
      labelY: height - 8,
      bars: series.map((s, k) => {
        const cents = toCents(row[s.field]);
        const top = y(Math.max(0, cents));
        return {
          key: `${i}-${s.key}`,
          cents,
          x: round(left + k * barWidth),
          y: round(top),
          width: round(Math.max(1, barWidth - 1)),
          height: round(Math.max(cents === 0 ? 0 : 1, Math.abs(y(cents) - y(0)))),
          className: `bar bar-${s.key}`,
        };
      }),
    };
  });
  const points = line
    ? list.map((row, i) => `${round(PAD.left + i * slot + slot / 2)},${round(y(toCents(row[line.field])))}`).join(' ')
    : '';
  return { groups, points, zeroY: round(y(0)) };
}

/**
 * A line through numbers (not money: DSO days), with a dot per point; blanks are skipped.
 * @param {(number|null|undefined)[]} values in order
 * @param {{width: number, height: number}} size the viewBox
 */
export function linePoints(values, { width = 640, height = 160 } = {}) {
  const list = values ?? [];
  const known = list.filter((v) => v !== null && v !== undefined && Number.isFinite(Number(v))).map(Number);
  const y = scale(0, Math.max(1, ...known), height, 24); // room above the highest point for its value
  const slot = (width - PAD.left - PAD.right) / Math.max(1, list.length);
  const dots = [];
  list.forEach((v, i) => {
    if (v !== null && v !== undefined) {
      dots.push({ key: String(i), cx: round(PAD.left + i * slot + slot / 2), cy: round(y(Number(v))) });
    }
  });
  const xs = list.map((v, i) => round(PAD.left + i * slot + slot / 2));
  return { dots, xs, points: dots.map((d) => `${d.cx},${d.cy}`).join(' '), labelY: height - 8 };
}

/**
 * Widths (percent of the total) of the ageing buckets, in bucket order; zero buckets get no width.
 * @param {number[]} amounts per bucket (numbers as the server sends them)
 */
export function shares(amounts) {
  const cents = (amounts ?? []).map((a) => Math.max(0, toCents(a)));
  const total = cents.reduce((t, c) => t + c, 0);
  return cents.map((c) => (total === 0 ? 0 : round((c / total) * 100)));
}

function round(value) {
  return Math.round(value * 100) / 100;
}
