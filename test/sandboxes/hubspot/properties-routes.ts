import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { assertScopes } from './auth.ts';
import { batchResponse, type StandardError, standardError } from './batch-responses.ts';
import {
  type Caller,
  callerOf,
  objectScope,
  rateLimited,
  type SandboxContext,
  schemaScope,
} from './context.ts';
import type { CrmStore, Portal } from './crm-store.ts';
import { errorBody, HubspotError, resourceNotFound, validationError } from './errors.ts';
import { type ObjectTypeName, objectTypes } from './object-types.ts';
import {
  type FieldType,
  fieldTypes,
  type PropertyDefinition,
  type PropertyGroupDefinition,
  type PropertyType,
  propertyTypes,
} from './property-catalog.ts';
import { parseBody, queryBoolean, routeParam } from './request-parsing.ts';

// /crm/v3/properties/{objectType}: property definitions and property groups.

const optionSchema = z.object({
  label: z.string().min(1),
  value: z.string().min(1),
  displayOrder: z.number().int().optional(),
  hidden: z.boolean().default(false),
  description: z.string().optional(),
});

export const propertyCreateSchema = z.object({
  name: z.string().min(1),
  label: z.string().min(1),
  type: z.enum(propertyTypes),
  fieldType: z.enum(fieldTypes),
  groupName: z.string().min(1),
  description: z.string().optional(),
  options: z.array(optionSchema).optional(),
  displayOrder: z.number().int().optional(),
  hasUniqueValue: z.boolean().optional(),
  hidden: z.boolean().optional(),
  formField: z.boolean().optional(),
  externalOptions: z.boolean().optional(),
  calculationFormula: z.string().optional(),
  referencedObjectType: z.string().optional(),
  dataSensitivity: z.enum(['non_sensitive', 'sensitive', 'highly_sensitive']).optional(),
});
export type PropertyCreateInput = z.input<typeof propertyCreateSchema>;

const propertyUpdateSchema = z.object({
  label: z.string().min(1).optional(),
  description: z.string().optional(),
  groupName: z.string().min(1).optional(),
  options: z.array(optionSchema).optional(),
  displayOrder: z.number().int().optional(),
  hidden: z.boolean().optional(),
  formField: z.boolean().optional(),
  type: z.enum(propertyTypes).optional(),
  fieldType: z.enum(fieldTypes).optional(),
});

const groupCreateSchema = z.object({
  name: z.string().min(1),
  label: z.string().min(1),
  displayOrder: z.number().int().optional(),
});

const groupUpdateSchema = z.object({
  label: z.string().min(1).optional(),
  displayOrder: z.number().int().optional(),
});

