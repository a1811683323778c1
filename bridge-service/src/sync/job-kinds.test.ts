import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIONS, MANY, parseInvoiceRequest } from '../salesforce/invoice-request';
import { salesforceNames } from '../salesforce/schema';
import { JOB_KINDS, JOB_PAYLOADS, jobKindOf } from './job-kinds';

const request = (event: Record<string, unknown>) => {
  const parsed = parseInvoiceRequest(event, salesforceNames(''));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.request;
};

describe('job kinds', () => {
  it('are decided from the request once: an approved credit note is its own kind, whatever it is filed under', () => {
    const invoiceId = 'a03000000000001AAA';
    expect(
      jobKindOf(request({ Action__c: 'AUTHORISE', Request_Key__c: 'AUTHORISE:1', Invoice_Id__c: invoiceId })),
    ).toBe('AUTHORISE');
    expect(
      jobKindOf(
        request({
          Action__c: 'AUTHORISE',
          Request_Key__c: 'AUTHORISE:2',
          Invoice_Id__c: invoiceId,
          Payload__c: JSON.stringify({ creditNoteId: 'a0C000000000001AAA' }),
        }),
      ),
    ).toBe('AUTHORISE_CREDIT_NOTE');
    expect(
      jobKindOf(
        request({
          Action__c: 'CREDIT',
          Request_Key__c: 'CREDIT:1',
          Invoice_Id__c: invoiceId,
          Payload__c: '{"amount":5}',
        }),
      ),
    ).toBe('CREDIT');
    expect(
      jobKindOf(request({ Action__c: 'CREATE_DRAFT', Request_Key__c: 'C:1', Opportunity_Id__c: '006000000000001AAA' })),
    ).toBe('CREATE_DRAFT');
    const closeId = 'a0B000000000001AAA';
    const postClose = request({
      Action__c: 'POST_CLOSE',
      Request_Key__c: `POST_CLOSE:${closeId}:1`,
      Payload__c: JSON.stringify({ closeId, version: 1 }),
    });
    expect(jobKindOf(postClose)).toBe('POST_CLOSE');
    expect(JOB_PAYLOADS.POST_CLOSE.safeParse(postClose).success).toBe(true);
  });
});

/** The actions InvoiceRequestPublisher.cls declares: what Salesforce can send the bridge. */
const apexActions = [
  ...readFileSync(
    join(__dirname, '..', '..', '..', 'force-app', 'main', 'default', 'classes', 'InvoiceRequestPublisher.cls'),
    'utf8',
  ).matchAll(/public static final String \w+ = '([A-Z_]+)';/g),
].map((m) => m[1]!);

describe('the actions Salesforce sends', () => {
  it('every action the Apex publisher declares is accepted at intake and has a job kind', () => {
    expect(apexActions).toEqual(
      expect.arrayContaining(['CONTACT_MATCH', 'CREATE_PARTIAL', 'UPDATE_DRAFT', 'ONLINE_LINK']),
    );
    // MANY is the envelope of a bulk save's requests (read by parseInvoiceRequests), not a request of its own.
    expect([...apexActions].sort()).toEqual([...ACTIONS, MANY].sort());
    for (const action of ACTIONS) expect(JOB_KINDS).toContain(action);
  });

  it('the go-live requests, as the Apex builds them, become their own jobs with payloads their handlers accept', () => {
    const jobOf = (event: Record<string, unknown>) => {
      const parsed = request(event);
      const kind = jobKindOf(parsed);
      return { kind, payload: JOB_PAYLOADS[kind].safeParse(parsed) };
    };
    // ContactMatchController.decide
    const decided = jobOf({
      Action__c: 'CONTACT_MATCH',
      Request_Key__c: 'CONTACT_MATCH:a0R000000000001AAA:1765000000000',
      Payload__c: JSON.stringify({
        reviewId: 'a0R000000000001AAA',
        accountId: '001000000000001AAA',
        billingEntity: 'UK_Ltd',
        decision: 'CONFIRM',
        contactId: '5b2a8c1e-1111-4111-8111-111111111111',
        note: null,
      }),
    });
    expect([decided.kind, decided.payload.success]).toEqual(['CONTACT_MATCH', true]);
    // PartialInvoiceController.raise
    const partial = jobOf({
      Action__c: 'CREATE_PARTIAL',
      Request_Key__c: 'CREATE_PARTIAL:006000000000001AAA:0-300000',
      Opportunity_Id__c: '006000000000001AAA',
      Payload__c: JSON.stringify({ amount: '3000.00', mode: 'PERCENT_OF_DEAL', value: '30', label: 'Deposit' }),
    });
    expect([partial.kind, partial.payload.success]).toEqual(['CREATE_PARTIAL', true]);
    // InvoiceActions UPDATE_DRAFT
    const rework = jobOf({
      Action__c: 'UPDATE_DRAFT',
      Request_Key__c: 'UPDATE_DRAFT:a03000000000001AAA:1765000000000',
      Invoice_Id__c: 'a03000000000001AAA',
    });
    expect([rework.kind, rework.payload.success]).toEqual(['UPDATE_DRAFT', true]);
    // InvoiceActions.requestOnlineLink: the customer link, one request key per invoice
    const link = jobOf({
      Action__c: 'ONLINE_LINK',
      Request_Key__c: 'ONLINE_LINK:a03000000000001AAA:1',
      Invoice_Id__c: 'a03000000000001AAA',
    });
    expect([link.kind, link.payload.success]).toEqual(['ONLINE_LINK', true]);
    expect(
      parseInvoiceRequest({ Action__c: 'ONLINE_LINK', Request_Key__c: 'ONLINE_LINK:x:1' }, salesforceNames('')),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('ONLINE_LINK needs Invoice_Id__c') });
    // A decision without its payload is refused at intake, in words.
    expect(
      parseInvoiceRequest({ Action__c: 'CONTACT_MATCH', Request_Key__c: 'CONTACT_MATCH:x:1' }, salesforceNames('')),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('CONTACT_MATCH needs Payload__c') });
  });
});
