import { type Request, type Response, Router } from 'express';
import {
  type Caller,
  callerOf,
  integrationWrite,
  rateLimited,
  requireObjectScope,
  type SandboxContext,
} from './context.ts';
import type { StoredRecord } from './crm-store.ts';
import { objectNotFound, validationError } from './errors.ts';
import {
  associationProblems,
  createInputSchema,
  mergeInputSchema,
  throwIfInvalid,
  updateInputSchema,
} from './object-inputs.ts';
import { type ObjectTypeName, objectTypes } from './object-types.ts';
import { toPublicObject } from './object-views.ts';
import {
  parseBody,
  queryBoolean,
  queryInt,
  queryList,
  queryString,
  routeParam,
} from './request-parsing.ts';

// /crm/v3/objects/{deals|companies}: list, get, create, update, archive, merge. Mounted once per
// path alias so that request counts name the object type.

/** Resolves `{objectId}` (or a unique property value with `idProperty`) to a live record. */
export function findRecordOrThrow(
  ctx: SandboxContext,
  caller: Caller,
  type: ObjectTypeName,
  id: string,
  idProperty: string | undefined,
  archived = false,
): StoredRecord {
  const { portal } = caller;
  if (idProperty !== undefined && idProperty !== 'hs_object_id') {
    assertUniqueIdProperty(ctx, caller, type, idProperty);
    const record = ctx.store.findByProperty(portal, type, idProperty, id);
    if (record === undefined || record.archived !== archived) throw objectNotFound(id);
    return record;
  }
  const record = ctx.store.record(portal, type, id, { archived });
  if (record === undefined) throw objectNotFound(id);
  return record;
}

/** HubSpot only reads and writes by a property whose values are unique. */
export function assertUniqueIdProperty(
  ctx: SandboxContext,
  caller: Caller,
  type: ObjectTypeName,
  idProperty: string,
): void {
  const definition = ctx.store.property(caller.portal, type, idProperty);
  if (definition === undefined || !definition.hasUniqueValue) {
    throw validationError(
      `Unable to perform update/upsert by non-unique ${objectTypes[type].typeId} property ${idProperty} in portal ID ${caller.portal.id}`,
    );
  }
}

export function objectsRouter(ctx: SandboxContext, type: ObjectTypeName): Router {
  const router = Router();
  const standard = rateLimited(ctx, 'standard');

  router.get('/', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireObjectScope(caller, type, 'read');
    const limit = queryInt(req, 'limit', { defaultValue: 10, min: 1, max: 100 });
    const after = queryString(req, 'after');
    if (after !== undefined && !/^\d+$/.test(after)) {
      throw validationError(
        `after must be a paging cursor returned by a previous page, got "${after}"`,
      );
    }
    const archived = queryBoolean(req, 'archived');
    const records = ctx.store
      .liveRecords(caller.portal, type, archived)
      .filter((record) => after === undefined || Number(record.id) >= Number(after));
    const page = records.slice(0, limit);
    const next = records[limit];
    const options = {
      properties: queryList(req, 'properties'),
      propertiesWithHistory: queryList(req, 'propertiesWithHistory'),
      associations: queryList(req, 'associations'),
    };
    const body: Record<string, unknown> = {
      results: page.map((record) => toPublicObject(ctx.store, caller.portal, record, options)),
    };
    if (next !== undefined) {
      const link = new URL(`${ctx.baseUrl()}${req.baseUrl}`);
      link.searchParams.set('limit', String(limit));
      link.searchParams.set('after', next.id);
      body.paging = { next: { after: next.id, link: link.toString() } };
    }
    res.json(body);
  });

  router.post('/', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireObjectScope(caller, type, 'write');
    const input = parseBody(createInputSchema, req.body);
    const validated = ctx.store.validate(caller.portal, type, input.properties);
    throwIfInvalid(validated);
    const problems = associationProblems(ctx.store, caller.portal, type, input.associations);
    if (problems.length > 0) throw validationError(problems.join('; '));
    ctx.store.assertNoUniqueConflict(caller.portal, type, validated.values);
    const write = integrationWrite(caller.auth);
    const record = ctx.store.create(caller.portal, type, validated.values, write);
    for (const association of input.associations ?? []) {
      ctx.store.associate(
        caller.portal,
        type,
        record.id,
        association.to.id,
        association.types.map((spec) => spec.associationTypeId),
        write,
      );
    }
    res
      .status(201)
      .json(toPublicObject(ctx.store, caller.portal, record, { written: validated.values.keys() }));
  });

  router.post('/merge', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireObjectScope(caller, type, 'write');
    const input = parseBody(mergeInputSchema, req.body);
    if (input.primaryObjectId === input.objectIdToMerge) {
      throw validationError('A record cannot be merged with itself');
    }
    const primary = findRecordOrThrow(ctx, caller, type, input.primaryObjectId, undefined);
    const secondary = findRecordOrThrow(ctx, caller, type, input.objectIdToMerge, undefined);
    const merged = ctx.store.merge(
      caller.portal,
      primary,
      secondary,
      integrationWrite(caller.auth),
    );
    res.json(toPublicObject(ctx.store, caller.portal, merged));
  });

  router.get('/:objectId', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireObjectScope(caller, type, 'read');
    const record = findRecordOrThrow(
      ctx,
      caller,
      type,
      routeParam(req, 'objectId'),
      queryString(req, 'idProperty'),
      queryBoolean(req, 'archived'),
    );
    res.json(
      toPublicObject(ctx.store, caller.portal, record, {
        properties: queryList(req, 'properties'),
        propertiesWithHistory: queryList(req, 'propertiesWithHistory'),
        associations: queryList(req, 'associations'),
      }),
    );
  });

  router.patch('/:objectId', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireObjectScope(caller, type, 'write');
    const input = parseBody(updateInputSchema, req.body);
    const record = findRecordOrThrow(
      ctx,
      caller,
      type,
      routeParam(req, 'objectId'),
      queryString(req, 'idProperty'),
    );
    const validated = ctx.store.validate(caller.portal, type, input.properties);
    throwIfInvalid(validated);
    ctx.store.assertNoUniqueConflict(caller.portal, type, validated.values, record.id);
    ctx.store.update(caller.portal, record, validated.values, integrationWrite(caller.auth));
    res.json(
      toPublicObject(ctx.store, caller.portal, record, { written: validated.values.keys() }),
    );
  });

  router.delete('/:objectId', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireObjectScope(caller, type, 'write');
    const record = ctx.store.record(caller.portal, type, routeParam(req, 'objectId'));
    // Archiving is idempotent: an unknown or already archived id also answers 204.
    if (record !== undefined)
      ctx.store.archive(caller.portal, record, integrationWrite(caller.auth));
    res.status(204).end();
  });

  return router;
}
