import { matchAccounts } from './contact-matching';
import { invoiceDrift } from './drift';
import {
  accountEntityKey,
  contactMatchPayloadSchema,
  createPartialPayloadSchema,
  driftResultRecord,
  keyDifference,
  linkRecord,
  reconciliationResultRecord,
  reviewRecord,
} from './golive-records';
import { compareReconciliations, reconcile } from './reconciliation';
import { expectFitsMetadata } from './__fixtures__/force-app-metadata';

const ACME = '001000000000001';
const uk = { developerName: 'UK_Ltd', xeroTenantId: 'tenant-uk' };

describe('go-live records', () => {
  it('a review for the true ambiguity: keyed by Account and entity, candidates as JSON, the top one in fields', () => {
    const [outcome] = matchAccounts(
      [{ accountId: ACME, name: 'Initech Ltd' }],
      [
        { contactId: '11111111-1111-4111-8111-111111111111', name: 'Initech Ltd', status: 'ACTIVE' },
        { contactId: '22222222-2222-4222-8222-222222222222', name: 'INITECH LIMITED', status: 'ACTIVE' },
      ],
    );
    if (outcome?.kind !== 'review') throw new Error('expected a review');
    const record = reviewRecord(outcome, uk);
    expectFitsMetadata('Contact_Match_Review__c', record);
    expect(record).toMatchObject({
      Review_Key__c: '001000000000001AAA:UK_LTD',
      Account__c: '001000000000001AAA',
      Reason__c: 'AMBIGUOUS',
      Status__c: 'Open',
      Candidate_Count__c: 2,
      Top_Candidate_Name__c: 'INITECH LIMITED',
      Top_Candidate_Match__c: 'name',
    });
    expect(JSON.parse(String(record.Candidates__c))).toHaveLength(2);
  });

  it('links keep their method, and an existing link is not re-dated', () => {
    const made = linkRecord(
      { accountId: ACME, contactId: 'c1', contactName: 'Acme Ltd', method: 'tax-number' },
      uk,
      '2027-01-01T00:00:00Z',
    );
    expectFitsMetadata('Xero_Contact_Link__c', made);
    expect(made).toMatchObject({ Link_Key__c: accountEntityKey(ACME, 'uk_ltd'), Match_Method__c: 'Tax Number' });
    const kept = linkRecord(
      { accountId: ACME, contactId: 'c1', contactName: 'Acme Ltd', method: 'link' },
      uk,
      '2027-02-01T00:00:00Z',
    );
    expect(kept).not.toHaveProperty('Match_Method__c');
    expect(kept).not.toHaveProperty('Linked_At__c');
    for (const method of ['review', 'created', 'email', 'name', 'account-number', 'contact-number'] as const) {
      expectFitsMetadata(
        'Xero_Contact_Link__c',
        linkRecord({ accountId: ACME, contactId: 'c', contactName: 'n', method }, uk, 'x'),
      );
    }
  });

  it('a drift finding as a Reconciliation_Result__c, on the mirror it is about', () => {
    const xero = {
      kind: 'invoice' as const,
      invoiceId: 'x-1',
      contactId: 'c1',
      status: 'VOIDED' as const,
      currencyCode: 'GBP',
      date: '2027-01-01',
      subTotal: '100',
      totalTax: '20',
      total: '120',
      amountPaid: '0',
      amountCredited: '0',
      amountDue: '0',
      payments: [],
    };
    const [finding] = invoiceDrift(
      { ...xero, salesforceId: 'a01000000000001AAA', displayStatus: 'Authorised', amountDue: '120', payments: [] },
      xero,
    );
    const record = driftResultRecord(finding!, { entity: 'UK_Ltd', tenantId: 'tenant-uk', accountId: ACME, now: 'x' });
    expectFitsMetadata('Reconciliation_Result__c', record);
    expect(record).toMatchObject({
      Result_Key__c: 'x-1:status',
      Invoice__c: 'a01000000000001AAA',
      Document_Type__c: 'Invoice',
      Cause__c: 'VOIDED_IN_XERO',
      Suggested_Fix__c: 'RESYNC',
      Salesforce_Value__c: 'Authorised',
      Xero_Value__c: 'Voided',
    });
  });

  it('figures that do not tie as Reconciliation_Result__c: one per level and figure, keyed the same every run', () => {
    const deal = {
      opportunityId: '006000000000001',
      accountId: ACME,
      entity: 'UK_Ltd',
      currencyCode: 'GBP',
      amount: 100,
    };
    const invoice = (total: string) => ({
      kind: 'invoice' as const,
      invoiceId: 'x-1',
      contactId: 'c1',
      status: 'AUTHORISED' as const,
      currencyCode: 'GBP',
      date: '2027-01-01',
      subTotal: total,
      totalTax: '0',
      total,
      amountPaid: '0',
      amountCredited: '0',
      amountDue: total,
      payments: [],
      entity: 'UK_Ltd',
      accountId: ACME,
      opportunityId: deal.opportunityId,
    });
    const differences = compareReconciliations(
      reconcile([deal], [invoice('100')], []),
      reconcile([deal], [invoice('90')], []),
    ).map(keyDifference);
    const billed = differences.filter((d) => d.figure === 'billedNet');
    expect(billed.map((d) => d.level).sort()).toEqual(['account', 'deal', 'entity']);
    const byLevel = new Map(
      billed.map((d) => [d.level, reconciliationResultRecord(d, { tenantId: 'tenant-uk', accountId: ACME, now: 'x' })]),
    );
    for (const record of byLevel.values()) expectFitsMetadata('Reconciliation_Result__c', record);
    expect(byLevel.get('deal')).toMatchObject({
      Result_Key__c: 'RECONCILE:UK_Ltd:deal:006000000000001:GBP:billedNet',
      Check_Type__c: 'Reconciliation',
      Cause__c: 'DOES_NOT_TIE',
      Opportunity__c: '006000000000001AAA',
      Account__c: '001000000000001AAA',
      Field__c: 'Billed (net of credits)',
      Salesforce_Value__c: '100.00',
      Xero_Value__c: '90.00',
      Amount_Difference__c: -10,
    });
    expect(byLevel.get('account')).toMatchObject({ Account__c: '001000000000001AAA', Opportunity__c: null });
    expect(byLevel.get('entity')).toMatchObject({ Billing_Entity__c: 'UK_Ltd', Opportunity__c: null });
  });

  it('reads the payloads the Apex controllers send, and refuses malformed ones', () => {
    expect(
      contactMatchPayloadSchema.parse({
        reviewId: 'a0B000000000001AAA',
        accountId: '001000000000001AAA',
        billingEntity: 'UK_Ltd',
        decision: 'CONFIRM',
        contactId: '5b0f3c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
        note: null,
      }).decision,
    ).toBe('CONFIRM');
    expect(() =>
      contactMatchPayloadSchema.parse({
        reviewId: 'a0B000000000001AAA',
        accountId: '001000000000001AAA',
        billingEntity: 'UK_Ltd',
        decision: 'CONFIRM',
      }),
    ).toThrow('CONFIRM needs a contactId');
    expect(
      createPartialPayloadSchema.parse({ amount: '3600.00', mode: 'PERCENT_OF_DEAL', value: '30', label: 'Deposit' })
        .amount,
    ).toBe('3600.00');
    expect(() => createPartialPayloadSchema.parse({ amount: '10.005', mode: 'AMOUNT', value: '10.005' })).toThrow(
      'must be an amount with at most two decimals',
    );
  });
});
