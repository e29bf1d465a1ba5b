import { z } from 'zod';
import { assertNever } from './errors.ts';

// Sync mapping semantics, pure: the admin's mapping document (object pairs, field pairs with
// transforms, direction, conflict policy, inclusion filters), value normalisation so equal values
// compare equal across HubSpot and Salesforce, and the per-field decision the sync engine applies.
//
// Values cross three forms: a side's raw value (HubSpot property strings, Salesforce JSON values),
// the common form (canonical text or null, in the HubSpot value space for value maps and
// references), and what a write sends. The decision is a three-way merge per field: each side's
// common value against the shadow (the value we last wrote to, or agreed with, that side).

export const syncSides = ['hubspot', 'salesforce'] as const;
export type SyncSide = (typeof syncSides)[number];

export const mappedObjectKinds = ['deal', 'partner', 'customer'] as const;
export type MappedObjectKind = (typeof mappedObjectKinds)[number];

export const syncDirections = ['hubspot_to_salesforce', 'salesforce_to_hubspot', 'both'] as const;
export type SyncDirection = (typeof syncDirections)[number];

export const conflictPolicies = [
  'hubspot_wins',
  'salesforce_wins',
  'most_recent',
  'prefer_hubspot_unless_blank',
  'prefer_salesforce_unless_blank',
] as const;
export type ConflictPolicy = (typeof conflictPolicies)[number];

/** The other side. */
export function otherSide(side: SyncSide): SyncSide {
  return side === 'hubspot' ? 'salesforce' : 'hubspot';
}

const fieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,99}$/, 'not a field name');

export const transformSchema = z.discriminatedUnion('kind', [
  /** Text as is; empty text is blank. */
  z.strictObject({ kind: z.literal('text') }),
  /** Exact decimals (no float arithmetic), canonical text (`12.50` → `12.5`). */
  z.strictObject({ kind: z.literal('number') }),
  /** A currency amount in major units, compared as integer minor units (half-even once). */
  z.strictObject({ kind: z.literal('amount'), minorDigits: z.int().min(0).max(4).default(2) }),
  z.strictObject({ kind: z.literal('boolean') }),
  /** A calendar day; HubSpot may hold it in a `date` or a midnight-UTC `datetime` property. */
  z.strictObject({ kind: z.literal('date'), hubspotType: z.enum(['date', 'datetime']) }),
  /** An instant, compared at millisecond precision in UTC. */
  z.strictObject({ kind: z.literal('datetime') }),
  /** A website or domain, compared as the bare host (`https://www.Acme.com/` = `acme.com`). */
  z.strictObject({ kind: z.literal('domain') }),
  /** Picklist ↔ enumeration: compared in HubSpot's value space. */
  z.strictObject({
    kind: z.literal('value_map'),
    hubspotToSalesforce: z.record(z.string().min(1), z.string().min(1)),
    salesforceToHubspot: z.record(z.string().min(1), z.string().min(1)),
  }),
  /** A record id of a synced object, compared as the HubSpot id (via the id links). */
  z.strictObject({ kind: z.literal('reference'), object: z.enum(['partner', 'customer']) }),
]);
export type Transform = z.infer<typeof transformSchema>;

export const fieldMappingSchema = z.strictObject({
  hubspot: fieldName,
  salesforce: fieldName,
  transform: transformSchema,
  direction: z.enum(syncDirections),
  policy: z.enum(conflictPolicies),
});
export type FieldMapping = z.infer<typeof fieldMappingSchema>;

export const filterOperators = ['eq', 'neq', 'in', 'not_in', 'is_blank', 'is_not_blank'] as const;

/** One condition on a side's raw value (compared as trimmed text, case-insensitively). */
export const inclusionFilterSchema = z.strictObject({
  field: fieldName,
  operator: z.enum(filterOperators),
  values: z.array(z.string()).max(100).default([]),
});
export type InclusionFilter = z.infer<typeof inclusionFilterSchema>;

