/** What the CREATE_DRAFT steps pass along: a job routed to its billing entity, and what became of each job. */
import { createHash } from 'node:crypto';
import type { BillingEntity } from '../../domain/billing-entity';
import type { Instalment } from '../../domain/billing-plan';
import type { InvoiceType } from '../../domain/invoice-mapping';
import type { AccountRow, OpportunityLineItemRow, OpportunityRow } from '../../domain/records';
import type { XeroInvoice } from '../../xero/types';
import type { JobOf, JobOutcome } from '../handler';

/** A CREATE_DRAFT job. */
export type DraftJob = JobOf<'CREATE_DRAFT'>;
/** A job the draft path runs: a deal's closing request, or a billing plan's instalment falling due. */
export type DraftingJob = DraftJob | JobOf<'RAISE_INSTALMENT'>;

/** Xero takes at most 50 elements a write. */
export const XERO_BATCH = 50;

/** The deal an amendment or renewal changes (Amended_Opportunity__c), with its lines. */
export interface OpportunityWithLines {
  opportunity: OpportunityRow;
  lineItems: OpportunityLineItemRow[];
}

/** A closed-won deal ready to bill: its records, as the domain reads them, and the entity it bills from. */
export interface Draft {
  job: DraftingJob;
  requestKey: string;
  opportunity: OpportunityRow;
  account: AccountRow;
  lineItems: OpportunityLineItemRow[];
  entity: BillingEntity;
  /**
   * The deal this one amends or renews (Amended_Opportunity__c), with its lines: such a draft is billed only as its
   * deal plan's instalment (billing.ts), never from the Opportunity.
   */
  original?: OpportunityWithLines;
  /** What it bills when its billing plan says (billing-plan instalments); else the Opportunity as wave 1 did. */
  billing?: DraftBilling;
}

/** A billing-plan instalment as a draft bills it. */
export interface DraftBilling {
  instalment: Instalment;
  invoiceType: InvoiceType;
  /** Where its Xero document links back to, after the instance URL (the instalment's record page). */
  sourcePath?: string;
  /** A credit-note instalment: the Invoice__c it credits. */
  creditsInvoiceId?: string;
}

/** What became of one job before the write-back to Salesforce. */
export type DraftOutcome =
  /**
   * Xero holds its invoice: its Invoice__c is written from it, with what the mapping noted for a person to check
   * (the document's warnings, e.g. a line billed at its Total Price) as its Sync_Message__c.
   */
  | { kind: 'invoiced'; draft: Draft; invoice: XeroInvoice; warnings?: readonly string[] }
  /** It cannot succeed as it stands: the record shows why (Sync_Status__c Error) until someone fixes it. */
  | { kind: 'refused'; job: DraftingJob; message: string }
  /**
   * It waits for a person (a contact match review): the record shows what for (Sync_Status__c Pending), and the job
   * stays parked until the decision releases it (CONTACT_MATCH) or someone presses Retry.
   */
  | { kind: 'waiting'; draft: Draft; message: string }
  /** Settled without an invoice mirror: nothing to bill, a downgrade's credit note, a retry, a missing deal. */
  | { kind: 'settled'; job: DraftingJob; outcome: JobOutcome };

export const refused = (job: DraftingJob, message: string): DraftOutcome => ({ kind: 'refused', job, message });
export const settled = (job: DraftingJob, outcome: JobOutcome): DraftOutcome => ({ kind: 'settled', job, outcome });

/** A stable Idempotency-Key (≤ 128 chars) for a batch write: the same items always send the same key. */
export function batchKey(prefix: string, keys: readonly string[]): string {
  return `${prefix}:${createHash('sha256')
    .update([...keys].sort().join('\n'))
    .digest('hex')}`;
}

/** Where a Xero invoice links back to (the Opportunity's page): also how a lost attempt is found again. */
export function sourceUrl(instanceUrl: string, opportunityId: string): string {
  return `${instanceUrl.replace(/\/+$/, '')}/lightning/r/Opportunity/${opportunityId}/view`;
}

/** A draft's source URL: its instalment's page when a plan raises it (a deal has many), else its Opportunity's. */
export function draftSourceUrl(instanceUrl: string, draft: Pick<Draft, 'opportunity' | 'billing'>): string {
  return draft.billing?.sourcePath
    ? `${instanceUrl.replace(/\/+$/, '')}${draft.billing.sourcePath}`
    : sourceUrl(instanceUrl, draft.opportunity.Id);
}
