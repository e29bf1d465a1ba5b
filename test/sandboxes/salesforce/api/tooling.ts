import { z } from 'zod';
import { invalidField, malformedQuery, notFound } from '../errors.ts';
import { normalizeId } from '../ids.ts';
import { customFieldMetadataSchema } from '../schema/custom-fields.ts';
import { describeGlobalEntry, describeObject } from '../schema/describe.ts';
import { type FieldDef, field, type ObjectDef, systemField } from '../schema/fields.ts';
import type { QuerySource, Row } from '../soql/engine.ts';
import { createCustomField } from '../store/custom-fields.ts';
import type { Org } from '../store/org.ts';
import type { Value } from '../store/record-store.ts';
import { type ApiContext, type ApiRoute, json, parseBody } from './api-route.ts';
import { answerQuery } from './query.ts';
import { renderRecord } from './sobjects.ts';

// The slice of the Tooling API a connector needs to provision its fields: create CustomField
// records, and query CustomField / FieldDefinition / EntityDefinition to see what exists.

const customFieldObject: ObjectDef = {
  name: 'CustomField',
  label: 'Custom Field Definition',
  labelPlural: 'Custom Field Definitions',
  keyPrefix: '00N',
  custom: false,
  createable: true,
  updateable: false,
  deletable: false,
  undeletable: false,
  queryable: true,
  idFormat: 'salesforce',
  changeEvents: false,
  fields: [
    systemField({ name: 'Id', label: 'Custom Field Definition ID', type: 'id', nillable: false }),
    field({ name: 'DeveloperName', label: 'Field Name', type: 'string', length: 40 }),
    field({ name: 'NamespacePrefix', label: 'Namespace Prefix', type: 'string', length: 15 }),
    field({ name: 'TableEnumOrId', label: 'Table Enum or ID', type: 'string', length: 40 }),
    field({ name: 'FullName', label: 'Full Name', type: 'string', length: 255 }),
    field({ name: 'Metadata', label: 'Metadata', type: 'complexvalue' }),
    systemField({ name: 'CreatedDate', label: 'Created Date', type: 'datetime' }),
    systemField({ name: 'CreatedById', label: 'Created By ID', type: 'string', length: 18 }),
  ],
};

const entityDefinitionObject: ObjectDef = {
  name: 'EntityDefinition',
  label: 'Entity Definition',
  labelPlural: 'Entity Definitions',
  keyPrefix: '4ie',
  custom: false,
  createable: false,
  updateable: false,
  deletable: false,
  undeletable: false,
  queryable: true,
  idFormat: 'durable',
  changeEvents: false,
  fields: [
    systemField({ name: 'Id', label: 'Entity Definition ID', type: 'id' }),
    systemField({ name: 'DurableId', label: 'Durable ID', type: 'string' }),
    systemField({ name: 'QualifiedApiName', label: 'Qualified API Name', type: 'string' }),
    systemField({ name: 'DeveloperName', label: 'Developer Name', type: 'string' }),
    systemField({ name: 'Label', label: 'Label', type: 'string' }),
    systemField({ name: 'KeyPrefix', label: 'Key Prefix', type: 'string', length: 3 }),
    systemField({ name: 'IsCustomizable', label: 'Customizable', type: 'boolean' }),
  ],
};

const fieldDefinitionObject: ObjectDef = {
  name: 'FieldDefinition',
  label: 'Field Definition',
  labelPlural: 'Field Definitions',
  keyPrefix: '4if',
  custom: false,
  createable: false,
  updateable: false,
  deletable: false,
  undeletable: false,
  queryable: true,
  idFormat: 'durable',
  changeEvents: false,
  fields: [
    systemField({ name: 'Id', label: 'Field Definition ID', type: 'id' }),
    systemField({ name: 'DurableId', label: 'Durable ID', type: 'string' }),
    systemField({ name: 'QualifiedApiName', label: 'Qualified API Name', type: 'string' }),
    systemField({ name: 'DeveloperName', label: 'Developer Name', type: 'string' }),
    systemField({ name: 'Label', label: 'Label', type: 'string' }),
    systemField({ name: 'DataType', label: 'Data Type', type: 'string' }),
    systemField({ name: 'Length', label: 'Length', type: 'int' }),
    systemField({ name: 'IsIndexed', label: 'Indexed', type: 'boolean' }),
    systemField({
      name: 'EntityDefinitionId',
      label: 'Entity Definition ID',
      type: 'reference',
      referenceTo: ['EntityDefinition'],
      relationshipName: 'EntityDefinition',
    }),
  ],
};

const toolingObjects = [customFieldObject, entityDefinitionObject, fieldDefinitionObject];

function dataType(org: Org, def: FieldDef): string {
  switch (def.type) {
    case 'string':
      return `Text(${def.length})`;
    case 'textarea':
      return def.length > 255 ? `Long Text Area(${def.length})` : 'Text Area(255)';
    case 'picklist':
      return 'Picklist';
    case 'boolean':
      return 'Checkbox';
    case 'currency':
      return `Currency(${def.precision - def.scale}, ${def.scale})`;
    case 'double':
      return `Number(${def.precision - def.scale}, ${def.scale})`;
    case 'percent':
      return `Percent(${def.precision - def.scale}, ${def.scale})`;
    case 'int':
      return `Number(${def.digits}, 0)`;
    case 'date':
      return 'Date';
    case 'datetime':
      return 'Date/Time';
    case 'email':
      return 'Email';
    case 'phone':
      return 'Phone';
    case 'url':
      return `URL(${def.length})`;
    case 'reference':
      return `Lookup(${def.referenceTo.map((name) => org.object(name)?.label ?? name).join(',')})`;
    case 'id':
      return 'Lookup()';
    case 'complexvalue':
      return 'Complex Value';
  }
}

