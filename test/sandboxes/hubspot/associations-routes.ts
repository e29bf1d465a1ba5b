import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import {
  type AssociationDefinition,
  type AssociationStore,
  COMPANY_TO_DEAL,
  DEAL_TO_COMPANY,
} from './association-store.ts';
import { assertScopes } from './auth.ts';
import { batchResponse, standardError } from './batch-responses.ts';
import {
  type Caller,
  callerOf,
  integrationWrite,
  objectScope,
  rateLimited,
  type SandboxContext,
  schemaScope,
} from './context.ts';
import { errorBody, HubspotError, objectNotFound, validationError } from './errors.ts';
import { assertBatchSize, associationSpecSchema, objectIdSchema } from './object-inputs.ts';
import {
  type ObjectTypeName,
  objectTypes,
  otherObjectType,
  resolveObjectType,
} from './object-types.ts';
import { parseBody, queryInt, queryString, routeParam } from './request-parsing.ts';

// Associations v4 between deals and companies: per-record reads and writes under
// /crm/v4/objects/{from}/{id}/associations/..., batch endpoints and association labels under
// /crm/v4/associations/{from}/{to}/....

const MAX_ASSOCIATION_BATCH_READ = 1_000;
/** UNSURE: HubSpot does not document the batch create/archive cap; commonly cited as 2,000. */
const MAX_ASSOCIATION_BATCH_WRITE = 2_000;

const objectRefSchema = z.object({ id: objectIdSchema });

const batchCreateSchema = z.object({
  inputs: z.array(
    z.object({
      from: objectRefSchema,
      to: objectRefSchema,
      types: z.array(associationSpecSchema).min(1),
    }),
  ),
});
const batchDefaultSchema = z.object({
  inputs: z.array(z.object({ from: objectRefSchema, to: objectRefSchema })),
});
const batchReadSchema = z.object({
  inputs: z.array(z.object({ id: objectIdSchema, after: z.string().optional() })),
});
const batchArchiveSchema = z.object({
  inputs: z.array(z.object({ from: objectRefSchema, to: z.array(objectRefSchema) })),
});
const labelCreateSchema = z.object({
  label: z.string().min(1),
  name: z.string().min(1),
  inverseLabel: z.string().min(1).optional(),
});
const labelUpdateSchema = z.object({
  associationTypeId: z.number().int(),
  label: z.string().min(1),
  inverseLabel: z.string().min(1).optional(),
});

type TypeView = { category: string; typeId: number; label?: string };

function typeViews(
  store: AssociationStore,
  from: ObjectTypeName,
  typeIds: readonly number[],
): TypeView[] {
  return typeIds.flatMap((typeId) => {
    const definition = store.definitionFor(from, typeId);
    if (definition === undefined) return [];
    const side = store.side(from, definition);
    const view: TypeView = { category: side.category, typeId: side.typeId };
    if (side.label !== undefined) view.label = side.label;
    return [view];
  });
}

function labelsOf(
  store: AssociationStore,
  from: ObjectTypeName,
  typeIds: readonly number[],
): string[] {
  return typeViews(store, from, typeIds).flatMap((view) =>
    view.label === undefined ? [] : [view.label],
  );
}

function resolveTypeIds(
  store: AssociationStore,
  from: ObjectTypeName,
  specs: readonly z.infer<typeof associationSpecSchema>[],
): number[] {
  return specs.map((spec) => {
    const definition = store.definitionFor(from, spec.associationTypeId);
    if (definition === undefined || definition.category !== spec.associationCategory) {
      throw validationError(
        `${spec.associationCategory} association type ${spec.associationTypeId} does not exist between ${objectTypes[from].plural} and ${objectTypes[otherObjectType(from)].plural}`,
        { context: { associationTypeId: [String(spec.associationTypeId)] } },
      );
    }
    return spec.associationTypeId;
  });
}

function liveTypeIdsBetween(
  caller: Caller,
  from: ObjectTypeName,
  fromId: string,
  toId: string,
): number[] {
  const store = caller.portal.associations;
  const [dealId, companyId] = from === 'deal' ? [fromId, toId] : [toId, fromId];
  return [...store.typesBetween(dealId, companyId)].map((typeId) =>
    from === 'deal' ? typeId : (store.definitionFor('deal', typeId)?.companyToDeal ?? typeId),
  );
}

function requireRead(caller: Caller, from: ObjectTypeName, to: ObjectTypeName): void {
  assertScopes(caller.auth, [objectScope(from, 'read')]);
  assertScopes(caller.auth, [objectScope(to, 'read')]);
}

