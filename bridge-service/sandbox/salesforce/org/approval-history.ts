/**
 * Mirrors ApprovalHistory.cls: each record's latest decided step (Approved or Rejected) in its newest approval process
 * instance, with the approver's comment cut to 255 characters.
 */
import type { SalesforceOrg } from '../salesforce-org';

const MAX_LENGTH = 255;

export interface Decision {
  status: 'Approved' | 'Rejected';
  comment: string | null;
}

/** Apex String.abbreviate: longer text is cut and ends with an ellipsis of three dots. */
function abbreviate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

const newestFirst = (a: Record<string, unknown>, b: Record<string, unknown>): number =>
  String(b.CreatedDate).localeCompare(String(a.CreatedDate)) || String(b.Id).localeCompare(String(a.Id));

export function latestDecisions(org: SalesforceOrg, recordIds: Set<string>): Map<string, Decision> {
  const decisions = new Map<string, Decision>();
  const instances = org
    .records(org.object('ProcessInstance'))
    .filter((p) => recordIds.has(p.TargetObjectId as string))
    .sort(newestFirst);
  const steps = org.records(org.object('ProcessInstanceStep'));
  const seen = new Set<string>();
  for (const instance of instances) {
    const target = instance.TargetObjectId as string;
    // only the newest instance counts: an approval from an earlier submission does not approve a later one
    if (seen.has(target)) continue;
    seen.add(target);
    const decided = steps
      .filter((s) => s.ProcessInstanceId === instance.Id)
      .sort(newestFirst)
      .find((s) => s.StepStatus === 'Approved' || s.StepStatus === 'Rejected');
    if (!decided) continue;
    const text = typeof decided.Comments === 'string' ? decided.Comments : '';
    decisions.set(target, {
      status: decided.StepStatus as Decision['status'],
      comment: text.trim() ? abbreviate(text, MAX_LENGTH) : null,
    });
  }
  return decisions;
}
