import { SalesforceAuthError } from './auth/errors.ts';

// Every failure that leaves the connector is a SalesforceError typed by what the caller must do:
// - auth_expired: the session could not be renewed: reconnect the org (or refresh tokens) first;
// - rate_limited: the org's API allocation (daily or concurrent) is spent: pause this org;
// - retry_later: transient (lock, 5xx, network, timeout): the same request may succeed later;
// - permanent: the data or the request is wrong: retrying the same thing fails the same way.

export const salesforceErrorCodes = [
  'auth_expired',
  'rate_limited',
  'retry_later',
  'permanent',
] as const;
export type SalesforceErrorCode = (typeof salesforceErrorCodes)[number];

export class SalesforceError extends Error {
  override name = 'SalesforceError';
  readonly code: SalesforceErrorCode;
  /** Salesforce's own code (`UNABLE_TO_LOCK_ROW`, `ERROR_HTTP_503`…) or ours (`NETWORK_ERROR`…). */
  readonly errorCode: string;
  /** The fields Salesforce blamed, when it said. */
  readonly fields: readonly string[];
  /** What the error means for a person reading a sync-health list. */
  readonly reason: string;

  constructor(
    code: SalesforceErrorCode,
    details: {
      errorCode: string;
      message: string;
      fields?: readonly string[];
      reason?: string;
      cause?: unknown;
    },
  ) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.errorCode = details.errorCode;
    this.fields = details.fields ?? [];
    this.reason = details.reason ?? reasonFor(details.errorCode, code);
  }
}

const authExpiredCodes = new Set([
  'INVALID_SESSION_ID',
  'INVALID_AUTH_HEADER',
  'ERROR_HTTP_401',
  'invalid_grant',
  'invalid_client',
  'invalid_client_id',
  'unauthorized_client',
  'inactive_user',
  'inactive_org',
  'invalid_app_access',
]);

const rateLimitedCodes = new Set([
  'REQUEST_LIMIT_EXCEEDED',
  'TXN_SECURITY_NO_ACCESS_LIMIT',
  'ERROR_HTTP_420',
  'ERROR_HTTP_429',
]);

const retryLaterCodes = new Set([
  'UNABLE_TO_LOCK_ROW',
  'UNKNOWN_EXCEPTION',
  'SERVER_UNAVAILABLE',
  'QUERY_TIMEOUT',
  'REQUEST_RUNNING_TOO_LONG',
  'INVALID_QUERY_LOCATOR',
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'PROCESSING_HALTED',
  'ERROR_HTTP_408',
  'NETWORK_ERROR',
  'TIMEOUT',
  'JobPollingTimeout',
  'BULK_RESULT_MISSING',
]);

