import { connect, startTestEmulator } from '../../../sandbox/salesforce/test-helpers';
import { RECORD_IDS_MAX_CHARS, syncUpdates, type SyncChange } from './sync-updates';

const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(15, '0')}`;

describe('syncUpdates: one Sync_Update__e per kind of change, naming every record', () => {
  it('a single change keeps its invoice, Opportunity and Account fields', () => {
    expect(
      syncUpdates([
        { change: 'STATUS', invoiceId: id('a00', 1), opportunityId: id('006', 1), accountId: id('001', 1) },
      ]),
    ).toEqual([
      {
        Record_Ids__c: `${id('a00', 1)},${id('006', 1)},${id('001', 1)}`,
        Change__c: 'STATUS',
        Invoice_Id__c: id('a00', 1),
        Opportunity_Id__c: id('006', 1),
        Account_Id__c: id('001', 1),
      },
    ]);
  });

  it('a thousand changes are one event per Change__c, each record named once', () => {
    const changes: SyncChange[] = Array.from({ length: 1000 }, (_, n) => ({
      change: n % 10 === 0 ? 'ERROR' : 'STATUS',
      invoiceId: id('a00', n),
      opportunityId: id('006', n),
      // ten deals share each Account
      accountId: id('001', Math.floor(n / 10)),
    }));
    const events = syncUpdates(changes);
    expect(events.map((e) => e.Change__c)).toEqual(['ERROR', 'STATUS']);
    for (const event of events) {
      expect(event).not.toHaveProperty('Invoice_Id__c');
      const named = event.Record_Ids__c!.split(',');
      expect(new Set(named).size).toBe(named.length);
    }
    const named = new Set(events.flatMap((e) => e.Record_Ids__c!.split(',')));
    const expected = new Set(changes.flatMap((c) => [c.invoiceId!, c.opportunityId!, c.accountId!]));
    expect(named).toEqual(expected);
  });

  it('past Record_Ids__c’s 131,072 characters the ids go on in a further event; none is lost or split', () => {
    // 18-character ids and their commas: 6,898 fit one event
    const changes: SyncChange[] = Array.from({ length: 4000 }, (_, n) => ({
      change: 'PLAN',
      opportunityId: id('006', n),
      accountId: id('001', n),
    }));
    const events = syncUpdates(changes);
    expect(events).toHaveLength(2);
    for (const event of events) expect(event.Record_Ids__c!.length).toBeLessThanOrEqual(RECORD_IDS_MAX_CHARS);
    expect(events[0]!.Record_Ids__c!.length).toBeGreaterThan(RECORD_IDS_MAX_CHARS - 19);
    // a change's records stay together
    const first = new Set(events[0]!.Record_Ids__c!.split(','));
    for (const c of changes) expect(first.has(c.opportunityId!)).toBe(first.has(c.accountId!));
    expect(events.flatMap((e) => e.Record_Ids__c!.split(','))).toHaveLength(8000);
  });

  it('fills each event up to the limit exactly', () => {
    const changes: SyncChange[] = Array.from({ length: 5 }, (_, n) => ({
      change: 'PLAN',
      otherIds: ['x'.repeat(9) + n],
    }));
    // ten characters an id: two ids and their comma are 21
    expect(syncUpdates(changes, 21).map((e) => e.Record_Ids__c)).toEqual([
      'xxxxxxxxx0,xxxxxxxxx1',
      'xxxxxxxxx2,xxxxxxxxx3',
      'xxxxxxxxx4',
    ]);
    expect(syncUpdates(changes, 20)).toHaveLength(5);
  });

  it('changes that name no record publish nothing', () => {
    expect(syncUpdates([{ change: 'STATUS', invoiceId: null, accountId: '' }])).toEqual([]);
    expect(syncUpdates([])).toEqual([]);
  });
});

it('every event of a 7,000-deal write fits Record_Ids__c as the package defines it: the org takes them all', async () => {
  const em = await startTestEmulator();
  try {
    const events = syncUpdates(
      Array.from({ length: 7000 }, (_, n) => ({
        change: 'PLAN',
        opportunityId: id('006', n),
        accountId: id('001', n),
      })),
    );
    expect(events.length).toBeGreaterThan(1);
    const conn = connect(em);
    const results = await conn.sobject('Sync_Update__e').create(events, { allOrNone: false });
    expect(results.filter((r) => !r.success)).toEqual([]);
    // one character more than the field holds is refused, so the length above is the org's own
    const [tooLong] = await conn
      .sobject('Sync_Update__e')
      .create([{ Record_Ids__c: 'x'.repeat(RECORD_IDS_MAX_CHARS + 1), Change__c: 'PLAN' }], { allOrNone: false });
    expect(tooLong).toMatchObject({
      success: false,
      errors: [expect.objectContaining({ statusCode: 'STRING_TOO_LONG' })],
    });
  } finally {
    await em.close();
  }
});
