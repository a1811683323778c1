/**
 * Currency rates as the platform keeps them (Object Reference: CurrencyType, DatedConversionRate; Salesforce Help,
 * "Edit Conversion Rates", "Manage Dated Exchange Rates"): every rate is units of the currency per 1 unit of the
 * corporate currency, whose own rate is always 1 and has no dated rates; a dated rate applies from its StartDate until
 * the next one of the same currency starts (NextStartDate, read-only, derived by the platform; the latest runs to
 * 9999-12-31); one rate per currency and start date; a rate is above zero.
 */
import Big from 'big.js';

import { SalesforceError } from '../errors';
import type { SRecord } from '../store';

interface RatesOrg {
  corporateCurrency(): string;
  activeCurrencies(): string[];
  datedRates(): SRecord[];
}

/** The day after the last possible date: what the platform shows for the open-ended latest rate. */
export const OPEN_END = '9999-12-31';

/** Save-time rules for a dated rate. */
export function checkDatedRate(org: RatesOrg, rate: SRecord): void {
  const iso = String(rate.IsoCode ?? '');
  if (!(Number(rate.ConversionRate) > 0)) {
    throw new SalesforceError(400, 'FIELD_INTEGRITY_EXCEPTION', 'Conversion rate must be greater than zero', [
      'ConversionRate',
    ]);
  }
  if (iso === org.corporateCurrency()) {
    throw new SalesforceError(
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      `${iso} is the corporate currency: its rate is always 1 and has no dated rates`,
      ['IsoCode'],
    );
  }
  if (!org.activeCurrencies().includes(iso)) {
    throw new SalesforceError(400, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `bad value for IsoCode: ${iso}`, [
      'IsoCode',
    ]);
  }
  const clash = org.datedRates().find((r) => r.Id !== rate.Id && r.IsoCode === iso && r.StartDate === rate.StartDate);
  if (clash) {
    throw new SalesforceError(400, 'DUPLICATE_VALUE', `A ${iso} rate already starts on ${String(rate.StartDate)}`, [
      'StartDate',
    ]);
  }
}

/** NextStartDate of a dated rate: the next StartDate of the same currency, else the open end. */
export function nextStartDate(org: RatesOrg, rate: SRecord): string {
  const later = org
    .datedRates()
    .filter((r) => r.IsoCode === rate.IsoCode && String(r.StartDate) > String(rate.StartDate))
    .map((r) => String(r.StartDate))
    .sort();
  return later[0] ?? OPEN_END;
}

/** Opportunity.ExpectedRevenue: Amount × Probability ÷ 100, to the cent (read-only). */
export function expectedRevenue(opportunity: SRecord): number | null {
  const amount = opportunity.Amount;
  const probability = opportunity.Probability;
  if (amount === null || amount === undefined || probability === null || probability === undefined) return null;
  return Number(new Big(String(amount)).times(String(probability)).div(100).round(2, Big.roundHalfUp).toString());
}
