/** Mirrors ApprovalComments.cls: the latest approve/reject comment per record, from the approval history. */
import type { SalesforceOrg } from '../salesforce-org';

const MAX_LENGTH = 255;

/** Apex String.abbreviate: longer text is cut and ends with an ellipsis of three dots. */
function abbreviate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

export function latestDecisionComments(org: SalesforceOrg, recordIds: Set<string>): Map<string, string> {
  const comments = new Map<string, string>();
  const instances = org
    .records(org.object('ProcessInstance'))
    .filter((p) => recordIds.has(p.TargetObjectId as string))
    .sort((a, b) => String(b.CreatedDate).localeCompare(String(a.CreatedDate)) || b.Id.localeCompare(a.Id));
  const steps = org.records(org.object('ProcessInstanceStep'));
  const decided = new Set<string>();
  for (const instance of instances) {
    const target = instance.TargetObjectId as string;
    if (decided.has(target)) continue;
    const own = steps
      .filter((s) => s.ProcessInstanceId === instance.Id)
      .sort((a, b) => String(b.CreatedDate).localeCompare(String(a.CreatedDate)) || b.Id.localeCompare(a.Id));
    for (const step of own) {
      if (step.StepStatus === 'Approved' || step.StepStatus === 'Rejected') {
        decided.add(target);
        const text = typeof step.Comments === 'string' ? step.Comments : '';
        if (text.trim()) comments.set(target, abbreviate(text, MAX_LENGTH));
        break;
      }
    }
  }
  return comments;
}
