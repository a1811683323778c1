/**
 * Which Xero credit notes without a Salesforce row the inbound writer holds back while a credit note finance approved
 * for the customer is on its way to Xero: only one that may be that note (same currency and total), against a fake
 * Salesforce. Every other credit note of the customer is mirrored at once: a poll does not come back for one it
 * held back.
 */
import pino from 'pino';
import { uk } from '../../domain/__fixtures__/opportunities';
import { contactLink } from '../../salesforce/golive-queries';
import { salesforceNames } from '../../salesforce/schema';
import { pendingCreditNote, type PendingCreditNote } from '../../salesforce/selections';
import type { XeroCreditNote } from '../../xero/types';
import { createApplyContext, type ApplyDeps } from './apply-context';
import { applyCreditNotes } from './apply-credit-notes';

const TENANT = 'tenant-eu';
const ACCOUNT = '001000000000001AAA';
const CONTACT = 'c0c0c0c0-0000-4000-8000-000000000001';
const noteId = (n: number) => `a1b2c3d4-0000-4000-8000-00000000000${n}`;

function xeroNote(n: number, currencyCode: string, total: number): XeroCreditNote {
  return {
    creditNoteID: noteId(n),
    creditNoteNumber: `CN-${n}`,
    type: 'ACCRECCREDIT',
    status: 'AUTHORISED',
    contact: { contactID: CONTACT },
    currencyCode,
    subTotal: total,
    totalTax: 0,
    total,
    remainingCredit: total,
    updatedDateUTC: new Date('2026-03-01T10:00:00.000Z'),
  } as XeroCreditNote;
}

/** A credit note finance approved for ACCOUNT that the bridge has not made in Xero yet. */
const approved = (currency: string, total: number): PendingCreditNote =>
  pendingCreditNote.parse(salesforceNames(''), {
    Id: 'a0B000000000001AAA',
    Account__c: ACCOUNT,
    Invoice__c: 'a00000000000001AAA',
    Currency_Code__c: currency,
    Total__c: total,
  });

function setup(pending: PendingCreditNote[]) {
  const pendingAsked: string[][] = [];
  const upserted: string[] = [];
  const ok = (records: readonly unknown[]) => records.map((_, i) => ({ ok: true as const, id: `x${i}` }));
  const deps: ApplyDeps = {
    queries: {
      invoicesByXeroIds: async () => [],
      creditNotesByXeroIds: async () => [],
      paymentsByXeroIds: async () => [],
      pendingCreditNotes: async (accountIds) => (pendingAsked.push([...accountIds]), pending),
    },
    writeback: {
      update: async (_object, records) => ok(records),
      create: async (_object, records) => ok(records),
      upsert: async (_object, _key, records) => {
        upserted.push(...records.map((r) => String((r as { Xero_Credit_Note_Id__c?: string }).Xero_Credit_Note_Id__c)));
        return ok(records);
      },
    },
    contactMappings: { getContactMapping: async () => null },
    goLive: {
      linksOfContacts: async () => [
        contactLink.parse(salesforceNames(''), {
          Id: 'a0X000000000001AAA',
          Account__c: ACCOUNT,
          Billing_Entity__c: uk.developerName,
          Xero_Tenant_Id__c: TENANT,
          Xero_Contact_Id__c: CONTACT,
          Contact_Name__c: 'Acme',
          Match_Method__c: 'Created',
          Link_Key__c: `${uk.developerName}:${ACCOUNT}`,
        }),
      ],
      opportunities: async () => [],
      wonDealsOfAccounts: async () => [],
      customerCreditsByXeroIds: async () => [],
    },
    reference: { billingEntities: async () => [{ ...uk, xeroTenantId: TENANT }] },
    summaries: { refreshOpportunities: async () => undefined, refreshAccounts: async () => undefined },
    clock: { now: () => Date.parse('2026-03-01T10:01:00.000Z') },
    log: pino({ level: 'silent' }),
  };
  return { deps, ctx: createApplyContext(deps), pendingAsked, upserted };
}

describe('credit notes raised in Xero while one finance approved is on its way there', () => {
  it('holds back only one that may be the approved note (same currency and total); mirrors the others', async () => {
    const t = setup([approved('EUR', 10)]);
    const result = await applyCreditNotes(t.deps, t.ctx, TENANT, [
      xeroNote(1, 'EUR', 10),
      xeroNote(2, 'EUR', 25),
      xeroNote(3, 'GBP', 10),
      xeroNote(4, 'eur', 10.0),
    ]);
    expect(result.awaitingMirror).toEqual([noteId(1), noteId(4)]);
    expect(t.upserted).toEqual([noteId(2), noteId(3)]);
    // One query for the customers of every unmirrored note, not one per customer.
    expect(t.pendingAsked).toEqual([[ACCOUNT]]);
  });

  it('with nothing on its way, every credit note of the customer is mirrored', async () => {
    const t = setup([]);
    const result = await applyCreditNotes(t.deps, t.ctx, TENANT, [xeroNote(1, 'EUR', 10)]);
    expect(result.awaitingMirror).toEqual([]);
    expect(t.upserted).toEqual([noteId(1)]);
  });
});
