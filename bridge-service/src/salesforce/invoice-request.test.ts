import { manyEvent, opportunityId, packedRequest, USER } from './__fixtures__/invoice-requests';
import { idChecksum, parseInvoiceRequest, parseInvoiceRequests } from './invoice-request';
import { soqlIdList } from './queries';
import { salesforceNames } from './schema';

const names = salesforceNames('ldgr__');
const OPP = '006000000000001AAA';
const INV = 'a01000000000001AAA';

describe('parseInvoiceRequest', () => {
  it('accepts a namespaced CREATE_DRAFT and strips the prefix', () => {
    const result = parseInvoiceRequest(
      {
        ldgr__Action__c: 'CREATE_DRAFT',
        ldgr__Request_Key__c: `CREATE_DRAFT:${OPP}:1`,
        ldgr__Opportunity_Id__c: OPP,
        ldgr__Invoice_Id__c: null,
        ldgr__Payload__c: null,
        CreatedDate: '2026-11-27T10:00:00.000Z',
      },
      names,
    );
    expect(result).toEqual({
      ok: true,
      request: { action: 'CREATE_DRAFT', requestKey: `CREATE_DRAFT:${OPP}:1`, opportunityId: OPP },
    });
  });

  it('accepts POST_CLOSE as MonthEndCloseTriggerHandler publishes it, and refuses one that does not name the close', () => {
    const CLOSE = 'a0B000000000001AAA';
    const event = (payload: string | null) => ({
      ldgr__Action__c: 'POST_CLOSE',
      ldgr__Request_Key__c: `POST_CLOSE:${CLOSE}:2`,
      ldgr__Opportunity_Id__c: null,
      ldgr__Invoice_Id__c: null,
      ldgr__Payload__c: payload,
    });
    // Apex: JSON.serialize(new Map<String, Object>{ 'closeId' => String.valueOf(close.Id), 'version' => version })
    expect(parseInvoiceRequest(event(`{"version":2,"closeId":"${CLOSE}"}`), names)).toEqual({
      ok: true,
      request: { action: 'POST_CLOSE', requestKey: `POST_CLOSE:${CLOSE}:2`, payload: { closeId: CLOSE, version: 2 } },
    });
    expect(parseInvoiceRequest(event(null), names)).toEqual({
      ok: false,
      reason: expect.stringContaining('Payload__c: POST_CLOSE needs {"closeId","version"}'),
    });
    expect(parseInvoiceRequest(event(`{"closeId":"${CLOSE}","version":0}`), names)).toMatchObject({ ok: false });
    expect(parseInvoiceRequest(event('{"closeId":"short","version":1}'), names)).toMatchObject({ ok: false });
  });

  it('parses a CREDIT payload as JSON', () => {
    const result = parseInvoiceRequest(
      {
        ldgr__Action__c: 'CREDIT',
        ldgr__Request_Key__c: `CREDIT:${INV}:1`,
        ldgr__Invoice_Id__c: INV,
        ldgr__Payload__c: '{"amount":"100.00","reason":"Seats returned"}',
      },
      names,
    );
    expect(result.ok && result.request.payload).toEqual({ amount: '100.00', reason: 'Seats returned' });
  });

  it.each([
    [{ ldgr__Action__c: 'REFUND', ldgr__Request_Key__c: 'k', ldgr__Invoice_Id__c: INV }, /Action__c must be one of/],
    [{ ldgr__Action__c: 'CREATE_DRAFT', ldgr__Request_Key__c: 'k' }, /CREATE_DRAFT needs Opportunity_Id__c/],
    [{ ldgr__Action__c: 'VOID', ldgr__Request_Key__c: 'k' }, /VOID needs Invoice_Id__c/],
    [
      { ldgr__Action__c: 'VOID', ldgr__Request_Key__c: 'k', ldgr__Invoice_Id__c: "x' OR Id != '" },
      /not a Salesforce id/,
    ],
    [
      { ldgr__Action__c: 'CREDIT', ldgr__Request_Key__c: 'k', ldgr__Invoice_Id__c: INV, ldgr__Payload__c: '{' },
      /not valid JSON/,
    ],
    [{ ldgr__Action__c: 'VOID', ldgr__Invoice_Id__c: INV }, /Request_Key__c is required/],
    [{ ldgr__Action__c: 'VOID', ldgr__Request_Key__c: ' \t ', ldgr__Invoice_Id__c: INV }, /Request_Key__c is blank/],
    [
      { ldgr__Action__c: 'VOID', ldgr__Request_Key__c: 'K'.repeat(101), ldgr__Invoice_Id__c: INV },
      /Request_Key__c is too long: at most 100/,
    ],
    [
      { ldgr__Action__c: 'VOID', ldgr__Request_Key__c: 'VOID:x\r\nX-Evil: 1', ldgr__Invoice_Id__c: INV },
      /printable ASCII without spaces or line breaks/,
    ],
    [{ ldgr__Action__c: 'VOID', ldgr__Request_Key__c: 'VOID:clé', ldgr__Invoice_Id__c: INV }, /printable ASCII/],
    [{ ldgr__Action__c: 42, ldgr__Request_Key__c: 'k', ldgr__Invoice_Id__c: INV }, /Action__c must be one of/],
    [{ ldgr__Action__c: 'VOID', ldgr__Request_Key__c: 7, ldgr__Invoice_Id__c: INV }, /Request_Key__c is required/],
    [
      { ldgr__Action__c: 'VOID', ldgr__Request_Key__c: 'k', ldgr__Invoice_Id__c: 'a01000000000001AAB' },
      /Invoice_Id__c: not a Salesforce id \(its 18-character checksum does not match\)/,
    ],
    [
      { ldgr__Action__c: 'CREATE_DRAFT', ldgr__Request_Key__c: 'k', ldgr__Opportunity_Id__c: '001000000000001AAA' },
      /Opportunity_Id__c: not an Opportunity id \(Opportunity ids start with 006\)/,
    ],
    [
      {
        ldgr__Action__c: 'CREATE_DRAFT',
        ldgr__Request_Key__c: 'k',
        ldgr__Opportunity_Id__c: OPP,
        ldgr__Requested_By__c: OPP,
      },
      /Requested_By__c: not a User id/,
    ],
    [
      { ldgr__Action__c: 'CREDIT', ldgr__Request_Key__c: 'k', ldgr__Invoice_Id__c: INV, ldgr__Payload__c: { a: 1 } },
      /Payload__c must be text/,
    ],
    ['not an object', /Invalid Invoice_Request__e/],
  ])('refuses %j with a readable reason', (payload, reason) => {
    const result = parseInvoiceRequest(payload, names);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('ids', () => {
  it('accepts 15-character ids and 18-character ids whose checksum matches, in any case of the suffix', () => {
    const mixed = '0065g00000AbCdE';
    const full = `${mixed}${idChecksum(mixed)}`;
    for (const id of [mixed, full, `${mixed}${idChecksum(mixed).toLowerCase()}`]) {
      const result = parseInvoiceRequest(
        { Action__c: 'CREATE_DRAFT', Request_Key__c: `CREATE_DRAFT:${id}:1`, Opportunity_Id__c: id },
        salesforceNames(''),
      );
      expect(result).toMatchObject({ ok: true, request: { opportunityId: id } });
    }
    expect(idChecksum('006000000000001')).toBe('AAA');
    expect(idChecksum('AAAAAAAAAAAAAAA')).toBe('555');
  });
});

describe('soqlIdList', () => {
  it('quotes ids and refuses anything else', () => {
    expect(soqlIdList([OPP, INV])).toBe(`'${OPP}','${INV}'`);
    expect(() => soqlIdList(["006' OR Name != '"])).toThrow(/not a Salesforce id/);
  });
});

describe('parseInvoiceRequests: one event, one request or the many a bulk save packed', () => {
  const opp = opportunityId;
  const request = packedRequest;
  const packedEvent = manyEvent;

  it('a lone request is one result, as parseInvoiceRequest reads it', () => {
    const lone = {
      ldgr__Action__c: 'CREATE_DRAFT',
      ldgr__Request_Key__c: `CREATE_DRAFT:${OPP}:1`,
      ldgr__Opportunity_Id__c: OPP,
    };
    expect(parseInvoiceRequests(lone, names)).toEqual([parseInvoiceRequest(lone, names)]);
  });

  it('a MANY event gives every request it carries, in order, each with its own key, ids and requester', () => {
    const results = parseInvoiceRequests(packedEvent(JSON.stringify([1, 2, 3].map(request))), names);
    expect(results).toEqual(
      [1, 2, 3].map((n) => ({
        ok: true,
        request: {
          action: 'CREATE_DRAFT',
          requestKey: `CREATE_DRAFT:${opp(n)}:1`,
          opportunityId: opp(n),
          requestedBy: USER,
        },
      })),
    );
  });

  it('a bad request is refused on its own, named by its place and key; the others stand', () => {
    const bad = { ...request(2), Opportunity_Id__c: 'not-an-id' };
    const results = parseInvoiceRequests(packedEvent(JSON.stringify([request(1), bad, request(3)])), names);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]).toEqual({
      ok: false,
      reason: expect.stringMatching(
        new RegExp(`^request 2 of 3 \\(CREATE_DRAFT:${opp(2)}:1\\): Invalid Invoice_Request__e: Opportunity_Id__c`),
      ),
    });
  });

  it('a request without its own requester takes the event’s', () => {
    const { Requested_By__c: _none, ...withoutRequester } = request(1);
    const [result] = parseInvoiceRequests(packedEvent(JSON.stringify([withoutRequester, request(2)])), names);
    expect(result).toMatchObject({ ok: true, request: { requestedBy: USER } });
  });

  it('a MANY event without a readable array of requests is refused with the reason', () => {
    expect(parseInvoiceRequests(packedEvent(null), names)).toEqual([
      { ok: false, reason: 'Invalid Invoice_Request__e: a MANY event needs Requests__c (a JSON array of requests)' },
    ]);
    expect(parseInvoiceRequests(packedEvent('[{'), names)).toEqual([
      { ok: false, reason: 'Invalid Invoice_Request__e: Requests__c is not valid JSON' },
    ]);
    for (const notAList of ['[]', '{}', '"x"']) {
      expect(parseInvoiceRequests(packedEvent(notAList), names)).toEqual([
        { ok: false, reason: 'Invalid Invoice_Request__e: Requests__c must be a non-empty JSON array of requests' },
      ]);
    }
  });
});
