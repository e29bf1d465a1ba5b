import { type CurrencyCode, InvariantError } from '@partnerbridge/shared';
import type { z } from 'zod';
import {
  type FieldSpec,
  type FieldValues,
  normalizeFields,
  toWritableValue,
  type WritableFields,
} from './fields.ts';

// An object the connector syncs, declared rather than hand-coded per call: its fields, cursor,
// external id, the zod schema of a raw record, and pure mappings to and from the domain. The
// generic readers and writers (read/, write/, events/) take one of these.

export const syncedObjectNames = ['Opportunity', 'Account'] as const;
export type SyncedObjectName = (typeof syncedObjectNames)[number];

/** The parts of a raw record every synced object has. */
export type BaseRecord = {
  readonly Id: string;
  readonly SystemModstamp: string;
  readonly IsDeleted?: boolean | undefined;
};

/** Options for to-domain mappings. */
export type ToDomainOptions = {
  /** Currency of amounts when the record carries no CurrencyIsoCode (single-currency orgs). */
  readonly defaultCurrency?: CurrencyCode;
};

export type SalesforceObject<
  TName extends SyncedObjectName,
  TRecord extends BaseRecord,
  TSnapshot,
  TChanges,
> = {
  readonly sobject: TName;
  /** Key prefix of the object's ids (`006` Opportunity, `001` Account). */
  readonly keyPrefix: string;
  /** Every field read, in SELECT order (standard, then ours). */
  readonly fields: readonly FieldSpec[];
  readonly cursorField: 'SystemModstamp';
  /** Our external id field, holding the HubSpot record id: the upsert key. */
  readonly externalIdField: string;
  /** The lookup whose parent a write locks (Opportunity → AccountId): writes group by it. */
  readonly parentField: string | null;
  /** Fields identity matching compares (`findCandidates`). */
  readonly nameField: string;
  readonly websiteField: string | null;
  /** Parses a raw record (REST query, retrieve); unknown extra keys are kept. */
  readonly recordSchema: z.ZodType<TRecord>;
  /** The typed snapshot of a record; pure. */
  toDomain(record: TRecord, options?: ToDomainOptions): TSnapshot;
  /** The record fields that express `changes` (only the keys present in `changes`); pure. */
  fromDomain(changes: TChanges): WritableFields;
  /** Every declared field present in `record`, normalised for field-level comparison; pure. */
  fieldValues(record: Readonly<Record<string, unknown>>): FieldValues;
  /** Normalised field values (e.g. from the mapping engine) as what a write sends; pure. */
  toWritable(values: FieldValues): WritableFields;
  /** The same declaration reading (and writing) only `fields`: see `narrowToOrg`. */
  withFields(fields: readonly FieldSpec[]): SalesforceObject<TName, TRecord, TSnapshot, TChanges>;
};

export type AnySalesforceObject = SalesforceObject<SyncedObjectName, BaseRecord, unknown, never>;

export function fieldValuesFor(fields: readonly FieldSpec[]) {
  return (record: Readonly<Record<string, unknown>>): FieldValues =>
    normalizeFields(fields, record);
}

/**
 * Converts normalised values to writable ones. Read-only declared fields are a programmer error;
 * undeclared names pass through (the mapping engine may map customer-specific fields).
 */
export function toWritableFor(sobject: string, fields: readonly FieldSpec[]) {
  const byName = new Map(fields.map((f) => [f.name, f]));
  return (values: FieldValues): WritableFields => {
    const out: WritableFields = {};
    for (const [name, value] of Object.entries(values)) {
      const field = byName.get(name);
      if (field !== undefined && !field.writable) {
        throw new InvariantError(`${sobject}.${name} is read-only and cannot be written`);
      }
      out[name] = field === undefined ? value : toWritableValue(field, value);
    }
    return out;
  };
}

/**
 * The declaration narrowed to the fields an org has (from describe, e.g. the provisioning
 * report's `availableFields`): optional fields it lacks (CurrencyIsoCode in a single-currency
 * org) are dropped from reads. A missing required field means the org is not provisioned.
 */
export function narrowToOrg<
  TName extends SyncedObjectName,
  TRecord extends BaseRecord,
  TSnapshot,
  TChanges,
>(
  object: SalesforceObject<TName, TRecord, TSnapshot, TChanges>,
  availableFields: Iterable<string>,
): SalesforceObject<TName, TRecord, TSnapshot, TChanges> {
  const available = new Set([...availableFields].map((name) => name.toLowerCase()));
  const missing = object.fields.filter((f) => !available.has(f.name.toLowerCase()));
  const required = missing.filter((f) => !f.optional);
  if (required.length > 0) {
    throw new InvariantError(
      `${object.sobject} lacks ${required.map((f) => f.name).join(', ')}: provision the org first`,
    );
  }
  if (missing.length === 0) return object;
  return object.withFields(object.fields.filter((f) => available.has(f.name.toLowerCase())));
}
