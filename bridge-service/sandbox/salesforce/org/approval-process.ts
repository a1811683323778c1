/**
 * The approval engine for the package's objects: submit, approve or reject as a named user with a comment, recall.
 * It runs the approval processes the project ships (`approvalProcesses/` with their `workflows/` field updates, in any
 * package directory of the SFDX project, e.g. force-app-unpackaged/), and nothing else: submitting a record no active
 * process accepts (entry criteria included) fails as it does in an org, and a project without any approval process
 * refuses to start. It records ProcessInstance/Step/Workitem history (which ApprovalHistory reads), applies the
 * process's field updates as the acting user (which fires the trigger mirrors), and locks the record while it is
 * pending (who may still edit it: SalesforceOrg.checkLocked).
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

/** One entry criterion: `field` is `Object__c.Field__c`; `value` null means blank. */
export interface Criterion {
  field: string;
  operation: 'equals' | 'notEqual';
  value: string | null;
}

export interface ProcessConfig {
  object: string;
  /** the process's developer name (`Finance_Approval`) */
  name: string;
  /** lower runs first when several active processes are on one object */
  order: number;
  /** all must hold (no booleanFilter) for a record to enter the process */
  entryCriteria: Criterion[];
  submit: Updates;
  approve: Updates;
  reject: Updates;
  recall: Updates;
  lockAfterApprove: boolean;
  lockAfterReject: boolean;
}

type Node = Record<string, unknown>;
const list = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : v ? [v as Node] : []);
const actionsOf = (n: unknown): string[] =>
  list((n as Node | undefined)?.action)
    .filter((a) => a.type === 'FieldUpdate')
    .map((a) => String(a.name));

export { projectSourceDirs } from '../schema/metadata-loader';

function criteriaOf(ap: Node, file: string): Criterion[] {
  const entry = (ap.entryCriteria as Node | undefined) ?? {};
  if (entry.formula !== undefined || entry.booleanFilter !== undefined) {
    throw new Error(`${file}: formula or booleanFilter entry criteria are not modelled by the emulator`);
  }
  return list(entry.criteriaItems).map((c) => {
    const operation = String(c.operation);
    if (operation !== 'equals' && operation !== 'notEqual') {
      throw new Error(`${file}: entry criteria operation "${operation}" is not modelled by the emulator`);
    }
    const given: unknown = Array.isArray(c.value) ? c.value[0] : c.value; // the parser lists repeatable <value>s
    const value = typeof given === 'string' && given !== '' ? given : null;
    return { field: String(c.field), operation, value };
  });
}

/** Reads one folder's active approval processes with the field updates they name. */
function loadFrom(sourceDir: string): ProcessConfig[] {
  const base = join(sourceDir, 'main', 'default');
  const dir = join(base, 'approvalProcesses');
  if (!existsSync(dir)) return [];
  const configs: ProcessConfig[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = /^([^.]+)\.([^.]+)\.approvalProcess-meta\.xml$/.exec(file);
    if (!m) continue;
    const [, object, name] = m as unknown as [string, string, string];
    const ap = parseXmlFile(join(dir, file)).ApprovalProcess as Node;
    if (String(ap.active) !== 'true') continue;
    if (String(ap.recordEditability) !== 'AdminOnly') {
      // AdminOrCurrentApprover would need queue membership, which the emulator does not model
      throw new Error(`${file}: recordEditability ${String(ap.recordEditability)} is not modelled by the emulator`);
    }
    const updates = new Map<string, [string, unknown]>();
    const wfPath = join(base, 'workflows', `${object}.workflow-meta.xml`);
    if (existsSync(wfPath)) {
      for (const u of list((parseXmlFile(wfPath).Workflow as Node).fieldUpdates)) {
        const value = u.operation === 'Null' ? null : u.operation === 'Literal' ? (u.literalValue ?? null) : undefined;
        if (value !== undefined) updates.set(String(u.fullName), [String(u.field), value]);
      }
    }
    const toUpdates = (names: string[]): Updates =>
      Object.fromEntries(
        names.map((n) => {
          const update = updates.get(n);
          if (!update) throw new Error(`${file}: field update ${n} is not in workflows/${object}.workflow-meta.xml`);
          return update;
        }),
      );
    configs.push({
      object,
      name,
      order: Number(ap.processOrder ?? 1),
      entryCriteria: criteriaOf(ap, file),
      submit: toUpdates(actionsOf(ap.initialSubmissionActions)),
      approve: toUpdates(actionsOf(ap.finalApprovalActions)),
      reject: toUpdates(actionsOf(ap.finalRejectionActions)),
      recall: toUpdates(actionsOf(ap.recallActions)),
      lockAfterApprove: String(ap.finalApprovalRecordLock) === 'true',
      lockAfterReject: String(ap.finalRejectionRecordLock) === 'true',
    });
  }
  return configs;
}