function requireWrite(caller: Caller, from: ObjectTypeName): void {
  assertScopes(caller.auth, [objectScope(from, 'write')]);
}

/** /crm/v4/objects/{from}: per-record association endpoints. */
export function recordAssociationsRouter(ctx: SandboxContext, from: ObjectTypeName): Router {
  const router = Router();
  const standard = rateLimited(ctx, 'standard');
  const to: ObjectTypeName = otherObjectType(from);
  const toOrThrow = (req: Request) => {
    const requested = routeParam(req, 'toObjectType');
    if (resolveObjectType(requested) !== to) {
      throw validationError(
        `Associations from ${objectTypes[from].plural} to ${requested} are not supported by the sandbox`,
      );
    }
  };
  const recordOrThrow = (caller: Caller, type: ObjectTypeName, id: string) => {
    const record = ctx.store.record(caller.portal, type, id);
    if (record === undefined) throw objectNotFound(id);
    return record;
  };

  router.get('/:objectId/associations/:toObjectType', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    toOrThrow(req);
    requireRead(caller, from, to);
    const record = recordOrThrow(caller, from, routeParam(req, 'objectId'));
    const limit = queryInt(req, 'limit', { defaultValue: 500, min: 1, max: 500 });
    const after = queryString(req, 'after');
    const all = caller.portal.associations
      .associatedWith(from, record.id)
      .filter(({ otherId }) => ctx.store.record(caller.portal, to, otherId) !== undefined)
      .sort((a, b) => Number(a.otherId) - Number(b.otherId))
      .filter(({ otherId }) => after === undefined || Number(otherId) >= Number(after));
    const page = all.slice(0, limit);
    const body: Record<string, unknown> = {
      results: page.map(({ otherId, typeIds }) => ({
        toObjectId: otherId,
        associationTypes: typeViews(caller.portal.associations, from, typeIds),
      })),
    };
    const next = all[limit];
    if (next !== undefined) body.paging = { next: { after: next.otherId } };
    res.json(body);
  });

  router.put(
    '/:objectId/associations/default/:toObjectType/:toObjectId',
    standard,
    (req: Request, res: Response) => {
      const caller = callerOf(ctx, res);
      toOrThrow(req);
      requireWrite(caller, from);
      const fromId = recordOrThrow(caller, from, routeParam(req, 'objectId')).id;
      const toId = recordOrThrow(caller, to, routeParam(req, 'toObjectId')).id;
      const startedAt = ctx.clock();
      const fromTypeId = from === 'deal' ? DEAL_TO_COMPANY : COMPANY_TO_DEAL;
      ctx.store.associate(
        caller.portal,
        from,
        fromId,
        toId,
        [fromTypeId],
        integrationWrite(caller.auth),
      );
      res.json(batchResponse(startedAt, ctx.clock(), defaultResults(from, fromId, toId), []));
    },
  );

  router.put(
    '/:objectId/associations/:toObjectType/:toObjectId',
    standard,
    (req: Request, res: Response) => {
      const caller = callerOf(ctx, res);
      toOrThrow(req);
      requireWrite(caller, from);
      const specs = parseBody(z.array(associationSpecSchema).min(1), req.body);
      const fromId = recordOrThrow(caller, from, routeParam(req, 'objectId')).id;
      const toId = recordOrThrow(caller, to, routeParam(req, 'toObjectId')).id;
      const typeIds = resolveTypeIds(caller.portal.associations, from, specs);
      ctx.store.associate(
        caller.portal,
        from,
        fromId,
        toId,
        typeIds,
        integrationWrite(caller.auth),
      );
      res.status(201).json({
        fromObjectTypeId: objectTypes[from].typeId,
        fromObjectId: fromId,
        toObjectTypeId: objectTypes[to].typeId,
        toObjectId: toId,
        labels: labelsOf(
          caller.portal.associations,
          from,
          liveTypeIdsBetween(caller, from, fromId, toId),
        ),
      });
    },
  );

  router.delete(
    '/:objectId/associations/:toObjectType/:toObjectId',
    standard,
    (req: Request, res: Response) => {
      const caller = callerOf(ctx, res);
      toOrThrow(req);
      requireWrite(caller, from);
      ctx.store.disassociate(
        caller.portal,
        from,
        routeParam(req, 'objectId'),
        routeParam(req, 'toObjectId'),
        'all',
        integrationWrite(caller.auth),
      );
      res.status(204).end();
    },
  );

  return router;
}

