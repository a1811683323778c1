/**
 * The alerts of docs/operations.md section 10, evaluated on what /metrics serves: a test can say which alerts fire
 * for which org, from the runbook's own expressions (so the runbook and the test cannot drift apart).
 *
 * Only the gauge alerts are evaluated, the form `[time() - ]min|max|sum by (labels) (metric{matchers}) op rhs`, where
 * rhs is a number or `number * <placeholder>`. The others read a counter's increase or rate, which falls to 0 once
 * nothing counts; `documentedAlerts().skipped` names them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface GaugeAlert {
  alert: string;
  expression: string;
  evaluate(samples: readonly Sample[], at: { timeSeconds: number; placeholders: Record<string, number> }): Firing[];
}

export interface Firing {
  alert: string;
  /** The group's labels (`by (…)`); an absent label is ''. */
  labels: Record<string, string>;
  value: number;
}

const DOC = join(__dirname, '..', '..', 'docs', 'operations.md');
const GAUGE_ALERT =
  /^(time\(\) - )?(min|max|sum) by \(([\w, ]+)\) \((\w+)(?:\{([^}]*)\})?\) (==|<|>) ([\d.]+)(?: \* <([^>]+)>)?$/;

/** Prometheus text exposition (one scrape) as samples; `extra` labels each (the replica, as Prometheus's target). */
export function parseMetrics(text: string, extra: Record<string, string> = {}): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = { ...extra };
      for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[name!] = value!;
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** Section 10's alert table: each alert's name and its PromQL (the first code span of the expression column). */
export function documentedAlerts(): { gauge: GaugeAlert[]; skipped: string[] } {
  const doc = readFileSync(DOC, 'utf8');
  const section = /^## 10\. Monitoring[^\n]*\n([\s\S]*?)^## /m.exec(doc)?.[1] ?? '';
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| alert') && !line.startsWith('| ---'))
    .map((line) => line.split(/(?<!\\) \| /).map((cell) => cell.replace(/^\| /, '').trim()));
  const gauge: GaugeAlert[] = [];
  const skipped: string[] = [];
  for (const [alert, column] of rows) {
    const expression = /`([^`]+)`/.exec(column ?? '')?.[1]?.replaceAll('\\|', '|');
    const parsed = expression === undefined ? null : GAUGE_ALERT.exec(expression);
    if (!parsed) {
      skipped.push(alert!);
      continue;
    }
    const [, minusFromTime, aggregate, by, metric, matchers, op, factor, placeholder] = parsed;
    const groupBy = by!.split(',').map((l) => l.trim());
    const wanted = [...(matchers ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]): [string, string] => [
      name!,
      value!,
    ]);
    gauge.push({
      alert: alert!,
      expression: expression!,
      evaluate(samples, at) {
        const groups = new Map<string, { labels: Record<string, string>; values: number[] }>();
        for (const sample of samples) {
          if (sample.name !== metric || !wanted.every(([name, value]) => sample.labels[name] === value)) continue;
          const labels = Object.fromEntries(groupBy.map((name) => [name, sample.labels[name] ?? '']));
          const key = JSON.stringify(labels);
          const group = groups.get(key) ?? { labels, values: [] };
          group.values.push(sample.value);
          groups.set(key, group);
        }
        let rhs = Number(factor);
        if (placeholder !== undefined) {
          const given = at.placeholders[placeholder];
          if (given === undefined) throw new Error(`no value for <${placeholder}> (${alert})`);
          rhs *= given;
        }
        const aggregated = (values: number[]) =>
          aggregate === 'min'
            ? Math.min(...values)
            : aggregate === 'max'
              ? Math.max(...values)
              : values.reduce((a, b) => a + b, 0);
        return [...groups.values()]
          .map(({ labels, values }) => ({
            alert: alert!,
            labels,
            value: minusFromTime ? at.timeSeconds - aggregated(values) : aggregated(values),
          }))
          .filter(({ value }) => (op === '==' ? value === rhs : op === '<' ? value < rhs : value > rhs));
      },
    });
  }
  return { gauge, skipped };
}
