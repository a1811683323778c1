import type { Connection } from 'jsforce';
import CASES from '../../../src/domain/partial-invoice.cases.json';
import { PARTIAL_REFUSALS, partialInvoiceRefusal } from '../../../src/domain/partial-invoice';
import { opportunityBillingRowSchema, productBillingRowSchema } from '../../../src/domain/revenue-records';
import { createGoLiveQueries } from '../../../src/salesforce/golive-queries';
import { salesforceNames } from '../../../src/salesforce/schema';
import { childRecords } from '../../../src/salesforce/soql';
import type { SalesforceEmulator } from '../server';
import {
  FINANCE,
  INTEGRATION as INTEGRATION_USER,
  SALES,
  connect,
  frozenClock,
  startTestEmulator,
} from '../test-helpers';

type Rec = Record<string, unknown> & { Id: string };
const CHANNEL = '/event/Invoice_Request__e';
const ACME_LTD = '5b0f3c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
type Refusal = keyof typeof PARTIAL_REFUSALS | null;
/** A shared refusal case (partial-invoice.cases.json), every key optional. */
type RefusalCase = {
  name: string;
  refusal: Refusal;
  card?: Refusal;
  opportunity?: Record<string, string>;
  product?: Record<string, string>;
  entity?: Record<string, string>;
  plans?: string[];
  amends?: boolean;
  invoiceType?: string;
  hasSchedule?: boolean;
  lines?: number;
};
const CANDIDATES = JSON.stringify([
  { contactId: ACME_LTD, name: 'Acme Ltd', status: 'ACTIVE', signals: ['name'], conflicts: [] },
  {
    contactId: '9c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5',
    name: 'ACME LIMITED',
    status: 'ACTIVE',
    signals: ['name'],
    conflicts: [],
  },
]);

