import { hubspotDefaultPipeline } from '@partnerbridge/shared/crm-fields';
import {
  AssociationStore,
  COMPANY_TO_DEAL_PRIMARY,
  DEAL_TO_COMPANY,
  DEAL_TO_COMPANY_PRIMARY,
} from './association-store.ts';
import { conflictError } from './errors.ts';
import { type ObjectTypeName, objectTypes } from './object-types.ts';
import {
  type PropertyDefinition,
  type PropertyGroupDefinition,
  standardGroups,
  standardProperties,
} from './property-catalog.ts';
import {
  normalizePropertyValue,
  type PropertyValueError,
  propertyDoesNotExist,
} from './property-values.ts';

// The CRM data of every portal: property definitions, records with property history, and
// associations. Every write names its source (our app, a user in the CRM UI, an import) and is
// reported to `onChange`, which feeds the webhooks.

/** HubSpot's change sources as the sandbox uses them (see docs/sandboxes-hubspot.md). */
export type ChangeSourceName = 'INTEGRATION' | 'CRM_UI' | 'IMPORT' | 'API';

export type WriteSource = {
  changeSource: ChangeSourceName;
  sourceId: string | undefined;
  userId: number | undefined;
};

export type WriteOptions = {
  source: WriteSource;
  /** Seeding: no webhooks. */
  silent?: boolean;
};

export type HistoryEntry = {
  value: string;
  timestamp: number;
  sourceType: ChangeSourceName;
  sourceId: string | undefined;
  updatedByUserId: number | undefined;
};

export type StoredRecord = {
  id: string;
  type: ObjectTypeName;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt: number | undefined;
  values: Map<string, string>;
  /** Oldest first. */
  history: Map<string, HistoryEntry[]>;
  /** What search sees when indexing lags: versions oldest first (null = not searchable). */
  searchVersions: { visibleFrom: number; values: ReadonlyMap<string, string> | null }[];
};

export type PortalLimits = {
  tenSecondly: number;
  daily: number | null;
  searchPerSecond: number;
};

export type Portal = {
  id: number;
  name: string;
  domain: string;
  /** The user whose edits `userEdit` and friends make unless told otherwise. */
  defaultUserId: number;
  userEmail: string;
  createdAt: number;
  limits: PortalLimits;
  properties: Record<ObjectTypeName, Map<string, PropertyDefinition>>;
  groups: Record<ObjectTypeName, Map<string, PropertyGroupDefinition>>;
  records: Record<ObjectTypeName, Map<string, StoredRecord>>;
  uniqueIndex: Record<ObjectTypeName, Map<string, Map<string, string>>>;
  nextSequence: Record<ObjectTypeName, number>;
  associations: AssociationStore;
};

type ChangeBase = {
  portalId: number;
  objectType: ObjectTypeName;
  objectId: string;
  occurredAt: number;
  source: WriteSource;
};

export type CrmChange =
  | (ChangeBase & { kind: 'creation' })
  | (ChangeBase & { kind: 'deletion' })
  | (ChangeBase & { kind: 'propertyChange'; propertyName: string; propertyValue: string })
  | (ChangeBase & {
      kind: 'merge';
      primaryObjectId: string;
      mergedObjectIds: string[];
      newObjectId: string;
      numberOfPropertiesMoved: number;
    })
  | (ChangeBase & {
      kind: 'associationChange';
      toObjectType: ObjectTypeName;
      toObjectId: string;
      associationTypeId: number;
      removed: boolean;
      isPrimary: boolean;
    });

export type ValidationResult = {
  values: Map<string, string>;
  errors: PropertyValueError[];
};

const stageById = new Map<string, (typeof hubspotDefaultPipeline.stages)[number]>(
  hubspotDefaultPipeline.stages.map((stage) => [stage.id, stage]),
);

export class CrmStore {
  private readonly portals = new Map<number, Portal>();
  private nextPortalId = 62_000_001;
  private readonly clock: () => number;
  private readonly searchIndexDelayMs: number;
  private readonly onChange: (change: CrmChange) => void;
  private readonly defaultLimits: PortalLimits;