function defaultResults(from: ObjectTypeName, fromId: string, toId: string) {
  const [forward, inverse] =
    from === 'deal' ? [DEAL_TO_COMPANY, COMPANY_TO_DEAL] : [COMPANY_TO_DEAL, DEAL_TO_COMPANY];
  return [
    {
      from: { id: fromId },
      to: { id: toId },
      associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: forward },
    },
    {
      from: { id: toId },
      to: { id: fromId },
      associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: inverse },
    },
  ];
}

function labelViews(
  store: AssociationStore,
  from: ObjectTypeName,
  definition: AssociationDefinition,
) {
  const views: TypeView[] = [];
  for (const side of [from, otherObjectType(from)] as const) {
    const view = store.side(side, definition);
    const item: TypeView = { category: view.category, typeId: view.typeId };
    if (view.label !== undefined) item.label = view.label;
    views.push(item);
  }
  return views;
}

/** /crm/v4/associations/{from}/{to}: batch endpoints and labels. */
export function associationsBatchRouter(ctx: SandboxContext, from: ObjectTypeName): Router {
  const router = Router();
  const standard = rateLimited(ctx, 'standard');
  const to: ObjectTypeName = otherObjectType(from);
  const exists = (caller: Caller, type: ObjectTypeName, id: string) =>
    ctx.store.record(caller.portal, type, id) !== undefined;
  const missingError = (ids: string[]) =>
    standardError(
      'OBJECT_NOT_FOUND',
      `Could not find some ${objectTypes[from].plural} or ${objectTypes[to].plural}; they may be deleted or not exist.`,
      { ids },
    );

  router.post('/batch/create', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireWrite(caller, from);
    const body = parseBody(batchCreateSchema, req.body);
    assertBatchSize(body.inputs.length, MAX_ASSOCIATION_BATCH_WRITE);
    const startedAt = ctx.clock();
    const resolved = body.inputs.map((input) =>
      resolveTypeIds(caller.portal.associations, from, input.types),
    );
    const write = integrationWrite(caller.auth);
    const missing: string[] = [];
    const results = body.inputs.flatMap((input, index) => {
      const typeIds = resolved[index] ?? [];
      const absent = [
        ...(exists(caller, from, input.from.id) ? [] : [input.from.id]),
        ...(exists(caller, to, input.to.id) ? [] : [input.to.id]),
      ];
      if (absent.length > 0) {
        missing.push(...absent);
        return [];
      }
      ctx.store.associate(caller.portal, from, input.from.id, input.to.id, typeIds, write);
      return [
        {
          fromObjectTypeId: objectTypes[from].typeId,
          fromObjectId: input.from.id,
          toObjectTypeId: objectTypes[to].typeId,
          toObjectId: input.to.id,
          labels: labelsOf(
            caller.portal.associations,
            from,
            liveTypeIdsBetween(caller, from, input.from.id, input.to.id),
          ),
        },
      ];
    });
    const errors = missing.length > 0 ? [missingError(missing)] : [];
    res
      .status(errors.length > 0 ? 207 : 201)
      .json(batchResponse(startedAt, ctx.clock(), results, errors));
  });

  router.post('/batch/associate/default', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireWrite(caller, from);
    const body = parseBody(batchDefaultSchema, req.body);
    assertBatchSize(body.inputs.length, MAX_ASSOCIATION_BATCH_WRITE);
    const startedAt = ctx.clock();
    const write = integrationWrite(caller.auth);
    const fromTypeId = from === 'deal' ? DEAL_TO_COMPANY : COMPANY_TO_DEAL;
    const missing: string[] = [];
    const results = body.inputs.flatMap((input) => {
      if (!exists(caller, from, input.from.id) || !exists(caller, to, input.to.id)) {
        missing.push(input.from.id);
        return [];
      }
      ctx.store.associate(caller.portal, from, input.from.id, input.to.id, [fromTypeId], write);
      return defaultResults(from, input.from.id, input.to.id);
    });
    const errors = missing.length > 0 ? [missingError(missing)] : [];
    res.json(batchResponse(startedAt, ctx.clock(), results, errors));
  });

  router.post('/batch/read', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireRead(caller, from, to);
    const body = parseBody(batchReadSchema, req.body);
    assertBatchSize(body.inputs.length, MAX_ASSOCIATION_BATCH_READ);
    const startedAt = ctx.clock();
    const missing: string[] = [];
    const unassociated: string[] = [];
    const results = body.inputs.flatMap((input) => {
      if (!exists(caller, from, input.id)) {
        missing.push(input.id);
        return [];
      }
      const associated = caller.portal.associations
        .associatedWith(from, input.id)
        .filter(({ otherId }) => exists(caller, to, otherId))
        .sort((a, b) => Number(a.otherId) - Number(b.otherId));
      if (associated.length === 0) {
        unassociated.push(input.id);
        return [];
      }
      return [
        {
          from: { id: input.id },
          to: associated.map(({ otherId, typeIds }) => ({
            toObjectId: otherId,
            associationTypes: typeViews(caller.portal.associations, from, typeIds),
          })),
        },
      ];
    });
    const errors = [
      ...(missing.length > 0 ? [missingError(missing)] : []),
      ...unassociated.map((id) =>
        standardError('OBJECT_NOT_FOUND', `No ${to} is associated with ${from} ${id}.`, {
          fromObjectId: [id],
        }),
      ),
    ];
    res
      .status(errors.length > 0 ? 207 : 200)
      .json(batchResponse(startedAt, ctx.clock(), results, errors));
  });

  router.post('/batch/archive', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireWrite(caller, from);
    const body = parseBody(batchArchiveSchema, req.body);
    assertBatchSize(body.inputs.length, MAX_ASSOCIATION_BATCH_WRITE);
    const write = integrationWrite(caller.auth);
    for (const input of body.inputs) {
      for (const target of input.to) {
        ctx.store.disassociate(caller.portal, from, input.from.id, target.id, 'all', write);
      }
    }
    res.status(204).end();
  });

  router.post('/batch/labels/archive', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireWrite(caller, from);
    const body = parseBody(batchCreateSchema, req.body);
    assertBatchSize(body.inputs.length, MAX_ASSOCIATION_BATCH_WRITE);
    const write = integrationWrite(caller.auth);
    for (const input of body.inputs) {
      const typeIds = resolveTypeIds(caller.portal.associations, from, input.types);
      ctx.store.disassociate(caller.portal, from, input.from.id, input.to.id, typeIds, write);
    }
    res.status(204).end();
  });

  router.get('/labels', standard, (_req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    requireRead(caller, from, to);
    const store = caller.portal.associations;
    const results = store.definitions.map((definition) => {
      const side = store.side(from, definition);
      const view: TypeView = { category: side.category, typeId: side.typeId };
      if (side.label !== undefined) view.label = side.label;
      return view;
    });
    res.json({ results });
  });

  router.post('/labels', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    assertScopes(caller.auth, [schemaScope(from, 'write')]);
    const body = parseBody(labelCreateSchema, req.body);
    const store = caller.portal.associations;
    if (
      store.definitions.some(
        (definition) => definition.name === body.name || definition.label === body.label,
      )
    ) {
      throw new HubspotError(
        409,
        errorBody(
          'OBJECT_ALREADY_EXISTS',
          `An association label named '${body.name}' (${body.label}) already exists.`,
          {
            context: { name: [body.name] },
          },
        ),
      );
    }
    const definition = store.createLabel(
      from === 'deal'
        ? { name: body.name, label: body.label, inverseLabel: body.inverseLabel }
        : { name: body.name, label: body.inverseLabel ?? body.label, inverseLabel: body.label },
    );
    res.json({ results: labelViews(store, from, definition) });
  });

  router.put('/labels', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    assertScopes(caller.auth, [schemaScope(from, 'write')]);
    const body = parseBody(labelUpdateSchema, req.body);
    const definition = caller.portal.associations.definitionFor(from, body.associationTypeId);
    if (definition === undefined || definition.category === 'HUBSPOT_DEFINED') {
      throw validationError(`Association type ${body.associationTypeId} cannot be updated`);
    }
    if (from === 'deal') {
      definition.label = body.label;
      if (body.inverseLabel !== undefined) definition.inverseLabel = body.inverseLabel;
    } else {
      definition.inverseLabel = body.label;
      if (body.inverseLabel !== undefined) definition.label = body.inverseLabel;
    }
    res.status(204).end();
  });

  router.delete('/labels/:associationTypeId', standard, (req: Request, res: Response) => {
    const caller = callerOf(ctx, res);
    assertScopes(caller.auth, [schemaScope(from, 'write')]);
    const typeId = Number(routeParam(req, 'associationTypeId'));
    const store = caller.portal.associations;
    const definition = store.definitionFor(from, typeId);
    if (definition === undefined || definition.category === 'HUBSPOT_DEFINED') {
      throw validationError(
        `Association type ${routeParam(req, 'associationTypeId')} cannot be deleted`,
      );
    }
    const write = integrationWrite(caller.auth);
    for (const { dealId, companyId } of store.pairsWithType(definition.dealToCompany)) {
      ctx.store.disassociate(
        caller.portal,
        'deal',
        dealId,
        companyId,
        [definition.dealToCompany],
        write,
      );
    }
    store.removeDefinition(definition);
    res.status(204).end();
  });

  return router;
}
