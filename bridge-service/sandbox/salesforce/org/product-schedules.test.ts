import type { Connection } from 'jsforce';
import type { SalesforceEmulator } from '../server';
import { ADMIN, connect, startTestEmulator } from '../test-helpers';

type Rec = Record<string, unknown> & { Id: string };

describe('Opportunity Product schedules (OpportunityLineItemSchedule)', () => {
  let em: SalesforceEmulator;
  let api: Connection;
  let line: Rec;
  let productId: string;

  beforeEach(async () => {
    em = await startTestEmulator();
    // the org's behaviour, not the bridge's grants, is under test: an administrator sees and writes every field
    api = connect(em, ADMIN);
    const lines = await api.query<Rec>(
      "SELECT Id, Product2Id, Quantity, UnitPrice, TotalPrice, OpportunityId FROM OpportunityLineItem WHERE Opportunity.Name = 'Acme - Platform 2026' LIMIT 1",
    );
    line = lines.records[0]!;
    productId = String(line.Product2Id);
  });
  afterEach(() => em.close());

  const schedule = (fields: Record<string, unknown>) =>
    api.sobject('OpportunityLineItemSchedule').create({ OpportunityLineItemId: line.Id, ...fields });
  const reload = async () =>
    (
      await api.query<Rec>(
        `SELECT Id, Quantity, UnitPrice, TotalPrice, HasRevenueSchedule, HasQuantitySchedule, HasSchedule, Opportunity.Amount,
                (SELECT ScheduleDate, Type, Revenue, Quantity FROM OpportunityLineItemSchedules ORDER BY ScheduleDate)
         FROM OpportunityLineItem WHERE Id = '${line.Id}'`,
      )
    ).records[0]!;

  it('refuses a revenue schedule on a product that does not allow one', async () => {
    await expect(schedule({ ScheduleDate: '2026-03-01', Type: 'Revenue', Revenue: 100 })).rejects.toMatchObject({
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
    });
  });

  it('keeps the line total equal to its revenue installments, and the opportunity amount with it', async () => {
    await api.sobject('Product2').update({ Id: productId, CanUseRevenueSchedule: true });
    // 120 seats at 42.50 = 5,100.00, scheduled as 1,700.00 three times, then changed to 2,000.00 / 1,500.00 / 1,600.00.
    const ids: string[] = [];
    for (const date of ['2026-03-01', '2026-06-01', '2026-09-01']) {
      const res = (await schedule({ ScheduleDate: date, Type: 'Revenue', Revenue: 1700 })) as unknown as { id: string };
      ids.push(res.id);
    }
    let reloaded = await reload();
    expect(reloaded).toMatchObject({
      TotalPrice: 5100,
      HasRevenueSchedule: true,
      HasQuantitySchedule: false,
      HasSchedule: true,
    });
    await api.sobject('OpportunityLineItemSchedule').update({ Id: ids[0]!, Revenue: 2000 });
    await api.sobject('OpportunityLineItemSchedule').update({ Id: ids[1]!, Revenue: 1500 });
    await api.sobject('OpportunityLineItemSchedule').update({ Id: ids[2]!, Revenue: 1600 });
    reloaded = await reload();
    expect(reloaded.TotalPrice).toBe(5100);
    expect(
      (reloaded.OpportunityLineItemSchedules as { records: Rec[] }).records.map((r) => [r.ScheduleDate, r.Revenue]),
    ).toEqual([
      ['2026-03-01', 2000],
      ['2026-06-01', 1500],
      ['2026-09-01', 1600],
    ]);
    await api.sobject('OpportunityLineItemSchedule').destroy(ids[2]!);
    reloaded = await reload();
    expect(reloaded).toMatchObject({ TotalPrice: 3500, UnitPrice: 29.17 });
    expect((reloaded.Opportunity as Rec).Amount).toBeGreaterThan(3500);
  });

  it('requires the figure the type names, and follows quantity installments with the quantity', async () => {
    await api.sobject('Product2').update({ Id: productId, CanUseQuantitySchedule: true });
    await expect(schedule({ ScheduleDate: '2026-03-01', Type: 'Quantity' })).rejects.toMatchObject({
      errorCode: 'REQUIRED_FIELD_MISSING',
    });
    await expect(schedule({ ScheduleDate: '2026-03-01', Type: 'Weekly', Quantity: 1 })).rejects.toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    });
    await schedule({ ScheduleDate: '2026-03-01', Type: 'Quantity', Quantity: 60 });
    await schedule({ ScheduleDate: '2026-09-01', Type: 'Quantity', Quantity: 40 });
    // 100 seats at 42.50.
    expect(await reload()).toMatchObject({
      Quantity: 100,
      TotalPrice: 4250,
      HasQuantitySchedule: true,
      HasRevenueSchedule: false,
    });
  });

  it('deletes the installments with their line item', async () => {
    await api.sobject('Product2').update({ Id: productId, CanUseRevenueSchedule: true });
    await schedule({ ScheduleDate: '2026-03-01', Type: 'Revenue', Revenue: 5100 });
    await api.sobject('OpportunityLineItem').destroy(line.Id);
    const left = await api.query('SELECT Id FROM OpportunityLineItemSchedule');
    expect(left.totalSize).toBe(0);
  });
});
