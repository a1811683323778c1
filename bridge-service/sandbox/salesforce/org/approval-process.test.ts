import { FIXTURE_FORCE_APP, FINANCE, SALES, connect, startTestEmulator } from '../test-helpers';
import { loadProcessConfigs } from './approval-process';

describe('approval processes from metadata', () => {
  it('reads the field updates and final locks of an active process from approvalProcesses/ and workflows/', () => {
    const widget = loadProcessConfigs(FIXTURE_FORCE_APP).find((c) => c.object === 'Widget__c');
    expect(widget).toEqual({
      object: 'Widget__c',
      submit: { Colour__c: 'Red' },
      approve: { Colour__c: 'Blue' },
      reject: { Tags__c: null },
      recall: {},
      lockAfterApprove: true,
      lockAfterReject: false,
    });
  });

  it('applies them: submit and approve run the updates, and the approved record stays locked', async () => {
    const em = await startTestEmulator({ forceAppDir: FIXTURE_FORCE_APP });
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
});