export const objectMappingSchema = z.strictObject({
  kind: z.enum(mappedObjectKinds),
  enabled: z.boolean().default(true),
  /** Create the record on the other side when it exists on one side only. */
  create: z
    .strictObject({ inHubspot: z.boolean(), inSalesforce: z.boolean() })
    .default({ inHubspot: true, inSalesforce: true }),
  /** What a deletion on one side does to the linked record on the other. */
  deletes: z.enum(['propagate', 'unlink']).default('unlink'),
  /** Records sync only when every filter of their side holds (AND); empty = all records. */
  include: z
    .strictObject({
      hubspot: z.array(inclusionFilterSchema).max(20).default([]),
      salesforce: z.array(inclusionFilterSchema).max(20).default([]),
    })
    .default({ hubspot: [], salesforce: [] }),
  /** Who wins under `most_recent` when both sides changed at the same instant. */
  tieBreaker: z.enum(syncSides).default('hubspot'),
  fields: z.array(fieldMappingSchema).max(200),
});
export type ObjectMapping = z.infer<typeof objectMappingSchema>;

/**
 * Fields the engine writes itself (ids it stamps for identity, values Partnerbridge computes):
 * never admin-mapped, so a mapping can never fight the engine over them.
 */
export const reservedFields: Readonly<Record<SyncSide, readonly string[]>> = {
  hubspot: [
    'hs_object_id',
    'hs_lastmodifieddate',
    'createdate',
    'pb_salesforce_opportunity_id',
    'pb_salesforce_account_id',
    'pb_partner_commission',
    'pb_commission_explanation',
    'pb_partner_tier',
  ],
  salesforce: [
    'Id',
    'SystemModstamp',
    'LastModifiedDate',
    'CreatedDate',
    'IsDeleted',
    'PB_HubSpot_Deal_Id__c',
    'PB_HubSpot_Company_Id__c',
    'PB_Partner_Commission__c',
    'PB_Commission_Explanation__c',
    'PB_Partner_Tier__c',
  ],
};

export const mappingDocumentSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    objects: z.array(objectMappingSchema).max(mappedObjectKinds.length),
  })
  .superRefine((document, ctx) => {
    const kinds = new Set<string>();
    document.objects.forEach((object, o) => {
      if (kinds.has(object.kind)) {
        ctx.addIssue({ code: 'custom', path: ['objects', o, 'kind'], message: 'mapped twice' });
      }
      kinds.add(object.kind);
      for (const side of syncSides) {
        const seen = new Set<string>();
        object.fields.forEach((field, f) => {
          const name = field[side];
          const key = side === 'salesforce' ? name.toLowerCase() : name;
          if (seen.has(key)) {
            ctx.addIssue({
              code: 'custom',
              path: ['objects', o, 'fields', f, side],
              message: `${name} is mapped twice`,
            });
          }
          seen.add(key);
          if (reservedFields[side].some((r) => r.toLowerCase() === name.toLowerCase())) {
            ctx.addIssue({
              code: 'custom',
              path: ['objects', o, 'fields', f, side],
              message: `${name} is written by Partnerbridge itself and cannot be mapped`,
            });
          }
        });
      }
      object.fields.forEach((field, f) => {
        const problem = valueMapProblem(field.transform);
        if (problem !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['objects', o, 'fields', f, 'transform'],
            message: problem,
          });
        }
      });
    });
  });
export type MappingDocument = z.infer<typeof mappingDocumentSchema>;

