/**
 * The one error type the finance domain throws for bad business input (as opposed to programming errors).
 *
 * `message` is written for a finance user and lands on the Salesforce record as the sync message;
 * `problems` lists every individual issue found (validation reports all of them, not just the first);
 * `code` is stable for callers that branch on the kind of failure.
 */
export type DomainErrorCode =
  | 'BILLING_ENTITY_CONFIG'
  | 'BILLING_ENTITY_NOT_FOUND'
  | 'BILLING_ENTITY_AMBIGUOUS'
  | 'INVALID_INVOICE'
  | 'INVALID_CONTACT'
  | 'INVALID_AMENDMENT'
  | 'INVALID_BILLING_PLAN'
  | 'INVALID_MODIFICATION'
  | 'INVALID_CURRENCY_RATE'
  | 'INVALID_CLOSE'
  | 'PERIOD_LOCKED'
  | 'INVALID_INPUT';

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
  }
}

/** Throws one DomainError listing every problem, or returns when there are none. */
export function throwIfProblems(code: DomainErrorCode, summary: string, problems: readonly string[]): void {
  if (problems.length === 0) return;
  const message = problems.length === 1 ? `${summary}: ${problems[0]}` : `${summary}: ${problems.join('; ')}`;
  throw new DomainError(code, message, problems);
}
