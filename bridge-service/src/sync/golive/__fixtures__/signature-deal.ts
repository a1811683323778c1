/**
 * The partial-invoice emulator tests' deal: 12,000.00 for 2026 (100 × 120.00 of the seeded Acme deal's product),
 * billed on signature, won by the rep with no draft asked for at close, so each test asks for its partials and its
 * closing draft itself.
 */
import type { Sandbox } from '../../../../sandbox/sandbox-bridge';
import { connect } from '../../../../sandbox/salesforce/test-helpers';

const SALES = 'sam.seller@ledgerline.example';
/** An administrator reads the seeded deal (the bridge's user cannot see Opportunity.Pricebook2Id, as in an org). */
const ADMIN = 'ada.admin@ledgerline.example';

type Row = Record<string, unknown>;

/** Creates and wins the deal; returns its Opportunity id. */
export async function wonSignatureDeal(sandbox: Sandbox, name: string): Promise<string> {
  const admin = connect(sandbox.sf, ADMIN);
  const sales = connect(sandbox.sf, SALES);
  const [seeded] = (
    await admin.query<Row>("SELECT Id, AccountId, Pricebook2Id FROM Opportunity WHERE Name = 'Acme - Platform 2026'")
  ).records;
  const [line] = (
    await admin.query<Row>(
      `SELECT PricebookEntryId FROM OpportunityLineItem WHERE OpportunityId = '${String(seeded!.Id)}'`,
    )
  ).records;
  sandbox.sf.control.setOrgSettings({ Auto_Draft_On_Close__c: false });
  const { id } = (await sales.sobject('Opportunity').create({
    Name: name,
    AccountId: seeded!.AccountId,
    StageName: 'Negotiation/Review',
    CloseDate: '2026-01-10',
    CurrencyIsoCode: 'GBP',
    Service_Start_Date__c: '2026-01-01',
    Service_End_Date__c: '2026-12-31',
    ...(seeded!.Pricebook2Id ? { Pricebook2Id: seeded!.Pricebook2Id } : {}),
  })) as { id: string };
  await sales.sobject('OpportunityLineItem').create({
    OpportunityId: id,
    PricebookEntryId: line!.PricebookEntryId,
    Quantity: 100,
    UnitPrice: 120,
  });
  await sales.sobject('Opportunity').update({ Id: id, StageName: 'Closed Won' });
  sandbox.sf.control.setOrgSettings({ Auto_Draft_On_Close__c: true });
  return id;
}