// A value map converges only if a HubSpot value written to Salesforce reads back as itself.
function valueMapProblem(transform: Transform): string | undefined {
  if (transform.kind !== 'value_map') return undefined;
  for (const [hubspot, salesforce] of Object.entries(transform.hubspotToSalesforce)) {
    const back = transform.salesforceToHubspot[salesforce];
    if (back !== hubspot) {
      return `HubSpot value ${hubspot} maps to ${salesforce}, which maps back to ${back ?? 'nothing'}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/** A side's value in the common form: canonical text or null (blank). */
export type CommonValue = string | null;

/** What a write sends for a field. */
export type WriteValue = string | number | boolean | null;

export type Normalized =
  | { readonly ok: true; readonly value: CommonValue }
  | { readonly ok: false; readonly reason: string };

/** Translates record ids of synced objects between the sides (from the id links). */
export type ReferenceResolver = {
  salesforceToHubspot(object: 'partner' | 'customer', salesforceId: string): string | undefined;
  hubspotToSalesforce(object: 'partner' | 'customer', hubspotId: string): string | undefined;
};

const noReferences: ReferenceResolver = {
  salesforceToHubspot: () => undefined,
  hubspotToSalesforce: () => undefined,
};

const valid = (value: CommonValue): Normalized => ({ ok: true, value });
const invalid = (reason: string): Normalized => ({ ok: false, reason });

function asText(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  const text =
    typeof raw === 'string'
      ? raw
      : typeof raw === 'number' || typeof raw === 'boolean'
        ? String(raw)
        : JSON.stringify(raw);
  return text.trim() === '' ? null : text;
}

const plainDecimal = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Canonical decimal text (`012.50` → `12.5`, `1e3` → `1000`, `-0` → `0`), exact. */
export function canonicalDecimalText(raw: string | number): string | undefined {
  if (typeof raw === 'number' && !Number.isFinite(raw)) return undefined;
  const text = String(raw).trim();
  const match = plainDecimal.exec(text);
  if (match === null) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  if (whole === '' && fraction === '') return undefined;
  let digits = whole + fraction;
  let point = whole.length + Number(exponent);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const intPart = digits.slice(0, point).replace(/^0+/, '') || '0';
  const fracPart = digits.slice(point).replace(/0+$/, '');
  const magnitude = fracPart === '' ? intPart : `${intPart}.${fracPart}`;
  return magnitude === '0' || sign !== '-' ? magnitude : `-${magnitude}`;
}

/** Rounds canonical decimal text to `digits` fraction digits, half-to-even, exactly. */
export function roundDecimalText(text: string, digits: number): string {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const kept = fraction.slice(0, digits).padEnd(digits, '0');
  const rest = fraction.slice(digits);
  let units = BigInt(whole + kept);
  if (/[1-9]/.test(rest)) {
    const half = `5${'0'.repeat(rest.length - 1)}`;
    if (rest > half || (rest === half && units % 2n === 1n)) units += 1n;
  }
  const padded = units.toString().padStart(digits + 1, '0');
  const out =
    digits === 0 ? padded : `${padded.slice(0, -digits)}.${padded.slice(padded.length - digits)}`;
  const canonical = canonicalDecimalText(out) ?? '0';
  return negative && canonical !== '0' ? `-${canonical}` : canonical;
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDay(text: string): boolean {
  const match = isoDate.exec(text);
  if (match === null) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text;
}

/** Epoch ms of an ISO instant (any offset), or of epoch-ms text. */
function instantMs(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (/^\d{10,}$/.test(text)) return Number(text);
  // Salesforce writes offsets without a colon (+0000); Date.parse needs one.
  const withColon = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (!/^\d{4}-\d{2}-\d{2}T/.test(withColon)) return undefined;
  const ms = Date.parse(withColon);
  return Number.isFinite(ms) ? ms : undefined;
}

/** `https://www.Acme.com/x` → `acme.com`. */
export function normalizeDomainText(value: string): string | null {
  let text = value.trim().toLowerCase();
  text = text.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  text = text.replace(/^[^@/]*@/, '');
  text = text.split(/[/?#]/)[0] ?? '';
  text = text.replace(/:\d+$/, '').replace(/\.+$/, '');
  text = text.replace(/^www\d*\./, '');
  return text === '' ? null : text;
}

function normalizeBoolean(raw: unknown): Normalized {
  if (raw === null || raw === undefined || raw === '') return valid(null);
  if (typeof raw === 'boolean') return valid(String(raw));
  const text = String(raw).trim().toLowerCase();
  if (text === 'true' || text === 'false') return valid(text);
  return invalid(`not a boolean: ${String(raw)}`);
}

/** A side's raw value in the common form. */
export function normalizeValue(
  transform: Transform,
  side: SyncSide,
  raw: unknown,
  references: ReferenceResolver = noReferences,
): Normalized {
  if (transform.kind === 'boolean') return normalizeBoolean(raw);
  const text = asText(raw);
  if (text === null) return valid(null);
  switch (transform.kind) {
    case 'text':
      return valid(text);
    case 'number': {
      const canonical = canonicalDecimalText(text);
      return canonical === undefined ? invalid(`not a number: ${text}`) : valid(canonical);
    }
    case 'amount': {
      const canonical = canonicalDecimalText(text);
      return canonical === undefined
        ? invalid(`not an amount: ${text}`)
        : valid(roundDecimalText(canonical, transform.minorDigits));
    }
    case 'date': {
      const trimmed = text.trim();
      if (validDay(trimmed)) return valid(trimmed);
      const ms = instantMs(trimmed);
      return ms === undefined
        ? invalid(`not a date: ${text}`)
        : valid(new Date(ms).toISOString().slice(0, 10));
    }
    case 'datetime': {
      const ms = instantMs(text);
      return ms === undefined
        ? invalid(`not a datetime: ${text}`)
        : valid(new Date(ms).toISOString());
    }
    case 'domain':
      return valid(normalizeDomainText(text));
    case 'value_map': {
      if (side === 'hubspot') {
        return Object.hasOwn(transform.hubspotToSalesforce, text)
          ? valid(text)
          : invalid(`HubSpot value ${text} has no mapping`);
      }
      const mapped = transform.salesforceToHubspot[text];
      return mapped === undefined
        ? invalid(`Salesforce value ${text} has no mapping`)
        : valid(mapped);
    }
    case 'reference': {
      if (side === 'hubspot') return valid(text);
      const hubspotId = references.salesforceToHubspot(transform.object, text);
      return hubspotId === undefined
        ? invalid(`Salesforce ${transform.object} ${text} is not linked to a HubSpot record`)
        : valid(hubspotId);
    }
  }
}

export type Denormalized =
  | { readonly ok: true; readonly value: WriteValue }
  | { readonly ok: false; readonly reason: string };

/** A common value as the given side's write takes it (HubSpot: strings, '' clears). */
export function denormalizeValue(
  transform: Transform,
  side: SyncSide,
  value: CommonValue,
  references: ReferenceResolver = noReferences,
): Denormalized {
  if (value === null) return { ok: true, value: side === 'hubspot' ? '' : null };
  const done = (out: WriteValue): Denormalized => ({ ok: true, value: out });
  switch (transform.kind) {
    case 'text':
    case 'domain':
      return done(value);
    case 'number':
    case 'amount':
      return done(side === 'hubspot' ? value : Number(value));
    case 'boolean':
      return done(side === 'hubspot' ? value : value === 'true');
    case 'date':
      return done(
        side === 'hubspot' && transform.hubspotType === 'datetime'
          ? `${value}T00:00:00.000Z`
          : value,
      );
    case 'datetime':
      return done(value);
    case 'value_map': {
      if (side === 'hubspot') return done(value);
      const mapped = transform.hubspotToSalesforce[value];
      return mapped === undefined
        ? { ok: false, reason: `HubSpot value ${value} has no Salesforce mapping` }
        : done(mapped);
    }
    case 'reference': {
      if (side === 'hubspot') return done(value);
      const salesforceId = references.hubspotToSalesforce(transform.object, value);
      return salesforceId === undefined
        ? { ok: false, reason: `HubSpot ${transform.object} ${value} is not linked to Salesforce` }
        : done(salesforceId);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Inclusion filters

/** Whether a record of `side` (its raw values) passes every inclusion filter of that side. */
export function isIncluded(
  mapping: ObjectMapping,
  side: SyncSide,
  values: Readonly<Record<string, unknown>>,
): boolean {
  return mapping.include[side].every((filter) => {
    const entry = Object.entries(values).find(
      ([name]) => name.toLowerCase() === filter.field.toLowerCase(),
    );
    const text = asText(entry?.[1])?.trim().toLowerCase() ?? null;
    const wanted = filter.values.map((v) => v.trim().toLowerCase());
    switch (filter.operator) {
      case 'eq':
        return text !== null && text === wanted[0];
      case 'neq':
        return text !== wanted[0];
      case 'in':
        return text !== null && wanted.includes(text);
      case 'not_in':
        return text === null || !wanted.includes(text);
      case 'is_blank':
        return text === null;
      case 'is_not_blank':
        return text !== null;
      default:
        return assertNever(filter.operator);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Decisions

/** One side of a record as the engine read it. */
export type SideState = {
  /** Raw values by field name (absent = not read; treated as blank). */
  readonly values: Readonly<Record<string, unknown>>;
  /** When each field last changed (epoch ms), when known (HubSpot property history). */
  readonly fieldChangedAt?: Readonly<Record<string, number>>;
  /** When the record last changed (epoch ms): the bound used for fields without their own time. */
  readonly modifiedAt?: number | null;
};

/** Per side, by that side's field name: the common value we last wrote to or agreed with it. */
export type Shadows = Readonly<Record<SyncSide, Readonly<Record<string, CommonValue>>>>;

export const fieldActions = ['none', 'write_hubspot', 'write_salesforce', 'skip'] as const;
export type FieldAction = (typeof fieldActions)[number];

export const decisionReasons = [
  'in_sync',
  'policy',
  'direction_forbids',
  'diverged',
  'invalid_value',
  'not_writable',
] as const;
export type DecisionReason = (typeof decisionReasons)[number];

/** One field's decision, with everything the audit log shows. */
export type FieldDecision = {
  readonly hubspotField: string;
  readonly salesforceField: string;
  readonly policy: ConflictPolicy;
  readonly direction: SyncDirection;
  readonly hubspotValue: CommonValue | undefined;
  readonly salesforceValue: CommonValue | undefined;
  readonly hubspotChanged: boolean;
  readonly salesforceChanged: boolean;
  /** The side whose value the policy chose (absent when nothing was chosen). */
  readonly winner?: SyncSide;
  readonly action: FieldAction;
  readonly reason: DecisionReason;
  /** The common value written (for write actions). */
  readonly value?: CommonValue;
  readonly explanation: string;
};

export type RecordDecision = {
  readonly fields: readonly FieldDecision[];
  /** Only fields whose value changes, in the side's write form. */
  readonly writes: Readonly<Record<SyncSide, Readonly<Record<string, WriteValue>>>>;
  /** The shadows to store once the writes succeeded. */
  readonly shadows: Shadows;
};

const sideLabel: Record<SyncSide, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce' };

function allowsWriteTo(direction: SyncDirection, target: SyncSide): boolean {
  if (direction === 'both') return true;
  return target === 'salesforce'
    ? direction === 'hubspot_to_salesforce'
    : direction === 'salesforce_to_hubspot';
}

function show(value: CommonValue | undefined): string {
  return value === undefined ? '(invalid)' : value === null ? '(blank)' : JSON.stringify(value);
}

function changedAt(state: SideState, field: string): number | undefined {
  const own = state.fieldChangedAt?.[field];
  if (own !== undefined) return own;
  return state.modifiedAt ?? undefined;
}

function choose(
  field: FieldMapping,
  values: Record<SyncSide, CommonValue>,
  changed: Record<SyncSide, boolean>,
  times: Record<SyncSide, number | undefined>,
  tieBreaker: SyncSide,
): { winner: SyncSide | null; why: string } {
  switch (field.policy) {
    case 'hubspot_wins':
      return { winner: 'hubspot', why: 'HubSpot owns this field' };
    case 'salesforce_wins':
      return { winner: 'salesforce', why: 'Salesforce owns this field' };
    case 'prefer_hubspot_unless_blank':
      return values.hubspot !== null
        ? { winner: 'hubspot', why: 'HubSpot is preferred and not blank' }
        : { winner: 'salesforce', why: 'HubSpot is preferred but blank' };
    case 'prefer_salesforce_unless_blank':
      return values.salesforce !== null
        ? { winner: 'salesforce', why: 'Salesforce is preferred and not blank' }
        : { winner: 'hubspot', why: 'Salesforce is preferred but blank' };
    case 'most_recent': {
      // A side equal to its shadow still holds the value both agreed on: the other side's edit
      // is newer by construction, whatever record-level timestamps say.
      if (changed.hubspot !== changed.salesforce) {
        const winner: SyncSide = changed.hubspot ? 'hubspot' : 'salesforce';
        return { winner, why: `only ${sideLabel[winner]} changed since the last sync` };
      }
      if (!changed.hubspot) {
        // Neither moved since a one-way mapping left them apart: keep them as they are.
        return { winner: null, why: 'neither side changed since the sides were last compared' };
      }
      const h = times.hubspot;
      const s = times.salesforce;
      const at = (ms: number | undefined) =>
        ms === undefined ? 'unknown' : new Date(ms).toISOString();
      const stamp = `HubSpot changed ${at(h)}, Salesforce ${at(s)}`;
      if (h !== undefined && s !== undefined && h !== s) {
        const winner: SyncSide = h > s ? 'hubspot' : 'salesforce';
        return { winner, why: `${stamp}: ${sideLabel[winner]} is more recent` };
      }
      if (h !== undefined && s === undefined) {
        return { winner: 'hubspot', why: `${stamp}: only HubSpot's time is known` };
      }
      if (s !== undefined && h === undefined) {
        return { winner: 'salesforce', why: `${stamp}: only Salesforce's time is known` };
      }
      return { winner: tieBreaker, why: `${stamp}: a tie, ${sideLabel[tieBreaker]} breaks it` };
    }
  }
}

/**
 * Decides every mapped field of one linked record: write HubSpot, write Salesforce, or nothing,
 * with an explanation for the audit log. Deterministic; unchanged values are never written;
 * applying the writes and deciding again yields no writes.
 */
export function decideRecord(input: {
  readonly mapping: ObjectMapping;
  readonly hubspot: SideState;
  readonly salesforce: SideState;
  readonly shadows: Shadows;
  readonly references?: ReferenceResolver;
}): RecordDecision {
  const references = input.references ?? noReferences;
  const fields: FieldDecision[] = [];
  const writes: Record<SyncSide, Record<string, WriteValue>> = { hubspot: {}, salesforce: {} };
  const shadows: Record<SyncSide, Record<string, CommonValue>> = {
    hubspot: { ...input.shadows.hubspot },
    salesforce: { ...input.shadows.salesforce },
  };
  const states: Record<SyncSide, SideState> = {
    hubspot: input.hubspot,
    salesforce: input.salesforce,
  };

  for (const field of input.mapping.fields) {
    const name: Record<SyncSide, string> = { hubspot: field.hubspot, salesforce: field.salesforce };
    const normalized: Record<SyncSide, Normalized> = {
      hubspot: normalizeValue(
        field.transform,
        'hubspot',
        input.hubspot.values[field.hubspot],
        references,
      ),
      salesforce: normalizeValue(
        field.transform,
        'salesforce',
        input.salesforce.values[field.salesforce],
        references,
      ),
    };
    const base = {
      hubspotField: field.hubspot,
      salesforceField: field.salesforce,
      policy: field.policy,
      direction: field.direction,
    };
    if (!normalized.hubspot.ok || !normalized.salesforce.ok) {
      const reasons = [normalized.hubspot, normalized.salesforce]
        .filter((n): n is { ok: false; reason: string } => !n.ok)
        .map((n) => n.reason);
      fields.push({
        ...base,
        hubspotValue: normalized.hubspot.ok ? normalized.hubspot.value : undefined,
        salesforceValue: normalized.salesforce.ok ? normalized.salesforce.value : undefined,
        hubspotChanged: false,
        salesforceChanged: false,
        action: 'skip',
        reason: 'invalid_value',
        explanation: `not synced: ${reasons.join('; ')}`,
      });
      continue;
    }
    const values: Record<SyncSide, CommonValue> = {
      hubspot: normalized.hubspot.value,
      salesforce: normalized.salesforce.value,
    };
    const changed: Record<SyncSide, boolean> = {
      hubspot: !Object.hasOwn(input.shadows.hubspot, name.hubspot)
        ? true
        : input.shadows.hubspot[name.hubspot] !== values.hubspot,
      salesforce: !Object.hasOwn(input.shadows.salesforce, name.salesforce)
        ? true
        : input.shadows.salesforce[name.salesforce] !== values.salesforce,
    };
    const common = {
      ...base,
      hubspotValue: values.hubspot,
      salesforceValue: values.salesforce,
      hubspotChanged: changed.hubspot,
      salesforceChanged: changed.salesforce,
    };
    if (values.hubspot === values.salesforce) {
      shadows.hubspot[name.hubspot] = values.hubspot;
      shadows.salesforce[name.salesforce] = values.salesforce;
      fields.push({
        ...common,
        action: 'none',
        reason: 'in_sync',
        explanation: `both sides hold ${show(values.hubspot)}`,
      });
      continue;
    }
    const times: Record<SyncSide, number | undefined> = {
      hubspot: changedAt(states.hubspot, name.hubspot),
      salesforce: changedAt(states.salesforce, name.salesforce),
    };
    const { winner, why } = choose(field, values, changed, times, input.mapping.tieBreaker);
    const summary = `HubSpot ${show(values.hubspot)}, Salesforce ${show(values.salesforce)}; ${field.policy}: ${why}`;
    if (winner === null) {
      fields.push({ ...common, action: 'none', reason: 'diverged', explanation: summary });
      continue;
    }
    const target = otherSide(winner);
    const value = values[winner];
    if (!allowsWriteTo(field.direction, target)) {
      shadows.hubspot[name.hubspot] = values.hubspot;
      shadows.salesforce[name.salesforce] = values.salesforce;
      fields.push({
        ...common,
        winner,
        action: 'none',
        reason: 'direction_forbids',
        explanation: `${summary}; ${field.direction} does not write ${sideLabel[target]}`,
      });
      continue;
    }
    const out = denormalizeValue(field.transform, target, value, references);
    if (!out.ok) {
      fields.push({
        ...common,
        winner,
        action: 'skip',
        reason: 'not_writable',
        explanation: `${summary}; not written: ${out.reason}`,
      });
      continue;
    }
    writes[target][name[target]] = out.value;
    shadows.hubspot[name.hubspot] = value;
    shadows.salesforce[name.salesforce] = value;
    fields.push({
      ...common,
      winner,
      action: target === 'hubspot' ? 'write_hubspot' : 'write_salesforce',
      reason: 'policy',
      value,
      explanation: `${summary}; write ${sideLabel[target]} ${show(value)}`,
    });
  }
  return { fields, writes, shadows };
}

/**
 * The fields of a new record on `target` built from the record on the other side: every mapped
 * field that direction allows to flow there, with its value (blank values left out).
 */
export function valuesForCreate(input: {
  readonly mapping: ObjectMapping;
  readonly target: SyncSide;
  readonly source: SideState;
  readonly references?: ReferenceResolver;
}): {
  readonly writes: Readonly<Record<string, WriteValue>>;
  readonly shadows: Shadows;
  readonly skipped: readonly { readonly field: string; readonly reason: string }[];
} {
  const references = input.references ?? noReferences;
  const sourceSide = otherSide(input.target);
  const writes: Record<string, WriteValue> = {};
  const shadows: Record<SyncSide, Record<string, CommonValue>> = { hubspot: {}, salesforce: {} };
  const skipped: { field: string; reason: string }[] = [];
  for (const field of input.mapping.fields) {
    if (!allowsWriteTo(field.direction, input.target)) continue;
    const normalized = normalizeValue(
      field.transform,
      sourceSide,
      input.source.values[field[sourceSide]],
      references,
    );
    if (!normalized.ok) {
      skipped.push({ field: field[sourceSide], reason: normalized.reason });
      continue;
    }
    // The source's shadow is what it held when the record was created; the new record's own
    // defaults (a currency, a probability) then count as its changes and flow back.
    shadows[sourceSide][field[sourceSide]] = normalized.value;
    if (normalized.value === null) continue;
    const out = denormalizeValue(field.transform, input.target, normalized.value, references);
    if (!out.ok) {
      skipped.push({ field: field[input.target], reason: out.reason });
      continue;
    }
    writes[field[input.target]] = out.value;
    shadows[input.target][field[input.target]] = normalized.value;
    shadows[sourceSide][field[sourceSide]] = normalized.value;
  }
  return { writes, shadows, skipped };
}

/** The mapping of one object kind, when enabled. */
export function objectMappingOf(
  document: MappingDocument,
  kind: MappedObjectKind,
): ObjectMapping | undefined {
  const found = document.objects.find((object) => object.kind === kind);
  return found?.enabled === true ? found : undefined;
}

/** Every field of `side` the mapping of `kind` reads (for the properties a read asks for). */
export function mappedFields(mapping: ObjectMapping, side: SyncSide): string[] {
  return [...new Set(mapping.fields.map((field) => field[side]))];
}

/**
 * Object kinds whose field mappings differ between two documents (for back-fills): added,
 * removed or changed field pairs, transforms, directions, policies, filters or switches.
 */
export function changedKinds(
  before: MappingDocument | undefined,
  after: MappingDocument,
): MappedObjectKind[] {
  return mappedObjectKinds.filter((kind) => {
    const a = before?.objects.find((o) => o.kind === kind);
    const b = after.objects.find((o) => o.kind === kind);
    return JSON.stringify(a ?? null) !== JSON.stringify(b ?? null) && b?.enabled === true;
  });
}

// ---------------------------------------------------------------------------------------------
// Default mapping

const both = 'both' as const;
const mostRecent = 'most_recent' as const;

const hubspotStageToSalesforce: Record<string, string> = {
  appointmentscheduled: 'Prospecting',
  qualifiedtobuy: 'Qualification',
  presentationscheduled: 'Value Proposition',
  decisionmakerboughtin: 'Id. Decision Makers',
  contractsent: 'Negotiation/Review',
  closedwon: 'Closed Won',
  closedlost: 'Closed Lost',
};

const salesforceStageToHubspot: Record<string, string> = {
  Prospecting: 'appointmentscheduled',
  Qualification: 'qualifiedtobuy',
  'Needs Analysis': 'qualifiedtobuy',
  'Value Proposition': 'presentationscheduled',
  'Id. Decision Makers': 'decisionmakerboughtin',
  'Perception Analysis': 'decisionmakerboughtin',
  'Proposal/Price Quote': 'contractsent',
  'Negotiation/Review': 'contractsent',
  'Closed Won': 'closedwon',
  'Closed Lost': 'closedlost',
};

const companyFields = (): FieldMapping[] => [
  {
    hubspot: 'name',
    salesforce: 'Name',
    transform: { kind: 'text' },
    direction: both,
    policy: mostRecent,
  },
  {
    hubspot: 'domain',
    salesforce: 'Website',
    transform: { kind: 'domain' },
    direction: both,
    policy: mostRecent,
  },
  {
    hubspot: 'country',
    salesforce: 'BillingCountry',
    transform: { kind: 'text' },
    direction: both,
    policy: mostRecent,
  },
];

/** The mapping a new installation starts with (every field two-way, most recent wins). */
export function defaultMappingDocument(): MappingDocument {
  return mappingDocumentSchema.parse({
    schemaVersion: 1,
    objects: [
      {
        kind: 'deal',
        fields: [
          {
            hubspot: 'dealname',
            salesforce: 'Name',
            transform: { kind: 'text' },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'amount',
            salesforce: 'Amount',
            transform: { kind: 'amount', minorDigits: 2 },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'deal_currency_code',
            salesforce: 'CurrencyIsoCode',
            transform: { kind: 'text' },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'dealstage',
            salesforce: 'StageName',
            transform: {
              kind: 'value_map',
              hubspotToSalesforce: hubspotStageToSalesforce,
              salesforceToHubspot: salesforceStageToHubspot,
            },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'closedate',
            salesforce: 'CloseDate',
            transform: { kind: 'date', hubspotType: 'datetime' },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'dealtype',
            salesforce: 'Type',
            transform: {
              kind: 'value_map',
              hubspotToSalesforce: {
                newbusiness: 'New Customer',
                existingbusiness: 'Existing Customer - Upgrade',
              },
              salesforceToHubspot: {
                'New Customer': 'newbusiness',
                'Existing Customer - Upgrade': 'existingbusiness',
                'Existing Customer - Replacement': 'existingbusiness',
                'Existing Customer - Downgrade': 'existingbusiness',
              },
            },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'pb_partner_company_id',
            salesforce: 'PB_Partner_Account__c',
            transform: { kind: 'reference', object: 'partner' },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'pb_partner_role',
            salesforce: 'PB_Partner_Role__c',
            transform: { kind: 'text' },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'pb_partner_motion',
            salesforce: 'PB_Partner_Motion__c',
            transform: { kind: 'text' },
            direction: both,
            policy: mostRecent,
          },
        ],
      },
      {
        kind: 'partner',
        fields: [
          ...companyFields(),
          {
            hubspot: 'pb_partner_type',
            salesforce: 'PB_Partner_Type__c',
            transform: { kind: 'text' },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'pb_partner_subtype',
            salesforce: 'PB_Partner_Subtype__c',
            transform: { kind: 'text' },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'pb_certified_salespeople',
            salesforce: 'PB_Certified_Salespeople__c',
            transform: { kind: 'number' },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'pb_training_level',
            salesforce: 'PB_Training_Level__c',
            transform: { kind: 'text' },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'pb_agreement_signed',
            salesforce: 'PB_Agreement_Signed__c',
            transform: { kind: 'boolean' },
            direction: both,
            policy: mostRecent,
          },
          {
            hubspot: 'pb_partner_since',
            salesforce: 'PB_Partner_Since__c',
            transform: { kind: 'date', hubspotType: 'date' },
            direction: both,
            policy: mostRecent,
          },
        ],
      },
      { kind: 'customer', fields: companyFields() },
    ],
  });
}