/** Network-level failures Node and undici report; the request may never have reached Salesforce. */
const networkErrorCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const reasons: Readonly<Record<string, string>> = {
  INVALID_SESSION_ID: 'The Salesforce session expired and could not be renewed; reconnect the org',
  REFRESH_FAILED: 'The Salesforce session could not be refreshed; reconnect the org',
  invalid_grant: 'Salesforce no longer accepts our authorization; reconnect the org',
  REQUEST_LIMIT_EXCEEDED: "The org's Salesforce API allocation is used up for now",
  UNABLE_TO_LOCK_ROW: 'Another process was writing the same record (or its account) at the time',
  UNKNOWN_EXCEPTION: 'Salesforce had an internal error',
  NETWORK_ERROR: 'Salesforce could not be reached',
  REQUIRED_FIELD_MISSING: 'A field Salesforce requires has no value',
  INVALID_FIELD: 'A field does not exist on the object or cannot be used like this',
  INVALID_FIELD_FOR_INSERT_UPDATE: 'A read-only field was written',
  DUPLICATE_VALUE: 'Another record already holds this unique value',
  DUPLICATE_EXTERNAL_ID: 'The external id matches more than one record, or appears twice',
  MULTIPLE_CHOICES: 'The external id matches more than one record',
  FIELD_CUSTOM_VALIDATION_EXCEPTION: "A validation rule in the customer's org refused the value",
  FIELD_INTEGRITY_EXCEPTION: 'The field definition or value is not allowed',
  ENTITY_IS_DELETED: 'The record (or a record it points to) is deleted in Salesforce',
  MALFORMED_ID: 'An id is not a valid Salesforce id for this object',
  INVALID_CROSS_REFERENCE_KEY: 'A lookup points at a record that does not exist',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: 'A picklist value is not allowed in this org',
  STRING_TOO_LONG: 'A text value is longer than the field allows',
  NUMBER_OUTSIDE_VALID_RANGE: 'A number is larger than the field allows',
  INSUFFICIENT_ACCESS_OR_READONLY: 'The integration user may not change this record',
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: 'The integration user may not use a linked record',
  NOT_FOUND: 'The record or resource does not exist',
  MALFORMED_QUERY: 'The query is not valid SOQL',
  INVALID_TYPE: 'The object does not exist or is not accessible',
  JSON_PARSER_ERROR: 'A value has the wrong type for its field',
  DUPLICATE_DEVELOPER_NAME: 'A field with this name already exists',
  BULK_JOB_FAILED: 'The Bulk API job failed as a whole',
  CANNOT_EXECUTE_FLOW_TRIGGER: "Automation (a flow or trigger) in the customer's org failed",
};

function reasonFor(errorCode: string, code: SalesforceErrorCode): string {
  const known = reasons[errorCode];
  if (known !== undefined) return known;
  switch (code) {
    case 'auth_expired':
      return 'The Salesforce authorization is no longer valid; reconnect the org';
    case 'rate_limited':
      return 'Salesforce is rate limiting this org';
    case 'retry_later':
      return 'A temporary Salesforce problem; try again later';
    case 'permanent':
      return 'Salesforce refused the request; it needs a change before it can succeed';
  }
}

/** What the caller must do for a Salesforce error code (REST `errorCode` or collection `statusCode`). */
export function codeForSalesforceErrorCode(errorCode: string): SalesforceErrorCode {
  if (authExpiredCodes.has(errorCode)) return 'auth_expired';
  if (rateLimitedCodes.has(errorCode)) return 'rate_limited';
  if (retryLaterCodes.has(errorCode) || networkErrorCodes.has(errorCode)) return 'retry_later';
  const http = /^ERROR_HTTP_(\d{3})$/.exec(errorCode);
  if (http !== null && Number(http[1]) >= 500) return 'retry_later';
  return 'permanent';
}

type ApiErrorBody = {
  errorCode?: unknown;
  statusCode?: unknown;
  message?: unknown;
  fields?: unknown;
};

function toFields(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((f): f is string => typeof f === 'string') : [];
}

// Automation may wrap a lock in another code: "CANNOT_EXECUTE_FLOW_TRIGGER … UNABLE_TO_LOCK_ROW".
function effectiveCode(errorCode: string, message: string): string {
  if (errorCode !== 'UNABLE_TO_LOCK_ROW' && message.includes('UNABLE_TO_LOCK_ROW')) {
    return 'UNABLE_TO_LOCK_ROW';
  }
  return errorCode;
}

function fromBody(body: ApiErrorBody, cause?: unknown): SalesforceError {
  const rawCode =
    typeof body.errorCode === 'string'
      ? body.errorCode
      : typeof body.statusCode === 'string'
        ? body.statusCode
        : 'UNKNOWN_ERROR';
  const message = typeof body.message === 'string' ? body.message : rawCode;
  const errorCode = effectiveCode(rawCode, message);
  return new SalesforceError(codeForSalesforceErrorCode(errorCode), {
    errorCode: rawCode,
    message,
    fields: toFields(body.fields),
    ...(cause === undefined ? {} : { cause }),
  });
}

// Callers must act on the most demanding of several errors: nothing was evaluated if the session
// or the allocation is gone, and a permanent error will not go away by retrying.
const severity: Record<SalesforceErrorCode, number> = {
  auth_expired: 3,
  rate_limited: 2,
  permanent: 1,
  retry_later: 0,
};

