export const salesforceAuthErrorCodes = [
  /** The grant is dead (revoked, expired, rotated away): reconnect the org. */
  'invalid_grant',
  /** Our app configuration is wrong (client id/secret, certificate, pre-authorisation). */
  'invalid_client',
  /** Network or 5xx: try again later. */
  'temporary',
  /** The token endpoint answered something we cannot read. */
  'bad_response',
] as const;
export type SalesforceAuthErrorCode = (typeof salesforceAuthErrorCodes)[number];

/** A failed call to Salesforce's OAuth endpoints, typed by what the caller must do. */
export class SalesforceAuthError extends Error {
  override name = 'SalesforceAuthError';
  readonly code: SalesforceAuthErrorCode;

  constructor(code: SalesforceAuthErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

// jsforce throws Errors named after the OAuth `error` field (invalid_grant, invalid_client_id…)
// or ERROR_HTTP_<status> for unreadable bodies.
export function toSalesforceAuthError(error: unknown, action: string): SalesforceAuthError {
  if (error instanceof SalesforceAuthError) return error;
  // jsforce names the Error after the body's `error` field, which a 5xx body may lack.
  const name = error instanceof Error && typeof error.name === 'string' ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'invalid_grant' || name === 'inactive_user' || name === 'inactive_org') {
    return new SalesforceAuthError('invalid_grant', `${action}: ${message}`, { cause: error });
  }
  if (
    name.startsWith('invalid_client') ||
    name === 'unauthorized_client' ||
    name === 'invalid_app_access'
  ) {
    return new SalesforceAuthError('invalid_client', `${action}: ${message}`, { cause: error });
  }
  if (/^ERROR_HTTP_4\d\d$/.test(name)) {
    return new SalesforceAuthError('bad_response', `${action}: ${message}`, { cause: error });
  }
  return new SalesforceAuthError('temporary', `${action}: ${message}`, { cause: error });
}
