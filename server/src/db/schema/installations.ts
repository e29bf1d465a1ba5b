import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { at, createdAt, id, oneOf, updatedAt } from '../columns.ts';
import {
  accessRoles,
  crmSystems,
  installationStatuses,
  oauthStatePurposes,
  salesforceAuthKinds,
} from '../vocabulary.ts';

/**
 * One tenant: a HubSpot portal, a Salesforce org, or both linked together. Every other table
 * hangs off `installations.id`; a portal or an org belongs to at most one installation.
 */
export const installations = pgTable(
  'installations',
  {
    id: id(),
    status: text('status', { enum: installationStatuses }).notNull().default('active'),
    hubspotPortalId: text('hubspot_portal_id'),
    hubspotAppId: text('hubspot_app_id'),
    hubspotHubDomain: text('hubspot_hub_domain'),
    hubspotScopes: jsonb('hubspot_scopes').$type<string[]>(),
    hubspotInstalledBy: text('hubspot_installed_by'),
    /** HubSpot user id of the installer (from the token info): always a Partnerbridge admin. */
    hubspotInstallerUserId: text('hubspot_installer_user_id'),
    salesforceOrgId: text('salesforce_org_id'),
    salesforceInstanceUrl: text('salesforce_instance_url'),
    salesforceLoginUrl: text('salesforce_login_url'),
    salesforceAuthKind: text('salesforce_auth_kind', { enum: salesforceAuthKinds }),
    salesforceUsername: text('salesforce_username'),
    salesforceUserId: text('salesforce_user_id'),
    salesforceLinkedAt: at('salesforce_linked_at'),
    installedAt: createdAt(),
    updatedAt: updatedAt(),
    uninstalledAt: at('uninstalled_at'),
  },
  (t) => [
    uniqueIndex('installations_hubspot_portal_id_key').on(t.hubspotPortalId),
    uniqueIndex('installations_salesforce_org_id_key').on(t.salesforceOrgId),
    oneOf('installations_status_check', t.status, installationStatuses),
    oneOf('installations_salesforce_auth_kind_check', t.salesforceAuthKind, salesforceAuthKinds),
  ],
);

/** OAuth tokens per installation and provider; token values are AES-256-GCM envelopes. */
export const oauthTokens = pgTable(
  'oauth_tokens',
  {
    id: id(),
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: crmSystems }).notNull(),
    accessTokenEnc: text('access_token_enc').notNull(),
    refreshTokenEnc: text('refresh_token_enc'),
    tokenType: text('token_type').notNull().default('bearer'),
    scopes: jsonb('scopes').$type<string[]>(),
    /** Null when the provider does not say (Salesforce): refresh on 401 then. */
    expiresAt: at('expires_at'),
    issuedAt: at('issued_at').notNull(),
    /** Bumped on every write; lets concurrent refreshers detect that someone else won. */
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('oauth_tokens_installation_provider_key').on(t.installationId, t.provider),
    oneOf('oauth_tokens_provider_check', t.provider, crmSystems),
  ],
);

/**
 * Single-use OAuth `state` values (stored hashed). `browserBindingHash` ties the state to the
 * browser that started the flow (cookie), which is what makes the callback CSRF-safe.
 */
export const oauthStates = pgTable(
  'oauth_states',
  {
    stateHash: text('state_hash').primaryKey(),
    purpose: text('purpose', { enum: oauthStatePurposes }).notNull(),
    installationId: uuid('installation_id').references(() => installations.id, {
      onDelete: 'cascade',
    }),
    browserBindingHash: text('browser_binding_hash').notNull(),
    data: jsonb('data').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [
    index('oauth_states_expires_at_idx').on(t.expiresAt),
    oneOf('oauth_states_purpose_check', t.purpose, oauthStatePurposes),
  ],
);

/** HubSpot users an admin gave a Partnerbridge role (admins: settings; partner managers: registrations). */
export const installationUsers = pgTable(
  'installation_users',
  {
    installationId: uuid('installation_id')
      .notNull()
      .references(() => installations.id, { onDelete: 'cascade' }),
    hubspotUserId: text('hubspot_user_id').notNull(),
    role: text('role', { enum: accessRoles }).notNull(),
    addedBy: text('added_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ name: 'installation_users_pkey', columns: [t.installationId, t.hubspotUserId] }),
    oneOf('installation_users_role_check', t.role, accessRoles),
  ],
);
