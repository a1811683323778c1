/**
 * The emulator's InvoiceRequestPublisher.packed(), case for case with InvoiceRequestPublisherTest.cls: a lone request
 * as it is, a bulk save in one MANY event, a split at Requests__c's length, and a request too long to share.
 */
import { MANY, packed, REQUESTS_FIELD, REQUESTS_LENGTH } from './invoice-request-publisher';

const USER = '005000000000001AAA';
const request = (n: number, payload: string | null = null) => ({
  Action__c: 'CREATE_DRAFT',
  Request_Key__c: `CREATE_DRAFT:006${String(n).padStart(12, '0')}AAA:1`,
  Opportunity_Id__c: `006${String(n).padStart(12, '0')}AAA`,
  Invoice_Id__c: null,
  Requested_By__c: USER,
  Payload__c: payload,
});
const carried = (event: Record<string, string | null>) => JSON.parse(event[REQUESTS_FIELD]!) as unknown[];

describe('packed: the events that carry a publish() call’s requests', () => {
  it('one request goes as it is', () => {
    expect(packed([request(1)], USER)).toEqual([request(1)]);
  });

  it('a bulk save of 200 goes in one MANY event, every request in order with its own fields', () => {
    const requests = Array.from({ length: 200 }, (_, i) => request(i + 1));
    const events = packed(requests, USER);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      Action__c: MANY,
      Request_Key__c: `MANY:${requests[0]!.Request_Key__c}`,
      Requested_By__c: USER,
    });
    expect(carried(events[0]!)).toEqual(requests);
  });

  it('splits past Requests__c’s length: five requests of 40,000 characters need two events, none too long', () => {
    const payload = `"${'x'.repeat(39_998)}"`;
    const events = packed(
      Array.from({ length: 5 }, (_, i) => request(i + 1, payload)),
      USER,
    );
    expect(events.map((e) => carried(e).length)).toEqual([3, 2]);
    expect(events.every((e) => e[REQUESTS_FIELD]!.length <= REQUESTS_LENGTH)).toBe(true);
  });

  it('a request too long to share an event goes alone, as it is; the short ones together', () => {
    const long = request(3, `"${'x'.repeat(REQUESTS_LENGTH - 100)}"`);
    const events = packed([request(1), request(2), long], USER);
    expect(events[0]).toBe(long);
    expect(events[1]).toMatchObject({ Action__c: MANY });
    expect(carried(events[1]!)).toEqual([request(1), request(2)]);
  });
});
