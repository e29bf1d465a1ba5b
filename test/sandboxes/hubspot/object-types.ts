// The CRM object types the sandbox models (deals and companies) and every name HubSpot accepts
// for them in paths: plural names, singular names and object type ids.

export const objectTypeNames = ['deal', 'company'] as const;
export type ObjectTypeName = (typeof objectTypeNames)[number];

export type ObjectTypeDefinition = {
  readonly name: ObjectTypeName;
  readonly plural: 'deals' | 'companies';
  /** HubSpot's object type id, carried by generic webhooks (`objectTypeId`). */
  readonly typeId: '0-3' | '0-2';
  /** The upper-case name used in error messages and legacy association types (`DEAL_TO_COMPANY`). */
  readonly upper: 'DEAL' | 'COMPANY';
  /** First digit of the sandbox's record ids, so deal and company ids never look alike. */
  readonly idDigit: number;
  /** Properties returned when a request names none (HubSpot's defaults for v3 reads). */
  readonly defaultProperties: readonly string[];
  /** Properties the search `query` parameter looks in. */
  readonly searchableProperties: readonly string[];
};

export const objectTypes: Record<ObjectTypeName, ObjectTypeDefinition> = {
  deal: {
    name: 'deal',
    plural: 'deals',
    typeId: '0-3',
    upper: 'DEAL',
    idDigit: 3,
    defaultProperties: [
      'amount',
      'closedate',
      'createdate',
      'dealname',
      'dealstage',
      'hs_lastmodifieddate',
      'hs_object_id',
      'pipeline',
    ],
    searchableProperties: ['dealname'],
  },
  company: {
    name: 'company',
    plural: 'companies',
    typeId: '0-2',
    upper: 'COMPANY',
    idDigit: 1,
    defaultProperties: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
    searchableProperties: ['name', 'domain', 'website', 'phone'],
  },
};

const aliases = new Map<string, ObjectTypeName>([
  ['deals', 'deal'],
  ['deal', 'deal'],
  ['0-3', 'deal'],
  ['companies', 'company'],
  ['company', 'company'],
  ['0-2', 'company'],
]);

/** Path segments under which each object type is mounted. */
export const objectTypeAliases: Record<ObjectTypeName, readonly string[]> = {
  deal: ['deals', '0-3', 'deal'],
  company: ['companies', '0-2', 'company'],
};

export function resolveObjectType(name: string): ObjectTypeName | undefined {
  return aliases.get(name.toLowerCase());
}

export function otherObjectType(type: ObjectTypeName): ObjectTypeName {
  return type === 'deal' ? 'company' : 'deal';
}
