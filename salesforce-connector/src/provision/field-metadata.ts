import {
  type SalesforceFieldDefinition,
  salesforceAccountFields,
  salesforceOpportunityFields,
} from '@partnerbridge/shared/crm-fields';

// The Metadata API description of each field we provision, built once from crm-fields.ts and
// used twice: as the Tooling API `CustomField.Metadata` body on install, and rendered to the
// SFDX source in force-app/ — so the two can never disagree.

export const provisionedObjects = [
  { sobject: 'Account', fields: salesforceAccountFields },
  { sobject: 'Opportunity', fields: salesforceOpportunityFields },
] as const satisfies readonly {
  sobject: string;
  fields: readonly SalesforceFieldDefinition[];
}[];

export type PicklistValue = { fullName: string; default: boolean; label: string };

export type CustomFieldMetadata = {
  label: string;
  type: SalesforceFieldDefinition['type'];
  description: string;
  inlineHelpText?: string;
  length?: number;
  precision?: number;
  scale?: number;
  visibleLines?: number;
  externalId?: boolean;
  unique?: boolean;
  caseSensitive?: boolean;
  required?: boolean;
  defaultValue?: string;
  referenceTo?: string;
  relationshipName?: string;
  relationshipLabel?: string;
  deleteConstraint?: 'SetNull';
  valueSet?: {
    restricted: boolean;
    valueSetDefinition: { sorted: boolean; value: PicklistValue[] };
  };
};

/** `co_sell` → `Co-Sell`: the labels the HubSpot options use (crm-fields.ts). */
export function picklistLabel(value: string): string {
  return value
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('-');
}

const DESCRIPTION = 'Managed by Partnerbridge (partner attribution and HubSpot sync).';

/** Child relationship names on the lookup's target, unique per target object. */
function relationshipName(definition: SalesforceFieldDefinition): string {
  return `${definition.name.replace(/__c$/, '').replace(/_Account$/, '')}_Opportunities`;
}

export function customFieldMetadata(definition: SalesforceFieldDefinition): CustomFieldMetadata {
  const base = { label: definition.label, type: definition.type, description: DESCRIPTION };
  switch (definition.type) {
    case 'Text':
      return {
        ...base,
        length: definition.length ?? 255,
        required: false,
        ...(definition.externalId === true ? { externalId: true } : {}),
        ...(definition.unique === true ? { unique: true, caseSensitive: false } : {}),
      };
    case 'LongTextArea':
      return { ...base, length: definition.length ?? 32_768, visibleLines: 3 };
    case 'Number':
    case 'Currency':
      return {
        ...base,
        precision: definition.precision ?? 18,
        scale: definition.scale ?? 0,
        required: false,
      };
    case 'Checkbox':
      return { ...base, defaultValue: 'false' };
    case 'Date':
      return { ...base, required: false };
    case 'Picklist':
      return {
        ...base,
        required: false,
        valueSet: {
          restricted: true,
          valueSetDefinition: {
            sorted: false,
            value: (definition.picklistValues ?? []).map((value) => ({
              fullName: value,
              default: false,
              label: picklistLabel(value),
            })),
          },
        },
      };
    case 'Lookup':
      return {
        ...base,
        referenceTo: definition.referenceTo ?? 'Account',
        relationshipName: relationshipName(definition),
        relationshipLabel: 'Partner opportunities',
        deleteConstraint: 'SetNull',
        required: false,
      };
  }
}

/** The describe `type` Salesforce reports for each of our field types. */
export function describeTypesFor(type: SalesforceFieldDefinition['type']): readonly string[] {
  switch (type) {
    case 'Text':
      return ['string'];
    case 'LongTextArea':
      return ['textarea'];
    case 'Picklist':
      return ['picklist'];
    case 'Number':
      return ['double', 'int'];
    case 'Checkbox':
      return ['boolean'];
    case 'Date':
      return ['date'];
    case 'Currency':
      return ['currency'];
    case 'Lookup':
      return ['reference'];
  }
}
