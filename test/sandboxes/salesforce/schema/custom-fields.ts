import type { SalesforceFieldDefinition } from '@partnerbridge/shared/crm-fields';
import { z } from 'zod';
import { SalesforceApiError } from '../errors.ts';
import { type FieldDef, field, findField, type ObjectDef, picklist } from './fields.ts';

// Custom fields as the Metadata API (and the Tooling API's `CustomField.Metadata`) describes them,
// validated the way the platform does and turned into describe-level field definitions.

export const customFieldTypes = [
  'Text',
  'TextArea',
  'LongTextArea',
  'Email',
  'Phone',
  'Url',
  'Number',
  'Currency',
  'Percent',
  'Checkbox',
  'Date',
  'DateTime',
  'Picklist',
  'Lookup',
] as const;
export type CustomFieldType = (typeof customFieldTypes)[number];

const valueSetSchema = z.strictObject({
  restricted: z.boolean().optional(),
  controllingField: z.string().optional(),
  valueSetName: z.string().optional(),
  valueSetDefinition: z
    .strictObject({
      sorted: z.boolean().optional(),
      value: z.array(
        z.strictObject({
          fullName: z.string().min(1),
          label: z.string().optional(),
          default: z.boolean().optional(),
          isActive: z.boolean().optional(),
          color: z.string().optional(),
          description: z.string().optional(),
        }),
      ),
    })
    .optional(),
});

/** `CustomField.Metadata`: the keys the platform accepts that the sandbox models or ignores. */
export const customFieldMetadataSchema = z.strictObject({
  fullName: z.string().optional(),
  label: z.string().optional(),
  type: z.string().optional(),
  length: z.number().int().optional().nullable(),
  precision: z.number().int().optional().nullable(),
  scale: z.number().int().optional().nullable(),
  visibleLines: z.number().int().optional().nullable(),
  externalId: z.boolean().optional().nullable(),
  unique: z.boolean().optional().nullable(),
  caseSensitive: z.boolean().optional().nullable(),
  required: z.boolean().optional().nullable(),
  defaultValue: z.string().optional().nullable(),
  description: z.string().optional().nullable(),
  inlineHelpText: z.string().optional().nullable(),
  referenceTo: z.string().optional().nullable(),
  relationshipName: z.string().optional().nullable(),
  relationshipLabel: z.string().optional().nullable(),
  deleteConstraint: z.enum(['SetNull', 'Restrict', 'Cascade']).optional().nullable(),
  valueSet: valueSetSchema.optional().nullable(),
  trackHistory: z.boolean().optional().nullable(),
  trackTrending: z.boolean().optional().nullable(),
  trackFeedHistory: z.boolean().optional().nullable(),
  securityClassification: z.string().optional().nullable(),
  businessStatus: z.string().optional().nullable(),
  complianceGroup: z.string().optional().nullable(),
  fieldManageability: z.string().optional().nullable(),
  displayLocationInDecimal: z.boolean().optional().nullable(),
});
export type CustomFieldMetadata = z.infer<typeof customFieldMetadataSchema>;

const developerName = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/;

const integrity = (message: string) =>
  new SalesforceApiError(400, 'FIELD_INTEGRITY_EXCEPTION', message, []);

function requireAttribute<T>(value: T | null | undefined, attribute: string, type: string): T {
  if (value === undefined || value === null) {
    throw integrity(`Must specify '${attribute}' for a CustomField of type ${type}`);
  }
  return value;
}

function checkRange(value: number, min: number, max: number, message: string) {
  if (value < min || value > max) throw integrity(message);
}

/**
 * Validates `Metadata` for a new custom field named `name` (with `__c`) on `object` and returns the
 * field definition describe will report. Throws SalesforceApiError as the platform would.
 */
