/**
 * Mirrors the go-live Apex controllers (issue 18), so the end-to-end tests can act as finance and as a rep:
 * - ContactMatchController.decide: finance's decision on an open Contact_Match_Review__c (confirm a candidate or another
 *   ContactID, create a new contact, reject with a note), saved and sent as one CONTACT_MATCH request in one
 *   transaction;
 * - PartialInvoiceController.getRemainder / raise: what remains to invoice on a won deal billed on signature, and a
 *   CREATE_PARTIAL request for an amount or a percentage of what remains or of the deal; an amendment or renewal, a
 *   deal without products and one billed by its periods (its own terms, or a plan not billed on signature) refused.
 * Same rules and label messages as the Apex; golive-parity.test.ts holds the two to the same actions, keys and payloads.
 * Object and field security are not modelled here (the Apex tests check them with a minimum-access user).
 */
import Big from 'big.js';

import type { SalesforceOrg } from '../salesforce-org';
import type { SRecord } from '../store';
import type { Labels } from './custom-labels';
import { build, publish, requestKey } from './invoice-request-publisher';

/** Payload__c keys, in the order the Apex writes them. */
export const CONTACT_MATCH_PAYLOAD_KEYS = ['reviewId', 'accountId', 'billingEntity', 'decision', 'contactId', 'note'];
export const CREATE_PARTIAL_PAYLOAD_KEYS = ['amount', 'mode', 'value', 'label'];

const STATUS_FOR: Record<string, string> = { CONFIRM: 'Confirmed', CREATE_NEW: 'Created New', REJECT: 'Rejected' };
const XERO_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GONE = new Set(['Voided', 'Deleted']);
/** Billing_Plan__c.Terms_Source__c of a plan billed on signature (PartialInvoiceController.BILLED_ON_SIGNATURE). */
export const BILLED_ON_SIGNATURE = 'billed on signature';

class Refusal extends Error {}

/** Apex Decimal.format() in en_US with two decimals, and the currency code after it. */
function formatMoney(amount: Big, currency: string): string {
  const [whole, fraction] = amount.round(2, Big.roundHalfUp).toFixed(2).split('.');
  return `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction} ${currency}`;
}

export interface Remainder {
  currencyCode: string;
  dealValue: string;
  invoiced: string;
  remaining: string;
  invoiceCount: number;
  blockedReason: string | null;
}

