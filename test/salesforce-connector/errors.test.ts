import {
  classifyRecordErrors,
  classifySalesforceError,
  SalesforceAuthError,
  SalesforceError,
} from '@partnerbridge/salesforce-connector';
import { describe, expect, it } from 'vitest';

// Errors typed by what the caller must do, for every code jsforce and Salesforce produce.

/** What jsforce's HttpApiError looks like: name = errorCode, data = the error body. */
function httpApiError(errorCode: string, message = `${errorCode} happened`, data?: unknown) {
  const error = new Error(message) as Error & { errorCode: string; data: unknown };
  error.name = errorCode;
  error.errorCode = errorCode;
  error.data = data ?? { errorCode, message };
  return error;
}

describe(classifySalesforceError, () => {
  it.each([
    ['INVALID_SESSION_ID', 'auth_expired'],
    ['INVALID_AUTH_HEADER', 'auth_expired'],
    ['ERROR_HTTP_401', 'auth_expired'],
    ['invalid_grant', 'auth_expired'],
    ['invalid_client_id', 'auth_expired'],
    ['inactive_user', 'auth_expired'],
    ['REQUEST_LIMIT_EXCEEDED', 'rate_limited'],
    ['ERROR_HTTP_429', 'rate_limited'],
    ['ERROR_HTTP_420', 'rate_limited'],
    ['UNABLE_TO_LOCK_ROW', 'retry_later'],
    ['UNKNOWN_EXCEPTION', 'retry_later'],
    ['SERVER_UNAVAILABLE', 'retry_later'],
    ['QUERY_TIMEOUT', 'retry_later'],
    ['INVALID_QUERY_LOCATOR', 'retry_later'],
    ['ERROR_HTTP_500', 'retry_later'],
    ['ERROR_HTTP_502', 'retry_later'],
    ['ERROR_HTTP_503', 'retry_later'],
    ['ERROR_HTTP_504', 'retry_later'],
    ['ERROR_HTTP_408', 'retry_later'],
    ['JobPollingTimeout', 'retry_later'],
    ['ERROR_HTTP_400', 'permanent'],
    ['ERROR_HTTP_404', 'permanent'],
    ['NOT_FOUND', 'permanent'],
    ['MALFORMED_QUERY', 'permanent'],
    ['INVALID_FIELD', 'permanent'],
    ['INVALID_TYPE', 'permanent'],
    ['MULTIPLE_CHOICES', 'permanent'],
    ['REQUIRED_FIELD_MISSING', 'permanent'],
    ['DUPLICATE_VALUE', 'permanent'],
    ['FIELD_CUSTOM_VALIDATION_EXCEPTION', 'permanent'],
    ['ENTITY_IS_DELETED', 'permanent'],
    ['MALFORMED_ID', 'permanent'],
    ['INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 'permanent'],
    ['JSON_PARSER_ERROR', 'permanent'],
    ['SOMETHING_NEW_FROM_SALESFORCE', 'permanent'],
  ])('%s → %s', (errorCode, code) => {
    const error = classifySalesforceError(httpApiError(errorCode));
    expect(error).toBeInstanceOf(SalesforceError);
    expect(error.code).toBe(code);
    expect(error.errorCode).toBe(errorCode);
    expect(error.message).toBe(`${errorCode} happened`);
    expect(error.reason.length).toBeGreaterThan(10);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('keeps the blamed fields and a human reason', () => {
    const error = classifySalesforceError(
      httpApiError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [StageName]', {
        errorCode: 'REQUIRED_FIELD_MISSING',
        message: 'Required fields are missing: [StageName]',
        fields: ['StageName'],
      }),
    );
    expect(error.fields).toEqual(['StageName']);
    expect(error.reason).toBe('A field Salesforce requires has no value');
    expect(error.name).toBe('SalesforceError');
  });

  it('picks the most demanding of MULTIPLE_API_ERRORS', () => {
    const data = [
      { errorCode: 'UNABLE_TO_LOCK_ROW', message: 'locked' },
      { errorCode: 'INVALID_FIELD', message: "No such column 'X'", fields: ['X'] },
    ];
    const error = classifySalesforceError(httpApiError('MULTIPLE_API_ERRORS', 'Multiple', data));
    expect(error).toMatchObject({ code: 'permanent', errorCode: 'INVALID_FIELD', fields: ['X'] });
    expect(error.message).toContain('UNABLE_TO_LOCK_ROW: locked');
    const limited = classifySalesforceError(
      httpApiError('MULTIPLE_API_ERRORS', 'Multiple', [
        ...data,
        { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' },
      ]),
    );
    expect(limited.code).toBe('rate_limited');
  });

  it('treats network failures as retry_later', () => {
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    });
    expect(classifySalesforceError(reset)).toMatchObject({
      code: 'retry_later',
      errorCode: 'NETWORK_ERROR',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    expect(classifySalesforceError(refused).code).toBe('retry_later');
    expect(classifySalesforceError(new TypeError('fetch failed')).code).toBe('retry_later');
    const aborted = new Error('aborted');
    aborted.name = 'AbortError';
    expect(classifySalesforceError(aborted)).toMatchObject({
      code: 'retry_later',
      errorCode: 'TIMEOUT',
    });
  });

  it('maps OAuth failures from the auth module and a failed jsforce refresh', () => {
    expect(
      classifySalesforceError(new SalesforceAuthError('invalid_grant', 'refresh token revoked'))
        .code,
    ).toBe('auth_expired');
    expect(
      classifySalesforceError(new SalesforceAuthError('temporary', 'token endpoint down')).code,
    ).toBe('retry_later');
    expect(
      classifySalesforceError(
        new Error('Unable to refresh session due to: expired access/refresh token'),
      ),
    ).toMatchObject({ code: 'auth_expired', errorCode: 'REFRESH_FAILED' });
  });

  it('finds a lock wrapped by customer automation', () => {
    const error = classifySalesforceError(
      httpApiError(
        'CANNOT_EXECUTE_FLOW_TRIGGER',
        'The flow failed: UNABLE_TO_LOCK_ROW, unable to obtain exclusive access',
      ),
    );
    expect(error).toMatchObject({ code: 'retry_later', errorCode: 'CANNOT_EXECUTE_FLOW_TRIGGER' });
  });

  it('returns SalesforceErrors as they are and wraps non-errors', () => {
    const existing = new SalesforceError('rate_limited', { errorCode: 'X', message: 'y' });
    expect(classifySalesforceError(existing)).toBe(existing);
    expect(classifySalesforceError('boom')).toMatchObject({ code: 'permanent', message: 'boom' });
  });
});

describe(classifyRecordErrors, () => {
  it.each([
    ['UNABLE_TO_LOCK_ROW', 'retry_later'],
    ['REQUEST_LIMIT_EXCEEDED', 'rate_limited'],
    ['UNKNOWN_EXCEPTION', 'retry_later'],
    ['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'retry_later'],
    ['PROCESSING_HALTED', 'retry_later'],
    ['REQUIRED_FIELD_MISSING', 'permanent'],
    ['INVALID_FIELD', 'permanent'],
    ['INVALID_FIELD_FOR_INSERT_UPDATE', 'permanent'],
    ['DUPLICATE_VALUE', 'permanent'],
    ['DUPLICATE_EXTERNAL_ID', 'permanent'],
    ['FIELD_CUSTOM_VALIDATION_EXCEPTION', 'permanent'],
    ['ENTITY_IS_DELETED', 'permanent'],
    ['MALFORMED_ID', 'permanent'],
    ['MISSING_ARGUMENT', 'permanent'],
    ['INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 'permanent'],
    ['INVALID_CROSS_REFERENCE_KEY', 'permanent'],
    ['STRING_TOO_LONG', 'permanent'],
    ['NUMBER_OUTSIDE_VALID_RANGE', 'permanent'],
    ['INSUFFICIENT_ACCESS_OR_READONLY', 'permanent'],
  ])('statusCode %s → %s', (statusCode, code) => {
    const error = classifyRecordErrors([{ statusCode, message: 'why', fields: ['StageName'] }]);
    expect(error).toMatchObject({
      code,
      errorCode: statusCode,
      message: 'why',
      fields: ['StageName'],
    });
  });

  it('gives permanent data errors a human reason', () => {
    expect(
      classifyRecordErrors([{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'no' }])
        .reason,
    ).toBe("A validation rule in the customer's org refused the value");
  });

  it('combines several errors of one record', () => {
    const error = classifyRecordErrors([
      { statusCode: 'UNABLE_TO_LOCK_ROW', message: 'locked', fields: [] },
      { statusCode: 'STRING_TOO_LONG', message: 'too long', fields: ['Name'] },
    ]);
    expect(error).toMatchObject({
      code: 'permanent',
      errorCode: 'STRING_TOO_LONG',
      fields: ['Name'],
    });
    expect(error.message).toBe('too long; UNABLE_TO_LOCK_ROW: locked');
  });

  it('treats a failure without errors as transient', () => {
    expect(classifyRecordErrors([]).code).toBe('retry_later');
  });
});