export function customFieldFromMetadata(
  object: ObjectDef,
  name: string,
  metadata: CustomFieldMetadata,
  objectExists: (name: string) => ObjectDef | undefined,
): FieldDef {
  const base = name.slice(0, -3);
  if (!name.endsWith('__c') || !developerName.test(base) || base.endsWith('_')) {
    throw integrity(
      `The field name can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores: ${name}`,
    );
  }
  if (base.length > 40) throw integrity(`Field name too long (max 40 characters): ${name}`);
  if (findField(object, name) !== undefined) {
    throw new SalesforceApiError(
      400,
      'DUPLICATE_DEVELOPER_NAME',
      `There is already a field named ${base} on ${object.name}.`,
      [],
    );
  }
  const type = metadata.type;
  if (type === undefined || !(customFieldTypes as readonly string[]).includes(type)) {
    throw integrity(`Invalid or missing field type: ${String(type)}`);
  }
  const fieldType = type as CustomFieldType;
  const label = requireAttribute(metadata.label, 'label', fieldType);
  if (label.length > 40) throw integrity('Field Label: data value too large (max length=40)');
  if (
    (metadata.externalId === true || metadata.unique === true) &&
    !['Text', 'Number', 'Email'].includes(fieldType)
  ) {
    throw integrity(`Only Text, Number and Email fields can be unique or external ids: ${name}`);
  }
  const common = {
    name,
    label,
    custom: true,
    externalId: metadata.externalId === true,
    unique: metadata.unique === true,
    caseSensitive: metadata.caseSensitive === true,
    idLookup: metadata.externalId === true || metadata.unique === true,
    nillable: metadata.required !== true,
    inlineHelpText: metadata.inlineHelpText ?? null,
  };
  switch (fieldType) {
    case 'Text': {
      const length = requireAttribute(metadata.length, 'length', fieldType);
      checkRange(length, 1, 255, 'Length: value must be between 1 and 255');
      return field({ ...common, type: 'string', length });
    }
    case 'TextArea':
      return field({ ...common, type: 'textarea', length: 255 });
    case 'LongTextArea': {
      const length = requireAttribute(metadata.length, 'length', fieldType);
      requireAttribute(metadata.visibleLines, 'visibleLines', fieldType);
      checkRange(length, 256, 131_072, 'Length: value must be between 256 and 131,072');
      return field({ ...common, type: 'textarea', length, extraTypeInfo: 'plaintextarea' });
    }
    case 'Email':
      return field({ ...common, type: 'email', length: 80 });
    case 'Phone':
      return field({ ...common, type: 'phone', length: 40 });
    case 'Url':
      return field({ ...common, type: 'url', length: 255 });
    case 'Number':
    case 'Currency':
    case 'Percent': {
      const precision = requireAttribute(metadata.precision, 'precision', fieldType);
      const scale = requireAttribute(metadata.scale, 'scale', fieldType);
      checkRange(precision, 1, 18, 'Length: value must be between 1 and 18');
      checkRange(scale, 0, precision, 'Decimal Places: value must not exceed the length');
      const describeType = fieldType === 'Number' ? 'double' : fieldType.toLowerCase();
      return field({
        ...common,
        type: describeType as 'double' | 'currency' | 'percent',
        precision,
        scale,
      });
    }
    case 'Checkbox': {
      const defaultValue = requireAttribute(metadata.defaultValue, 'defaultValue', fieldType);
      if (defaultValue !== 'true' && defaultValue !== 'false') {
        throw integrity(`Default value for a Checkbox must be true or false: ${defaultValue}`);
      }
      return field({
        ...common,
        type: 'boolean',
        nillable: false,
        defaultedOnCreate: true,
        defaultValue: defaultValue === 'true',
      });
    }
    case 'Date':
      return field({ ...common, type: 'date' });
    case 'DateTime':
      return field({ ...common, type: 'datetime' });
    case 'Picklist': {
      const values = metadata.valueSet?.valueSetDefinition?.value;
      if (values === undefined || values.length === 0) {
        throw integrity(`Must specify 'valueSet' for a CustomField of type ${fieldType}`);
      }
      const options = picklist(
        values.map((v) => v.fullName),
        values.map((v) => v.label ?? v.fullName),
      );
      values.forEach((v, index) => {
        const option = options[index];
        if (option !== undefined) option.defaultValue = v.default === true;
      });
      return field({
        ...common,
        type: 'picklist',
        length: 255,
        picklistValues: options,
        restrictedPicklist: metadata.valueSet?.restricted === true,
      });
    }
    case 'Lookup': {
      const referenceTo = requireAttribute(metadata.referenceTo, 'referenceTo', fieldType);
      const relationshipName = requireAttribute(
        metadata.relationshipName,
        'relationshipName',
        fieldType,
      );
      const target = objectExists(referenceTo);
      if (target === undefined) throw integrity(`referenceTo value of '${referenceTo}' is invalid`);
      if (!developerName.test(relationshipName)) {
        throw integrity(`Invalid relationship name: ${relationshipName}`);
      }
      return field({
        ...common,
        type: 'reference',
        length: 18,
        referenceTo: [target.name],
        relationshipName: `${base}__r`,
        childRelationshipName: `${relationshipName}__r`,
      });
    }
  }
}

/** The Metadata API description of one of Partnerbridge's provisioned fields. */
export function metadataForDefinition(
  object: ObjectDef,
  definition: SalesforceFieldDefinition,
): CustomFieldMetadata {
  const base = { label: definition.label, type: definition.type };
  switch (definition.type) {
    case 'Text':
      return {
        ...base,
        length: definition.length ?? 255,
        externalId: definition.externalId ?? false,
        unique: definition.unique ?? false,
      };
    case 'LongTextArea':
      return { ...base, length: definition.length ?? 32_768, visibleLines: 3 };
    case 'Number':
    case 'Currency':
      return { ...base, precision: definition.precision ?? 18, scale: definition.scale ?? 0 };
    case 'Checkbox':
      return { ...base, defaultValue: 'false' };
    case 'Date':
      return base;
    case 'Picklist':
      return {
        ...base,
        valueSet: {
          restricted: true,
          valueSetDefinition: {
            sorted: false,
            value: (definition.picklistValues ?? []).map((value) => ({
              fullName: value,
              label: value,
              default: false,
            })),
          },
        },
      };
    case 'Lookup':
      return {
        ...base,
        referenceTo: definition.referenceTo ?? 'Account',
        relationshipName: `${definition.name.replace(/__c$/, '')}_${object.labelPlural}`,
        deleteConstraint: 'SetNull',
      };
  }
}
