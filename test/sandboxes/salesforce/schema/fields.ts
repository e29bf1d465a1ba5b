// The sandbox's model of an sObject schema: what describe reports and what DML and SOQL enforce.

export const fieldTypes = [
  'id',
  'string',
  'textarea',
  'url',
  'phone',
  'email',
  'picklist',
  'boolean',
  'currency',
  'double',
  'percent',
  'int',
  'date',
  'datetime',
  'reference',
  /** Tooling API structured values (`CustomField.Metadata`), stored as JSON text. */
  'complexvalue',
] as const;
export type FieldType = (typeof fieldTypes)[number];

export type PicklistValue = {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
};

export type FieldDef = {
  name: string;
  label: string;
  type: FieldType;
  /** Characters for text types, 0 otherwise. */
  length: number;
  precision: number;
  scale: number;
  digits: number;
  picklistValues: PicklistValue[];
  restrictedPicklist: boolean;
  externalId: boolean;
  unique: boolean;
  caseSensitive: boolean;
  idLookup: boolean;
  custom: boolean;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  /** Computed on read (formula); never stored or sent in change events. */
  calculated: boolean;
  /** Maintained by the platform (system audit fields, derived flags). */
  system: boolean;
  referenceTo: string[];
  /** The parent relationship used in SOQL paths (`Account`, `PB_Partner_Account__r`). */
  relationshipName: string | null;
  /** The child relationship name the referenced object lists (`Opportunities`). */
  childRelationshipName: string | null;
  nameField: boolean;
  extraTypeInfo: string | null;
  defaultValue: string | boolean | null;
  inlineHelpText: string | null;
};

export type ObjectDef = {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string | null;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  undeletable: boolean;
  queryable: boolean;
  /** `salesforce`: 15/18-character ids; `durable`: Tooling-style names used as ids. */
  idFormat: 'salesforce' | 'durable';
  /** Whether Change Data Capture is enabled for the object. */
  changeEvents: boolean;
  fields: FieldDef[];
};

type FieldInput = Partial<FieldDef> & Pick<FieldDef, 'name' | 'label' | 'type'>;

const textTypes: readonly FieldType[] = [
  'string',
  'textarea',
  'url',
  'phone',
  'email',
  'picklist',
  'id',
  'reference',
];

/** A field with Salesforce's defaults for its type filled in. */
export function field(input: FieldInput): FieldDef {
  const isText = textTypes.includes(input.type);
  const isBoolean = input.type === 'boolean';
  return {
    length: isText ? (input.type === 'id' || input.type === 'reference' ? 18 : 255) : 0,
    precision: 0,
    scale: 0,
    digits: 0,
    picklistValues: [],
    restrictedPicklist: false,
    externalId: false,
    unique: false,
    caseSensitive: false,
    idLookup: false,
    custom: input.name.endsWith('__c'),
    nillable: !isBoolean,
    createable: true,
    updateable: true,
    defaultedOnCreate: isBoolean,
    calculated: false,
    system: false,
    referenceTo: [],
    relationshipName: null,
    childRelationshipName: null,
    nameField: false,
    extraTypeInfo: null,
    defaultValue: isBoolean ? false : null,
    inlineHelpText: null,
    ...input,
  };
}

/** A field the platform maintains: read-only through the API. */
export function systemField(input: FieldInput): FieldDef {
  return field({
    createable: false,
    updateable: false,
    defaultedOnCreate: true,
    system: true,
    ...input,
  });
}

export function picklist(values: readonly string[], labels?: readonly string[]): PicklistValue[] {
  return values.map((value, index) => ({
    value,
    label: labels?.[index] ?? value,
    active: true,
    defaultValue: false,
  }));
}

/** Required on create: not nillable, createable, and not filled in by the platform. */
export function isRequired(def: FieldDef): boolean {
  return !def.nillable && def.createable && !def.defaultedOnCreate;
}

export function findField(object: ObjectDef, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return object.fields.find((f) => f.name.toLowerCase() === lower);
}

/** The lookup field whose relationship name is `relationshipName` (`Account` → `AccountId`). */
export function findRelationship(
  object: ObjectDef,
  relationshipName: string,
): FieldDef | undefined {
  const lower = relationshipName.toLowerCase();
  return object.fields.find(
    (f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === lower,
  );
}

export function cloneObjectDef(object: ObjectDef): ObjectDef {
  return {
    ...object,
    fields: object.fields.map((f) => ({
      ...f,
      picklistValues: f.picklistValues.map((v) => ({ ...v })),
      referenceTo: [...f.referenceTo],
    })),
  };
}