describe('go-live controllers mirroring the package Apex', () => {
  let em: SalesforceEmulator;
  let integration: Connection;
  let sales: Connection;
  let financeId: string;
  const requests = (action: string) =>
    em.control
      .events(CHANNEL)
      .map((e) => e.data.payload as Rec)
      .filter((p) => p.Action__c === action);

  beforeEach(async () => {
    em = await startTestEmulator({ clock: frozenClock() });
    integration = connect(em);
    sales = connect(em, SALES);
    financeId = em.control.login(FINANCE).userId;
  });
  afterEach(() => em.close());

  async function openReview(entity = 'UK_Ltd'): Promise<{ id: string; accountId: string }> {
    const account = (await integration.query<Rec>('SELECT Id FROM Account ORDER BY Name LIMIT 1')).records[0]!;
    const res = (await integration.sobject('Contact_Match_Review__c').create({
      Account__c: account.Id,
      Billing_Entity__c: entity,
      Review_Key__c: `${account.Id}:${entity.toUpperCase()}`,
      Status__c: 'Open',
      Reason__c: 'AMBIGUOUS',
      Candidates__c: CANDIDATES,
    })) as unknown as { id: string };
    return { id: res.id, accountId: account.Id };
  }

  describe('ContactMatchController.decide', () => {
    it('confirms a candidate: the review records the decision and one CONTACT_MATCH request goes out', async () => {
      const { id, accountId } = await openReview();
      em.control.goLive.contactMatch.decide(FINANCE, id, 'confirm', ACME_LTD.toUpperCase(), ' Same VAT number ');
      const review = (await integration.sobject('Contact_Match_Review__c').retrieve(id)) as Rec;
      expect(review).toMatchObject({
        Status__c: 'Confirmed',
        Chosen_Contact_Id__c: ACME_LTD,
        Chosen_Contact_Name__c: 'Acme Ltd',
        Decision_Note__c: 'Same VAT number',
        Decided_By__c: financeId,
        Sync_Status__c: 'Pending',
      });
      const [request, ...more] = requests('CONTACT_MATCH');
      expect(more).toEqual([]);
      expect(request).toMatchObject({
        Request_Key__c: review.Request_Key__c,
        Opportunity_Id__c: null,
        Invoice_Id__c: null,
        Requested_By__c: financeId,
      });
      expect(String(request!.Request_Key__c)).toMatch(new RegExp(`^CONTACT_MATCH:${id}:\\d+$`));
      expect(JSON.parse(String(request!.Payload__c))).toEqual({
        reviewId: id,
        accountId,
        billingEntity: 'UK_Ltd',
        decision: 'CONFIRM',
        contactId: ACME_LTD,
        note: 'Same VAT number',
      });
    });

    it('refuses what the Apex refuses, with its messages, and sends nothing', async () => {
      const { id } = await openReview();
      const decide = (decision: string, contactId?: string, note?: string) => () =>
        em.control.goLive.contactMatch.decide(FINANCE, id, decision, contactId, note);
      expect(decide('REJECT', undefined, ' ')).toThrow('Say why none of these contacts is right');
      expect(decide('CONFIRM', 'Acme Ltd')).toThrow(
        "Choose one of the contacts listed, or enter another Xero contact's ContactID",
      );
      expect(decide('MERGE')).toThrow('Unknown decision MERGE');
      decide('CREATE_NEW')();
      expect(decide('CREATE_NEW')).toThrow('This review was already decided (Created New)');
      expect(requests('CONTACT_MATCH').map((r) => JSON.parse(String(r.Payload__c)).decision)).toEqual(['CREATE_NEW']);
    });
  });

  describe('PartialInvoiceController', () => {
    async function wonDeal(): Promise<Rec> {
      const opp = (
        await sales.query<Rec>(
          "SELECT Id, AccountId FROM Opportunity WHERE IsClosed = false AND HasOpportunityLineItem = true AND CurrencyIsoCode = 'GBP' ORDER BY Name LIMIT 1",
        )
      ).records[0]!;
      await sales.sobject('Opportunity').update({ Id: opp.Id, StageName: 'Closed Won' });
      return opp;
    }

    it('shows what remains and raises 30 % of the deal as one CREATE_PARTIAL request', async () => {
      const opp = await wonDeal();
      const before = em.control.goLive.partialInvoice.getRemainder(opp.Id);
      expect(before).toMatchObject({ invoiced: '0.00', invoiceCount: 0, blockedReason: null, currencyCode: 'GBP' });
      const value = before.dealValue;
      const invoice = (await integration.sobject('Invoice__c').create({
        Opportunity__c: opp.Id,
        Account__c: opp.AccountId,
        Currency_Code__c: 'GBP',
        Status__c: 'Authorised',
      })) as unknown as { id: string };
      await integration.sobject('Invoice_Line__c').create({ Invoice__c: invoice.id, Line_Amount__c: 100 });
      const voided = (await integration.sobject('Invoice__c').create({
        Opportunity__c: opp.Id,
        Currency_Code__c: 'GBP',
        Status__c: 'Voided',
      })) as unknown as { id: string };
      await integration.sobject('Invoice_Line__c').create({ Invoice__c: voided.id, Line_Amount__c: 999 });
      const after = em.control.goLive.partialInvoice.getRemainder(opp.Id);
      expect(after).toMatchObject({ invoiced: '100.00', invoiceCount: 2 });
      expect(Number(after.remaining)).toBeCloseTo(Number(value) - 100, 2);

      const message = em.control.goLive.partialInvoice.raise(SALES, opp.Id, 'percent_of_remaining', 10, ' Deposit ');
      const expected = (Math.round(Number(after.remaining) * 10) / 100).toFixed(2);
      expect(message).toContain(
        `Partial invoice of ${Number(expected).toLocaleString('en-US', { minimumFractionDigits: 2 })} GBP requested`,
      );
      const [request, ...more] = requests('CREATE_PARTIAL');
      expect(more).toEqual([]);
      expect(request).toMatchObject({
        Opportunity_Id__c: opp.Id,
        Invoice_Id__c: null,
        Request_Key__c: `CREATE_PARTIAL:${opp.Id}:2-${Math.round(Number(expected) * 100)}`,
      });
      expect(JSON.parse(String(request!.Payload__c))).toEqual({
        amount: expected,
        mode: 'PERCENT_OF_REMAINING',
        value: '10',
        label: 'Deposit',
      });
    });

    it('takes the currency of the first invoice that has one: a failed closing draft carries none', async () => {
      const opp = await wonDeal();
      // The bridge writes a failed or waiting closing draft with no currency and no lines.
      await integration.sobject('Invoice__c').create({ Opportunity__c: opp.Id, Status__c: 'Draft' });
      expect(em.control.goLive.partialInvoice.getRemainder(opp.Id)).toMatchObject({
        currencyCode: 'GBP',
        invoiceCount: 1,
      });
      await integration.sobject('Invoice__c').create({
        Opportunity__c: opp.Id,
        Currency_Code__c: 'EUR',
        Status__c: 'Authorised',
      });
      expect(em.control.goLive.partialInvoice.getRemainder(opp.Id)).toMatchObject({
        currencyCode: 'EUR',
        invoiceCount: 2,
      });
    });

    it('refuses an open deal, more than remains, and a percentage above 100', async () => {
      const open = (await sales.query<Rec>('SELECT Id FROM Opportunity WHERE IsClosed = false ORDER BY Name LIMIT 1'))
        .records[0]!;
      expect(() => em.control.goLive.partialInvoice.raise(SALES, open.Id, 'AMOUNT', 1)).toThrow(
        'Partial invoices can be raised once the opportunity is closed won.',
      );
      const opp = await wonDeal();
      const { remaining } = em.control.goLive.partialInvoice.getRemainder(opp.Id);
      expect(() => em.control.goLive.partialInvoice.raise(SALES, opp.Id, 'AMOUNT', Number(remaining) + 0.01)).toThrow(
        /is more than the .* GBP that remains to invoice/,
      );
      expect(() => em.control.goLive.partialInvoice.raise(SALES, opp.Id, 'PERCENT_OF_DEAL', 101)).toThrow(
        'The percentage must be above 0 and at most 100.',
      );
      expect(requests('CREATE_PARTIAL')).toEqual([]);
    });
  });
  describe('which deals take a partial invoice: the shared cases, as the card and as the bridge read them', () => {
    /** A won GBP deal made from a case: its terms, products (one billed its own way, one on a schedule), plans. */
    async function dealFor(c: RefusalCase): Promise<string> {
      const { org } = em;
      const ctx = { userId: org.resolveUser(SALES).Id };
      const admin = { userId: org.resolveUser(INTEGRATION_USER).Id };
      const pricebook = org.records(org.object('Pricebook2')).find((p) => p.IsStandard === true)!;
      const account = org.records(org.object('Account'))[0]!;
      const amended = c.amends
        ? org.records(org.object('Opportunity')).find((o) => o.AccountId === account.Id)!.Id
        : null;
      let id = '';
      org.transaction(() => {
        const products = Array.from({ length: c.lines ?? 3 }, (_, i) =>
          org.insert(
            'Product2',
            {
              Name: `${c.name} ${i + 1}`,
              IsActive: true,
              CanUseQuantitySchedule: true,
              ...(i === 0 ? Object.fromEntries(Object.entries(c.product ?? {}).map(([k, v]) => [org.n(k), v])) : {}),
            },
            admin,
          ),
        );
        const entries = products.map((productId) =>
          org.insert(
            'PricebookEntry',
            {
              Pricebook2Id: pricebook.Id,
              Product2Id: productId,
              CurrencyIsoCode: 'GBP',
              UnitPrice: 1000,
              IsActive: true,
            },
            admin,
          ),
        );
        id = org.insert(
          'Opportunity',
          {
            Name: c.name,
            AccountId: account.Id,
            StageName: 'Prospecting',
            CloseDate: '2026-03-31',
            CurrencyIsoCode: 'GBP',
            Amount: 3000,
            ...(amended
              ? { [org.n('Amended_Opportunity__c')]: amended, [org.n('Invoice_Type__c')]: c.invoiceType ?? 'Amendment' }
              : {}),
            ...Object.fromEntries(Object.entries(c.opportunity ?? {}).map(([k, v]) => [org.n(k), v])),
          },
          ctx,
        );
        const lines = entries.map((entryId) =>
          org.insert(
            'OpportunityLineItem',
            { OpportunityId: id, PricebookEntryId: entryId, Quantity: 1, UnitPrice: 1000 },
            ctx,
          ),
        );
        if (c.hasSchedule) {
          org.insert(
            'OpportunityLineItemSchedule',
            { OpportunityLineItemId: lines[0]!, Type: 'Quantity', Quantity: 1, ScheduleDate: '2026-04-01' },
            ctx,
          );
        }
        for (const source of c.plans ?? []) {
          org.insert(
            org.n('Billing_Plan__c'),
            { [org.n('Plan_Key__c')]: id, [org.n('Opportunity__c')]: id, [org.n('Terms_Source__c')]: source },
            admin,
          );
        }
      });
      await sales.sobject('Opportunity').update({ Id: id, StageName: 'Closed Won' });
      return id;
    }

    it.each((CASES.refusals.cases as RefusalCase[]).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const id = await dealFor(c);
      // The card (the Apex, mirrored): what it can see of the deal.
      const card = c.card === undefined ? c.refusal : c.card;
      expect(em.control.goLive.partialInvoice.getRemainder(id).blockedReason).toBe(
        card === null ? null : PARTIAL_REFUSALS[card],
      );
      if (card !== null) {
        expect(() => em.control.goLive.partialInvoice.raise(SALES, id, 'AMOUNT', 1)).toThrow(PARTIAL_REFUSALS[card]);
      }
      // The bridge: the same deal read by its query, and the entity's defaults.
      const basis = await createGoLiveQueries({
        conn: integration,
        names: salesforceNames(''),
        multiCurrency: true,
      }).partialInvoiceBasis(id);
      const opportunity = await integration.sobject('Opportunity').retrieve(id);
      const refusal = partialInvoiceRefusal({
        amends: (opportunity as Rec).Amended_Opportunity__c as string | null,
        opportunity: opportunityBillingRowSchema.parse(basis.terms),
        lines: childRecords(basis.terms!.OpportunityLineItems).map((line) => ({
          product: line.Product2 ? productBillingRowSchema.parse(line.Product2) : null,
          hasSchedule: line.HasSchedule,
        })),
        entity: c.entity ?? {},
        plans: basis.plans.map((p) => p.Terms_Source__c),
      });
      expect(refusal).toBe(c.refusal === null ? undefined : PARTIAL_REFUSALS[c.refusal]);
    });
  });
});
