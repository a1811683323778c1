/** Salesforce-shaped API errors: REST answers them as `[{message, errorCode, fields?}]` with an HTTP status. */
export class SalesforceError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
    this.name = 'SalesforceError';
  }

  toRest(): { message: string; errorCode: string; fields?: string[] } {
    return this.fields
      ? { message: this.message, errorCode: this.errorCode, fields: this.fields }
      : { message: this.message, errorCode: this.errorCode };
  }

  /** Inside sObject Collections and DML results the code travels as `statusCode`. */
  toResult(): { statusCode: string; message: string; fields: string[] } {
    return { statusCode: this.errorCode, message: this.message, fields: this.fields ?? [] };
  }
}

export const notFound = (message = 'The requested resource does not exist'): SalesforceError =>
  new SalesforceError(404, 'NOT_FOUND', message);

export const invalidSession = (): SalesforceError =>
  new SalesforceError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

/** OAuth endpoint errors use a different body: `{error, error_description}`. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}
