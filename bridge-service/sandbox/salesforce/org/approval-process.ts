/**
 * The approval engine for Invoice__c and Credit_Note__c: submit, approve or reject as a named user with a comment,
 * recall. It records ProcessInstance/Step history (which ApprovalComments reads), applies the process's field updates
 * as the acting user (which fires the trigger mirrors), and locks the record while it is pending. When force-app has
 * an approval process (approvalProcesses/ + workflows/ field updates) for the object, those updates are used;
 * otherwise the package contract's defaults.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SalesforceError } from '../errors';
import { formatDateTime } from '../field-values';
import { makeId } from '../ids';
import type { SalesforceOrg } from '../salesforce-org';
import { parseXmlFile, qualify } from '../schema/metadata-loader';
import type { SRecord } from '../store';

type Updates = Record<string, unknown>;

export interface ProcessConfig {
  object: string;
  submit: Updates;
  approve: Updates;
  reject: Updates;
  recall: Updates;
  lockAfterApprove: boolean;
  lockAfterReject: boolean;
}

const DEFAULTS: ProcessConfig[] = [
  {
    object: 'Invoice__c',
    submit: { Approval_Status__c: 'Pending' },
    approve: { Approval_Status__c: 'Approved' },
    reject: { Approval_Status__c: 'Rejected' },
    recall: { Approval_Status__c: 'Not Submitted', Status__c: 'Draft' },
    lockAfterApprove: false,
    lockAfterReject: false,
  },
  {
    object: 'Credit_Note__c',
    submit: { Approval_Status__c: 'Pending' },
    approve: { Approval_Status__c: 'Approved' },
    reject: { Approval_Status__c: 'Rejected' },
    recall: { Approval_Status__c: 'Not Submitted', Status__c: 'Draft' },
    lockAfterApprove: false,
    lockAfterReject: false,
  },
];

type Node = Record<string, unknown>;
const actionsOf = (n: unknown): string[] => {
  const actions = ((n as Node | undefined)?.action as Node[] | undefined) ?? [];
  return actions.filter((a) => a.type === 'FieldUpdate').map((a) => String(a.name));
};

/** Reads approval processes and their workflow field updates from force-app, when the package has them. */
export function loadProcessConfigs(forceAppDir: string): ProcessConfig[] {
  const base = join(forceAppDir, 'main', 'default');
  const dir = join(base, 'approvalProcesses');
  const configs = new Map(DEFAULTS.map((d) => [d.object, { ...d }]));
  if (!existsSync(dir)) return [...configs.values()];
  for (const file of readdirSync(dir).sort()) {
    const m = /^([^.]+)\.[^.]+\.approvalProcess-meta\.xml$/.exec(file);
    if (!m) continue;
    const object = m[1]!;
    const ap = parseXmlFile(join(dir, file)).ApprovalProcess as Node;
    if (String(ap.active) !== 'true') continue;
    const wfPath = join(base, 'workflows', `${object}.workflow-meta.xml`);
    const updates = new Map<string, [string, unknown]>();
    if (existsSync(wfPath)) {
      const wf = parseXmlFile(wfPath).Workflow as Node;
      for (const u of (wf.fieldUpdates as Node[] | undefined) ?? []) {
        const value = u.operation === 'Null' ? null : u.operation === 'Literal' ? (u.literalValue ?? null) : undefined;
        if (value !== undefined) updates.set(String(u.fullName), [String(u.field), value]);
      }
    }
    const toUpdates = (names: string[]): Updates =>
      Object.fromEntries(names.map((n) => updates.get(n)).filter((u): u is [string, unknown] => !!u));
    configs.set(object, {
      object,
      submit: toUpdates(actionsOf(ap.initialSubmissionActions)),
      approve: toUpdates(actionsOf(ap.finalApprovalActions)),
      reject: toUpdates(actionsOf(ap.finalRejectionActions)),
      recall: toUpdates(actionsOf(ap.recallActions)),
      lockAfterApprove: String(ap.finalApprovalRecordLock) === 'true',
      lockAfterReject: String(ap.finalRejectionRecordLock) === 'true',
    });
  }
  return [...configs.values()];
}

export interface ApprovalInput {
  /** user id or username */
  user: string;
  comment?: string;
}

export class ApprovalProcesses {
  constructor(
    private readonly org: SalesforceOrg,
    private readonly configs: ProcessConfig[],
  ) {}

