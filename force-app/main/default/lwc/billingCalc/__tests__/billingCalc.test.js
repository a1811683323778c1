import { contractedByCurrency, invoicedPercent } from 'c/billingCalc';
import { fromCents } from 'c/receivablesCalc';

// The worked cases the bridge's domain (contracted.ts) is tested against.
const CASES = require('../../../../../../bridge-service/src/domain/contracted.cases.json');

describe('c/billingCalc, held to the domain by contracted.cases.json', () => {
  it.each(CASES.contractedByCurrency.map((c) => [c.name, c]))('%s', (_name, c) => {
    expect(
      contractedByCurrency(c.plans).map((r) => ({
        currencyCode: r.currencyCode,
        plans: r.plans,
        contracted: fromCents(r.contractedCents).toFixed(2),
        invoiced: fromCents(r.invoicedCents).toFixed(2),
        remaining: fromCents(r.remainingCents).toFixed(2),
      })),
    ).toEqual(c.expected);
  });

  it.each(CASES.invoicedPercent.map((c) => [`${c.invoiced} of ${c.contractValue}`, c]))('invoiced %s', (_name, c) => {
    expect(invoicedPercent(c.invoiced, c.contractValue)).toBe(c.expected);
  });
});
