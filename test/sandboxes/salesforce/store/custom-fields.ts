import { SalesforceApiError } from '../errors.ts';
import { keyPrefixes } from '../ids.ts';
import { type CustomFieldMetadata, customFieldFromMetadata } from '../schema/custom-fields.ts';
import type { Org } from './org.ts';

// Creating a custom field: validate its metadata, add it to the object's schema (describe shows
// it and DML accepts it at once) and list it as a Tooling API CustomField.

/** Creates `Object.Field__c`; returns the CustomField id. Throws SalesforceApiError when invalid. */
export function createCustomField(
  org: Org,
  fullName: string,
  metadata: CustomFieldMetadata,
  userId: string,
  now: number,
): string {
  const [objectName, fieldName, ...rest] = fullName.split('.');
  if (objectName === undefined || fieldName === undefined || rest.length > 0) {
    throw new SalesforceApiError(
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      `FullName must be ObjectName.FieldName__c: ${fullName}`,
      [],
    );
  }
  const object = org.object(objectName);
  if (object === undefined || object.idFormat !== 'salesforce' || !object.createable) {
    throw new SalesforceApiError(
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      `Cannot find entity for the custom field: ${objectName}`,
      [],
    );
  }
  const def = customFieldFromMetadata(object, fieldName, metadata, (name) => {
    const target = org.object(name);
    return target?.idFormat === 'salesforce' ? target : undefined;
  });
  const auditIndex = object.fields.findIndex((f) => f.name === 'IsDeleted');
  object.fields.splice(auditIndex < 0 ? object.fields.length : auditIndex, 0, def);
  const id = org.newId(keyPrefixes.CustomField);
  org.customFields.set(id, {
    id,
    fullName: `${object.name}.${def.name}`,
    sobject: object.name,
    metadata: JSON.stringify({ ...metadata, fullName: `${object.name}.${def.name}` }),
    createdAt: now,
    createdById: userId,
  });
  return id;
}
