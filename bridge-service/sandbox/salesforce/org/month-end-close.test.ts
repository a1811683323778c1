import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from 'jsforce';
import type { SalesforceEmulator } from '../server';
import { ADMIN, FINANCE, SALES, connect, frozenClock, startTestEmulator } from '../test-helpers';
import { CLOSE_STATUSES } from './month-end-close-trigger-handler';

type Rec = Record<string, unknown> & { Id: string };
const CHANNEL = '/event/Invoice_Request__e';
const CLASSES = join(__dirname, '..', '..', '..', '..', 'force-app', 'main', 'default', 'classes');

describe('month-end close approval in the emulator, as the package Apex and approval process do it', () => {
  let em: SalesforceEmulator;
  let integration: Connection;
  let financeId: string;
  let closes = 0;
  const payloads = () => em.control.events(CHANNEL).map((e) => e.data.payload);

  beforeEach(async () => {
    em = await startTestEmulator({ clock: frozenClock() });
    integration = connect(em);
    financeId = em.control.login(FINANCE).userId;
  });
  afterEach(() => em.close());

  /** A close as the bridge proposes it: Proposed, fully written (Synced), with a journal line under it. */
  async function proposed(extra: Record<string, unknown> = {}): Promise<string> {
    closes += 1;
    const close = (await integration.sobject('Month_End_Close__c').create({
      Name: `UK_Ltd 2026-0${closes}`,
      Close_Key__c: `UK_Ltd:2026-0${closes}`,
      Billing_Entity__c: 'UK_Ltd',
      Currency_Code__c: 'GBP',
      Period_End__c: `2026-0${closes}-28`,
      Status__c: 'Proposed',
      Version__c: 2,
      Recognition_Total__c: 100,
      Sync_Status__c: 'Synced',
      ...extra,
    })) as unknown as { id: string };
    await integration.sobject('Month_End_Journal_Line__c').create({
      Month_End_Close__c: close.id,
      Line_Key__c: `UK_Ltd:2026-0${closes}:v2:recognition:1`,
      Journal_Kind__c: 'Recognition',
      Account_Code__c: '835',
      Amount__c: 100,
    });
    return close.id;
  }

  it('finance submits and approves; one POST_CLOSE keyed by the close and its version goes to the bridge', async () => {
    const closeId = await proposed();
    em.control.approvals.submit(closeId, { user: FINANCE });
    expect(await integration.sobject('Month_End_Close__c').retrieve(closeId)).toMatchObject({
      Status__c: 'Pending Approval',
      Approval_Status__c: 'Pending',
    });
    // Locked while pending: the figures approved are the figures posted (the bridge holds no Modify All here).
    await expect(
      integration.sobject('Month_End_Close__c').update({ Id: closeId, Recognition_Total__c: 999 }),
    ).rejects.toMatchObject({ errorCode: 'ENTITY_IS_LOCKED' });
    expect(payloads()).toHaveLength(0);
    em.control.approvals.approve(closeId, { user: FINANCE, comment: 'Agrees with the schedules' });
    expect(await integration.sobject('Month_End_Close__c').retrieve(closeId)).toMatchObject({
      Status__c: 'Approved',
      Approval_Status__c: 'Approved',
      Approval_Comment__c: 'Agrees with the schedules',
    });
    expect(payloads()).toEqual([
      expect.objectContaining({
        Action__c: 'POST_CLOSE',
        Invoice_Id__c: null,
        Opportunity_Id__c: null,
        Request_Key__c: `POST_CLOSE:${closeId}:2`,
        Requested_By__c: financeId,
      }),
    ]);
    expect(JSON.parse(String(payloads()[0]!.Payload__c))).toEqual({ closeId, version: 2 });
    // The bridge writes the posting back once approved (the record is no longer locked).
    await integration.sobject('Month_End_Close__c').update({ Id: closeId, Status__c: 'Posted' });
  });

  it('refuses Approved set by hand, and a close not fully proposed cannot be submitted', async () => {
    const closeId = await proposed();
    await expect(
      connect(em, ADMIN).sobject('Month_End_Close__c').update({ Id: closeId, Approval_Status__c: 'Approved' }),
    ).rejects.toMatchObject({
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: expect.stringContaining('Only the Finance Approval process can approve this record'),
    });
    // the bridge's user cannot edit Approval_Status__c at all (read-only in its permission set): refused before the rule
    await expect(
      integration.sobject('Month_End_Close__c').update({ Id: closeId, Approval_Status__c: 'Approved' }),
    ).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      message: expect.stringContaining('Approval_Status__c'),
    });
    const partial = await proposed({ Sync_Status__c: 'Pending' });
    expect(() => em.control.approvals.submit(partial, { user: FINANCE })).toThrow(
      'No applicable approval process was found.',
    );
    expect(payloads()).toHaveLength(0);
  });

  it('a rejection sends the close back to Proposed with the reason, and posts nothing', async () => {
    const closeId = await proposed();
    em.control.approvals.submit(closeId, { user: FINANCE });
    em.control.approvals.reject(closeId, { user: FINANCE, comment: 'Use the 31 March USD rate' });
    expect(await integration.sobject('Month_End_Close__c').retrieve(closeId)).toMatchObject({
      Status__c: 'Proposed',
      Approval_Status__c: 'Rejected',
      Approval_Comment__c: 'Use the 31 March USD rate',
    });
    expect(payloads()).toHaveLength(0);
  });

  it('finance reads closes and their journal lines; sales cannot', async () => {
    const closeId = await proposed();
    const read = await connect(em, FINANCE).query<Rec>(
      `SELECT Name, (SELECT Account_Code__c, Debit__c, Credit__c FROM Journal_Lines__r) FROM Month_End_Close__c WHERE Id = '${closeId}'`,
    );
    expect((read.records[0]!.Journal_Lines__r as { records: Rec[] }).records).toMatchObject([
      { Account_Code__c: '835', Debit__c: 100, Credit__c: 0 },
    ]);
    // The emulator does not enforce CRUD on REST calls (access.ts); the permission sets are what it reads.
    const salesId = em.control.login(SALES).userId;
    expect(em.org.objectAccess(salesId, 'Month_End_Close__c').read).toBe(false);
    expect(em.org.objectAccess(financeId, 'Month_End_Close__c')).toMatchObject({ read: true, edit: false });
  });

  it("the mirror's statuses are the Apex handler's", () => {
    const apex = readFileSync(join(CLASSES, 'MonthEndCloseTriggerHandler.cls'), 'utf8');
    const constant = (name: string) => new RegExp(`String ${name} = '([^']+)'`).exec(apex)?.[1];
    expect(CLOSE_STATUSES).toEqual({
      draft: constant('PROPOSED'),
      awaiting: constant('PENDING_APPROVAL'),
      approved: constant('APPROVED'),
    });
  });
});
