import { ZodError } from 'zod';
import type { BillingEntity } from '../domain/billing-entity';
import { DomainError } from '../domain/errors';
import { XeroApiError } from '../xero/errors';

/** Sync_Message__c is long text, but a person reads the first lines: keep it short. */
const MAX_MESSAGE = 1000;

/**
 * A failure in words a sales rep or finance user understands, for the record's sync message:
 * "Xero rejected the invoice for UK_Ltd: Tax type OUTPUT9 is not valid".
 */
export function describeError(err: unknown, entity?: Pick<BillingEntity, 'developerName'>): string {
  let message: string;
  if (err instanceof XeroApiError && err.validationMessages.length > 0) {
    message = `Xero rejected the request${entity ? ` for ${entity.developerName}` : ''}: ${err.validationMessages.join('; ')}`;
  } else if (err instanceof ZodError) {
    message = `Salesforce data is incomplete: ${err.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`;
  } else if (err instanceof DomainError) {
    message = err.message;
  } else if (err instanceof Error) {
    message = err.message;
  } else {
    message = String(err);
  }
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}
