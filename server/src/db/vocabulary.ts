// Closed sets stored in text columns (guarded by CHECK constraints in the schema).
export const crmSystems = ['hubspot', 'salesforce'] as const;
export type CrmSystem = (typeof crmSystems)[number];

export const installationStatuses = ['active', 'uninstalled'] as const;
export type InstallationStatus = (typeof installationStatuses)[number];

export const salesforceAuthKinds = ['web_server', 'jwt_bearer'] as const;
export type SalesforceAuthKind = (typeof salesforceAuthKinds)[number];

export const oauthStatePurposes = [
  'hubspot_install',
  'salesforce_link_ticket',
  'salesforce_link',
] as const;
export type OauthStatePurpose = (typeof oauthStatePurposes)[number];

export const partnerStatuses = ['active', 'inactive'] as const;
export const stageCategories = ['open', 'won', 'lost'] as const;
export type StageCategory = (typeof stageCategories)[number];

export const tagSources = ['hubspot_card', 'salesforce', 'import'] as const;
export type TagSource = (typeof tagSources)[number];

export const registrationStatuses = ['pending', 'approved', 'rejected'] as const;
export type RegistrationStatus = (typeof registrationStatuses)[number];

export const syncObjectKinds = ['deal', 'partner', 'customer', 'partner_tag'] as const;
export type SyncObjectKind = (typeof syncObjectKinds)[number];

export const idLinkStatuses = ['linked', 'pending_review', 'kept_apart'] as const;
export type IdLinkStatus = (typeof idLinkStatuses)[number];

export const syncStages = ['idle', 'running', 'failed'] as const;
export type SyncStage = (typeof syncStages)[number];

/** How a checkpoint reads a CRM: incremental polls, or Salesforce change events (replay ids). */
export const checkpointChannels = ['poll', 'change_events'] as const;
export type CheckpointChannel = (typeof checkpointChannels)[number];

export const auditOrigins = ['hubspot', 'salesforce', 'partnerbridge', 'api', 'admin'] as const;
export type AuditOrigin = (typeof auditOrigins)[number];

/** Roles a portal's users can be given in Partnerbridge (the installer is always an admin). */
export const accessRoles = ['admin', 'partner_manager'] as const;
export type AccessRole = (typeof accessRoles)[number];

export const deadLetterStatuses = ['open', 'replayed', 'discarded'] as const;
export type DeadLetterStatus = (typeof deadLetterStatuses)[number];
