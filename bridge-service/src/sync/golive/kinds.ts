/**
 * What the go-live jobs carry (issue 18), checked when a job is claimed (handler.ts). Finance's and the rep's requests
 * from Salesforce carry their Payload__c as domain/golive-records.ts defines it; the import steps and drift checks are
 * the bridge's own dated jobs, keyed so that each exists once.
 */
import { z } from 'zod';
import { contactMatchPayloadSchema, createPartialPayloadSchema } from '../../domain/golive-records';
import { ACTIONS } from '../../salesforce/invoice-request';

const request = z.object({
  action: z.enum(ACTIONS),
  requestKey: z.string().min(1),
  opportunityId: z.string().optional(),
  invoiceId: z.string().optional(),
  requestedBy: z.string().optional(),
  payload: z.unknown().optional(),
});

export const GOLIVE_JOB_PAYLOADS = {
  /** Finance decided a contact match review (ContactMatchController.decide). */
  CONTACT_MATCH: request.extend({ payload: contactMatchPayloadSchema }),
  /** A rep asked for a partial or milestone invoice (PartialInvoiceController.raise). */
  CREATE_PARTIAL: request.extend({ opportunityId: z.string().min(15), payload: createPartialPayloadSchema }),
  /** A rejected draft corrected in Salesforce, to update the same Xero DRAFT (InvoiceActions UPDATE_DRAFT). */
  UPDATE_DRAFT: request.extend({ invoiceId: z.string().min(15) }),
  /** One step of a historical import (a page of one document type). */
  IMPORT_STEP: z.object({ runKey: z.string().min(1) }),
  /** A drift check of one tenant, run at its time (daily, or on demand). */
  DRIFT_CHECK: z.object({
    tenantId: z.string().min(1),
    entity: z.string().min(1),
    reason: z.enum(['daily', 'on-demand']),
  }),
} as const;

export const GOLIVE_JOB_KINDS = Object.keys(GOLIVE_JOB_PAYLOADS) as (keyof typeof GOLIVE_JOB_PAYLOADS)[];
export type GoLiveJobKind = (typeof GOLIVE_JOB_KINDS)[number];
