import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { batchResponse, type StandardError, standardError } from './batch-responses.ts';
import {
  type Caller,
  callerOf,
  integrationWrite,
  rateLimited,
  requireObjectScope,
  type SandboxContext,
} from './context.ts';
import type { StoredRecord, ValidationResult } from './crm-store.ts';
import { conflictError, validationError } from './errors.ts';
import {
  assertBatchSize,
  associationProblems,
  batchUpdateInputSchema,
  createInputSchema,
  MAX_HISTORY_BATCH_INPUTS,
  objectIdSchema,
  propertyErrorDetails,
  propertyValuesMessage,
  propertyValuesSchema,
} from './object-inputs.ts';
import { type ObjectTypeName, objectTypes } from './object-types.ts';
import { toPublicObject } from './object-views.ts';
import { assertUniqueIdProperty } from './objects-routes.ts';
import { parseBody, queryBoolean } from './request-parsing.ts';

// /crm/v3/objects/{type}/batch/{read,create,update,upsert,archive}. Up to 100 inputs. Invalid
// property values fail the whole batch (400) unless every create input carries an
// objectWriteTraceId, which turns on multi-status (207) partial success; ids that do not exist
// are reported per input in a 207.

const batchReadSchema = z.object({
  inputs: z.array(z.object({ id: objectIdSchema })),
  properties: z.array(z.string()).optional(),
  propertiesWithHistory: z.array(z.string()).optional(),
  idProperty: z.string().optional(),
});

const batchIdsSchema = z.object({ inputs: z.array(z.object({ id: objectIdSchema })) });
const batchCreateSchema = z.object({ inputs: z.array(createInputSchema) });
const batchUpdateSchema = z.object({ inputs: z.array(batchUpdateInputSchema) });
const batchUpsertSchema = z.object({
  inputs: z.array(
    z.object({
      id: objectIdSchema,
      idProperty: z.string().optional(),
      properties: propertyValuesSchema,
      objectWriteTraceId: z.string().optional(),
    }),
  ),
});

function notFoundError(type: ObjectTypeName, ids: readonly string[]): StandardError {
  return standardError(
    'OBJECT_NOT_FOUND',
    `Could not get some ${objectTypes[type].upper} objects, they may be deleted or not exist. Check that ids are valid.`,
    { ids: [...ids] },
  );
}

function assertUniqueIds(ids: readonly string[]): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) duplicates.add(id);
    seen.add(id);
  }
  if (duplicates.size > 0) {
    throw validationError(
      `Duplicate IDs found in batch input: [${[...duplicates].join(', ')}]. IDs must be unique`,
    );
  }
}

/** All-or-nothing validation of every input; throws HubSpot's 400 listing each bad input. */
function validateAll(
  ctx: SandboxContext,
  caller: Caller,
  type: ObjectTypeName,
  inputs: readonly { properties: Record<string, string | null> }[],
): ValidationResult[] {
  const results = inputs.map((input) => ctx.store.validate(caller.portal, type, input.properties));
  const failing = results.flatMap((result, index) =>
    result.errors.length === 0 ? [] : [{ index, errors: result.errors }],
  );
  if (failing.length > 0) {
    throw validationError(propertyValuesMessage(failing.flatMap((entry) => entry.errors)), {
      errors: failing.flatMap((entry) =>
        propertyErrorDetails(entry.errors, `inputs[${entry.index}]`),
      ),
    });
  }
  return results;
}

/** Why one create input cannot be written (property values, associations, unique values). */
function createProblem(
  ctx: SandboxContext,
  caller: Caller,
  type: ObjectTypeName,
  input: {
    entry: z.infer<typeof createInputSchema>;
    index: number;
    result: ValidationResult;
    /** Unique values claimed by earlier inputs of the same batch. */
    claimed: Set<string>;
  },
): StandardError | undefined {
  const { entry, index, result, claimed } = input;
  const trace =
    entry.objectWriteTraceId === undefined
      ? {}
      : { objectWriteTraceId: [entry.objectWriteTraceId] };
  if (result.errors.length > 0) {
    return standardError(
      'VALIDATION_ERROR',
      propertyValuesMessage(result.errors),
      { ...trace, propertyName: result.errors.map((error) => error.name) },
      propertyErrorDetails(result.errors, `inputs[${index}]`),
    );
  }
  const associationIssues = associationProblems(ctx.store, caller.portal, type, entry.associations);
  if (associationIssues.length > 0) {
    return standardError('VALIDATION_ERROR', associationIssues.join('; '), trace, [
      { message: associationIssues.join('; '), in: `inputs[${index}].associations` },
    ]);
  }
  const unique = [...result.values].filter(
    ([name, value]) =>
      value !== '' && ctx.store.property(caller.portal, type, name)?.hasUniqueValue === true,
  );
  const stored = ctx.store.uniqueConflict(caller.portal, type, result.values);
  const taken: [string, string] | undefined =
    stored === undefined
      ? unique.find(([name, value]) => claimed.has(`${name}=${value}`))
      : [stored.property, stored.value];
  if (taken !== undefined) {
    const [name, value] = taken;
    return standardError(
      'CONFLICT',
      `A ${type} with the unique value "${value}" for property "${name}" already exists.`,
      { ...trace, [name]: [value] },
    );
  }
  for (const [name, value] of unique) claimed.add(`${name}=${value}`);
  return undefined;
}

