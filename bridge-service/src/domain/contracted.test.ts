import cases from './contracted.cases.json';
import { contractedByCurrency, invoicedPercent } from './contracted';

describe('contracted revenue on the Account card (the cases lwc/billingCalc is held to)', () => {
  it.each(cases.contractedByCurrency.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const plans = c.plans.map((p) => ({ ...p, contractValue: String(p.contractValue), invoiced: String(p.invoiced) }));
    expect(
      contractedByCurrency(plans).map((r) => ({
        currencyCode: r.currencyCode,
        plans: r.plans,
        contracted: r.contracted.toFixed(2),
        invoiced: r.invoiced.toFixed(2),
        remaining: r.remaining.toFixed(2),
      })),
    ).toEqual(c.expected);
  });

  it.each(cases.invoicedPercent.map((c) => [`${c.invoiced} of ${c.contractValue}`, c] as const))(
    'invoiced %s',
    (_name, c) => {
      expect(invoicedPercent(String(c.invoiced), String(c.contractValue))).toBe(c.expected);
    },
  );
});
