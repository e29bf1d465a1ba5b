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
