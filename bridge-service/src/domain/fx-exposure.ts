/**
 * Currency exposure per billing entity (finance.md §1.3, §6.12): open foreign-currency receivables at the invoice's
 * rate and at today's, the unrealised difference, and the gains and losses realised when foreign invoices were
 * settled, worked out as Xero books them. Amounts in the entity's base currency.
 *
 * Decisions (see README.md in this folder and "KPIs and forecasts" in the project README):
 * - Xero's CurrencyRate is foreign units per 1 base unit (§6.1): base = foreign ÷ rate, rounded to the cent
 *   (xero-invoice-math.ts `toBaseAmount`, one home). An invoice's base total = its Total ÷ its rate.
 * - Each settlement (a payment, or an allocation of credit) relieves the receivable at the invoice's rate:
 *   round(amount ÷ invoice rate); the settlement that leaves nothing due relieves what remains of the base total
 *   (the last payment takes the penny residue, §6.12), so a settled invoice leaves exactly 0 in the base ledger.
 * - Realised gain (+) or loss (−) of a settlement = what it brought in base at its own rate (a payment's
 *   CurrencyRate; a credit's rate when known, else the invoice's: no gain) − what it relieved.
 * - Open at invoice rate = base total − relieved so far: the invoice's balance in Xero's base-currency receivables.
 *   At today's rate = the foreign amount still due × today's rate (fx-rates.ts, base per 1 foreign, 6 dp).
 *   Unrealised = at today's rate − at invoice rate: what a Xero currency revaluation on that day at that rate posts.
 */
import Big from 'big.js';

import { compareDates, type IsoDate } from './dates';
import { closingRate, convertAt, type FxRate, type RateBook } from './fx-rates';
import { money, sum, type Money } from './money';
import { toBaseAmount, type Decimal } from './xero-invoice-math';

export interface Settlement {
  kind: 'payment' | 'credit';
  date: IsoDate;
  /** In the invoice's currency. */
  amount: Decimal;
  /** Xero CurrencyRate of the payment or credit (foreign per 1 base); omitted = the invoice's. */
  currencyRate?: Decimal;
  id?: string;
}

/** A posted invoice in a currency other than its entity's base currency. */
export interface ForeignInvoice {
  invoiceId: string;
  number?: string;
  entity: string;
  baseCurrency: string;
  currencyCode: string;
  /** Xero CurrencyRate (foreign per 1 base). */
  currencyRate: Decimal;
  date: IsoDate;
  total: Decimal;
  /** Active payments and allocations only. */
  settlements: readonly Settlement[];
}

export interface SettlementResult extends Settlement {
  relievedBase: Money;
  receivedBase: Money;
  realised: Money;
}

export interface InvoiceExposure {
  invoiceId: string;
  baseTotal: Money;
  openForeign: Money;
  openAtInvoiceRate: Money;
  settlements: SettlementResult[];
}

export interface ExposureRow {
  entity: string;
  baseCurrency: string;
  currencyCode: string;
  openInvoices: number;
  openForeign: Money;
  openAtInvoiceRate: Money;
  /** Undefined when today's rate is missing. */
  openAtTodayRate?: Money;
  unrealised?: Money;
  todayRate?: FxRate;
  /** Realised on settlements dated in the period. */
  realised: Money;
}

const ZERO = new Big(0);

/** One invoice's settlements relieved and realised, and what remained open at the end of `day`. */
export function invoiceExposure(invoice: ForeignInvoice, day: IsoDate): InvoiceExposure {
  const total = money(invoice.total);
  const baseTotal = toBaseAmount(total, invoice.currencyRate);
  const ordered = [...invoice.settlements].sort(
    (a, b) => compareDates(a.date, b.date) || (a.id ?? '').localeCompare(b.id ?? ''),
  );
  let settled = ZERO;
  let relieved = ZERO;
  const settlements: SettlementResult[] = ordered.map((s) => {
    const amount = money(s.amount);
    settled = settled.plus(amount);
    const relievedBase = settled.gte(total) ? baseTotal.minus(relieved) : toBaseAmount(amount, invoice.currencyRate);
    relieved = relieved.plus(relievedBase);
    const receivedBase = toBaseAmount(amount, s.currencyRate ?? invoice.currencyRate);
    return { ...s, relievedBase, receivedBase, realised: receivedBase.minus(relievedBase) };
  });
  const byDay = settlements.filter((s) => compareDates(s.date, day) <= 0);
  const paid = sum(byDay.map((s) => money(s.amount)));
  const open = compareDates(invoice.date, day) > 0 ? ZERO : total.minus(paid);
  return {
    invoiceId: invoice.invoiceId,
    baseTotal,
    openForeign: open.gt(0) ? open : ZERO,
    openAtInvoiceRate: open.gt(0) ? baseTotal.minus(sum(byDay.map((s) => s.relievedBase))) : ZERO,
    settlements,
  };
}

/**
 * Exposure per entity and foreign currency at the end of `day`, with the gains and losses realised in `period`
 * (inclusive). Invoices in their entity's base currency carry no exposure and are left out.
 */
export function fxExposure(
  invoices: readonly ForeignInvoice[],
  book: RateBook,
  day: IsoDate,
  period: { start: IsoDate; end: IsoDate },
): ExposureRow[] {
  const rows = new Map<string, ExposureRow>();
  for (const invoice of invoices) {
    const currencyCode = invoice.currencyCode.toUpperCase();
    const baseCurrency = invoice.baseCurrency.toUpperCase();
    if (currencyCode === baseCurrency) continue;
    const id = `${invoice.entity}|${currencyCode}`;
    const row = rows.get(id) ?? {
      entity: invoice.entity,
      baseCurrency,
      currencyCode,
      openInvoices: 0,
      openForeign: ZERO,
      openAtInvoiceRate: ZERO,
      realised: ZERO,
    };
    const exposure = invoiceExposure(invoice, day);
    if (exposure.openForeign.gt(0)) row.openInvoices += 1;
    row.openForeign = row.openForeign.plus(exposure.openForeign);
    row.openAtInvoiceRate = row.openAtInvoiceRate.plus(exposure.openAtInvoiceRate);
    for (const s of exposure.settlements) {
      if (compareDates(s.date, period.start) >= 0 && compareDates(s.date, period.end) <= 0) {
        row.realised = row.realised.plus(s.realised);
      }
    }
    rows.set(id, row);
  }
  for (const row of rows.values()) {
    const rate = closingRate(book, row.currencyCode, row.baseCurrency, day);
    if (!rate) continue;
    row.todayRate = rate;
    row.openAtTodayRate = convertAt(row.openForeign, rate);
    row.unrealised = row.openAtTodayRate.minus(row.openAtInvoiceRate);
  }
  return [...rows.values()].sort(
    (a, b) => a.entity.localeCompare(b.entity) || a.currencyCode.localeCompare(b.currencyCode),
  );
}