/**
 * The active approval processes in the project's source folders, in process order. Throws when there is none: an
 * emulator without the shipped approval processes would approve by rules of its own.
 */
export function loadProcessConfigs(sourceDirs: string[]): ProcessConfig[] {
  const configs = sourceDirs.flatMap(loadFrom).sort((a, b) => a.order - b.order);
  if (!configs.length) {
    throw new Error(
      `No active approval process in ${sourceDirs.join(', ')} (main/default/approvalProcesses/*.approvalProcess-meta.xml): ` +
        'the Salesforce emulator runs only the approval processes the project ships.',
    );
  }
  return configs;
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

  /** The process a record is submitted to: the first active one on its object whose entry criteria it meets. */
  private target(recordId: string): { config: ProcessConfig; record: SRecord; objectName: string } {
    const found = this.org.getAny(recordId);
    const config =
      found &&
      this.configs.find(
        (c) => this.org.n(c.object).toLowerCase() === found.def.name.toLowerCase() && this.meets(c, found.record),
      );
    if (!found || !config) {
      throw new SalesforceError(400, 'NO_APPLICABLE_PROCESS', 'No applicable approval process was found.');
    }
    return { config, record: found.record, objectName: found.def.name };
  }

  private meets(config: ProcessConfig, record: SRecord): boolean {
    return config.entryCriteria.every((c) => {
      const raw = record[qualify(c.field.split('.').pop()!, this.org.namespace)];
      const value = raw === null || raw === undefined || raw === '' ? null : String(raw);
      return c.operation === 'equals' ? value === c.value : value !== c.value;
    });
  }

  /** The process a pending record is in, and the record. */
  private inProcess(recordId: string): {
    config: ProcessConfig;
    record: SRecord;
    objectName: string;
    instance: SRecord;
  } {
    const found = this.org.getAny(recordId);
    const instance = found && this.pending(found.record.Id);
    const config =
      instance &&
      this.configs.find(
        (c) => c.name === instance.processName && this.org.n(c.object).toLowerCase() === found.def.name.toLowerCase(),
      );
    if (!found || !instance || !config) {
      throw new SalesforceError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
    }
    return { config, record: found.record, objectName: found.def.name, instance };
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
   * approver's comment from the step recorded just before); validation rules do not run again for them. */
  private applyUpdates(objectName: string, recordId: string, updates: Updates, userId: string): void {
    const body = Object.fromEntries(Object.entries(updates).map(([k, v]) => [qualify(k, this.org.namespace), v]));
    if (!Object.keys(body).length) return;
    this.org.update(objectName, recordId, body, { userId, bypassLocks: true, fieldUpdate: true });
  }

  submit(recordId: string, input: ApprovalInput): void {
    const user = this.org.resolveUser(input.user);
    const current = this.org.getAny(recordId);
    if (current && this.pending(current.record.Id)) {
      throw new SalesforceError(
        400,
        'ALREADY_IN_PROCESS',
        'This record is currently in an approval process. A record can be in only one approval process at a time.',
      );
    }
    const { config, record, objectName } = this.target(recordId);
    this.org.transaction(() => {
      const instance = this.write(
        'ProcessInstance',
        // processName: the emulator's own note of which process runs (ProcessDefinitionId in an org)
        { TargetObjectId: record.Id, Status: 'Pending', SubmittedById: user.Id, processName: config.name },
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
    const { config, record, objectName, instance } = this.inProcess(recordId);
    this.org.transaction(() => {
      // the step is recorded before the field update, so the trigger finds the decision and comment (ApprovalHistory)
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
