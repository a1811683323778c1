// The amount a partial invoice request asks for, in integer cents, with the rules of the bridge's domain
// (bridge-service/src/domain/partial-invoice.ts partialAmount) and PartialInvoiceController.amountFor: positive, two
// decimals at most, a percentage above 0 and at most 100 rounded once half away from zero, never above what remains.
// The rep sees this preview before sending; the Apex and the bridge check again. Held equal to the domain by
// bridge-service/src/domain/partial-invoice.cases.json, which this component's test and the domain's both read.

export const MODES = Object.freeze({
  amount: 'AMOUNT',
  percentOfRemaining: 'PERCENT_OF_REMAINING',
  percentOfDeal: 'PERCENT_OF_DEAL',
});

/**
 * A decimal string (or number) as an exact scaled integer: "33.335" → { units: 33335n, scale: 3 }.
 * @param {string|number} value
 * @returns {{units: bigint, scale: number}|null} null when it is not a plain decimal
 */
export function parseDecimal(value) {
  const text = String(value ?? '').trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return null;
  const fraction = match[2] ?? '';
  return { units: BigInt(`${match[1]}${fraction}`), scale: fraction.length };
}

/** Cents of an amount as Apex and Salesforce send it (a JSON number with at most two decimals). */
export function toCents(amount) {
  const parsed = parseDecimal(Math.abs(Number(amount ?? 0)).toFixed(2));
  const cents = Number(parsed.units);
  return Number(amount) < 0 ? -cents : cents;
}

/**
 * The request's amount in cents, or the reason it cannot be sent.
 * @param {{dealValueCents: number, remainingCents: number, mode: string, value: string|number}} request
 * @returns {{cents: number}|{error: 'nothingRemains'|'positive'|'decimals'|'percent'|'tooMuch', cents?: number}}
 */
export function partialAmountCents({ dealValueCents, remainingCents, mode, value }) {
  if (remainingCents <= 0) return { error: 'nothingRemains' };
  const parsed = parseDecimal(value);
  if (!parsed || parsed.units === 0n) return { error: 'positive' };
  let cents;
  if (mode === MODES.amount) {
    // 10.500 is fine, 10.505 is not: only zeros may follow the cents
    const surplus = parsed.scale > 2 ? parsed.units % 10n ** BigInt(parsed.scale - 2) : 0n;
    if (surplus !== 0n) return { error: 'decimals' };
    cents = Number(
      parsed.scale > 2
        ? parsed.units / 10n ** BigInt(parsed.scale - 2)
        : parsed.units * 10n ** BigInt(2 - parsed.scale),
    );
  } else {
    const hundred = 100n * 10n ** BigInt(parsed.scale);
    if (parsed.units > hundred) return { error: 'percent' };
    const base = BigInt(mode === MODES.percentOfDeal ? dealValueCents : remainingCents);
    // round half away from zero: (2ab + c) / 2c for positive values
    cents = Number((2n * base * parsed.units + hundred) / (2n * hundred));
    if (cents <= 0) return { error: 'positive' };
  }
  if (cents > remainingCents) return { error: 'tooMuch', cents };
  return { cents };
}
