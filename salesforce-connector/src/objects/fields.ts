import type { SalesforceFieldDefinition } from '@partnerbridge/shared/crm-fields';
import { toId18 } from '../api/ids.ts';
import { canonicalDecimal, normalizeDate, normalizeInstant } from './values.ts';

// Field declarations: what kind of value a field holds (drives normalisation), whether we may
// write it, and whether an org may lack it (CurrencyIsoCode exists only in multi-currency orgs).

export const fieldKinds = [
  'id',
  'reference',
  'text',
  'picklist',
  'boolean',
  'date',
  'datetime',
  'currency',
  'number',
  'integer',
  'percent',
] as const;
export type FieldKind = (typeof fieldKinds)[number];

export type FieldSpec = {
  readonly name: string;
  readonly kind: FieldKind;
  /** Read-only fields (system fields, formula-like flags) are never written. */
  readonly writable: boolean;
  /** May be absent from an org (multi-currency, not yet provisioned): see `narrowToOrg`. */
  readonly optional: boolean;
};

/**
 * A field value normalised so that equal values compare equal across systems: ids in their
 * 18-character form, instants as UTC ISO with milliseconds, dates as YYYY-MM-DD, currency and
 * decimal numbers as canonical decimal text (exact), integers as numbers, empty text as null.
 */
export type FieldValue = string | number | boolean | null;
export type FieldValues = Readonly<Record<string, FieldValue>>;

/** What a write sends for a field (JSON-ready). */
export type WritableFields = Record<string, string | number | boolean | null>;

export const spec = (
  name: string,
  kind: FieldKind,
  options: { writable?: boolean; optional?: boolean } = {},
): FieldSpec => ({
  name,
  kind,
  writable: options.writable ?? true,
  optional: options.optional ?? false,
});

/** Our provisioned custom fields (`crm-fields.ts`) as field specs. */
export function customFieldSpec(definition: SalesforceFieldDefinition): FieldSpec {
  switch (definition.type) {
    case 'Text':
    case 'LongTextArea':
      return spec(definition.name, 'text');
    case 'Picklist':
      return spec(definition.name, 'picklist');
    case 'Number':
      return spec(definition.name, (definition.scale ?? 0) === 0 ? 'integer' : 'number');
    case 'Checkbox':
      return spec(definition.name, 'boolean');
    case 'Date':
      return spec(definition.name, 'date');
    case 'Currency':
      return spec(definition.name, 'currency');
    case 'Lookup':
      return spec(definition.name, 'reference');
  }
}

/** One raw value (REST record, change event payload) in its normalised form. */
export function normalizeFieldValue(field: FieldSpec, raw: unknown): FieldValue {
  if (raw === null || raw === undefined) return null;
  switch (field.kind) {
    case 'id':
    case 'reference':
      return typeof raw === 'string' ? (raw === '' ? null : (toId18(raw) ?? raw)) : String(raw);
    case 'text':
    case 'picklist':
      return typeof raw === 'string' ? (raw === '' ? null : raw) : String(raw);
    case 'boolean':
      return typeof raw === 'boolean'
        ? raw
        : raw === 'true'
          ? true
          : raw === 'false'
            ? false
            : null;
    case 'date':
      return normalizeDate(raw) ?? String(raw);
    case 'datetime':
      return normalizeInstant(raw) ?? String(raw);
    case 'currency':
    case 'number':
    case 'percent':
      if (typeof raw === 'string' && raw.trim() === '') return null;
      return typeof raw === 'number' || typeof raw === 'string'
        ? (canonicalDecimal(raw) ?? String(raw))
        : String(raw);
    case 'integer': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
      return Number.isFinite(value) ? value : String(raw);
    }
  }
}

/** The normalised values of the declared fields present in `record` (absent fields are left out). */
export function normalizeFields(
  fields: readonly FieldSpec[],
  record: Readonly<Record<string, unknown>>,
): FieldValues {
  const values: Record<string, FieldValue> = {};
  for (const field of fields) {
    if (Object.hasOwn(record, field.name)) {
      values[field.name] = normalizeFieldValue(field, record[field.name]);
    }
  }
  return values;
}

/** A normalised value turned back into what Salesforce accepts for the field. */
export function toWritableValue(
  field: FieldSpec,
  value: FieldValue,
): string | number | boolean | null {
  if (value === null) return null;
  switch (field.kind) {
    case 'currency':
    case 'number':
    case 'percent':
    case 'integer':
      return typeof value === 'string' ? Number(value) : value;
    default:
      return value;
  }
}
