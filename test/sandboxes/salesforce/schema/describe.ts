import type { FieldDef, FieldType, ObjectDef } from './fields.ts';

// Describe results in the shape of `GET /sobjects/{Type}/describe` and `GET /sobjects`.

const soapTypes: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  url: 'xsd:string',
  phone: 'xsd:string',
  email: 'xsd:string',
  picklist: 'xsd:string',
  boolean: 'xsd:boolean',
  currency: 'xsd:double',
  double: 'xsd:double',
  percent: 'xsd:double',
  int: 'xsd:int',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  complexvalue: 'urn:CustomFieldMetadata',
};

function objectUrls(base: string, name: string): Record<string, string> {
  const root = `${base}/sobjects/${name}`;
  return {
    sobject: root,
    describe: `${root}/describe`,
    rowTemplate: `${root}/{ID}`,
  };
}

export function describeField(def: FieldDef): Record<string, unknown> {
  const textual = def.length > 0 && def.type !== 'boolean';
  return {
    aggregatable: def.type !== 'textarea',
    aiPredictionField: false,
    autoNumber: false,
    byteLength: textual ? def.length * 3 : 0,
    calculated: def.calculated,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: def.caseSensitive,
    compoundFieldName: null,
    controllerName: null,
    createable: def.createable,
    custom: def.custom,
    defaultValue: typeof def.defaultValue === 'boolean' ? def.defaultValue : null,
    defaultValueFormula: typeof def.defaultValue === 'string' ? def.defaultValue : null,
    defaultedOnCreate: def.defaultedOnCreate,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: def.digits,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: def.externalId,
    extraTypeInfo: def.extraTypeInfo,
    filterable: def.type !== 'textarea' || def.length <= 255,
    filteredLookupInfo: null,
    groupable: !['textarea', 'currency', 'double', 'percent', 'datetime'].includes(def.type),
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: def.idLookup,
    inlineHelpText: def.inlineHelpText,
    label: def.label,
    length: def.length,
    mask: null,
    maskType: null,
    name: def.name,
    nameField: def.nameField,
    namePointing: false,
    nillable: def.nillable,
    permissionable: def.custom && def.nillable,
    picklistValues: def.picklistValues.map((v) => ({
      active: v.active,
      defaultValue: v.defaultValue,
      label: v.label,
      validFor: null,
      value: v.value,
    })),
    polymorphicForeignKey: false,
    precision: def.precision,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: def.referenceTo,
    relationshipName: def.relationshipName,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: def.restrictedPicklist,
    scale: def.scale,
    searchPrefilterable: false,
    soapType: soapTypes[def.type],
    sortable: def.type !== 'textarea' || def.length <= 255,
    type: def.type,
    unique: def.unique,
    updateable: def.updateable,
    writeRequiresMasterRead: false,
  };
}

export function describeGlobalEntry(object: ObjectDef, base: string): Record<string, unknown> {
  return {
    activateable: false,
    associateEntityType: null,
    associateParentEntity: null,
    createable: object.createable,
    custom: object.custom,
    customSetting: false,
    deepCloneable: false,
    deletable: object.deletable,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: object.keyPrefix,
    label: object.label,
    labelPlural: object.labelPlural,
    layoutable: true,
    mergeable: object.name === 'Account',
    mruEnabled: true,
    name: object.name,
    queryable: object.queryable,
    replicateable: object.queryable,
    retrieveable: object.queryable,
    searchable: true,
    triggerable: object.createable,
    undeletable: object.undeletable,
    updateable: object.updateable,
    urls: objectUrls(base, object.name),
  };
}

/** `GET /sobjects/{Type}/describe`; `all` supplies the child relationships pointing here. */
export function describeObject(
  object: ObjectDef,
  all: readonly ObjectDef[],
  base: string,
): Record<string, unknown> {
  const childRelationships = all.flatMap((child) =>
    child.fields
      .filter((f) => f.referenceTo.includes(object.name) && f.childRelationshipName !== null)
      .map((f) => ({
        cascadeDelete: child.name === 'Opportunity' && f.name === 'AccountId',
        childSObject: child.name,
        deprecatedAndHidden: false,
        field: f.name,
        junctionIdListNames: [],
        junctionReferenceTo: [],
        relationshipName: f.childRelationshipName,
        restrictedDelete: false,
      })),
  );
  return {
    ...describeGlobalEntry(object, base),
    actionOverrides: [],
    childRelationships,
    compactLayoutable: true,
    fields: object.fields.map(describeField),
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: [
      {
        active: true,
        available: true,
        defaultRecordTypeMapping: true,
        developerName: 'Master',
        master: true,
        name: 'Master',
        recordTypeId: '012000000000000AAA',
        urls: {},
      },
    ],
    searchLayoutable: true,
    supportedScopes: [
      { label: `All ${object.labelPlural.toLowerCase()}`, name: 'everything' },
      { label: `My ${object.labelPlural.toLowerCase()}`, name: 'mine' },
    ],
    urls: {
      ...objectUrls(base, object.name),
      compactLayouts: `${base}/sobjects/${object.name}/describe/compactLayouts`,
      layouts: `${base}/sobjects/${object.name}/describe/layouts`,
    },
  };
}
