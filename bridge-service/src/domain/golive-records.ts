/**
 * The go-live contract with Salesforce: what the requests Salesforce sends carry (CONTACT_MATCH, CREATE_PARTIAL
 * Payload__c, validated with zod at intake), and the field values of the records the bridge writes from the domain's
 * results (Xero_Contact_Link__c, Contact_Match_Review__c, Reconciliation_Result__c). API names without the package
 * prefix, as in records.ts; the salesforce/ layer's schema module adds it.
 */
import { z } from 'zod';

import { toEighteenCharId } from './contact';
import type { LinkMethod, MatchCandidate, MatchOutcome, MatchSignal } from './contact-matching';
import type { DriftFinding } from './drift';
import type { CreditKind } from './ledger-documents';
import type { ReconciliationDifference } from './reconciliation';

const decimalString = z.string().regex(/^\d+(\.\d{1,2})?$/, 'must be an amount with at most two decimals');

/** Payload__c of a CONTACT_MATCH request (ContactMatchController.decide). */
export const contactMatchPayloadSchema = z
  .object({
    reviewId: z.string().min(15),
    accountId: z.string().min(15),
    billingEntity: z.string().min(1),
    decision: z.enum(['CONFIRM', 'CREATE_NEW', 'REJECT']),
    contactId: z.string().uuid().nullish(),
    note: z.string().max(255).nullish(),
  })
  .refine((p) => p.decision !== 'CONFIRM' || !!p.contactId, { message: 'CONFIRM needs a contactId' });

/** Payload__c of a CREATE_PARTIAL request (PartialInvoiceController.raise): the amount the rep confirmed is billed. */
export const createPartialPayloadSchema = z.object({
  amount: decimalString,
  mode: z.enum(['AMOUNT', 'PERCENT_OF_REMAINING', 'PERCENT_OF_DEAL']),
  value: z.string().regex(/^\d+(\.\d+)?$/),
  label: z.string().max(100).nullish(),
});

export type ContactMatchPayload = z.infer<typeof contactMatchPayloadSchema>;
export type CreatePartialPayload = z.infer<typeof createPartialPayloadSchema>;

/** Xero_Contact_Link__c.Match_Method__c for each way a link is made. */
export const MATCH_METHOD: Readonly<Record<LinkMethod | 'review' | 'created', string | null>> = {
  link: null, // the link exists already: its method stays as it was
  'contact-number': 'Contact Number',
  'account-number': 'Account Number',
  'tax-number': 'Tax Number',
  email: 'Email',
  name: 'Name',
  review: 'Finance Review',
  created: 'Created',
};

const SIGNAL_WORDS: Readonly<Record<MatchSignal, string>> = {
  link: 'existing link',
  'contact-number': "Ledgerline's contact number",
  'account-number': 'account number',
  'tax-number': 'tax number',
  email: 'billing email',
  name: 'name',
  'name-form': 'name apart from the company form',
};

/** Link_Key__c and Review_Key__c: 18-character Account Id and the entity's DeveloperName in capitals. */
export function accountEntityKey(accountId: string, entity: string): string {
  return `${toEighteenCharId(accountId)}:${entity.trim().toUpperCase()}`;
}

/** The Contact_Match_Review__c fields of a review outcome, for an upsert by Review_Key__c (status Open). */
export function reviewRecord(
  outcome: Extract<MatchOutcome, { kind: 'review' }>,
  entity: { developerName: string; xeroTenantId: string },
): Record<string, string | number> {
  const top: MatchCandidate | undefined = outcome.candidates[0];
  return {
    Review_Key__c: accountEntityKey(outcome.accountId, entity.developerName),
    Account__c: toEighteenCharId(outcome.accountId),
    Billing_Entity__c: entity.developerName,
    Xero_Tenant_Id__c: entity.xeroTenantId,
    Status__c: 'Open',
    Reason__c: outcome.reason,
    Message__c: outcome.message.length > 255 ? `${outcome.message.slice(0, 254)}…` : outcome.message,
    Candidates__c: JSON.stringify(outcome.candidates),
    Candidate_Count__c: outcome.candidates.length,
    ...(top
      ? {
          Top_Candidate_Contact_Id__c: top.contactId,
          Top_Candidate_Name__c: top.name.slice(0, 255),
          Top_Candidate_Match__c: top.signals
            .map((s) => SIGNAL_WORDS[s])
            .join(', ')
            .slice(0, 255),
        }
      : {}),
  };
}

/** The Xero_Contact_Link__c fields of a link, for an upsert by Link_Key__c. */
export function linkRecord(
  link: { accountId: string; contactId: string; contactName: string; method: LinkMethod | 'review' | 'created' },
  entity: { developerName: string; xeroTenantId: string },
  now: string,
): Record<string, string> {
  const method = MATCH_METHOD[link.method];
  return {
    Link_Key__c: accountEntityKey(link.accountId, entity.developerName),
    Account__c: toEighteenCharId(link.accountId),
    Billing_Entity__c: entity.developerName,
    Xero_Tenant_Id__c: entity.xeroTenantId,
    Xero_Contact_Id__c: link.contactId,
    Contact_Name__c: link.contactName.slice(0, 255),
    Contact_Status__c: 'Active',
    Last_Checked__c: now,
    ...(method ? { Match_Method__c: method, Linked_At__c: now } : {}),
  };
}

