import type { CallRecord } from '../sandbox/xero/call-log';
import { idleListings } from './egress';

const TENANT = '11111111-1111-4111-8111-111111111111';
let seq = 0;

function listing(resource: string, items: Record<string, unknown>[]): CallRecord {
  seq += 1;
  return {
    seq,
    method: 'GET',
    path: `/api.xro/2.0/${resource}`,
    query: '',
    tenantId: TENANT,
    status: 200,
    ms: 1,
    at: seq,
    outcome: 'answered',
    responseBody: { [resource]: items },
  };
}

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