function toolingRows(org: Org, object: ObjectDef): Row[] {
  const dataObjects = org.allObjects();
  switch (object.name) {
    case 'CustomField':
      return [...org.customFields.values()].map((cf) => {
        const [, fieldName = ''] = cf.fullName.split('.');
        const values: Record<string, Value> = {
          Id: cf.id,
          DeveloperName: fieldName.replace(/__c$/, ''),
          NamespacePrefix: null,
          TableEnumOrId: cf.sobject,
          FullName: cf.fullName,
          Metadata: cf.metadata,
          CreatedDate: cf.createdAt,
          CreatedById: cf.createdById,
        };
        return { id: cf.id, values };
      });
    case 'EntityDefinition':
      return dataObjects.map((o) => ({
        id: o.name,
        values: {
          Id: o.name,
          DurableId: o.name,
          QualifiedApiName: o.name,
          DeveloperName: o.name,
          Label: o.label,
          KeyPrefix: o.keyPrefix,
          IsCustomizable: o.createable,
        },
      }));
    case 'FieldDefinition':
      return dataObjects.flatMap((o) =>
        o.fields.map((def) => {
          const id = `${o.name}.${def.name}`;
          return {
            id,
            values: {
              Id: id,
              DurableId: id,
              QualifiedApiName: def.name,
              DeveloperName: def.name.replace(/__c$/, ''),
              Label: def.label,
              DataType: dataType(org, def),
              Length: def.length,
              IsIndexed: def.type === 'id' || def.externalId || def.unique,
              EntityDefinitionId: o.name,
            },
          };
        }),
      );
    default:
      return [];
  }
}

function toolingSource(org: Org, basePath: string): QuerySource {
  return {
    object: (name) => toolingObjects.find((o) => o.name.toLowerCase() === name.toLowerCase()),
    allObjects: () => toolingObjects,
    rows: (object) => toolingRows(org, object),
    row: (object, id) =>
      toolingRows(org, object).find((row) => row.id.toLowerCase() === id.toLowerCase()),
    recordUrl: (object, id) => `${basePath}/tooling/sobjects/${object.name}/${id}`,
  };
}

const createCustomFieldSchema = z.strictObject({
  FullName: z.string().min(1),
  Metadata: customFieldMetadataSchema,
});

function toolingObjectOrThrow(name: string): ObjectDef {
  const object = toolingObjects.find((o) => o.name.toLowerCase() === name.toLowerCase());
  if (object === undefined) throw notFound();
  return object;
}

function answerToolingQuery(context: ApiContext, q: string | undefined) {
  const base = `${context.basePath}/tooling`;
  const page = answerQuery(
    context,
    toolingSource(context.org, context.basePath),
    q,
    false,
    `${base}/query`,
  );
  const first = page.records[0];
  if (
    page.totalSize > 1 &&
    typeof first === 'object' &&
    first !== null &&
    ('Metadata' in first || 'FullName' in first)
  ) {
    throw malformedQuery(
      `When retrieving results with Metadata or FullName fields, the query qualifications must specify no more than one row for retrieval. Result size: ${page.totalSize}`,
    );
  }
  return page;
}

export const toolingRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/tooling/sobjects',
    handler: ({ context }) =>
      json(200, {
        encoding: 'UTF-8',
        maxBatchSize: 200,
        sobjects: toolingObjects.map((o) => describeGlobalEntry(o, `${context.basePath}/tooling`)),
      }),
  },
  {
    method: 'GET',
    path: '/tooling/sobjects/:sobject/describe',
    handler: ({ params, context }) =>
      json(
        200,
        describeObject(
          toolingObjectOrThrow(params.sobject ?? ''),
          toolingObjects,
          `${context.basePath}/tooling`,
        ),
      ),
  },
  {
    method: 'POST',
    path: '/tooling/sobjects/:sobject',
    handler: ({ params, body, context }) => {
      const object = toolingObjectOrThrow(params.sobject ?? '');
      if (object.name !== 'CustomField') {
        throw invalidField(`entity type ${object.name} does not support insert`);
      }
      const input = parseBody(createCustomFieldSchema, body);
      const id = createCustomField(
        context.org,
        input.FullName,
        input.Metadata,
        context.session.userId,
        context.now,
      );
      return json(201, { id, success: true, errors: [], warnings: [], infos: [] });
    },
  },
  {
    method: 'GET',
    path: '/tooling/sobjects/:sobject/:id',
    handler: ({ params, context }) => {
      const object = toolingObjectOrThrow(params.sobject ?? '');
      const raw = params.id ?? '';
      const id = object.idFormat === 'salesforce' ? normalizeId(raw) : raw;
      const row =
        id === undefined
          ? undefined
          : toolingSource(context.org, context.basePath).row(object, id, false);
      if (row === undefined) throw notFound();
      return json(200, {
        ...renderRecord(`${context.basePath}/tooling`, object, {
          ...row,
          sobject: object.name,
          deletedAt: null,
          cascadeFrom: null,
          seq: 0,
        }),
      });
    },
  },
  {
    method: 'GET',
    path: '/tooling/query',
    handler: ({ query, context }) => json(200, answerToolingQuery(context, query.q)),
  },
  {
    method: 'GET',
    path: '/tooling/query/:locator',
    handler: ({ params, context }) =>
      json(200, context.state.cursors.next(context.org.id, params.locator ?? '')),
  },
];