const compatibleFieldTypes: Record<PropertyType, readonly FieldType[]> = {
  bool: ['booleancheckbox', 'calculation_equation'],
  date: ['date', 'calculation_equation'],
  datetime: ['date', 'calculation_equation'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox', 'calculation_equation'],
  number: ['number', 'calculation_equation'],
  phone_number: ['phonenumber', 'text'],
  string: ['text', 'textarea', 'html', 'file', 'phonenumber', 'calculation_equation'],
};

export function propertyView(definition: PropertyDefinition): Record<string, unknown> {
  return {
    name: definition.name,
    label: definition.label,
    type: definition.type,
    fieldType: definition.fieldType,
    description: definition.description,
    groupName: definition.groupName,
    options: definition.options.map((option) => ({ ...option })),
    displayOrder: definition.displayOrder,
    calculated: definition.calculated,
    externalOptions: definition.externalOptions,
    hasUniqueValue: definition.hasUniqueValue,
    hidden: definition.hidden,
    hubspotDefined: definition.hubspotDefined,
    formField: definition.formField,
    archived: definition.archived,
    createdAt: new Date(definition.createdAt).toISOString(),
    updatedAt: new Date(definition.updatedAt).toISOString(),
    modificationMetadata: {
      archivable: !definition.hubspotDefined,
      readOnlyDefinition: definition.readOnlyDefinition,
      readOnlyOptions: definition.hubspotDefined,
      readOnlyValue: definition.readOnlyValue,
    },
  };
}

function groupView(group: PropertyGroupDefinition): Record<string, unknown> {
  return { ...group };
}

function alreadyExists(message: string, name: string): HubspotError {
  return new HubspotError(
    409,
    errorBody('OBJECT_ALREADY_EXISTS', message, { context: { name: [name] } }),
  );
}

/** Builds a property definition from a create body, or returns why HubSpot would refuse it. */
export function buildPropertyDefinition(
  store: CrmStore,
  portal: Portal,
  type: ObjectTypeName,
  body: z.infer<typeof propertyCreateSchema>,
  options: { hubspotDefined?: boolean } = {},
): PropertyDefinition | HubspotError {
  if (!/^[a-z][a-z0-9_]*$/.test(body.name)) {
    return validationError(
      `Property name "${body.name}" is invalid: names must start with a lowercase letter and contain only lowercase letters, digits and underscores.`,
      { context: { name: [body.name] } },
    );
  }
  if (portal.properties[type].get(body.name) !== undefined) {
    return alreadyExists(`Property named '${body.name}' already exists.`, body.name);
  }
  if (!portal.groups[type].has(body.groupName)) {
    return validationError(`Property group "${body.groupName}" does not exist.`, {
      context: { groupName: [body.groupName] },
    });
  }
  if (!compatibleFieldTypes[body.type].includes(body.fieldType)) {
    return validationError(
      `fieldType "${body.fieldType}" is not valid for a property of type "${body.type}".`,
    );
  }
  if (
    body.type === 'enumeration' &&
    (body.options ?? []).length === 0 &&
    body.externalOptions !== true
  ) {
    return validationError(`Enumeration property "${body.name}" needs at least one option.`);
  }
  if (body.hasUniqueValue === true && body.type !== 'string' && body.type !== 'number') {
    return validationError('Only string and number properties can require unique values.');
  }
  const at = store.now();
  return {
    name: body.name,
    label: body.label,
    type: body.type,
    fieldType: body.fieldType,
    groupName: body.groupName,
    description: body.description ?? '',
    options: (body.options ?? []).map((option, index) => ({
      label: option.label,
      value: option.value,
      displayOrder: option.displayOrder ?? index,
      hidden: option.hidden,
      ...(option.description === undefined ? {} : { description: option.description }),
    })),
    displayOrder: body.displayOrder ?? -1,
    hasUniqueValue: body.hasUniqueValue ?? false,
    hidden: body.hidden ?? false,
    formField: body.formField ?? false,
    hubspotDefined: options.hubspotDefined ?? false,
    calculated: false,
    externalOptions: body.externalOptions ?? false,
    readOnlyValue: false,
    readOnlyDefinition: false,
    archived: false,
    createdAt: at,
    updatedAt: at,
  };
}

function requireRead(caller: Caller, type: ObjectTypeName): void {
  assertScopes(caller.auth, [
    objectScope(type, 'read'),
    schemaScope(type, 'read'),
    schemaScope(type, 'write'),
  ]);
}

function requireWrite(caller: Caller, type: ObjectTypeName): void {
  assertScopes(caller.auth, [schemaScope(type, 'write')]);
}

function propertyNotFound(type: ObjectTypeName, name: string): HubspotError {
  return resourceNotFound(
    `Unable to find property ${name} for object type ${objectTypes[type].typeId}`,
  );
}

export function propertiesRouter(ctx: SandboxContext, type: ObjectTypeName): Router {
  const router = Router();
  const standard = rateLimited(ctx, 'standard');

  router.get('/groups', standard, (_req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireRead(caller, type);
    const results = [...caller.portal.groups[type].values()]
      .filter((group) => !group.archived)
      .map(groupView);
    res.json({ results });
  });

  router.post('/groups', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireWrite(caller, type);
    const body = parseBody(groupCreateSchema, req.body);
    if (caller.portal.groups[type].has(body.name)) {
      throw alreadyExists(`A property group named '${body.name}' already exists.`, body.name);
    }
    const group: PropertyGroupDefinition = {
      name: body.name,
      label: body.label,
      displayOrder: body.displayOrder ?? -1,
      archived: false,
    };
    ctx.store.addGroup(caller.portal, type, group);
    res.status(201).json(groupView(group));
  });

  router.get('/groups/:groupName', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireRead(caller, type);
    const group = caller.portal.groups[type].get(routeParam(req, 'groupName'));
    if (group === undefined || group.archived) throw resourceNotFound('Property group not found');
    res.json(groupView(group));
  });

  router.patch('/groups/:groupName', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireWrite(caller, type);
    const body = parseBody(groupUpdateSchema, req.body);
    const group = caller.portal.groups[type].get(routeParam(req, 'groupName'));
    if (group === undefined || group.archived) throw resourceNotFound('Property group not found');
    if (body.label !== undefined) group.label = body.label;
    if (body.displayOrder !== undefined) group.displayOrder = body.displayOrder;
    res.json(groupView(group));
  });

  router.delete('/groups/:groupName', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireWrite(caller, type);
    const group = caller.portal.groups[type].get(routeParam(req, 'groupName'));
    if (group === undefined || group.archived) throw resourceNotFound('Property group not found');
    group.archived = true;
    res.status(204).end();
  });

  router.get('/', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireRead(caller, type);
    const archived = queryBoolean(req, 'archived');
    const results = [...caller.portal.properties[type].values()]
      .filter((definition) => definition.archived === archived)
      .map(propertyView);
    res.json({ results });
  });

  router.post('/', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireWrite(caller, type);
    const body = parseBody(propertyCreateSchema, req.body);
    const definition = buildPropertyDefinition(ctx.store, caller.portal, type, body);
    if (definition instanceof HubspotError) throw definition;
    ctx.store.addProperty(caller.portal, type, definition);
    res.status(201).json(propertyView(definition));
  });

  router.post('/batch/create', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireWrite(caller, type);
    const body = parseBody(z.object({ inputs: z.array(propertyCreateSchema) }), req.body);
    const startedAt = ctx.clock();
    const results: Record<string, unknown>[] = [];
    const errors: StandardError[] = [];
    for (const input of body.inputs) {
      const definition = buildPropertyDefinition(ctx.store, caller.portal, type, input);
      if (definition instanceof HubspotError) {
        errors.push(
          standardError(String(definition.body.category), String(definition.body.message), {
            name: [input.name],
          }),
        );
        continue;
      }
      ctx.store.addProperty(caller.portal, type, definition);
      results.push(propertyView(definition));
    }
    res
      .status(errors.length > 0 ? 207 : 201)
      .json(batchResponse(startedAt, ctx.clock(), results, errors));
  });

  router.post('/batch/read', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireRead(caller, type);
    const body = parseBody(
      z.object({
        inputs: z.array(z.object({ name: z.string() })),
        archived: z.boolean().optional(),
      }),
      req.body,
    );
    const startedAt = ctx.clock();
    const found: Record<string, unknown>[] = [];
    const missing: string[] = [];
    for (const { name } of body.inputs) {
      const definition = caller.portal.properties[type].get(name);
      if (definition === undefined || definition.archived !== (body.archived ?? false))
        missing.push(name);
      else found.push(propertyView(definition));
    }
    const errors =
      missing.length === 0
        ? []
        : [
            standardError(
              'OBJECT_NOT_FOUND',
              `Unable to find properties ${missing.join(', ')} for object type ${objectTypes[type].typeId}`,
              { names: missing },
            ),
          ];
    res
      .status(missing.length > 0 ? 207 : 200)
      .json(batchResponse(startedAt, ctx.clock(), found, errors));
  });

  router.get('/:propertyName', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireRead(caller, type);
    const name = routeParam(req, 'propertyName');
    const definition = caller.portal.properties[type].get(name);
    if (definition === undefined || definition.archived !== queryBoolean(req, 'archived')) {
      throw propertyNotFound(type, name);
    }
    res.json(propertyView(definition));
  });

  router.patch('/:propertyName', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireWrite(caller, type);
    const body = parseBody(propertyUpdateSchema, req.body);
    const name = routeParam(req, 'propertyName');
    const definition = ctx.store.property(caller.portal, type, name);
    if (definition === undefined) throw propertyNotFound(type, name);
    if (definition.readOnlyDefinition) {
      throw validationError(`The definition of ${name} is read-only and cannot be changed.`);
    }
    if (body.groupName !== undefined && !caller.portal.groups[type].has(body.groupName)) {
      throw validationError(`Property group "${body.groupName}" does not exist.`);
    }
    if (body.type !== undefined || body.fieldType !== undefined) {
      const nextType = body.type ?? definition.type;
      const nextField = body.fieldType ?? definition.fieldType;
      if (!compatibleFieldTypes[nextType].includes(nextField)) {
        throw validationError(
          `fieldType "${nextField}" is not valid for a property of type "${nextType}".`,
        );
      }
      definition.type = nextType;
      definition.fieldType = nextField;
    }
    if (body.label !== undefined) definition.label = body.label;
    if (body.description !== undefined) definition.description = body.description;
    if (body.groupName !== undefined) definition.groupName = body.groupName;
    if (body.displayOrder !== undefined) definition.displayOrder = body.displayOrder;
    if (body.hidden !== undefined) definition.hidden = body.hidden;
    if (body.formField !== undefined) definition.formField = body.formField;
    if (body.options !== undefined) {
      definition.options = body.options.map((option, index) => ({
        label: option.label,
        value: option.value,
        displayOrder: option.displayOrder ?? index,
        hidden: option.hidden,
        ...(option.description === undefined ? {} : { description: option.description }),
      }));
    }
    definition.updatedAt = ctx.clock();
    res.json(propertyView(definition));
  });

  router.delete('/:propertyName', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireWrite(caller, type);
    const name = routeParam(req, 'propertyName');
    const definition = ctx.store.property(caller.portal, type, name);
    if (definition === undefined) throw propertyNotFound(type, name);
    if (definition.hubspotDefined) {
      throw validationError(`${name} is a HubSpot-defined property and cannot be archived.`);
    }
    definition.archived = true;
    definition.updatedAt = ctx.clock();
    res.status(204).end();
  });

  return router;
}
