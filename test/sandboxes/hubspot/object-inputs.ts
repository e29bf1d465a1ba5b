import { z } from 'zod';
import { associationCategories } from './association-store.ts';
import type { CrmStore, Portal, ValidationResult } from './crm-store.ts';
import { type ErrorDetail, validationError } from './errors.ts';
import { type ObjectTypeName, otherObjectType } from './object-types.ts';
import type { PropertyValueError } from './property-values.ts';

// Request bodies of the objects APIs and the checks shared by single and batch writes.

/** HubSpot takes property values as strings; numbers and booleans are accepted and stringified. */
export const propertyValuesSchema = z.record(
  z.string(),
  z
    .union([z.string(), z.number(), z.boolean(), z.null()])
    .transform((value) => (value === null ? null : String(value))),
);

export const objectIdSchema = z.union([z.string().min(1), z.number()]).transform(String);

export const associationSpecSchema = z.object({
  associationCategory: z.enum(associationCategories),
  associationTypeId: z.number().int(),
});

export const createAssociationSchema = z.object({
  to: z.object({ id: objectIdSchema }),
  types: z.array(associationSpecSchema).min(1),
});

export const createInputSchema = z.object({
  properties: propertyValuesSchema,
  associations: z.array(createAssociationSchema).optional(),
  objectWriteTraceId: z.string().optional(),
});
export type CreateInput = z.infer<typeof createInputSchema>;

export const updateInputSchema = z.object({
  properties: propertyValuesSchema,
  objectWriteTraceId: z.string().optional(),
});

export const batchUpdateInputSchema = z.object({
  id: objectIdSchema,
  idProperty: z.string().optional(),
  properties: propertyValuesSchema,
  objectWriteTraceId: z.string().optional(),
});

export const mergeInputSchema = z.object({
  primaryObjectId: objectIdSchema,
  objectIdToMerge: objectIdSchema,
});

export const MAX_BATCH_INPUTS = 100;
export const MAX_HISTORY_BATCH_INPUTS = 50;

/** HubSpot's answer to an oversized batch (UNSURE: exact wording of the 100-input message). */
export function assertBatchSize(count: number, max = MAX_BATCH_INPUTS, what = ''): void {
  if (count > max) {
    throw validationError(
      `The maximum number of inputs supported in a batch request${what} is ${max}. Please reduce the number of items and try again`,
      { context: { inputs: [String(count)] } },
    );
  }
}

/** "Property values were not valid: [...]" — HubSpot's 400 for bad property input. */
export function propertyValuesMessage(errors: readonly PropertyValueError[]): string {
  return `Property values were not valid: ${JSON.stringify(errors)}`;
}

export function propertyErrorDetails(
  errors: readonly PropertyValueError[],
  where?: string,
): ErrorDetail[] {
  return errors.map((error) => ({
    message: error.message,
    code: error.error,
    in: where === undefined ? `properties.${error.name}` : `${where}.properties.${error.name}`,
    context: { propertyName: [error.name] },
  }));
}

export function throwIfInvalid(result: ValidationResult): void {
  if (result.errors.length > 0) {
    throw validationError(propertyValuesMessage(result.errors), {
      errors: propertyErrorDetails(result.errors),
    });
  }
}

/** Checks association inputs of a create: known type ids for this direction, live targets. */
export function associationProblems(
  store: CrmStore,
  portal: Portal,
  type: ObjectTypeName,
  associations: CreateInput['associations'],
): string[] {
  const toType: ObjectTypeName = otherObjectType(type);
  const problems: string[] = [];
  for (const association of associations ?? []) {
    if (store.record(portal, toType, association.to.id) === undefined) {
      problems.push(`${toType} ${association.to.id} does not exist or is archived`);
    }
    for (const spec of association.types) {
      const definition = portal.associations.definitionFor(type, spec.associationTypeId);
      if (definition === undefined || definition.category !== spec.associationCategory) {
        problems.push(
          `association type ${spec.associationCategory}/${spec.associationTypeId} is not valid from ${type} to ${toType}`,
        );
      }
    }
  }
  return problems;
}
