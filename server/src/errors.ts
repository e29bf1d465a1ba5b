import type { z } from 'zod';

/** Every error code the API can answer with, and its HTTP status (the one map). */
export const errorStatuses = {
  validation_failed: 400,
  invalid_json: 400,
  bad_request: 400,
  unauthorized: 401,
  invalid_signature: 401,
  forbidden: 403,
  not_installed: 403,
  not_found: 404,
  /** A card asked about a CRM record the sync has not brought into Partnerbridge yet. */
  deal_not_synced: 404,
  conflict: 409,
  idempotency_conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  upstream_error: 502,
  unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatuses;
export const errorCodes = Object.keys(errorStatuses) as ErrorCode[];

/** One field-level problem: `path` names the field (`body.partners[0].share`). */
export type ErrorIssue = {
  readonly path: string;
  readonly message: string;
  readonly code?: string;
};

/**
 * An expected failure with a code from `errorStatuses`. Its message is shown to the caller, so it
 * must say what is wrong and never contain secrets; put internals in `cause`.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly issues: readonly ErrorIssue[] | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: readonly ErrorIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues;
  }

  get status(): number {
    return errorStatuses[this.code];
  }
}

export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super('not_found', message);
  }
}

export class ConflictError extends AppError {
  override name = 'ConflictError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('conflict', message, options);
  }
}

export class UnprocessableError extends AppError {
  override name = 'UnprocessableError';
  constructor(message: string, options: { issues?: readonly ErrorIssue[] } = {}) {
    super('unprocessable', message, options);
  }
}

export class UnauthorizedError extends AppError {
  override name = 'UnauthorizedError';
  constructor(message: string, code: 'unauthorized' | 'invalid_signature' = 'unauthorized') {
    super(code, message);
  }
}

export class ForbiddenError extends AppError {
  override name = 'ForbiddenError';
  constructor(message: string, code: 'forbidden' | 'not_installed' = 'forbidden') {
    super(code, message);
  }
}

/** A CRM call failed in a way the caller cannot fix (5xx, network); retry later. */
export class UpstreamError extends AppError {
  override name = 'UpstreamError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('upstream_error', message, options);
  }
}

function formatPath(location: string, path: readonly PropertyKey[]): string {
  let out = location;
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  }
  return out;
}

/** zod issues as API issues whose `path` names the field (`body.share`, `query.limit`). */
export function toIssues(location: string, error: z.ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath(location, issue.path),
    message: issue.message,
    code: issue.code,
  }));
}
