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
import {
  creditNoteForInbound,
  pendingCreditNote,
  type CreditNoteForInbound,
  type PendingCreditNote,
} from '../../salesforce/selections';
import type { XeroCreditNote } from '../../xero/types';
import { createApplyContext, type ApplyDeps } from './apply-context';
import { applyCreditNotes } from './apply-credit-notes';

/**
 * A payment status as xero-node types it, without importing the SDK outside src/xero: its enum's members are Xero's
 * own words at run time (`AUTHORISED = <any>'AUTHORISED'`), which the type system cannot see.
 */
type RefundStatus = NonNullable<NonNullable<XeroCreditNote['payments']>[number]['status']>;
const refundStatus = (status: 'AUTHORISED' | 'DELETED') => status as unknown as RefundStatus;

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

function setup(pending: PendingCreditNote[], mirrors: CreditNoteForInbound[] = []) {
  const pendingAsked: string[][] = [];
  const upserted: string[] = [];
  const written: { op: 'upsert' | 'create' | 'update'; object: string; record: Record<string, unknown> }[] = [];
  const ok = (records: readonly unknown[]) => records.map((_, i) => ({ ok: true as const, id: `x${i}` }));
  const keep = (op: 'upsert' | 'create' | 'update', object: string, records: readonly object[]) =>
    written.push(...records.map((record) => ({ op, object, record: { ...record } })));
  const deps: ApplyDeps = {
    queries: {
      invoicesByXeroIds: async () => [],
      creditNotesByXeroIds: async () => mirrors,
      paymentsByXeroIds: async () => [],
      pendingCreditNotes: async (accountIds) => (pendingAsked.push([...accountIds]), pending),
    },
    writeback: {
      update: async (object, records) => (keep('update', object.name, records), ok(records)),
      create: async (object, records) => (keep('create', object.name, records), ok(records)),
      upsert: async (object, _key, records) => {
        keep('upsert', object.name, records);
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
  return { deps, ctx: createApplyContext(deps), pendingAsked, upserted, written };
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

describe('refunds of a credit note', () => {
  const REFUND = 'r0r0r0r0-0000-4000-8000-000000000001';
  const OLD_REFUND = 'r0r0r0r0-0000-4000-8000-000000000002';
  const refunded = (status = refundStatus('AUTHORISED')): XeroCreditNote => ({
    ...xeroNote(1, 'EUR', 120),
    status: 'PAID',
    remainingCredit: 0,
    updatedDateUTC: new Date('2026-03-02T10:00:00.000Z'),
    payments: [{ paymentID: REFUND, amount: 120, date: '2026-03-02', status }],
  });
  const mirror = (refunds: { id: string; status: string }[]) =>
    creditNoteForInbound.parse(salesforceNames(''), {
      Id: 'a0B000000000009AAA',
      Invoice__c: null,
      Account__c: ACCOUNT,
      Xero_Credit_Note_Id__c: noteId(1),
      Xero_Updated__c: '2026-03-01T10:00:00.000Z',
      Allocations__r: null,
      Refunds__r: {
        records: refunds.map((r, i) => ({
          Id: `a0R00000000000${i}AAA`,
          Xero_Payment_Id__c: r.id,
          Status__c: r.status,
        })),
      },
    });

  it('mirrors each refund Xero lists on the credit note as a Credit_Note_Refund__c', async () => {
    const t = setup([], [mirror([])]);
    await applyCreditNotes(t.deps, t.ctx, TENANT, [refunded()]);
    expect(t.written.filter((w) => w.object === 'Credit_Note_Refund__c')).toEqual([
      {
        op: 'create',
        object: 'Credit_Note_Refund__c',
        record: {
          Credit_Note__c: 'x0',
          Xero_Payment_Id__c: REFUND,
          Amount__c: 120,
          Currency_Code__c: 'EUR',
          Refund_Date__c: '2026-03-02',
          Status__c: 'Active',
        },
      },
    ]);
  });

  it('updates a refund it holds (deleted in Xero), and marks Deleted one Xero no longer lists', async () => {
    const t = setup(
      [],
      [
        mirror([
          { id: REFUND, status: 'Active' },
          { id: OLD_REFUND, status: 'Active' },
        ]),
      ],
    );
    await applyCreditNotes(t.deps, t.ctx, TENANT, [refunded(refundStatus('DELETED'))]);
    expect(t.written.filter((w) => w.object === 'Credit_Note_Refund__c')).toEqual([
      {
        op: 'update',
        object: 'Credit_Note_Refund__c',
        record: {
          Id: 'a0R000000000000AAA',
          Xero_Payment_Id__c: REFUND,
          Amount__c: 120,
          Currency_Code__c: 'EUR',
          Refund_Date__c: '2026-03-02',
          Status__c: 'Deleted',
        },
      },
      { op: 'update', object: 'Credit_Note_Refund__c', record: { Id: 'a0R000000000001AAA', Status__c: 'Deleted' } },
    ]);
  });
});

describe('the billing entity of a credit note', () => {
  it('is stored on the mirror from the tenant it came from, allocated or not', async () => {
    const t = setup([]);
    await applyCreditNotes(t.deps, t.ctx, TENANT, [xeroNote(1, 'EUR', 10)]);
    const [note] = t.written.filter((w) => w.object === 'Credit_Note__c');
    expect(note?.record).toMatchObject({ Billing_Entity__c: uk.developerName });
    expect(note?.record.Invoice__c).toBeUndefined();
  });
});