const DOCUMENT_TYPE: Readonly<Record<'invoice' | CreditKind, string>> = {
  invoice: 'Invoice',
  'credit-note': 'Credit Note',
  overpayment: 'Overpayment',
  prepayment: 'Prepayment',
};

const text = (value: string | undefined) => (value === undefined ? null : value.slice(0, 255));

/** The Reconciliation_Result__c fields of a drift finding, for an upsert by Result_Key__c (see settleFindings). */
export function driftResultRecord(
  finding: DriftFinding,
  ctx: { entity: string; tenantId: string; accountId?: string; opportunityId?: string; now: string },
): Record<string, string | number | null> {
  const mirror =
    finding.document === 'invoice'
      ? 'Invoice__c'
      : finding.document === 'credit-note'
        ? 'Credit_Note__c'
        : 'Customer_Credit__c';
  return {
    Result_Key__c: finding.key,
    Check_Type__c: 'Drift',
    Document_Type__c: DOCUMENT_TYPE[finding.document],
    Document_Xero_Id__c: finding.xeroId,
    [mirror]: finding.salesforceId ?? null,
    Account__c: ctx.accountId ?? null,
    Opportunity__c: ctx.opportunityId ?? null,
    Billing_Entity__c: ctx.entity,
    Xero_Tenant_Id__c: ctx.tenantId,
    Field__c: finding.field,
    Salesforce_Value__c: text(finding.salesforceValue),
    Xero_Value__c: text(finding.xeroValue),
    Currency_Code__c: finding.currencyCode ?? null,
    Amount_Difference__c: finding.amountDifference === undefined ? null : Number(finding.amountDifference),
    Cause__c: finding.cause,
    Cause_Detail__c: finding.causeText.slice(0, 255),
    Suggested_Fix__c: finding.fix,
    Status__c: 'Open',
    Last_Seen_At__c: ctx.now,
  };
}

const FIGURE_LABEL: Readonly<Record<string, string>> = {
  booked: 'Booked',
  invoicedNet: 'Invoiced (net)',
  creditedNet: 'Credited (net)',
  billedNet: 'Billed (net of credits)',
  invoicedGross: 'Invoiced (gross)',
  creditedGross: 'Credited (gross)',
  billedGross: 'Billed (gross, net of credits)',
  paid: 'Paid',
  creditNoteAllocated: 'Credit notes allocated',
  overpaymentAllocated: 'Overpayments allocated',
  prepaymentAllocated: 'Prepayments allocated',
  collected: 'Collected',
  amountDue: 'Amount due',
  creditHeld: 'Credit held',
};

/**
 * A reconciliation difference keyed by its Reconciliation_Result__c (stable across runs); `subject` is whose figure
 * it is (the Opportunity Id, Account Id or entity: the difference's own key).
 */
export interface KeyedDifference extends Omit<ReconciliationDifference, 'key'> {
  key: string;
  subject: string;
}

/** Keys a difference: the level, whose figure (deal, Account or entity), the currency and the figure. */
export function keyDifference(difference: ReconciliationDifference): KeyedDifference {
  const { level, entity, currencyCode, figure, key: subject } = difference;
  return { ...difference, subject, key: `RECONCILE:${entity}:${level}:${subject}:${currencyCode}:${figure}` };
}

/**
 * The Reconciliation_Result__c fields of a figure that does not tie between Salesforce's mirrors and Xero (Check_Type
 * Reconciliation, cause DOES_NOT_TIE), for an upsert by Result_Key__c. A deal's difference names its Opportunity and
 * Account; an Account's its Account; an entity's only the entity. The drift findings of the same run name the
 * documents behind it; the fix offered is to review them (a resync of the documents clears both).
 */
export function reconciliationResultRecord(
  difference: KeyedDifference,
  ctx: { tenantId: string; accountId?: string; now: string },
): Record<string, string | number | null> {
  const label = FIGURE_LABEL[difference.figure] ?? difference.figure;
  const where =
    difference.level === 'deal' ? 'this deal' : difference.level === 'account' ? 'this Account' : 'the entity';
  return {
    Result_Key__c: difference.key.slice(0, 255),
    Check_Type__c: 'Reconciliation',
    Account__c:
      difference.level === 'account'
        ? toEighteenCharId(difference.subject)
        : ctx.accountId
          ? toEighteenCharId(ctx.accountId)
          : null,
    Opportunity__c: difference.level === 'deal' ? toEighteenCharId(difference.subject) : null,
    Billing_Entity__c: difference.entity,
    Xero_Tenant_Id__c: ctx.tenantId,
    Field__c: label.slice(0, 80),
    Salesforce_Value__c: difference.salesforce.toFixed(2),
    Xero_Value__c: difference.xero.toFixed(2),
    Currency_Code__c: difference.currencyCode || null,
    Amount_Difference__c: Number(difference.xero.minus(difference.salesforce).toFixed(2)),
    Cause__c: 'DOES_NOT_TIE',
    Cause_Detail__c:
      `${label} for ${where} is ${difference.salesforce.toFixed(2)} in Salesforce and ${difference.xero.toFixed(2)} in Xero`.slice(
        0,
        255,
      ),
    Suggested_Fix__c: 'REVIEW',
    Status__c: 'Open',
    Last_Seen_At__c: ctx.now,
  };
}
