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
  checkpointChannels,
  crmSystems,
  idLinkStatuses,
  syncObjectKinds,
  syncStages,
} from '../vocabulary.ts';
import { installations } from './installations.ts';

const installationId = () =>
  uuid('installation_id')
    .notNull()
    .references(() => installations.id, { onDelete: 'cascade' });

/** Field mappings and conflict policies per installation; each save is a new version. */
export const syncMappings = pgTable(
  'sync_mappings',
  {
    id: id(),
    installationId: installationId(),
    version: integer('version').notNull(),
    document: jsonb('document').$type<unknown>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('sync_mappings_installation_version_key').on(t.installationId, t.version)],
);

/**
 * Identity across systems: which HubSpot record is which Salesforce record is which of ours.
 * Ambiguous matches wait as `pending_review` instead of creating duplicates.
 */
export const idLinks = pgTable(
  'id_links',
  {
    id: id(),
    installationId: installationId(),
    objectKind: text('object_kind', { enum: syncObjectKinds }).notNull(),
    hubspotId: text('hubspot_id'),
    salesforceId: text('salesforce_id'),
    localId: uuid('local_id'),
    status: text('status', { enum: idLinkStatuses }).notNull().default('linked'),
    /** Candidate matches and why, for links awaiting review. */
    review: jsonb('review').$type<unknown>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** Tombstone: the record was deleted on one side; kept so it is not re-created. */
    deletedAt: at('deleted_at'),
    /** hs_lastmodifieddate as last read by the sync: older notifications are already reflected. */
    hubspotModifiedAt: at('hubspot_modified_at'),
    /** SystemModstamp as last read by the sync. */
    salesforceModifiedAt: at('salesforce_modified_at'),
  },
  (t) => [
    uniqueIndex('id_links_hubspot_key').on(t.installationId, t.objectKind, t.hubspotId),
    uniqueIndex('id_links_salesforce_key').on(t.installationId, t.objectKind, t.salesforceId),
    index('id_links_local_idx').on(t.installationId, t.objectKind, t.localId),
    index('id_links_status_idx').on(t.installationId, t.status),
    oneOf('id_links_object_kind_check', t.objectKind, syncObjectKinds),
    oneOf('id_links_status_check', t.status, idLinkStatuses),
  ],
);

/**
 * What we last wrote to a field of a CRM record: an incoming change equal to it is our own echo.
 */
export const writeShadows = pgTable(
  'write_shadows',
  {
    installationId: installationId(),
    system: text('system', { enum: crmSystems }).notNull(),
    objectKind: text('object_kind', { enum: syncObjectKinds }).notNull(),
    recordId: text('record_id').notNull(),
    field: text('field').notNull(),
    valueHash: text('value_hash').notNull(),
    value: jsonb('value').$type<unknown>(),
    writtenAt: at('written_at').notNull(),
  },
  (t) => [
    primaryKey({
      name: 'write_shadows_pkey',
      columns: [t.installationId, t.system, t.objectKind, t.recordId, t.field],
    }),
    oneOf('write_shadows_system_check', t.system, crmSystems),
    oneOf('write_shadows_object_kind_check', t.objectKind, syncObjectKinds),
  ],
);

/**
 * Resume points of incremental reads, saved with the records they cover: poll cursors, and the
 * replay ids of Salesforce change events (saved once the events they cover are queued).
 */
export const syncCheckpoints = pgTable(
  'sync_checkpoints',
  {
    installationId: installationId(),
    system: text('system', { enum: crmSystems }).notNull(),
    objectKind: text('object_kind', { enum: syncObjectKinds }).notNull(),
    channel: text('channel', { enum: checkpointChannels }).notNull().default('poll'),
    cursor: jsonb('cursor').$type<unknown>().notNull(),
    stage: text('stage', { enum: syncStages }).notNull().default('idle'),
    lastError: text('last_error'),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({
      name: 'sync_checkpoints_pkey',
      columns: [t.installationId, t.system, t.objectKind, t.channel],
    }),
    oneOf('sync_checkpoints_system_check', t.system, crmSystems),
    oneOf('sync_checkpoints_channel_check', t.channel, checkpointChannels),
    oneOf('sync_checkpoints_object_kind_check', t.objectKind, syncObjectKinds),
    oneOf('sync_checkpoints_stage_check', t.stage, syncStages),
  ],
);

/**
 * Transactional outbox: a change made in Partnerbridge (a tag from the card, a recomputed
 * commission or tier) that the sync engine must push to the CRMs. Written in the same
 * transaction as the change; the sync engine marks rows processed once both sides have it.
 */
export const localChanges = pgTable(
  'local_changes',
  {
    id: id(),
    installationId: installationId(),
    objectKind: text('object_kind', { enum: syncObjectKinds }).notNull(),
    /** Our id of the deal or partner that changed. */
    localId: uuid('local_id').notNull(),
    reason: text('reason').notNull(),
    createdAt: createdAt(),
    processedAt: at('processed_at'),
  },
  (t) => [
    index('local_changes_pending_idx').on(t.installationId, t.processedAt, t.createdAt),
    oneOf('local_changes_object_kind_check', t.objectKind, syncObjectKinds),
  ],
);