  private target(recordId: string): { config: ProcessConfig; record: SRecord; objectName: string } {
    const found = this.org.getAny(recordId);
    const config =
      found && this.configs.find((c) => this.org.n(c.object).toLowerCase() === found.def.name.toLowerCase());
    if (!found || !config) {
      throw new SalesforceError(400, 'NO_APPLICABLE_PROCESS', 'No applicable approval process was found.');
    }
    return { config, record: found.record, objectName: found.def.name };
  }

  private pending(recordId: string): SRecord | undefined {
    return this.org
      .records(this.org.object('ProcessInstance'))
      .find((p) => p.TargetObjectId === recordId && p.Status === 'Pending');
  }

  private write(table: string, values: Record<string, unknown>, userId: string): SRecord {
    const def = this.org.object(table);
    const now = formatDateTime(this.org.clock.now());
    const record: SRecord = {
      Id: makeId(def.keyPrefix, this.org.store.nextSequence(def.keyPrefix)),
      CreatedDate: now,
      CreatedById: userId,
      LastModifiedDate: now,
      LastModifiedById: userId,
      SystemModstamp: now,
      IsDeleted: false,
      ...values,
    };
    this.org.store.put(def.name, record);
    return record;
  }

  /** The process's field updates run as the acting user and may write the locked record (the trigger reads the
   * approver's comment from the step recorded just before). */
  private applyUpdates(objectName: string, recordId: string, updates: Updates, userId: string): void {
    const body = Object.fromEntries(Object.entries(updates).map(([k, v]) => [qualify(k, this.org.namespace), v]));
    if (!Object.keys(body).length) return;
    this.org.update(objectName, recordId, body, { userId, bypassLocks: true });
  }

  submit(recordId: string, input: ApprovalInput): void {
    const user = this.org.resolveUser(input.user);
    const { config, record, objectName } = this.target(recordId);
    if (this.pending(record.Id)) {
      throw new SalesforceError(
        400,
        'ALREADY_IN_PROCESS',
        'This record is currently in an approval process. A record can be in only one approval process at a time.',
      );
    }
    this.org.transaction(() => {
      const instance = this.write(
        'ProcessInstance',
        { TargetObjectId: record.Id, Status: 'Pending', SubmittedById: user.Id },
        user.Id,
      );
      this.write(
        'ProcessInstanceStep',
        {
          ProcessInstanceId: instance.Id,
          StepStatus: 'Started',
          Comments: input.comment ?? null,
          ActorId: user.Id,
          OriginalActorId: user.Id,
        },
        user.Id,
      );
      this.write('ProcessInstanceWorkitem', { ProcessInstanceId: instance.Id, ActorId: null }, user.Id);
      this.applyUpdates(objectName, record.Id, config.submit, user.Id);
    });
    this.org.lock(record.Id);
  }

  approve(recordId: string, input: ApprovalInput): void {
    this.decide(recordId, input, 'Approved');
  }

  reject(recordId: string, input: ApprovalInput): void {
    this.decide(recordId, input, 'Rejected');
  }

  recall(recordId: string, input: ApprovalInput): void {
    this.decide(recordId, input, 'Removed');
  }

  private decide(recordId: string, input: ApprovalInput, outcome: 'Approved' | 'Rejected' | 'Removed'): void {
    const user = this.org.resolveUser(input.user);
    const { config, record, objectName } = this.target(recordId);
    const instance = this.pending(record.Id);
    if (!instance) throw new SalesforceError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
    this.org.transaction(() => {
      // the step is recorded before the field update, so the trigger can read the comment (ApprovalComments)
      this.write(
        'ProcessInstanceStep',
        {
          ProcessInstanceId: instance.Id,
          StepStatus: outcome,
          Comments: input.comment ?? null,
          ActorId: user.Id,
          OriginalActorId: user.Id,
        },
        user.Id,
      );
      this.org.store.put('ProcessInstance', {
        ...instance,
        Status: outcome,
        CompletedDate: formatDateTime(this.org.clock.now()),
      });
      for (const w of this.org
        .records(this.org.object('ProcessInstanceWorkitem'))
        .filter((x) => x.ProcessInstanceId === instance.Id)) {
        this.org.store.remove('ProcessInstanceWorkitem', w.Id);
      }
      const action = outcome === 'Approved' ? 'approve' : outcome === 'Rejected' ? 'reject' : 'recall';
      this.applyUpdates(objectName, record.Id, config[action], user.Id);
    });
    const keepLocked =
      (outcome === 'Approved' && config.lockAfterApprove) || (outcome === 'Rejected' && config.lockAfterReject);
    if (!keepLocked) this.org.unlock(record.Id);
  }
}
