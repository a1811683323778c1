/** Invoice_Request__e test data: ids whose checksums hold, and requests as a MANY event carries them. */
import { idChecksum, MANY } from '../invoice-request';

/** An 18-character id from its first 15 (the checksum worked out). */
export const id18 = (id15: string): string => `${id15}${idChecksum(id15)}`;
export const USER = id18('005000000000001');
export const opportunityId = (n: number): string => id18(`00600000000000${n}`);

/** CREATE_DRAFT for deal n, as InvoiceRequestPublisher.packed() serializes it: the event's field names, no namespace. */
export const packedRequest = (n: number) => ({
  Action__c: 'CREATE_DRAFT',
  Request_Key__c: `CREATE_DRAFT:${opportunityId(n)}:1`,
  Opportunity_Id__c: opportunityId(n),
  Invoice_Id__c: null,
  Requested_By__c: USER,
  Payload__c: null,
});

/** A MANY event of a `ldgr__` org carrying `requests` (Requests__c, as given: JSON text, or anything to refuse). */
export const manyEvent = (requests: string | null) => ({
  ldgr__Action__c: MANY,
  ldgr__Request_Key__c: `MANY:CREATE_DRAFT:${opportunityId(1)}:1`,
  ldgr__Requested_By__c: USER,
  ldgr__Requests__c: requests,
  CreatedDate: '2026-11-27T10:00:00.000Z',
});
