import { jsonParserError, SalesforceApiError } from '../errors.ts';
import { formatDateTime, formatEventDateTime, parseDate, parseDateTime } from '../format.ts';
import { normalizeId } from '../ids.ts';
import type { FieldDef, ObjectDef } from '../schema/fields.ts';
import type { Org } from '../store/org.ts';
import type { Value } from '../store/record-store.ts';

// Field values in and out: JSON from a request body becomes a stored value (or the error Salesforce
// answers with), stored values become JSON for REST responses and change events.

const textTypes = new Set(['string', 'textarea', 'url', 'phone', 'email', 'picklist']);
const numberTypes = new Set(['currency', 'double', 'percent', 'int']);

function deserializeError(type: string, raw: unknown): SalesforceApiError {
  const token =
    typeof raw === 'number'
      ? Number.isInteger(raw)
        ? 'VALUE_NUMBER_INT'
        : 'VALUE_NUMBER_FLOAT'
      : typeof raw === 'boolean'
        ? `VALUE_${String(raw).toUpperCase()}`
        : Array.isArray(raw)
          ? 'START_ARRAY'
          : typeof raw === 'object'
            ? 'START_OBJECT'
            : 'VALUE_STRING';
  const shown = typeof raw === 'object' ? '' : ` value ${String(raw)}`;
  return jsonParserError(
    `Cannot deserialize instance of ${type} from ${token}${shown} or request may be missing a required field`,
  );
}

function toNumber(def: FieldDef, raw: unknown): number {
  const value =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && raw.trim() !== ''
        ? Number(raw)
        : NaN;
  if (!Number.isFinite(value)) throw deserializeError(def.type === 'int' ? 'int' : 'double', raw);
  if (def.type === 'int') {
    if (!Number.isInteger(value)) throw deserializeError('int', raw);
    if (def.digits > 0 && Math.abs(value) >= 10 ** def.digits) throw outOfRange(def, value);
    return value;
  }
  const scale = def.scale;
  const rounded = Math.round(value * 10 ** scale) / 10 ** scale;
  if (def.precision > 0 && Math.abs(rounded) >= 10 ** (def.precision - scale)) {
    throw outOfRange(def, value);
  }
  return rounded;
}

const outOfRange = (def: FieldDef, value: number) =>
  new SalesforceApiError(
    400,
    'NUMBER_OUTSIDE_VALID_RANGE',
    `${def.label}: value outside of valid range on numeric field: ${value}`,
    [def.name],
  );

/** Checks a reference value: an id of the right type whose record exists and is live. */
export function checkReference(org: Org, def: FieldDef, raw: string): string {
  const id = normalizeId(raw);
  const target = id === undefined ? undefined : org.objectForId(id);
  if (id === undefined || target === undefined || !def.referenceTo.includes(target.name)) {
    throw new SalesforceApiError(
      400,
      'MALFORMED_ID',
      `${def.label}: id value of incorrect type: ${raw}`,
      [def.name],
    );
  }
  const record = org.store.get(id);
  if (record === undefined) {
    throw new SalesforceApiError(
      400,
      'INVALID_CROSS_REFERENCE_KEY',
      'invalid cross reference id',
      [],
    );
  }
  if (record.deletedAt !== null) {
    throw new SalesforceApiError(400, 'ENTITY_IS_DELETED', 'entity is deleted', [def.name]);
  }
  return id;
}

/** Converts a JSON value from a request body into the stored value of `def`. */
export function coerceValue(org: Org, def: FieldDef, raw: unknown): Value {
  if (raw === null) return def.type === 'boolean' ? false : null;
  if (textTypes.has(def.type)) {
    if (typeof raw === 'object') throw deserializeError('string', raw);
    const text = String(raw);
    if (text === '') return null;
    if (text.length > def.length) {
      throw new SalesforceApiError(
        400,
        'STRING_TOO_LONG',
        `${def.label}: data value too large: ${text} (max length=${def.length})`,
        [def.name],
      );
    }
    if (def.type === 'picklist' && def.restrictedPicklist) {
      const allowed = def.picklistValues.some((v) => v.active && v.value === text);
      if (!allowed) {
        throw new SalesforceApiError(
          400,
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `${def.label}: bad value for restricted picklist field: ${text}`,
          [def.name],
        );
      }
    }
    return text;
  }
  if (numberTypes.has(def.type)) return toNumber(def, raw);
  switch (def.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw deserializeError('boolean', raw);
    case 'date': {
      const date = typeof raw === 'string' ? parseDate(raw) : undefined;
      if (date === undefined) throw deserializeError('date', raw);
      return date;
    }
    case 'datetime': {
      const ms = typeof raw === 'string' ? parseDateTime(raw) : undefined;
      if (ms === undefined) throw deserializeError('datetime', raw);
      return ms;
    }
    case 'reference':
      if (typeof raw !== 'string') throw deserializeError('reference', raw);
      if (raw === '') return null;
      return checkReference(org, def, raw);
    case 'id':
      if (typeof raw !== 'string') throw deserializeError('id', raw);
      return raw;
    default:
      throw deserializeError(def.type, raw);
  }
}

/** A stored value as the REST API renders it. */
export function renderValue(def: FieldDef, value: Value | undefined): unknown {
  if (value === undefined || value === null) return null;
  if (def.type === 'datetime' && typeof value === 'number') return formatDateTime(value);
  if (def.type === 'complexvalue' && typeof value === 'string') return JSON.parse(value) as unknown;
  return value;
}

/** A stored value as a change event renders it. */
export function renderEventValue(def: FieldDef, value: Value | undefined): unknown {
  if (value === undefined || value === null) return null;
  if (def.type === 'datetime' && typeof value === 'number') return formatEventDateTime(value);
  return value;
}

/** Values a record exposes beyond what is stored: formula fields. */
export function calculatedValue(object: ObjectDef, def: FieldDef, values: Record<string, Value>) {
  if (object.name === 'Opportunity' && def.name === 'ExpectedRevenue') {
    const amount = values.Amount;
    const probability = values.Probability;
    if (typeof amount !== 'number' || typeof probability !== 'number') return null;
    return Math.round(amount * probability) / 100;
  }
  return null;
}

/** The value of a field of a stored record, formula fields included. */
export function readValue(
  object: ObjectDef,
  def: FieldDef,
  values: Readonly<Record<string, Value>>,
): Value {
  if (def.calculated) return calculatedValue(object, def, { ...values });
  // Checkboxes added after a record was written read as their default, as the platform backfills.
  return values[def.name] ?? (def.type === 'boolean' ? def.defaultValue === true : null);
}
