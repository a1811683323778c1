import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FORCE_APP_DIR } from '../server';
import { FIXTURE_FORCE_APP, FINANCE, INTEGRATION, SALES, connect, startTestEmulator } from '../test-helpers';
import { loadProcessConfigs, projectSourceDirs } from './approval-process';

describe('approval processes from metadata', () => {
  it('reads the field updates and final locks of an active process from approvalProcesses/ and workflows/', () => {
    const widget = loadProcessConfigs([FIXTURE_FORCE_APP]).find((c) => c.object === 'Widget__c');
    expect(widget).toEqual({
      object: 'Widget__c',
      name: 'Widget_Review',
      order: 1,
      entryCriteria: [],
      submit: { Colour__c: 'Red' },
      approve: { Colour__c: 'Blue' },
      reject: { Tags__c: null },
      recall: {},
      lockAfterApprove: true,
      lockAfterReject: false,
    });
  });

  it('runs the processes the project ships in force-app-unpackaged/, not defaults of its own', () => {
    const dirs = projectSourceDirs(DEFAULT_FORCE_APP_DIR);
    expect(dirs.map((d) => d.split('/').pop())).toEqual(['force-app', 'force-app-unpackaged']);
    const byObject = Object.fromEntries(loadProcessConfigs(dirs).map((c) => [c.object, c]));
    expect(Object.keys(byObject).sort()).toEqual(['Credit_Note__c', 'Invoice__c', 'Month_End_Close__c']);
    expect(byObject.Invoice__c).toEqual({
      object: 'Invoice__c',
      name: 'Finance_Approval',
      order: 1,
      entryCriteria: [
        { field: 'Invoice__c.Status__c', operation: 'equals', value: 'Draft' },
        { field: 'Invoice__c.Xero_Invoice_Id__c', operation: 'notEqual', value: null },
        // not while a correction is on its way to Xero (InvoiceActions marks it Pending; the bridge's outcome clears it)
        { field: 'Invoice__c.Sync_Status__c', operation: 'notEqual', value: 'Pending' },
      ],
      submit: { Approval_Status__c: 'Pending', Status__c: 'Awaiting Approval' },
      approve: { Approval_Status__c: 'Approved', Status__c: 'Approved' },
      reject: { Approval_Status__c: 'Rejected', Status__c: 'Draft' },
      recall: { Approval_Status__c: 'Not Submitted', Status__c: 'Draft' },
      lockAfterApprove: false,
      lockAfterReject: false,
    });
    // a close is approved once the bridge has proposed it in full, and nothing reaches Xero before
    expect(byObject.Month_End_Close__c).toMatchObject({
      entryCriteria: [
        { field: 'Month_End_Close__c.Status__c', operation: 'equals', value: 'Proposed' },
        { field: 'Month_End_Close__c.Sync_Status__c', operation: 'equals', value: 'Synced' },
      ],
      submit: { Approval_Status__c: 'Pending', Status__c: 'Pending Approval' },
      approve: { Approval_Status__c: 'Approved', Status__c: 'Approved' },
      reject: { Approval_Status__c: 'Rejected', Status__c: 'Proposed' },
      recall: { Approval_Status__c: 'Not Submitted', Status__c: 'Proposed' },
    });
    // a credit note is approved before it exists in Xero (the bridge creates it there on AUTHORISE)
    expect(byObject.Credit_Note__c!.entryCriteria).toEqual([
      { field: 'Credit_Note__c.Status__c', operation: 'equals', value: 'Draft' },
      { field: 'Credit_Note__c.Xero_Credit_Note_Id__c', operation: 'equals', value: null },
    ]);
  });

  it('refuses to start on a project that ships no approval process, rather than inventing one', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'ledgerline-bare-force-app-'));
    try {
      mkdirSync(join(bare, 'main', 'default'), { recursive: true });
      expect(() => loadProcessConfigs([bare])).toThrow(/No active approval process/);
      await expect(startTestEmulator({ forceAppDir: bare })).rejects.toThrow(/No active approval process/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('applies them: submit and approve run the updates, and the approved record stays locked', async () => {
    const em = await startTestEmulator({
      // the fixture package's permission sets grant no fields: its field-type cases run without access checks
      forceAppDir: FIXTURE_FORCE_APP,
      enforceUserAccess: false,
    });
    try {
      const conn = connect(em);
      const w = (await conn
        .sobject('Widget__c')
        .create({ Name: 'Gadget', Price__c: 1, Colour__c: 'Blue', Tags__c: 'New' })) as unknown as { id: string };
      em.control.approvals.submit(w.id, { user: SALES });
      expect(await conn.sobject('Widget__c').retrieve(w.id)).toMatchObject({ Colour__c: 'Red' });
      em.control.approvals.approve(w.id, { user: FINANCE, comment: 'ok' });
      expect(await conn.sobject('Widget__c').retrieve(w.id)).toMatchObject({ Colour__c: 'Blue' });
      await expect(conn.sobject('Widget__c').update({ Id: w.id, Name: 'Changed' })).rejects.toMatchObject({
        errorCode: 'ENTITY_IS_LOCKED',
      });
      expect(em.org.isLocked(w.id)).toBe(true);
    } finally {
      await em.close();
    }
  });

  it('enforces the shipped entry criteria: only a draft invoice that is in Xero can be submitted', async () => {
    const em = await startTestEmulator();
    try {
      const conn = connect(em, INTEGRATION);
      const account = (await conn.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1')).records[0]!;
      const create = async (values: Record<string, unknown>) =>
        (
          (await conn
            .sobject('Invoice__c')
            .create({ Account__c: account.Id, Currency_Code__c: 'GBP', ...values })) as unknown as { id: string }
        ).id;
      const notInXero = await create({ Status__c: 'Draft' });
      expect(() => em.control.approvals.submit(notInXero, { user: SALES })).toThrow(
        'No applicable approval process was found.',
      );
      const authorised = await create({ Status__c: 'Authorised', Xero_Invoice_Id__c: 'xero-criteria-1' });
      expect(() => em.control.approvals.submit(authorised, { user: SALES })).toThrow(
        'No applicable approval process was found.',
      );
      const draft = await create({ Status__c: 'Draft', Xero_Invoice_Id__c: 'xero-criteria-2' });
      em.control.approvals.submit(draft, { user: SALES });
      expect(await conn.sobject('Invoice__c').retrieve(draft)).toMatchObject({
        Approval_Status__c: 'Pending',
        Status__c: 'Awaiting Approval',
      });
      expect(() => em.control.approvals.submit(draft, { user: SALES })).toThrow(/only one approval process/);
    } finally {
      await em.close();
    }
  });
});
