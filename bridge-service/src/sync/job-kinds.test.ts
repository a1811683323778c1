import { parseInvoiceRequest } from '../salesforce/invoice-request';
import { salesforceNames } from '../salesforce/schema';
import { JOB_PAYLOADS, jobKindOf } from './job-kinds';

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
