import type { CallRecord } from '../sandbox/xero/call-log';
import { approvalCalls, idleListings } from './xero-calls';

const TENANT = '11111111-1111-4111-8111-111111111111';
const INVOICE = 'aaaaaaaa-1111-4111-8111-111111111111';
let seq = 0;

function call(method: string, path: string, extra: Partial<CallRecord> = {}): CallRecord {
  seq += 1;
  return {
    seq,
    method,
    path: `/api.xro/2.0/${path}`,
    query: '',
    tenantId: TENANT,
    status: 200,
    ms: 1,
    at: seq,
    outcome: 'answered',
    ...extra,
  };
}

const listing = (resource: string, items: Record<string, unknown>[]) =>
  call('GET', resource, { responseBody: { [resource]: items } });

describe('idleListings (what the egress bench counts as a poll that learnt nothing)', () => {
  it.each(['Invoices', 'CreditNotes', 'Payments', 'Overpayments', 'Prepayments'])(
    'an empty %s listing is idle, as is the same listing again; a newer version is not',
    (resource) => {
      const id = `${resource.slice(0, -1)}ID`;
      const empty = listing(resource, []);
      const first = listing(resource, [{ [id]: 'a', UpdatedDateUTC: '/Date(1)/' }]);
      const same = listing(resource, [{ [id]: 'a', UpdatedDateUTC: '/Date(1)/' }]);
      const newer = listing(resource, [{ [id]: 'a', UpdatedDateUTC: '/Date(2)/' }]);
      const other = listing(resource, [{ [id]: 'b', UpdatedDateUTC: '/Date(2)/' }]);
      const idle = idleListings([empty, first, same, newer, other]);
      expect([empty, first, same, newer, other].map((c) => idle.has(c))).toEqual([true, false, true, false, false]);
    },
  );

  it('counts no read of one document, and no write, as a listing', () => {
    const read = { ...listing('Invoices', []), path: '/api.xro/2.0/Invoices/abc' };
    const write = { ...listing('Invoices', []), method: 'POST' };
    expect(idleListings([read, write]).size).toBe(0);
  });
});

describe('approvalCalls (the approve phase of egress (c), by the part of the flow that made each call)', () => {
  it('counts emails apart, and every other call, listings that learnt nothing included, against the target', () => {
    const calls = [
      call('POST', 'Invoices', { query: 'summarizeErrors=false' }),
      call('POST', `Invoices/${INVOICE}/Email`),
      call('POST', `Invoices/${INVOICE}/Email`, { status: 429 }),
      listing('Invoices', []),
      listing('CreditNotes', []),
      call('GET', 'Invoices', { query: `IDs=${INVOICE}` }),
      call('GET', `Contacts/${INVOICE}`),
    ];
    expect(approvalCalls(calls)).toEqual({
      all: 7,
      besidesEmails: 5,
      emails: 2,
      statusBatches: 1,
      listings: 2,
      other: 2,
      rateLimited: 1,
      byEndpoint: {
        'POST Invoices/{id}/Email': 2,
        'GET Invoices': 2,
        'POST Invoices': 1,
        'GET CreditNotes': 1,
        'GET Contacts/{id}': 1,
      },
    });
  });

  it('takes a read by IDs for a read, not a listing; a listing of any page or window for a listing', () => {
    const byIds = call('GET', 'Invoices', { query: `IDs=${INVOICE}&page=1` });
    const page2 = call('GET', 'Invoices', { query: 'summaryOnly=true&page=2' });
    const payments = call('GET', 'Payments', { query: 'where=x' });
    expect(approvalCalls([byIds, page2, payments])).toMatchObject({ listings: 2, other: 1, besidesEmails: 3 });
  });
});