function mostDemanding(errors: readonly SalesforceError[]): SalesforceError | undefined {
  let chosen: SalesforceError | undefined;
  for (const error of errors) {
    if (chosen === undefined || severity[error.code] > severity[chosen.code]) chosen = error;
  }
  return chosen;
}

/**
 * The errors of one record in an sObject Collections result (`{ statusCode, message, fields }`),
 * as one SalesforceError: retry_later for locks and rollbacks, permanent for bad data.
 */
export function classifyRecordErrors(errors: readonly unknown[]): SalesforceError {
  const classified = errors
    .filter((e): e is ApiErrorBody => typeof e === 'object' && e !== null)
    .map((e) => fromBody(e));
  const chosen = mostDemanding(classified);
  if (chosen === undefined) {
    return new SalesforceError('retry_later', {
      errorCode: 'UNKNOWN_ERROR',
      message: 'Salesforce reported a failure without saying why',
    });
  }
  const others = classified.filter((e) => e !== chosen);
  if (others.length === 0) return chosen;
  return new SalesforceError(chosen.code, {
    errorCode: chosen.errorCode,
    message: [chosen.message, ...others.map((e) => `${e.errorCode}: ${e.message}`)].join('; '),
    fields: [...new Set(classified.flatMap((e) => e.fields))],
  });
}

function networkCode(error: Error): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && networkErrorCodes.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}

/**
 * Any error thrown while talking to Salesforce (jsforce's HttpApiError, OAuth errors, network
 * failures, Bulk API polling timeouts…) as a SalesforceError typed by what the caller must do.
 */
export function classifySalesforceError(error: unknown): SalesforceError {
  if (error instanceof SalesforceError) return error;
  if (error instanceof SalesforceAuthError) {
    return new SalesforceError(error.code === 'temporary' ? 'retry_later' : 'auth_expired', {
      errorCode: error.code === 'temporary' ? 'NETWORK_ERROR' : error.code,
      message: error.message,
      cause: error,
    });
  }
  if (!(error instanceof Error)) {
    return new SalesforceError('permanent', {
      errorCode: 'UNKNOWN_ERROR',
      message: String(error),
      cause: error,
    });
  }
  const record = error as Error & { errorCode?: unknown; data?: unknown };
  const errorCode = typeof record.errorCode === 'string' ? record.errorCode : error.name;

  if (errorCode === 'MULTIPLE_API_ERRORS' && Array.isArray(record.data)) {
    const chosen = classifyRecordErrors(record.data);
    return new SalesforceError(chosen.code, {
      errorCode: chosen.errorCode,
      message: chosen.message,
      fields: chosen.fields,
      cause: error,
    });
  }
  // jsforce's refresh delegate replaces the refresh failure with a plain Error.
  if (error.message.startsWith('Unable to refresh session')) {
    return new SalesforceError('auth_expired', {
      errorCode: 'REFRESH_FAILED',
      message: error.message,
      cause: error,
    });
  }
  const network = networkCode(error);
  if (network !== undefined || (error.name === 'TypeError' && error.message === 'fetch failed')) {
    return new SalesforceError('retry_later', {
      errorCode: 'NETWORK_ERROR',
      message: `${network ?? 'network error'}: ${error.message}`,
      cause: error,
    });
  }
  if (error.name === 'AbortError' || error.name === 'TimeoutError') {
    return new SalesforceError('retry_later', {
      errorCode: 'TIMEOUT',
      message: error.message,
      cause: error,
    });
  }
  const data = record.data;
  const fields =
    typeof data === 'object' && data !== null ? toFields((data as ApiErrorBody).fields) : [];
  const effective = effectiveCode(errorCode, error.message);
  return new SalesforceError(codeForSalesforceErrorCode(effective), {
    errorCode,
    message: error.message,
    fields,
    cause: error,
  });
}
