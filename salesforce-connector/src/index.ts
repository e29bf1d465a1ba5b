// The public surface of @partnerbridge/salesforce-connector, name by name. A tour for the sync
// engine is in docs/salesforce-connector.md.

export {
  type ApiCallCounter,
  type ApiCallMeter,
  type ApiOperation,
  type ApiUsage,
  apiOperations,
  apiUsageOf,
  createApiCallCounter,
  type SalesforceContext,
} from './api/api-calls.ts';
export { isIdOf, sameId, toId18 } from './api/ids.ts';
export { fetchLimits, type OrgLimit, type OrgLimits } from './api/limits.ts';
export {
  CALL_OPTIONS_CLIENT,
  type SalesforceAppConfig,
  salesforceAppConfigSchema,
} from './auth/app-config.ts';
export {
  SalesforceAuthError,
  type SalesforceAuthErrorCode,
  salesforceAuthErrorCodes,
} from './auth/errors.ts';
export { JWT_BEARER_GRANT, requestJwtBearerToken, signJwtAssertion } from './auth/jwt-bearer.ts';
export { parseIdentityUrl, type SalesforceTokens } from './auth/token-response.ts';
export {
  exchangeSalesforceCode,
  refreshSalesforceToken,
  revokeSalesforceToken,
  salesforceAuthorizationUrl,
} from './auth/web-server-flow.ts';
export {
  createSalesforceConnection,
  type SalesforceConnectionOptions,
  type SalesforceCredentials,
} from './client-factory.ts';
export {
  classifyRecordErrors,
  classifySalesforceError,
  codeForSalesforceErrorCode,
  SalesforceError,
  type SalesforceErrorCode,
  salesforceErrorCodes,
} from './errors.ts';
export {
  type ChangeType,
  changeOriginClient,
  changeTypes,
  type EventHandling,
  normalizeChangeEvent,
  type SalesforceChangeEvent,
} from './events/change-event.ts';
export {
  type ChangeEventSubscription,
  type ReplayPosition,
  type ReplayReset,
  type SubscribeChangeEventsOptions,
  type SubscribeResult,
  subscribeChangeEvents,
} from './events/subscribe-change-events.ts';
export {
  type AccountChanges,
  type AccountPartnerProfile,
  type AccountRecord,
  type AccountSnapshot,
  accountObject,
  accountRecordSchema,
  type PartnerTier,
  type PartnerType,
  type TrainingLevel,
} from './objects/account.ts';
export {
  type BaseRecord,
  narrowToOrg,
  type SalesforceObject,
  type SyncedObjectName,
  syncedObjectNames,
  type ToDomainOptions,
} from './objects/declaration.ts';
export {
  type FieldKind,
  type FieldSpec,
  type FieldValue,
  type FieldValues,
  fieldKinds,
  type WritableFields,
} from './objects/fields.ts';
export {
  type OpportunityChanges,
  type OpportunityPartner,
  type OpportunityRecord,
  type OpportunitySnapshot,
  opportunityObject,
  opportunityRecordSchema,
  stageCategory,
} from './objects/opportunity.ts';
export {
  opportunityFieldsFromPartnerTag,
  type PartnerFieldsIssue,
  type PartnerTagContext,
  type PartnerTagIssue,
  partnerTagFromOpportunity,
  primaryPartnerTag,
  type SalesforcePartnerTag,
} from './objects/partner-tag.ts';
export {
  canonicalDecimal,
  decimalToMinorUnits,
  minorUnitsToDecimal,
  normalizeDate,
  normalizeDomain,
  normalizeInstant,
  parseMoney,
} from './objects/values.ts';
export { PERMISSION_SET_NAME, renderForceApp, SOURCE_API_VERSION } from './provision/force-app.ts';
export {
  type ProvisionReport,
  provisionPartnerbridgeFields,
} from './provision/provision-fields.ts';
export {
  type DeletedWindow,
  findByExternalIds,
  findCandidates,
  findDeletedByIds,
  type IdentityCandidate,
  RETRIEVE_CHUNK_SIZE,
  readDeleted,
  retrieveByIds,
} from './read/lookups.ts';
export {
  type ChangePage,
  DEFAULT_OVERLAP_MS,
  incrementalQuery,
  initialReadCheckpoint,
  type ReadChangesOptions,
  type ReadChangesResult,
  type ReadCheckpoint,
  readChanges,
  readCheckpointSchema,
} from './read/read-changes.ts';
export { type ReadRecord, type RejectedRecord, recordHash } from './read/records.ts';
export { type BulkOptions, bulkUpsert } from './write/bulk-upsert.ts';
export { COLLECTION_LIMIT, packChunks, type RetryPolicy } from './write/chunking.ts';
export {
  deleteByIds,
  type UpdateRecord,
  type UpsertRecord,
  updateByIds,
  type WriteResult,
} from './write/collections.ts';
export {
  DEFAULT_BULK_THRESHOLD,
  summarizeWriteResults,
  type UpsertOptions,
  upsertByExternalId,
} from './write/upsert.ts';
