/**
 * Issue 20's "Done when", target by target: which figure measures it, or why none does yet. Printed after every
 * run and kept in results.json, so a target nobody measures shows as such instead of disappearing.
 */
import { printRows, type Figure, type Section, type SectionResult } from './report';

interface IssueTarget {
  label: string;
  target: string;
  /** The figure that measures it, and the section that produces that figure. */
  measuredBy?: { section: Section; figure: string };
  /** Why nothing measures it yet. */
  notYet?: string;
}

export const ISSUE_20_TARGETS: readonly IssueTarget[] = [
  {
    label: 'drain, one tenant alone: share of the 3,000 invoices/min bound',
    target: '≥ 95 %',
    measuredBy: { section: 'drain', figure: 'drain.rate' },
  },
  {
    label: 'drain, three tenants at once: each tenant’s share of its own bound',
    target: '≥ 95 % each',
    measuredBy: { section: 'tenants', figure: 'tenants.eachShare' },
  },
  {
    label: 'Xero calls per created invoice',
    target: '≤ 0.021',
    measuredBy: { section: 'drain', figure: 'drain.xeroPerInvoice' },
  },
  {
    label: 'approving 1,000 invoices',
    target: '≤ 30 Xero calls plus one per email',
    measuredBy: { section: 'egress', figure: 'egress.approvalCalls' },
  },
  {
    label: 'Salesforce calls per invoice in bulk',
    target: '≤ 0.006',
    measuredBy: { section: 'drain', figure: 'drain.salesforcePerInvoice' },
  },
  {
    label: 'Xero egress per invoice over its life',
    target: '≤ half of the baseline',
    measuredBy: { section: 'egress', figure: 'egress.perInvoice' },
  },
  {
    label: 'Xero egress per idle tenant-day',
    target: '≤ half of the baseline',
    measuredBy: { section: 'egress', figure: 'egress.idleTenantDay' },
  },
  {
    label: 'Xero change → Salesforce record, p99 under the drain',
    target: '≤ 5 s',
    measuredBy: { section: 'latency', figure: 'latency.underDrain.p99' },
  },
  {
    label: 'peak RSS with 100,000 queued jobs, SQLite',
    target: '< 300 MB',
    measuredBy: { section: 'memory', figure: 'memory.maxRss' },
  },
  {
    label: 'RSS growth per 10,000 queued jobs, SQLite',
    target: '< 2 MB',
    measuredBy: { section: 'memory', figure: 'memory.slope' },
  },
  {
    label: 'peak RSS with 100,000 queued jobs, PostgreSQL',
    target: '< 300 MB',
    measuredBy: { section: 'memory', figure: 'memory.pg.maxRss' },
  },
  {
    label: 'RSS growth per 10,000 queued jobs, PostgreSQL',
    target: '< 2 MB',
    measuredBy: { section: 'memory', figure: 'memory.pg.slope' },
  },
  {
    label: 'a 429 with a long Retry-After on one tenant delays neither other tenant',
    target: 'shown',
    measuredBy: { section: 'tenants', figure: 'tenants.pausedNeighbours' },
  },
];

export interface TargetRow {
  label: string;
  target: string;
  measured: string;
  met: string;
  /** When the figure was measured (the section's date). */
  date?: string;
}

function verdict(f: Figure): string {
  if (f.met === undefined) return 'no target recorded';
  return f.met ? 'yes' : `NO (${f.missedBy ?? 'no value'})`;
}

/** One row per target, from the sections given. */
export function targetRows(sections: readonly SectionResult[]): TargetRow[] {
  return ISSUE_20_TARGETS.map((t) => {
    if (!t.measuredBy) return { label: t.label, target: t.target, measured: 'not measured yet', met: t.notYet ?? '' };
    const section = sections.find((s) => s.section === t.measuredBy!.section);
    const f = section?.figures.find((x) => x.id === t.measuredBy!.figure);
    if (!section || !f) {
      return {
        label: t.label,
        target: t.target,
        measured: 'not measured in this run',
        met: `run \`npm run bench -- ${t.measuredBy.section}\``,
      };
    }
    return {
      label: t.label,
      target: f.target?.text ?? t.target,
      measured: f.text,
      met: verdict(f),
      date: section.date,
    };
  });
}

export function printTargets(sections: readonly SectionResult[]): void {
  printRows([
    ['issue 20 target', 'measured', 'target', 'met?'],
    ...targetRows(sections).map((r) => [r.label, r.measured, r.target, r.met]),
  ]);
}
