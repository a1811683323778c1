import { fakeComposite } from '../create-draft/__fixtures__/drafts';
import { DEAL, instalmentRecord, loadedDeal } from './__fixtures__/deals';
import { writePlans } from './plan-writer';

const now = Date.UTC(2026, 1, 10, 9);
const clock = { now: () => now };
type Written = Readonly<Record<string, unknown>>;

describe('writing a planned deal to Salesforce', () => {
  it('upserts the plan with its summary, creates its instalments and months under it, and tells open pages', async () => {
    const { writeback, runs } = fakeComposite();
    const planned = loadedDeal();
    const { refused } = await writePlans({ writeback, clock }, [planned], []);
    expect(refused.size).toBe(0);
    const calls = runs.flat();
    const plan = calls.find((c) => c.object === 'Billing_Plan__c')!;
    expect(plan).toMatchObject({ method: 'upsert' });
    expect(plan.records[0]).toMatchObject({
      Plan_Key__c: DEAL,
      Opportunity__c: DEAL,
      Status__c: 'Planned',
      Billing_Frequency__c: 'Quarterly',
      Billing_Timing__c: 'In Advance',
      Contract_Value__c: 12000,
      Invoiced_Amount__c: 0,
      Remaining_To_Bill__c: 12000,
      Next_Instalment_Date__c: '2026-01-01',
      Next_Instalment_Amount__c: 3000,
      Balances_As_Of__c: '2026-02-10',
      Terms_Source__c: 'frequency: opportunity, timing: package, alignment: package',
      Sync_Status__c: 'Synced',
    });
    const instalments = calls.find((c) => c.object === 'Billing_Instalment__c' && c.method === 'create')!;
    expect(instalments.records.map((r: Written) => [r.Issue_Date__c, r.Amount__c, r.Status__c])).toEqual([
      ['2026-01-01', 3000, 'Planned'],
      ['2026-04-01', 3000, 'Planned'],
      ['2026-07-01', 3000, 'Planned'],
      ['2026-10-01', 3000, 'Planned'],
    ]);
    expect(instalments.records[0]).toMatchObject({
      Billing_Plan__r: { Plan_Key__c: DEAL },
      Document_Type__c: 'Invoice',
      Status_Message__c: 'To be raised on 1 Jan 2026 at 06:00 Europe/London',
    });
    expect(JSON.parse(String(instalments.records[0]!.Lines__c))).toEqual([
      expect.objectContaining({ lineKey: '00k000000000501AAA', periodKey: '2026-01-01', amount: '3000.00' }),
    ]);
    const months = calls.find((c) => c.object === 'Revenue_Month__c' && c.method === 'create')!;
    expect(months.records.map((r: Written) => [r.Month_Key__c, r.Status__c])).toEqual([
      [`${DEAL}:2026-01`, 'Actual'],
      ...['02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => [
        `${DEAL}:2026-${m}`,
        'Forecast',
      ]),
    ]);
    expect(calls.find((c) => c.object === 'Sync_Update__e')!.records).toEqual([
      {
        Record_Ids__c: `${DEAL},001000000000501AAA`,
        Opportunity_Id__c: DEAL,
        Account_Id__c: '001000000000501AAA',
        Change__c: 'PLAN',
      },
    ]);
    // Every write of a deal fits one Composite call here: plan, instalments, months, event.
    expect(runs).toHaveLength(1);
  });

  it('updates what exists by Id, cancels what a re-plan replaced, and never writes a Closed month', async () => {
    const { writeback, runs } = fakeComposite();
    const fresh = loadedDeal();
    const [first] = fresh.plan.plan.instalments;
    const planned = loadedDeal({
      instalments: [
        instalmentRecord({ Id: 'a0I000000000001AAA', Instalment_Key__c: first!.key, Status__c: 'Planned' }),
        instalmentRecord({
          Id: 'a0I000000000002AAA',
          Instalment_Key__c: `${DEAL}:0ld0ld0ld0ld:2026-01-15`,
          Status__c: 'Planned',
        }),
      ],
      months: [
        { Id: 'a0M000000000001AAA', Month_Key__c: `${DEAL}:2026-01`, Status__c: 'Closed' },
        { Id: 'a0M000000000002AAA', Month_Key__c: `${DEAL}:2026-02`, Status__c: 'Forecast' },
      ],
    });
    await writePlans({ writeback, clock }, [planned], []);
    const calls = runs.flat();
    const updates = calls.find((c) => c.object === 'Billing_Instalment__c' && c.method === 'update')!.records;
    expect(updates).toEqual([
      expect.objectContaining({ Id: 'a0I000000000001AAA', Status__c: 'Planned', Instalment_Key__c: first!.key }),
      {
        Id: 'a0I000000000002AAA',
        Status__c: 'Cancelled',
        Status_Message__c: `Replaced by plan version ${fresh.plan.plan.version} on 10 Feb 2026`,
      },
    ]);
    expect(updates.every((u: Written) => !('Billing_Plan__r' in u) && !('Billing_Plan__c' in u))).toBe(true);
    const monthUpdates = calls.find((c) => c.object === 'Revenue_Month__c' && c.method === 'update')!.records;
    expect(monthUpdates.map((m: Written) => m.Id)).toEqual(['a0M000000000002AAA']);
    const monthCreates = calls.find((c) => c.object === 'Revenue_Month__c' && c.method === 'create')!.records;
    expect(monthCreates.map((m: Written) => m.Month_Key__c)).not.toContain(`${DEAL}:2026-01`);
    expect(monthCreates).toHaveLength(10);
  });

  it('says why a deal could not be planned on its plan, and reports what Salesforce refused', async () => {
    const { writeback, runs } = fakeComposite((object, _record, i) =>
      object === 'Revenue_Month__c' && i === 0
        ? {
            ok: false,
            errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'months are locked', fields: [] }],
          }
        : { ok: true, id: `a0${i}` },
    );
    const { refused } = await writePlans(
      { writeback, clock },
      [loadedDeal()],
      [{ dealId: '006000000000502AAA', accountId: null, message: 'Cannot plan the billing: the deal has no lines' }],
    );
    expect(runs.flat().find((c) => c.object === 'Billing_Plan__c')!.records[1]).toMatchObject({
      Plan_Key__c: '006000000000502AAA',
      Sync_Status__c: 'Error',
      Sync_Message__c: 'Cannot plan the billing: the deal has no lines',
    });
    expect(refused.get(DEAL)).toEqual(['Revenue_Month__c: FIELD_CUSTOM_VALIDATION_EXCEPTION: months are locked']);
  });

  it('reports a deal whose month update a validation rule refused (closed after the read) as frozen', async () => {
    const closedMeanwhile = 'a0M000000000002AAA';
    const months = [{ Id: closedMeanwhile, Month_Key__c: `${DEAL}:2026-02`, Status__c: 'Actual' }];
    const refuse = (object: string, record: Written, i: number) =>
      object === 'Revenue_Month__c' && record.Id === closedMeanwhile
        ? {
            ok: false as const,
            errors: [
              {
                statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
                message: 'This month is closed: its revenue schedule is frozen.',
                fields: [],
              },
            ],
          }
        : { ok: true as const, id: `a0${i}` };
    const { writeback } = fakeComposite(refuse);
    const result = await writePlans({ writeback, clock }, [loadedDeal({ months })], []);
    expect([...result.frozen]).toEqual([DEAL]);
    expect(result.refused.get(DEAL)).toEqual([
      'Revenue_Month__c: FIELD_CUSTOM_VALIDATION_EXCEPTION: This month is closed: its revenue schedule is frozen.',
    ]);
    // a refused create is not a month closed under the write: it stays a plain refusal
    const { writeback: refusingCreates } = fakeComposite((object, _r, i) =>
      object === 'Revenue_Month__c'
        ? { ok: false, errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'no', fields: [] }] }
        : { ok: true, id: `a0${i}` },
    );
    expect((await writePlans({ writeback: refusingCreates, clock }, [loadedDeal()], [])).frozen.size).toBe(0);
  });
});
