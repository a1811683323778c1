/**
 * Opportunity Product schedules as the platform keeps them (Object Reference, OpportunityLineItemSchedule; Salesforce
 * Help, Product Schedules): a line item may have revenue installments only if its product allows revenue
 * scheduling (CanUseRevenueSchedule), quantity installments only if it allows quantity scheduling; each installment
 * carries the figure its Type names; and the line follows its installments: TotalPrice = the sum of the revenue
 * installments (Sales Price recomputed), Quantity = the sum of the quantity installments (the total repriced when
 * there are no revenue installments), with HasRevenueSchedule, HasQuantitySchedule and HasSchedule set.
 * Opportunity.Amount then follows the line as it always does.
 */
import Big from 'big.js';

import { SalesforceError } from '../errors';
import type { SRecord } from '../store';

interface ScheduleOrg {
  getAny(id: string): { record: SRecord } | undefined;
}

const has = (value: unknown) => value !== null && value !== undefined;

/** Save-time rules for one installment. */
export function checkSchedule(org: ScheduleOrg, schedule: SRecord): void {
  const type = String(schedule.Type ?? '');
  const wantsRevenue = type === 'Revenue' || type === 'Both';
  const wantsQuantity = type === 'Quantity' || type === 'Both';
  if (wantsRevenue && !has(schedule.Revenue)) {
    throw new SalesforceError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Revenue]', ['Revenue']);
  }
  if (wantsQuantity && !has(schedule.Quantity)) {
    throw new SalesforceError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Quantity]', ['Quantity']);
  }
  const line = org.getAny(String(schedule.OpportunityLineItemId ?? ''))?.record;
  const product = line ? org.getAny(String(line.Product2Id ?? ''))?.record : undefined;
  if (wantsRevenue && product?.CanUseRevenueSchedule !== true) {
    throw new SalesforceError(
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      'field integrity exception: Type (this product does not allow revenue schedules)',
      ['Type'],
    );
  }
  if (wantsQuantity && product?.CanUseQuantitySchedule !== true) {
    throw new SalesforceError(
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      'field integrity exception: Type (this product does not allow quantity schedules)',
      ['Type'],
    );
  }
}

/** The line item as its live installments make it. */
export function lineFromSchedules(line: SRecord, schedules: readonly SRecord[]): SRecord {
  const revenue = schedules.filter((s) => s.Type === 'Revenue' || s.Type === 'Both');
  const quantity = schedules.filter((s) => s.Type === 'Quantity' || s.Type === 'Both');
  const next: SRecord = {
    ...line,
    HasRevenueSchedule: revenue.length > 0,
    HasQuantitySchedule: quantity.length > 0,
    HasSchedule: schedules.length > 0,
  };
  const total = (rows: SRecord[], field: string) =>
    rows.reduce((acc, row) => acc.plus(new Big(String(row[field] ?? 0))), new Big(0));
  if (quantity.length > 0) next.Quantity = Number(total(quantity, 'Quantity').toFixed(2));
  if (quantity.length > 0 && revenue.length === 0 && has(line.UnitPrice)) {
    // Quantity installments only: the line is priced as usual at its new quantity.
    let price = new Big(String(next.Quantity)).times(new Big(String(line.UnitPrice)));
    if (has(line.Discount)) price = price.times(new Big(100).minus(String(line.Discount))).div(100);
    next.TotalPrice = Number(price.round(2, Big.roundHalfUp).toFixed(2));
  }
  if (revenue.length > 0) {
    const totalPrice = total(revenue, 'Revenue').round(2, Big.roundHalfUp);
    next.TotalPrice = Number(totalPrice.toFixed(2));
    const qty = new Big(String(next.Quantity ?? 0));
    if (qty.gt(0)) next.UnitPrice = Number(totalPrice.div(qty).round(2, Big.roundHalfUp).toFixed(2));
  }
  return next;
}