export function batchRouter(ctx: SandboxContext, type: ObjectTypeName): Router {
  const router = Router();
  const standard = rateLimited(ctx, 'standard');

  router.post('/batch/read', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireObjectScope(caller, type, 'read');
    const input = parseBody(batchReadSchema, req.body);
    assertBatchSize(input.inputs.length);
    const withHistory = (input.propertiesWithHistory ?? []).length > 0;
    if (withHistory) {
      assertBatchSize(input.inputs.length, MAX_HISTORY_BATCH_INPUTS, ' for property histories');
    }
    const startedAt = ctx.clock();
    const archived = queryBoolean(req, 'archived');
    const idProperty = input.idProperty;
    if (idProperty !== undefined && idProperty !== 'hs_object_id') {
      assertUniqueIdProperty(ctx, caller, type, idProperty);
    }
    const found: StoredRecord[] = [];
    const missing: string[] = [];
    const seen = new Set<string>();
    for (const { id } of input.inputs) {
      if (seen.has(id)) continue;
      seen.add(id);
      const record =
        idProperty === undefined || idProperty === 'hs_object_id'
          ? ctx.store.record(caller.portal, type, id, { archived })
          : ctx.store.findByProperty(caller.portal, type, idProperty, id);
      if (record === undefined || record.archived !== archived) missing.push(id);
      else found.push(record);
    }
    const options = {
      properties: input.properties,
      propertiesWithHistory: input.propertiesWithHistory,
    };
    const results = found.map((record) =>
      toPublicObject(ctx.store, caller.portal, record, options),
    );
    const errors = missing.length > 0 ? [notFoundError(type, missing)] : [];
    res
      .status(errors.length > 0 ? 207 : 200)
      .json(batchResponse(startedAt, ctx.clock(), results, errors));
  });

  router.post('/batch/create', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireObjectScope(caller, type, 'write');
    const input = parseBody(batchCreateSchema, req.body);
    assertBatchSize(input.inputs.length);
    const startedAt = ctx.clock();
    const multiStatus =
      input.inputs.length > 0 &&
      input.inputs.every((entry) => entry.objectWriteTraceId !== undefined);
    const validated = input.inputs.map((entry) =>
      ctx.store.validate(caller.portal, type, entry.properties),
    );
    const claimed = new Set<string>();
    const problems = input.inputs.flatMap((entry, index) => {
      const result = validated[index];
      const error =
        result === undefined
          ? undefined
          : createProblem(ctx, caller, type, { entry, index, result, claimed });
      return error === undefined ? [] : [{ index, error }];
    });
    if (problems.length > 0 && !multiStatus) {
      const conflict = problems.find((problem) => problem.error.category === 'CONFLICT');
      if (conflict !== undefined)
        throw conflictError(conflict.error.message, conflict.error.context);
      const propertyErrors = validated.flatMap((result) => result.errors);
      throw validationError(
        propertyErrors.length > 0
          ? propertyValuesMessage(propertyErrors)
          : (problems[0]?.error.message ?? 'Invalid input'),
        { errors: problems.flatMap((problem) => problem.error.errors) },
      );
    }
    const failed = new Set(problems.map((problem) => problem.index));
    const write = integrationWrite(caller.auth);
    const results = input.inputs.flatMap((entry, index) => {
      const result = validated[index];
      if (failed.has(index) || result === undefined) return [];
      const record = ctx.store.create(caller.portal, type, result.values, write);
      for (const association of entry.associations ?? []) {
        ctx.store.associate(
          caller.portal,
          type,
          record.id,
          association.to.id,
          association.types.map((spec) => spec.associationTypeId),
          write,
        );
      }
      const view = toPublicObject(ctx.store, caller.portal, record, {
        written: result.values.keys(),
      });
      return [
        entry.objectWriteTraceId === undefined
          ? view
          : { ...view, objectWriteTraceId: entry.objectWriteTraceId },
      ];
    });
    const errors = problems.map((problem) => problem.error);
    res
      .status(errors.length > 0 ? 207 : 201)
      .json(batchResponse(startedAt, ctx.clock(), results, errors));
  });

  router.post('/batch/update', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireObjectScope(caller, type, 'write');
    const input = parseBody(batchUpdateSchema, req.body);
    assertBatchSize(input.inputs.length);
    assertUniqueIds(input.inputs.map((entry) => entry.id));
    const startedAt = ctx.clock();
    const validated = validateAll(ctx, caller, type, input.inputs);
    const targets = input.inputs.map((entry) => {
      if (entry.idProperty !== undefined && entry.idProperty !== 'hs_object_id') {
        assertUniqueIdProperty(ctx, caller, type, entry.idProperty);
        return ctx.store.findByProperty(caller.portal, type, entry.idProperty, entry.id);
      }
      return ctx.store.record(caller.portal, type, entry.id);
    });
    targets.forEach((record, index) => {
      const result = validated[index];
      if (record !== undefined && result !== undefined) {
        ctx.store.assertNoUniqueConflict(caller.portal, type, result.values, record.id);
      }
    });
    const write = integrationWrite(caller.auth);
    const missing: string[] = [];
    const results = input.inputs.flatMap((entry, index) => {
      const record = targets[index];
      const result = validated[index];
      if (record === undefined || result === undefined) {
        missing.push(entry.id);
        return [];
      }
      ctx.store.update(caller.portal, record, result.values, write);
      const view = toPublicObject(ctx.store, caller.portal, record, {
        written: result.values.keys(),
      });
      return [
        entry.objectWriteTraceId === undefined
          ? view
          : { ...view, objectWriteTraceId: entry.objectWriteTraceId },
      ];
    });
    const errors = missing.length > 0 ? [notFoundError(type, missing)] : [];
    res
      .status(errors.length > 0 ? 207 : 200)
      .json(batchResponse(startedAt, ctx.clock(), results, errors));
  });

  router.post('/batch/upsert', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireObjectScope(caller, type, 'write');
    const input = parseBody(batchUpsertSchema, req.body);
    assertBatchSize(input.inputs.length);
    for (const entry of input.inputs) {
      assertUniqueIdProperty(ctx, caller, type, entry.idProperty ?? 'hs_object_id');
    }
    assertUniqueIds(input.inputs.map((entry) => `${entry.idProperty ?? ''}:${entry.id}`));
    const startedAt = ctx.clock();
    const validated = validateAll(
      ctx,
      caller,
      type,
      input.inputs.map((entry) => ({
        properties: { ...entry.properties, [entry.idProperty ?? 'hs_object_id']: entry.id },
      })),
    );
    const targets = input.inputs.map((entry) =>
      ctx.store.findByProperty(caller.portal, type, entry.idProperty ?? 'hs_object_id', entry.id),
    );
    targets.forEach((record, index) => {
      const result = validated[index];
      if (result !== undefined) {
        ctx.store.assertNoUniqueConflict(caller.portal, type, result.values, record?.id);
      }
    });
    const write = integrationWrite(caller.auth);
    const results = input.inputs.flatMap((entry, index) => {
      const result = validated[index];
      if (result === undefined) return [];
      const existing = targets[index];
      const record = existing ?? ctx.store.create(caller.portal, type, result.values, write);
      if (existing !== undefined) ctx.store.update(caller.portal, existing, result.values, write);
      const view = {
        ...toPublicObject(ctx.store, caller.portal, record, { written: result.values.keys() }),
        new: existing === undefined,
      };
      return [
        entry.objectWriteTraceId === undefined
          ? view
          : { ...view, objectWriteTraceId: entry.objectWriteTraceId },
      ];
    });
    res.json(batchResponse(startedAt, ctx.clock(), results, []));
  });

  router.post('/batch/archive', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireObjectScope(caller, type, 'write');
    const input = parseBody(batchIdsSchema, req.body);
    assertBatchSize(input.inputs.length);
    const write = integrationWrite(caller.auth);
    for (const { id } of input.inputs) {
      const record = ctx.store.record(caller.portal, type, id);
      if (record !== undefined) ctx.store.archive(caller.portal, record, write);
    }
    res.status(204).end();
  });

  return router;
}