  constructor(options: {
    clock: () => number;
    searchIndexDelayMs: number;
    defaultLimits: PortalLimits;
    onChange: (change: CrmChange) => void;
  }) {
    this.clock = options.clock;
    this.searchIndexDelayMs = options.searchIndexDelayMs;
    this.onChange = options.onChange;
    this.defaultLimits = options.defaultLimits;
  }

  now(): number {
    return this.clock();
  }

  createPortal(input: { portalId?: number | undefined; name?: string | undefined }): Portal {
    const id = input.portalId ?? this.nextFreePortalId();
    if (this.portals.has(id)) throw conflictError(`Portal ${id} already exists`);
    const at = this.clock();
    const name = input.name ?? `Sandbox portal ${id}`;
    const portal: Portal = {
      id,
      name,
      domain: `portal-${id}.sandbox.hubspot.test`,
      defaultUserId: 7_000_000 + (id % 1_000_000),
      userEmail: `admin@portal-${id}.example`,
      createdAt: at,
      limits: { ...this.defaultLimits },
      properties: {
        deal: new Map(standardProperties('deal', at).map((p) => [p.name, p])),
        company: new Map(standardProperties('company', at).map((p) => [p.name, p])),
      },
      groups: {
        deal: new Map(standardGroups.deal.map((g) => [g.name, { ...g }])),
        company: new Map(standardGroups.company.map((g) => [g.name, { ...g }])),
      },
      records: { deal: new Map(), company: new Map() },
      uniqueIndex: { deal: new Map(), company: new Map() },
      nextSequence: { deal: 1, company: 1 },
      associations: new AssociationStore(),
    };
    this.portals.set(id, portal);
    return portal;
  }

  private nextFreePortalId(): number {
    while (this.portals.has(this.nextPortalId)) this.nextPortalId += 1;
    const id = this.nextPortalId;
    this.nextPortalId += 1;
    return id;
  }

  portal(id: number): Portal | undefined {
    return this.portals.get(id);
  }

  listPortals(): Portal[] {
    return [...this.portals.values()];
  }

  // ── properties ──────────────────────────────────────────────────────────────────────────────

  property(portal: Portal, type: ObjectTypeName, name: string): PropertyDefinition | undefined {
    const definition = portal.properties[type].get(name);
    return definition === undefined || definition.archived ? undefined : definition;
  }

  addProperty(portal: Portal, type: ObjectTypeName, definition: PropertyDefinition): void {
    portal.properties[type].set(definition.name, definition);
    if (definition.hasUniqueValue) portal.uniqueIndex[type].set(definition.name, new Map());
  }

  addGroup(portal: Portal, type: ObjectTypeName, group: PropertyGroupDefinition): void {
    portal.groups[type].set(group.name, group);
  }

  /** Validates property inputs the way HubSpot does: unknown names and bad values are errors. */
  validate(
    portal: Portal,
    type: ObjectTypeName,
    input: Readonly<Record<string, string | null>>,
  ): ValidationResult {
    const values = new Map<string, string>();
    const errors: PropertyValueError[] = [];
    for (const [name, raw] of Object.entries(input)) {
      const definition = this.property(portal, type, name);
      if (definition === undefined) {
        errors.push(propertyDoesNotExist(name));
        continue;
      }
      const normalized = normalizePropertyValue(definition, raw ?? '');
      if (normalized.ok) values.set(name, normalized.value);
      else errors.push(normalized.error);
    }
    return { values, errors };
  }

  /** A record that already holds one of `values`' unique-property values, other than `exceptId`. */
  uniqueConflict(
    portal: Portal,
    type: ObjectTypeName,
    values: ReadonlyMap<string, string>,
    exceptId?: string,
  ): { property: string; value: string; existingId: string } | undefined {
    for (const [name, index] of portal.uniqueIndex[type]) {
      const value = values.get(name);
      if (value === undefined || value === '') continue;
      const existingId = index.get(value);
      if (existingId !== undefined && existingId !== exceptId) {
        return { property: name, value, existingId };
      }
    }
    return undefined;
  }

