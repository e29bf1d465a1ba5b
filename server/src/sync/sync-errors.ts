import { SalesforceError } from '@partnerbridge/salesforce-connector';
import type { CrmSystem } from '../db/vocabulary.ts';

// What a failed CRM call means for the sync engine, whichever CRM it came from:
// - rate_limited: pause this installation's calls to that system (`retryAfterMs`), retry later;
// - retry_later: transient (5xx, network, lock): retry with jittered backoff;
// - auth: the authorization is gone: retrying will not help until the admin reconnects;
// - permanent: the data or the request is wrong for this record: dead-letter it.

export const syncErrorKinds = ['rate_limited', 'retry_later', 'auth', 'permanent'] as const;
export type SyncErrorKind = (typeof syncErrorKinds)[number];

/**
 * Dead-letter groups an admin can act on (HubSpot's Sync Health families, plus ours): what is
 * wrong, not which code a CRM used.
 */
export const deadLetterGroups = [
  'validation',
  'picklist',
  'permissions',
  'deleted_entity',
  'duplicate',
  'mapping',
  'authorization',
  'identity',
  'transient_exhausted',
  'unknown',
] as const;
export type DeadLetterGroup = (typeof deadLetterGroups)[number];

export class SyncCallError extends Error {
  override name = 'SyncCallError';
  readonly system: CrmSystem;
  readonly kind: SyncErrorKind;
  /** The provider's own code (VALIDATION_ERROR, FIELD_CUSTOM_VALIDATION_EXCEPTION, HTTP_503…). */
  readonly errorCode: string;
  readonly retryAfterMs: number | undefined;
  readonly group: DeadLetterGroup;

  constructor(
    system: CrmSystem,
    kind: SyncErrorKind,
    details: { errorCode: string; message: string; retryAfterMs?: number; cause?: unknown },
  ) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.system = system;
    this.kind = kind;
    this.errorCode = details.errorCode;
    this.retryAfterMs = details.retryAfterMs;
    this.group = groupOf(kind, details.errorCode, details.message);
  }
}

function groupOf(kind: SyncErrorKind, code: string, message: string): DeadLetterGroup {
  if (kind === 'auth') return 'authorization';
  if (kind === 'rate_limited' || kind === 'retry_later') return 'transient_exhausted';
  const text = `${code} ${message}`.toUpperCase();
  if (/PICKLIST|INVALID_OPTION/.test(text)) return 'picklist';
  if (/INSUFFICIENT_ACCESS|MISSING_SCOPES|FORBIDDEN|PERMISSION/.test(text)) return 'permissions';
  if (/ENTITY_IS_DELETED|OBJECT_NOT_FOUND|NOT_FOUND|INVALID_CROSS_REFERENCE/.test(text)) {
    return 'deleted_entity';
  }
  if (/DUPLICATE|CONFLICT/.test(text)) return 'duplicate';
  if (/PROPERTY_DOESNT_EXIST|INVALID_FIELD|NO SUCH COLUMN/.test(text)) return 'mapping';
  if (/VALIDATION|REQUIRED_FIELD|STRING_TOO_LONG|INVALID|RANGE|JSON_PARSER/.test(text)) {
    return 'validation';
  }
  return 'unknown';
}

/** A connector error in the engine's terms. */
/** `rateLimitedRetryMs`: when a rate-limited call is tried again (the org's pause). */
export function fromSalesforceError(error: unknown, rateLimitedRetryMs = 60_000): SyncCallError {
  if (error instanceof SyncCallError) return error;
  if (error instanceof SalesforceError) {
    const kind: SyncErrorKind =
      error.code === 'auth_expired'
        ? 'auth'
        : error.code === 'rate_limited'
          ? 'rate_limited'
          : error.code === 'retry_later'
            ? 'retry_later'
            : 'permanent';
    return new SyncCallError('salesforce', kind, {
      errorCode: error.errorCode,
      message: error.message,
      // Salesforce tells no retry time: its daily allocation frees as calls age out.
      ...(kind === 'rate_limited' ? { retryAfterMs: rateLimitedRetryMs } : {}),
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SyncCallError('salesforce', 'retry_later', {
    errorCode: 'UNKNOWN',
    message,
    cause: error,
  });
}