export function goLiveControllers(org: SalesforceOrg, labels: Labels) {
  const f = (name: string): string => org.n(name);

  /** ContactMatchController.decide: the review as saved, or an Error carrying the Apex message. */
  function decide(user: string, reviewId: string, decision: string, contactId?: string | null, note?: string | null) {
    const userId = org.resolveUser(user).Id;
    const def = org.object(f('Contact_Match_Review__c'));
    const review = org.get(def, reviewId);
    if (!review) throw new Refusal(labels('Match_Review_Error_Not_Found'));
    const action = (decision ?? '').trim().toUpperCase();
    if (!STATUS_FOR[action]) throw new Refusal(labels('Match_Review_Error_Unknown_Decision', action));
    if (review[f('Status__c')] !== 'Open') {
      throw new Refusal(labels('Match_Review_Error_Already_Decided', review[f('Status__c')]));
    }
    const trimmedNote = note?.trim() ? note.trim().slice(0, 255) : null;
    if (action === 'REJECT' && !trimmedNote) throw new Refusal(labels('Match_Review_Error_Reject_Needs_Note'));
    let chosenId: string | null = null;
    let chosenName: string | null = null;
    if (action === 'CONFIRM') {
      const wanted = (contactId ?? '').trim().toLowerCase();
      const candidate = candidates(review).find((c) => String(c.contactId ?? '').toLowerCase() === wanted);
      if (!candidate && !XERO_ID.test(wanted)) throw new Refusal(labels('Match_Review_Error_Contact_Id'));
      chosenId = candidate ? String(candidate.contactId) : wanted;
      chosenName = candidate?.name ? String(candidate.name) : null;
    }
    const key = requestKey('CONTACT_MATCH', review.Id, String(org.clock.now()));
    const payload = JSON.stringify({
      reviewId: review.Id,
      accountId: review[f('Account__c')] ?? null,
      billingEntity: review[f('Billing_Entity__c')] ?? null,
      decision: action,
      contactId: chosenId,
      note: trimmedNote,
    });
    org.transaction(() => {
      org.update(
        def.name,
        review.Id,
        {
          [f('Status__c')]: STATUS_FOR[action],
          [f('Chosen_Contact_Id__c')]: chosenId,
          [f('Chosen_Contact_Name__c')]: chosenName,
          [f('Decision_Note__c')]: trimmedNote,
          [f('Decided_By__c')]: userId,
          [f('Decided_At__c')]: new Date(org.clock.now()).toISOString(),
          [f('Sync_Status__c')]: 'Pending',
          [f('Request_Key__c')]: key,
        },
        { userId },
      );
      publish(org, [build('CONTACT_MATCH', null, null, key, payload)], { userId }, labels);
    });
    return org.get(def, review.Id)!;
  }

  function candidates(review: SRecord): Record<string, unknown>[] {
    try {
      const parsed: unknown = JSON.parse(String(review[f('Candidates__c')] ?? '[]'));
      return Array.isArray(parsed) ? (parsed as Record<string, unknown>[]) : [];
    } catch {
      return [];
    }
  }

  /** PartialInvoiceController.getRemainder. */
  function getRemainder(opportunityId: string): Remainder {
    const opportunity = org.get(org.object('Opportunity'), opportunityId);
    if (!opportunity) throw new Refusal(labels('Partial_Invoice_Error_Not_Found'));
    const lines = org.records(org.object('OpportunityLineItem')).filter((l) => l.OpportunityId === opportunityId);
    const sum = (values: unknown[]) => values.reduce<Big>((s, v) => s.plus(new Big((v as number) ?? 0)), new Big(0));
    const dealValue = sum(lines.map((l) => l.TotalPrice));
    const invoiceDef = org.object(f('Invoice__c'));
    const invoices = org
      .records(invoiceDef)
      .filter((i) => i[f('Opportunity__c')] === opportunityId)
      .sort((a, b) => String(a.CreatedDate).localeCompare(String(b.CreatedDate)));
    const live = new Set(invoices.filter((i) => !GONE.has(String(i[f('Status__c')]))).map((i) => i.Id));
    const invoicedLines = org
      .records(org.object(f('Invoice_Line__c')))
      .filter((l) => live.has(String(l[f('Invoice__c')])));
    const invoiced = sum(invoicedLines.map((l) => l[f('Line_Amount__c')]));
    const remaining = dealValue.minus(invoiced);
    // The first invoice that has a currency: a failed or waiting closing draft is written without one.
    const invoiceCurrency = invoices
      .map((i) => i[f('Currency_Code__c')])
      .find((c) => typeof c === 'string' && c.trim());
    const currencyCode = String(invoiceCurrency ?? opportunity.CurrencyIsoCode ?? org.corporateCurrency());
    const blockedReason =
      opportunity.IsWon !== true
        ? labels('Partial_Invoice_Error_Not_Won')
        : opportunity[f('Amended_Opportunity__c')]
          ? labels('Partial_Invoice_Error_Amendment')
          : lines.length === 0
            ? labels('Partial_Invoice_Error_No_Products')
            : billedByPeriods(opportunity)
              ? labels('Partial_Invoice_Error_Billing_Plan')
              : remaining.lte(0)
                ? labels('Partial_Invoice_Error_Nothing_Remains')
                : null;
    return {
      currencyCode,
      dealValue: dealValue.toFixed(2),
      invoiced: invoiced.toFixed(2),
      remaining: remaining.toFixed(2),
      invoiceCount: invoices.length,
      blockedReason,
    };
  }

  /**
   * PartialInvoiceController.billedByPeriods: the Opportunity's own terms bill it by its periods, or a plan written
   * for it is not billed on signature (the entity's defaults and the products' terms are the bridge's to see).
   */
  function billedByPeriods(opportunity: SRecord): boolean {
    const frequency = opportunity[f('Billing_Frequency__c')];
    if (frequency && frequency !== 'Upfront') return true;
    if (opportunity[f('Billing_Timing__c')] === 'In Arrears' || opportunity[f('First_Invoice_Date__c')]) return true;
    return org
      .records(org.object(f('Billing_Plan__c')))
      .some(
        (plan) => plan[f('Opportunity__c')] === opportunity.Id && plan[f('Terms_Source__c')] !== BILLED_ON_SIGNATURE,
      );
  }

  /** PartialInvoiceController.amountFor. */
  function amountFor(remainder: Remainder, mode: string, value: Big): Big {
    if (value.lte(0)) throw new Refusal(labels('Partial_Invoice_Error_Positive'));
    let amount: Big;
    if (mode === 'AMOUNT') {
      if (!value.round(2, Big.roundHalfUp).eq(value)) throw new Refusal(labels('Partial_Invoice_Error_Decimals'));
      amount = value;
    } else if (mode === 'PERCENT_OF_REMAINING' || mode === 'PERCENT_OF_DEAL') {
      if (value.gt(100)) throw new Refusal(labels('Partial_Invoice_Error_Percent'));
      const base = new Big(mode === 'PERCENT_OF_DEAL' ? remainder.dealValue : remainder.remaining);
      amount = base.times(value).div(100).round(2, Big.roundHalfUp);
      if (amount.lte(0)) throw new Refusal(labels('Partial_Invoice_Error_Positive'));
    } else {
      throw new Refusal(labels('Partial_Invoice_Error_Mode', mode));
    }
    const remaining = new Big(remainder.remaining);
    if (amount.gt(remaining)) {
      const code = remainder.currencyCode;
      throw new Refusal(
        labels('Partial_Invoice_Error_Too_Much', formatMoney(amount, code), formatMoney(remaining, code)),
      );
    }
    return amount;
  }

  /** PartialInvoiceController.raise: the message for the rep, or an Error carrying the Apex message. */
  function raise(user: string, opportunityId: string, mode: string, value: number | string, purpose?: string | null) {
    const userId = org.resolveUser(user).Id;
    const remainder = getRemainder(opportunityId);
    if (remainder.blockedReason) throw new Refusal(remainder.blockedReason);
    const normalised = (mode ?? '').trim().toUpperCase();
    const amount = amountFor(remainder, normalised, new Big(value));
    const cents = amount.times(100).toFixed(0);
    const key = requestKey('CREATE_PARTIAL', opportunityId, `${remainder.invoiceCount}-${cents}`);
    const payload = JSON.stringify({
      amount: amount.toFixed(2),
      mode: normalised,
      value: new Big(value).toFixed(),
      label: purpose?.trim() ? purpose.trim().slice(0, 100) : null,
    });
    org.transaction(() =>
      publish(org, [build('CREATE_PARTIAL', opportunityId, null, key, payload)], { userId }, labels),
    );
    const code = remainder.currencyCode;
    return labels(
      'Partial_Invoice_Requested',
      formatMoney(amount, code),
      formatMoney(new Big(remainder.remaining).minus(amount), code),
    );
  }

  return { contactMatch: { decide }, partialInvoice: { getRemainder, raise } };
}

export type GoLiveControllers = ReturnType<typeof goLiveControllers>;
