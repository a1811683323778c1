import type { Connection } from 'jsforce';
import type { SalesforceEmulator } from '../server';
import { ADMIN, connect, startTestEmulator } from '../test-helpers';

type Rec = Record<string, unknown> & { Id: string };

// The billing plan objects come from force-app like every package object: nothing in the emulator names them.
describe('billing plans, instalments and revenue months in the emulator', () => {
  let em: SalesforceEmulator;
  let api: Connection;
  let opp: Rec;

  beforeEach(async () => {
    em = await startTestEmulator();
    // the org's behaviour, not the bridge's grants, is under test: an administrator sees and writes every field
    api = connect(em, ADMIN);
    opp = (await api.query<Rec>("SELECT Id, AccountId FROM Opportunity WHERE Name = 'Acme - Platform 2026'"))
      .records[0]!;
  });
  afterEach(() => em.close());

  it('upserts a plan by its key with instalments and revenue months under it, and reads them back by relationship', async () => {
    await api
      .sobject('Opportunity')
      .update({ Id: opp.Id, Billing_Frequency__c: 'Annual', First_Invoice_Date__c: '2026-03-01' });
    await api.sobject('Billing_Plan__c').upsert(
      {
        Plan_Key__c: opp.Id,
        Opportunity__c: opp.Id,
        Account__c: opp.AccountId,
        Currency_Code__c: 'GBP',
        Contract_Value__c: 5100,
      },
      'Plan_Key__c',
    );
    const plan = (
      await api.query<Rec>(`SELECT Id, Name, Status__c FROM Billing_Plan__c WHERE Plan_Key__c = '${opp.Id}'`)
    ).records[0]!;
    expect(plan).toMatchObject({ Status__c: 'Planned', Name: expect.stringMatching(/^BP-\d{6}$/) });
    await api.sobject('Billing_Instalment__c').create({
      Billing_Plan__c: plan.Id,
      Instalment_Key__c: `${opp.Id}:abc123def456:2026-03-01`,
      Issue_Date__c: '2026-03-01',
      Amount__c: 5100,
      Document_Type__c: 'Invoice',
    });
    await api.sobject('Revenue_Month__c').create({
      Billing_Plan__c: plan.Id,
      Month_Key__c: `${opp.Id}:2026-03`,
      Month__c: '2026-03-01',
      Recognised__c: 433.15,
    });
    const read = (
      await api.query<Rec>(
        `SELECT Opportunity__r.Billing_Frequency__c, (SELECT Instalment_Key__c, Status__c FROM Instalments__r),
                (SELECT Month__c, Recognised__c FROM Revenue_Months__r) FROM Billing_Plan__c WHERE Id = '${plan.Id}'`,
      )
    ).records[0]!;
    expect((read.Opportunity__r as Rec).Billing_Frequency__c).toBe('Annual');
    expect((read.Instalments__r as { records: Rec[] }).records).toMatchObject([{ Status__c: 'Planned' }]);
    expect((read.Revenue_Months__r as { records: Rec[] }).records).toMatchObject([
      { Month__c: '2026-03-01', Recognised__c: 433.15 },
    ]);
  });

  it('enforces the package metadata: unique keys, restricted picklists, the master record', async () => {
    const plan = (await api
      .sobject('Billing_Plan__c')
      .create({ Plan_Key__c: opp.Id, Opportunity__c: opp.Id })) as unknown as { id: string };
    const instalment = { Billing_Plan__c: plan.id, Instalment_Key__c: 'K1', Issue_Date__c: '2026-03-01' };
    await api.sobject('Billing_Instalment__c').create(instalment);
    await expect(api.sobject('Billing_Instalment__c').create(instalment)).rejects.toMatchObject({
      errorCode: 'DUPLICATE_VALUE',
    });
    await expect(
      api.sobject('Billing_Instalment__c').create({ ...instalment, Instalment_Key__c: 'K2', Status__c: 'Invoiced' }),
    ).rejects.toMatchObject({ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' });
    await expect(api.sobject('Revenue_Month__c').create({ Month_Key__c: 'M1' })).rejects.toMatchObject({
      errorCode: 'REQUIRED_FIELD_MISSING',
    });
    await expect(
      api.sobject('Opportunity').update({ Id: opp.Id, Billing_Timing__c: 'Whenever' }),
    ).rejects.toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    });
  });
});
