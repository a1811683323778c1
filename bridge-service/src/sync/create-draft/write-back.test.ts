import { draft, fakeComposite, job, xeroInvoice } from './__fixtures__/drafts';
import type { DraftOutcome } from './draft';
import { writeBack, type WriteBackDeps } from './write-back';

const NOW = Date.UTC(2026, 2, 2, 9, 30);

function deps(answer?: Parameters<typeof fakeComposite>[0]) {
  const { writeback, runs } = fakeComposite(answer);
  const staged: { opportunities: readonly string[]; accounts: readonly string[] }[] = [];
  const writeDeps: WriteBackDeps = {
    writeback,
    contactLinks: { flush: async () => [] },
    summaries: {
      stage: (ids) => {
        staged.push(ids);
        return { queueUpdates: async () => undefined };
      },
    },
    clock: { now: () => NOW },
    log: { warn: () => undefined },
  };
  return { writeDeps, runs, staged };
}

describe('CREATE_DRAFT: write-back', () => {
  it("writes each invoice's mirror, its lines and the events, and says what became of each job", async () => {
    const invoiced = draft(1);
    const outcomes: DraftOutcome[] = [
      { kind: 'invoiced', draft: invoiced, invoice: xeroInvoice('inv-1') },
      { kind: 'refused', job: job(2), message: 'tax type OUTPUT9 is not an active tax rate' },
      { kind: 'settled', job: job(3), outcome: { kind: 'done', result: { nothingToBill: true } } },
    ];
    const { writeDeps, runs, staged } = deps();
    const results = await writeBack(writeDeps, outcomes, new Map());

    expect(results).toEqual(
      new Map([
        [3, { kind: 'done', result: { nothingToBill: true } }],
        [2, { kind: 'failed', error: 'tax type OUTPUT9 is not an active tax rate' }],
        [1, { kind: 'done', result: { invoiceRecordId: 'a00', xeroInvoiceId: 'inv-1' } }],
      ]),
    );
    const [first, second] = runs;
    expect(first).toEqual([
      {
        method: 'upsert',
        object: 'Invoice__c',
        records: [
          expect.objectContaining({
            Request_Key__c: invoiced.requestKey,
            Xero_Invoice_Id__c: 'inv-1',
            Sync_Status__c: 'Synced',
          }),
          {
            Request_Key__c: job(2).payload.requestKey,
            Opportunity__c: job(2).payload.opportunityId,
            Sync_Status__c: 'Error',
            Sync_Message__c: 'tax type OUTPUT9 is not an active tax rate',
            Last_Synced__c: new Date(NOW).toISOString(),
          },
        ],
      },
    ]);
    expect(staged).toEqual([{ opportunities: [invoiced.opportunity.Id], accounts: [invoiced.account.Id] }]);
    expect(second).toEqual([
      { method: 'upsert', object: 'Invoice_Line__c', records: [expect.objectContaining({ Invoice__c: 'a00' })] },
      {
        method: 'create',
        object: 'Sync_Update__e',
        records: [
          expect.objectContaining({ Invoice_Id__c: 'a00', Change__c: 'STATUS' }),
          expect.objectContaining({ Invoice_Id__c: 'a01', Change__c: 'ERROR' }),
        ],
      },
    ]);
  });

  it('updates lines an earlier attempt wrote, without their master-detail parent', async () => {
    const invoiced = draft(1);
    const { writeDeps, runs } = deps();
    await writeBack(
      writeDeps,
      [{ kind: 'invoiced', draft: invoiced, invoice: xeroInvoice('inv-1') }],
      new Map([[invoiced.requestKey, new Map([['inv-1-line-1', 'a0L000000000001AAA']])]]),
    );
    expect(runs[1]![0]).toEqual({
      method: 'update',
      object: 'Invoice_Line__c',
      records: [expect.not.objectContaining({ Invoice__c: expect.anything() })],
    });
    expect(runs[1]![0]!.records[0]).toMatchObject({ Id: 'a0L000000000001AAA' });
  });

  it('retries a job whose invoice or lines Salesforce refused', async () => {
    const refusal = {
      ok: false as const,
      errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'locked', fields: [] }],
    };
    const { writeDeps } = deps((object, record) =>
      object === 'Invoice__c' && record.Xero_Invoice_Id__c === 'inv-1'
        ? refusal
        : object === 'Invoice_Line__c'
          ? refusal
          : { ok: true, id: `id-${String(record.Xero_Invoice_Id__c)}` },
    );
    const results = await writeBack(
      writeDeps,
      [
        { kind: 'invoiced', draft: draft(1), invoice: xeroInvoice('inv-1') },
        { kind: 'invoiced', draft: draft(2), invoice: xeroInvoice('inv-2') },
      ],
      new Map(),
    );
    expect(results).toEqual(
      new Map([
        [1, { kind: 'retry', error: 'Salesforce refused Invoice__c: UNABLE_TO_LOCK_ROW: locked' }],
        [2, { kind: 'retry', error: 'Salesforce refused Invoice_Line__c: UNABLE_TO_LOCK_ROW: locked' }],
      ]),
    );
  });

  it("writes the draft's warnings to its Synced record's Sync_Message__c, for finance to check (review-12 F2)", async () => {
    const warning =
      'line 1 (Platform seats): its Total Price 10000.00 is not 300 × 33.33 (9999.00); sent to Xero as 1 × 10000.00, the quantity and price in its description';
    const outcomes: DraftOutcome[] = [
      { kind: 'invoiced', draft: draft(1), invoice: xeroInvoice('inv-1'), warnings: [warning] },
      { kind: 'invoiced', draft: draft(2), invoice: xeroInvoice('inv-2') },
    ];
    const { writeDeps, runs } = deps();
    await writeBack(writeDeps, outcomes, new Map());
    const records = runs[0]![0]!.records as Record<string, unknown>[];
    expect(records.map((r) => [r.Sync_Status__c, r.Sync_Message__c])).toEqual([
      ['Synced', `Check before approving:\n${warning}`],
      ['Synced', null],
    ]);
  });

  it('costs no Salesforce call when nothing is to be written', async () => {
    const { writeDeps, runs } = deps();
    const results = await writeBack(
      writeDeps,
      [{ kind: 'settled', job: job(1), outcome: { kind: 'retry', error: 'Xero 503' } }],
      new Map(),
    );
    expect(results).toEqual(new Map([[1, { kind: 'retry', error: 'Xero 503' }]]));
    expect(runs).toEqual([]);
  });
});
