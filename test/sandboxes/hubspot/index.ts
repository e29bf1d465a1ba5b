// The HubSpot sandbox: a local emulator of the HubSpot APIs Partnerbridge uses, driven by the real
// @hubspot/api-client. See docs/sandboxes-hubspot.md.

export {
  COMPANY_TO_DEAL,
  COMPANY_TO_DEAL_PRIMARY,
  DEAL_TO_COMPANY,
  DEAL_TO_COMPANY_PRIMARY,
} from './association-store.ts';
export { defaultScopes, knownScopes } from './auth.ts';
export type {
  AssociationInput,
  AssociationView,
  DemoOptions,
  HubspotSandboxControl,
  IssuedTokenInfo,
  ObjectTypeInput,
  RequestStats,
  UserActionOptions,
} from './control.ts';
export type { ChangeSourceName, PortalLimits } from './crm-store.ts';
export type { DemoSeedResult } from './demo-seed.ts';
export { HubspotError } from './errors.ts';
export type { PublicObject } from './object-views.ts';
export type { RateLimitPolicy } from './rate-limit.ts';
export {
  defaultTestApp,
  type HubspotExchange,
  type HubspotSandbox,
  type HubspotSandboxOptions,
  startHubspotSandbox,
} from './server.ts';
export { signV1, signV3 } from './webhook-signature.ts';
export type {
  DeliveryRecord,
  WebhookEvent,
  WebhookFaultsInput,
  WebhookRetryOptions,
  WebhookStats,
  WebhookSubscriptionInput,
  WebhookTargetInput,
} from './webhooks.ts';