  assertNoUniqueConflict(
    portal: Portal,
    type: ObjectTypeName,
    values: ReadonlyMap<string, string>,
    exceptId?: string,
  ): void {
    const conflict = this.uniqueConflict(portal, type, values, exceptId);
    if (conflict !== undefined) {
      throw conflictError(
        `A ${type} with the unique value "${conflict.value}" for property "${conflict.property}" already exists. Existing ID: ${conflict.existingId}`,
        { [conflict.property]: [conflict.value], existingId: [conflict.existingId] },
      );
    }
  }

  // ── records ─────────────────────────────────────────────────────────────────────────────────

  private nextId(portal: Portal, type: ObjectTypeName): string {
    const sequence = portal.nextSequence[type];
    portal.nextSequence[type] = sequence + 1;
    const portalPart = String(portal.id % 1_000_000).padStart(6, '0');
    return `${objectTypes[type].idDigit}${portalPart}${String(sequence).padStart(7, '0')}`;
  }

  record(
    portal: Portal,
    type: ObjectTypeName,
    id: string,
    options: { archived?: boolean } = {},
  ): StoredRecord | undefined {
    const record = portal.records[type].get(id);
    if (record === undefined) return undefined;
    return record.archived === (options.archived ?? false) ? record : undefined;
  }

  /** Finds a live record by a property value (the index for unique properties, else a scan). */
  findByProperty(
    portal: Portal,
    type: ObjectTypeName,
    name: string,
    value: string,
  ): StoredRecord | undefined {
    const index = portal.uniqueIndex[type].get(name);
    if (index !== undefined) {
      const id = index.get(value);
      return id === undefined ? undefined : this.record(portal, type, id);
    }
    if (name === 'hs_object_id') return this.record(portal, type, value);
    for (const record of portal.records[type].values()) {
      if (!record.archived && record.values.get(name) === value) return record;
    }
    return undefined;
  }

  liveRecords(portal: Portal, type: ObjectTypeName, archived = false): StoredRecord[] {
    return [...portal.records[type].values()].filter((record) => record.archived === archived);
  }

  /** Creates a record from validated values. `createdAt` lets seeding place records in the past. */
  create(
    portal: Portal,
    type: ObjectTypeName,
    values: ReadonlyMap<string, string>,
    write: WriteOptions,
    createdAt?: number,
  ): StoredRecord {
    const at = this.clock();
    const id = this.nextId(portal, type);
    const created = createdAt ?? at;
    const record: StoredRecord = {
      id,
      type,
      createdAt: created,
      updatedAt: Math.max(created, at),
      archived: false,
      archivedAt: undefined,
      values: new Map(),
      history: new Map(),
      searchVersions: [],
    };
    portal.records[type].set(id, record);
    const system: WriteSource = {
      changeSource: write.source.changeSource,
      sourceId: undefined,
      userId: undefined,
    };
    this.setValue(portal, record, 'hs_object_id', id, created, system);
    const createdate = values.get('createdate');
    this.setValue(
      portal,
      record,
      'createdate',
      createdate === undefined || createdate === '' ? new Date(created).toISOString() : createdate,
      created,
      write.source,
    );
    if (type === 'deal' && (values.get('pipeline') ?? '') === '') {
      this.setValue(portal, record, 'pipeline', hubspotDefaultPipeline.id, created, write.source);
    }
    const changed: [string, string][] = [];
    for (const [name, value] of values) {
      if (name === 'createdate' || value === '') continue;
      this.setValue(portal, record, name, value, created, write.source);
      changed.push([name, value]);
    }
    this.touch(portal, record, record.updatedAt);
    this.emit(write, { kind: 'creation', ...this.base(portal, record, write, at) });
    for (const [name, value] of changed) {
      this.emit(write, {
        kind: 'propertyChange',
        ...this.base(portal, record, write, at),
        propertyName: name,
        propertyValue: value,
      });
    }
    return record;
  }

