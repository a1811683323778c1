/** Figures, the printed table and bench/results.json. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface Target {
  op: '>=' | '<=';
  value: number;
  /** As printed, e.g. "≥ 95 %". */
  text: string;
}

export interface Figure {
  id: string;
  label: string;
  value: number | null;
  unit: string;
  /** As printed, e.g. "96.2 % (2,886/min)". */
  text: string;
  target?: Target;
  met?: boolean;
  /** Where a target is missed: by how much, in words. */
  missedBy?: string;
}

export const SECTIONS = ['drain', 'latency', 'memory', 'egress', 'tenants'] as const;
export type Section = (typeof SECTIONS)[number];

export interface SectionResult {
  section: Section;
  date: string;
  wallSeconds: number;
  parameters: Record<string, unknown>;
  figures: Figure[];
  /** Everything else worth keeping (breakdowns, samples, notes). */
  details: Record<string, unknown>;
  /** The code measured: the commit, and bridge-service files that differed from it when the section ran. */
  source?: { commit: string; uncommitted: string[] };
  /** The egress section's two figures in bytes (billed), as a baseline records them. */
  egress?: { perInvoiceBytes: number; idleTenantDayBytes: number };
}

/**
 * Today's egress, measured before anything was changed to lower it: issue 20's target is at most half of it. Kept
 * in results.json across runs; replaced only by `--record-baseline`.
 */
export interface EgressBaseline {
  commit: string;
  /** bridge-service files that differed from the commit when it was measured. */
  uncommitted: string[];
  date: string;
  machine: ReturnType<typeof machine>;
  parameters: Record<string, unknown>;
  perInvoiceBytes: number;
  idleTenantDayBytes: number;
  note: string;
}

export interface ResultsFile {
  machine: ReturnType<typeof machine>;
  date: string;
  sections: SectionResult[];
  /** Issue 20's targets against the sections above (each row says when its figure was measured). */
  targets?: unknown;
  baselines?: { egress?: EgressBaseline };
}

export function readResults(path: string): Partial<ResultsFile> {
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Partial<ResultsFile>;
  } catch {
    return {};
  }
}

/** HEAD and the uncommitted changes under bridge-service/src and bridge-service/sandbox (the code measured). */
export function gitSource(): { commit: string; uncommitted: string[] } {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const commit = git('rev-parse', 'HEAD');
    const status = git('status', '--porcelain', '--', 'bridge-service/src', 'bridge-service/sandbox');
    return { commit, uncommitted: status ? status.split('\n').map((l) => l.trim()) : [] };
  } catch {
    return { commit: 'unknown', uncommitted: [] };
  }
}

export function figure(
  id: string,
  label: string,
  value: number | null,
  unit: string,
  text: string,
  target?: Target,
): Figure {
  const out: Figure = { id, label, value, unit, text };
  if (target) {
    out.target = target;
    out.met = value !== null && (target.op === '>=' ? value >= target.value : value <= target.value);
    if (!out.met && value !== null) {
      const diff = Math.abs(value - target.value);
      const ratio = target.op === '<=' ? value / target.value : target.value / Math.max(value, Number.EPSILON);
      out.missedBy = `${target.op === '<=' ? 'over' : 'under'} by ${round(diff, 4)} ${unit} (${round(ratio, 2)}× the target)`;
    }
  }
  return out;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function machine() {
  const list = cpus();
  return {
    cpu: list[0]?.model ?? 'unknown',
    cpus: list.length,
    totalMemoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** One line to stdout (the bench's own output; logs stay silent). */
export const say = (line = '') => process.stdout.write(`${line}\n`);

/** Rows as a Markdown table (the first row is the header). */
export function printRows(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  say(line(rows[0]!));
  say(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) say(line(r));
}

/** figure | measured | target | met? */
export function printTable(sections: readonly SectionResult[]): void {
  const rows: string[][] = [['figure', 'measured', 'target', 'met?']];
  for (const s of sections) {
    for (const f of s.figures) {
      rows.push([
        `${s.section}: ${f.label}`,
        f.text,
        f.target?.text ?? '',
        f.met === undefined ? '' : f.met ? 'yes' : `NO (${f.missedBy ?? 'no value'})`,
      ]);
    }
  }
  printRows(rows);
}

/**
 * Writes results.json. Sections run now replace those of an earlier run; the others are kept (each section carries
 * its own date), so `npm run bench -- drain` refreshes only the drain figures.
 */
export async function writeResults(
  path: string,
  sections: readonly SectionResult[],
  extra: {
    baselines?: ResultsFile['baselines'];
    /** A summary of every section the file holds (issue targets), written beside them. */
    summarise?: (all: readonly SectionResult[]) => unknown;
  } = {},
): Promise<void> {
  const previous = readResults(path);
  const kept = (previous.sections ?? []).filter((old) => !sections.some((s) => s.section === old.section));
  const order: readonly string[] = SECTIONS;
  const all = [...kept, ...sections].sort((a, b) => order.indexOf(a.section) - order.indexOf(b.section));
  const file: ResultsFile = { machine: machine(), date: new Date().toISOString(), sections: all };
  if (extra.summarise) file.targets = extra.summarise(all);
  const baselines = { ...previous.baselines, ...extra.baselines };
  if (Object.keys(baselines).length > 0) file.baselines = baselines;
  const json = `${JSON.stringify(file, null, 2)}\n`;
  // Formatted as the repository's Prettier would, so `npm run prettier:verify` stays clean after a run.
  let text = json;
  try {
    const prettier = await import('prettier');
    text = await prettier.format(json, { ...(await prettier.resolveConfig(path)), filepath: path });
  } catch {
    text = json;
  }
  writeFileSync(path, text);
}

/** Nearest-rank percentile of `values` (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Least-squares slope of y over x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i += 1) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
