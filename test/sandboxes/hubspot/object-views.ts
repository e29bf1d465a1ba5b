import type { CrmStore, Portal, StoredRecord } from './crm-store.ts';
import {
  type ObjectTypeName,
  objectTypes,
  otherObjectType,
  resolveObjectType,
} from './object-types.ts';

// How records look on the wire (HubSpot's SimplePublicObject family): string-or-null property
// values, ISO timestamps, optional history and v3-style association lists.

export type PublicObject = {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
  propertiesWithHistory?: Record<string, HistoryView[]>;
  associations?: Record<string, { results: { id: string; type: string }[] }>;
};

type HistoryView = {
  value: string;
  timestamp: string;
  sourceType: string;
  sourceId?: string;
  updatedByUserId?: number;
};

export type ViewOptions = {
  /** Requested properties; undefined means the type's defaults. */
  properties?: readonly string[] | undefined;
  propertiesWithHistory?: readonly string[] | undefined;
  /** Object type names as requested (`companies`), for v3 association lists. */
  associations?: readonly string[] | undefined;
  /** Properties just written: responses to writes include them with the defaults. */
  written?: Iterable<string> | undefined;
};

/** HubSpot always returns these three, whatever was asked for. */
const alwaysIncluded = ['hs_object_id', 'createdate', 'hs_lastmodifieddate'];

export function selectedProperties(
  store: CrmStore,
  portal: Portal,
  type: ObjectTypeName,
  options: ViewOptions,
): string[] {
  const requested =
    options.properties !== undefined && options.properties.length > 0
      ? options.properties
      : [...objectTypes[type].defaultProperties, ...(options.written ?? [])];
  const names = new Set<string>();
  for (const name of [...requested, ...alwaysIncluded]) {
    // Unknown names are ignored on reads, as HubSpot does.
    if (store.property(portal, type, name) !== undefined) names.add(name);
  }
  return [...names];
}

export function toPublicObject(
  store: CrmStore,
  portal: Portal,
  record: StoredRecord,
  options: ViewOptions = {},
  names: readonly string[] = selectedProperties(store, portal, record.type, options),
): PublicObject {
  // Reads answer null for requested properties without a value; write responses (and the
  // upsert schema, whose values are not nullable) carry only the properties that have one.
  const omitEmpty = options.written !== undefined;
  const properties: Record<string, string | null> = {};
  for (const name of names) {
    const value = record.values.get(name);
    if (value !== undefined || !omitEmpty) properties[name] = value ?? null;
  }
  const view: PublicObject = {
    id: record.id,
    properties,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    archived: record.archived,
  };
  if (record.archivedAt !== undefined) view.archivedAt = new Date(record.archivedAt).toISOString();
  if (options.propertiesWithHistory !== undefined && options.propertiesWithHistory.length > 0) {
    const history: Record<string, HistoryView[]> = {};
    for (const name of options.propertiesWithHistory) {
      if (store.property(portal, record.type, name) === undefined) continue;
      history[name] = [...(record.history.get(name) ?? [])].reverse().map((entry) => {
        const item: HistoryView = {
          value: entry.value,
          timestamp: new Date(entry.timestamp).toISOString(),
          sourceType: entry.sourceType,
        };
        if (entry.sourceId !== undefined) item.sourceId = entry.sourceId;
        if (entry.updatedByUserId !== undefined) item.updatedByUserId = entry.updatedByUserId;
        return item;
      });
    }
    view.propertiesWithHistory = history;
  }
  if (options.associations !== undefined && options.associations.length > 0) {
    const associations: NonNullable<PublicObject['associations']> = {};
    for (const requested of options.associations) {
      const toType = resolveObjectType(requested);
      if (toType === undefined || toType === record.type) continue;
      const results = associationList(store, portal, record);
      if (results.length > 0) associations[objectTypes[toType].plural] = { results };
    }
    view.associations = associations;
  }
  return view;
}

/** v3 association list of a record: one entry per (other record, association type). */
function associationList(
  store: CrmStore,
  portal: Portal,
  record: StoredRecord,
): { id: string; type: string }[] {
  const toType = otherObjectType(record.type);
  const results: { id: string; type: string }[] = [];
  for (const { otherId, typeIds } of portal.associations.associatedWith(record.type, record.id)) {
    if (store.record(portal, toType, otherId) === undefined) continue;
    for (const typeId of typeIds) {
      const definition = portal.associations.definitionFor(record.type, typeId);
      if (definition === undefined) continue;
      results.push({ id: otherId, type: portal.associations.side(record.type, definition).name });
    }
  }
  return results;
}