  /** Applies validated values; returns the names whose value changed. */
  update(
    portal: Portal,
    record: StoredRecord,
    values: ReadonlyMap<string, string>,
    write: WriteOptions,
  ): string[] {
    const at = this.clock();
    const changed: string[] = [];
    for (const [name, value] of values) {
      if ((record.values.get(name) ?? '') === value) continue;
      this.setValue(portal, record, name, value, at, write.source);
      changed.push(name);
    }
    if (changed.length > 0) {
      this.touch(portal, record, at);
      for (const name of changed) {
        this.emit(write, {
          kind: 'propertyChange',
          ...this.base(portal, record, write, at),
          propertyName: name,
          propertyValue: record.values.get(name) ?? '',
        });
      }
    }
    return changed;
  }

  archive(portal: Portal, record: StoredRecord, write: WriteOptions): void {
    if (record.archived) return;
    const at = this.clock();
    record.archived = true;
    record.archivedAt = at;
    record.updatedAt = at;
    this.releaseUniqueValues(portal, record);
    this.removeAllAssociations(portal, record);
    this.recordSearchVersion(record, at);
    this.emit(write, { kind: 'deletion', ...this.base(portal, record, write, at) });
  }

  /**
   * Merges `secondary` into `primary`: the primary keeps its id, empty properties are filled from
   * the secondary, associations move over, the secondary is archived.
   */
  merge(
    portal: Portal,
    primary: StoredRecord,
    secondary: StoredRecord,
    write: WriteOptions,
  ): StoredRecord {
    const at = this.clock();
    const moved = new Map<string, string>();
    for (const [name, value] of secondary.values) {
      const definition = portal.properties[primary.type].get(name);
      if (definition === undefined || definition.readOnlyValue || definition.hasUniqueValue)
        continue;
      if (name === 'createdate' || value === '') continue;
      if ((primary.values.get(name) ?? '') === '') moved.set(name, value);
    }
    const mergedIds = [
      ...(primary.values.get('hs_merged_object_ids')?.split(';') ?? []),
      secondary.id,
      ...(secondary.values.get('hs_merged_object_ids')?.split(';') ?? []),
    ].filter((id) => id !== '');
    for (const [name, value] of moved)
      this.setValue(portal, primary, name, value, at, write.source);
    this.setValue(portal, primary, 'hs_merged_object_ids', mergedIds.join(';'), at, write.source);
    const secondaryAssociations = portal.associations.associatedWith(secondary.type, secondary.id);
    // A deal keeps its own primary company; the merged deal's primary joins as unlabeled.
    const keepsPrimary =
      primary.type === 'deal' &&
      portal.associations
        .associatedWith('deal', primary.id)
        .some(({ typeIds }) => typeIds.includes(DEAL_TO_COMPANY_PRIMARY));
    this.removeAllAssociations(portal, secondary);
    for (const { otherId, typeIds } of secondaryAssociations) {
      const moving = keepsPrimary
        ? typeIds.filter((typeId) => typeId !== DEAL_TO_COMPANY_PRIMARY)
        : typeIds;
      this.associate(portal, primary.type, primary.id, otherId, moving, { ...write, silent: true });
    }
    secondary.archived = true;
    secondary.archivedAt = at;
    secondary.updatedAt = at;
    this.releaseUniqueValues(portal, secondary);
    this.recordSearchVersion(secondary, at);
    this.touch(portal, primary, at);
    this.emit(write, {
      kind: 'merge',
      ...this.base(portal, primary, write, at),
      primaryObjectId: primary.id,
      mergedObjectIds: [secondary.id],
      newObjectId: primary.id,
      numberOfPropertiesMoved: moved.size,
    });
    for (const [name, value] of moved) {
      this.emit(write, {
        kind: 'propertyChange',
        ...this.base(portal, primary, write, at),
        propertyName: name,
        propertyValue: value,
      });
    }
    return primary;
  }

