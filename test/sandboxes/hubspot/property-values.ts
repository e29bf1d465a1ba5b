import type { PropertyDefinition } from './property-catalog.ts';

// Value validation as HubSpot's CRM object APIs do it: every value is a string on the wire,
// checked against the property's type and options, and stored in a canonical form.

/** One entry of HubSpot's "Property values were not valid: [...]" list. */
export type PropertyValueError = {
  isValid: false;
  message: string;
  error: string;
  name: string;
  localizedErrorMessage: string;
};

export type NormalizedValue =
  | { ok: true; value: string }
  | { ok: false; error: PropertyValueError };

const DAY_MS = 86_400_000;

function invalid(name: string, error: string, message: string): NormalizedValue {
  return {
    ok: false,
    error: { isValid: false, message, error, name, localizedErrorMessage: message },
  };
}

export function propertyDoesNotExist(name: string): PropertyValueError {
  const message = `Property "${name}" does not exist`;
  return {
    isValid: false,
    message,
    error: 'PROPERTY_DOESNT_EXIST',
    name,
    localizedErrorMessage: message,
  };
}

/** An instant given as epoch milliseconds or ISO 8601, or undefined when neither. */
export function parseInstant(raw: string): number | undefined {
  if (/^-?\d+$/.test(raw)) return Number(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw)) return undefined;
  const parsed = Date.parse(raw);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function describeTimeOfDay(ms: number): string {
  const date = new Date(ms);
  return `${date.getUTCHours()}:${date.getUTCMinutes()}:${date.getUTCSeconds()}.${date.getUTCMilliseconds()}`;
}

/** Checks `raw` against the property and returns the stored form ("" clears the value). */
export function normalizePropertyValue(
  definition: PropertyDefinition,
  raw: string,
): NormalizedValue {
  const { name } = definition;
  if (definition.readOnlyValue) {
    return invalid(
      name,
      'READ_ONLY_VALUE',
      `${name} is a read only property; its value cannot be set.`,
    );
  }
  if (raw === '') return { ok: true, value: '' };
  // Since April 2025 HubSpot rejects surrounding whitespace on every non-string type.
  if (definition.type !== 'string' && raw.trim() !== raw) {
    return invalid(
      name,
      'INVALID_VALUE',
      `"${raw}" has leading or trailing whitespace, which is not allowed for ${definition.type} properties.`,
    );
  }
  switch (definition.type) {
    case 'string':
    case 'phone_number':
      if (raw.length > 65_536) {
        return invalid(
          name,
          'INVALID_VALUE',
          `The value for ${name} is longer than 65536 characters.`,
        );
      }
      return { ok: true, value: raw };
    case 'number': {
      if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) {
        return invalid(name, 'INVALID_NUMBER', `${raw} was not a valid number.`);
      }
      const parsed = Number(raw);
      if (!Number.isFinite(parsed)) {
        return invalid(name, 'INVALID_NUMBER', `${raw} was not a valid number.`);
      }
      return { ok: true, value: String(parsed) };
    }
    case 'bool': {
      const lowered = raw.toLowerCase();
      if (lowered !== 'true' && lowered !== 'false') {
        return invalid(
          name,
          'INVALID_OPTION',
          `${raw} was not one of the allowed options: [true, false]`,
        );
      }
      return { ok: true, value: lowered };
    }
    case 'enumeration': {
      if (definition.externalOptions) return { ok: true, value: raw };
      const allowed = new Set(definition.options.map((option) => option.value));
      const parts = definition.fieldType === 'checkbox' ? raw.split(';') : [raw];
      const bad = parts.find((part) => !allowed.has(part));
      if (bad !== undefined) {
        return invalid(
          name,
          'INVALID_OPTION',
          `${bad} was not one of the allowed options: [${[...allowed].join(', ')}]`,
        );
      }
      return { ok: true, value: parts.join(';') };
    }
    case 'datetime': {
      const instant = parseInstant(raw);
      if (instant === undefined || Number.isNaN(new Date(instant).getTime())) {
        return invalid(name, 'INVALID_DATETIME', `${raw} is not a valid datetime.`);
      }
      return { ok: true, value: new Date(instant).toISOString() };
    }
    case 'date': {
      const instant = /^\d{4}-\d{2}-\d{2}$/.test(raw)
        ? Date.parse(`${raw}T00:00:00Z`)
        : parseInstant(raw);
      if (instant === undefined || Number.isNaN(instant)) {
        return invalid(name, 'INVALID_DATE', `${raw} is not a valid date.`);
      }
      if (instant % DAY_MS !== 0) {
        return invalid(
          name,
          'INVALID_DATE',
          `${raw} is at ${describeTimeOfDay(instant)} UTC, not midnight!`,
        );
      }
      return { ok: true, value: new Date(instant).toISOString().slice(0, 10) };
    }
  }
}

/** The value as a number for comparisons in search (dates and datetimes as epoch ms). */
export function comparableNumber(
  definition: PropertyDefinition,
  value: string,
): number | undefined {
  if (definition.type === 'number') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  if (definition.type === 'date' || definition.type === 'datetime') {
    const instant = /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? Date.parse(`${value}T00:00:00Z`)
      : parseInstant(value);
    return instant === undefined || Number.isNaN(instant) ? undefined : instant;
  }
  return undefined;
}