  /** An archived record no longer holds its unique values. */
  private releaseUniqueValues(portal: Portal, record: StoredRecord): void {
    for (const [name, index] of portal.uniqueIndex[record.type]) {
      const value = record.values.get(name);
      if (value !== undefined && index.get(value) === record.id) index.delete(value);
    }
  }

  private setValue(
    portal: Portal,
    record: StoredRecord,
    name: string,
    value: string,
    at: number,
    source: WriteSource,
  ): void {
    const index = portal.uniqueIndex[record.type].get(name);
    const previous = record.values.get(name);
    if (index !== undefined) {
      if (previous !== undefined && index.get(previous) === record.id) index.delete(previous);
      if (value !== '') index.set(value, record.id);
    }
    if (value === '') record.values.delete(name);
    else record.values.set(name, value);
    let history = record.history.get(name);
    if (history === undefined) {
      history = [];
      record.history.set(name, history);
    }
    history.push({
      value,
      timestamp: at,
      sourceType: source.changeSource,
      sourceId: source.sourceId,
      updatedByUserId: source.userId,
    });
    if (record.type === 'deal' && name === 'dealstage')
      this.deriveStageProperties(portal, record, value, at);
  }

  private deriveStageProperties(
    portal: Portal,
    record: StoredRecord,
    stageId: string,
    at: number,
  ): void {
    const stage = stageById.get(stageId);
    const derived: [string, string][] =
      stage === undefined
        ? [
            ['hs_is_closed', ''],
            ['hs_is_closed_won', ''],
            ['hs_deal_stage_probability', ''],
          ]
        : [
            ['hs_is_closed', String(stage.category !== 'open')],
            ['hs_is_closed_won', String(stage.category === 'won')],
            ['hs_deal_stage_probability', stage.probability],
          ];
    const calculation: WriteSource = {
      changeSource: 'API',
      sourceId: 'CALCULATED',
      userId: undefined,
    };
    for (const [name, value] of derived) {
      if ((record.values.get(name) ?? '') !== value) {
        this.setValue(portal, record, name, value, at, calculation);
      }
    }
  }

  private touch(portal: Portal, record: StoredRecord, at: number): void {
    record.updatedAt = at;
    const system: WriteSource = { changeSource: 'API', sourceId: undefined, userId: undefined };
    this.setValue(portal, record, 'hs_lastmodifieddate', new Date(at).toISOString(), at, system);
    this.recordSearchVersion(record, at);
  }

  private recordSearchVersion(record: StoredRecord, at: number): void {
    if (this.searchIndexDelayMs <= 0) return;
    const now = this.clock();
    // Keep the newest version already visible plus everything still pending.
    const visible = record.searchVersions.filter((version) => version.visibleFrom <= now);
    const pending = record.searchVersions.filter((version) => version.visibleFrom > now);
    const latestVisible = visible[visible.length - 1];
    record.searchVersions = [
      ...(latestVisible === undefined ? [] : [latestVisible]),
      ...pending,
      {
        visibleFrom: at + this.searchIndexDelayMs,
        values: record.archived ? null : new Map(record.values),
      },
    ];
  }

  /** The values search sees for a record now, or undefined when it is not (yet) searchable. */
  searchView(record: StoredRecord): ReadonlyMap<string, string> | undefined {
    if (this.searchIndexDelayMs <= 0) return record.archived ? undefined : record.values;
    const now = this.clock();
    let view: ReadonlyMap<string, string> | null | undefined;
    for (const version of record.searchVersions) {
      if (version.visibleFrom <= now) view = version.values;
    }
    return view ?? undefined;
  }

  // ── associations ────────────────────────────────────────────────────────────────────────────

  /**
   * Adds association types from `fromType`'s side (type ids as seen from that side). Any
   * association implies the unlabeled type; a primary replaces the deal's previous primary.
   */
  associate(
    portal: Portal,
    fromType: ObjectTypeName,
    fromId: string,
    toId: string,
    typeIds: readonly number[],
    write: WriteOptions,
  ): void {
    const store = portal.associations;
    const dealToCompany = typeIds.map((typeId) => {
      const definition = store.definitionFor(fromType, typeId);
      if (definition === undefined) throw new Error(`unknown association type ${typeId}`);
      return definition.dealToCompany;
    });
    const [dealId, companyId] = fromType === 'deal' ? [fromId, toId] : [toId, fromId];
    if (dealToCompany.includes(DEAL_TO_COMPANY_PRIMARY)) {
      for (const { otherId, typeIds: existing } of store.associatedWith('deal', dealId)) {
        if (otherId !== companyId && existing.includes(DEAL_TO_COMPANY_PRIMARY)) {
          this.removeTypes(portal, dealId, otherId, [DEAL_TO_COMPANY_PRIMARY], write);
        }
      }
    }
    const added = store.add(dealId, companyId, [DEAL_TO_COMPANY, ...dealToCompany]);
    this.emitAssociationChanges(portal, dealId, companyId, added, false, write);
  }

  /** Removes association types from `fromType`'s side; removing the unlabeled type removes all. */
  disassociate(
    portal: Portal,
    fromType: ObjectTypeName,
    fromId: string,
    toId: string,
    typeIds: readonly number[] | 'all',
    write: WriteOptions,
  ): number[] {
    const store = portal.associations;
    const [dealId, companyId] = fromType === 'deal' ? [fromId, toId] : [toId, fromId];
    const dealToCompany =
      typeIds === 'all'
        ? 'all'
        : typeIds.flatMap((typeId) => {
            const definition = store.definitionFor(fromType, typeId);
            return definition === undefined ? [] : [definition.dealToCompany];
          });
    const removeAll = dealToCompany === 'all' || dealToCompany.includes(DEAL_TO_COMPANY);
    return this.removeTypes(portal, dealId, companyId, removeAll ? 'all' : dealToCompany, write);
  }

  private removeTypes(
    portal: Portal,
    dealId: string,
    companyId: string,
    dealToCompany: readonly number[] | 'all',
    write: WriteOptions,
  ): number[] {
    const removed = portal.associations.remove(dealId, companyId, dealToCompany);
    this.emitAssociationChanges(portal, dealId, companyId, removed, true, write);
    return removed;
  }

  private removeAllAssociations(portal: Portal, record: StoredRecord): void {
    for (const { otherId } of portal.associations.associatedWith(record.type, record.id)) {
      const [dealId, companyId] =
        record.type === 'deal' ? [record.id, otherId] : [otherId, record.id];
      portal.associations.remove(dealId, companyId, 'all');
    }
  }

  private emitAssociationChanges(
    portal: Portal,
    dealId: string,
    companyId: string,
    dealToCompanyTypeIds: readonly number[],
    removed: boolean,
    write: WriteOptions,
  ): void {
    if (dealToCompanyTypeIds.length === 0) return;
    const at = this.clock();
    for (const typeId of dealToCompanyTypeIds) {
      const definition = portal.associations.definitionFor('deal', typeId);
      const inverse = definition?.companyToDeal ?? typeId;
      for (const [from, fromId, to, toId, associationTypeId, isPrimary] of [
        ['deal', dealId, 'company', companyId, typeId, typeId === DEAL_TO_COMPANY_PRIMARY],
        ['company', companyId, 'deal', dealId, inverse, inverse === COMPANY_TO_DEAL_PRIMARY],
      ] as const) {
        this.emit(write, {
          kind: 'associationChange',
          portalId: portal.id,
          objectType: from,
          objectId: fromId,
          occurredAt: at,
          source: write.source,
          toObjectType: to,
          toObjectId: toId,
          associationTypeId,
          removed,
          isPrimary,
        });
      }
    }
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────

  private base(portal: Portal, record: StoredRecord, write: WriteOptions, at: number): ChangeBase {
    return {
      portalId: portal.id,
      objectType: record.type,
      objectId: record.id,
      occurredAt: at,
      source: write.source,
    };
  }

  private emit(write: WriteOptions, change: CrmChange): void {
    if (write.silent === true) return;
    this.onChange(change);
  }
}
