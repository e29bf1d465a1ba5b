import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { faultPlanSchema } from '../common/faults.ts';
import { generateDemoProgram } from '../seed/demo-program.ts';
import type { HubspotSandboxControl } from './control.ts';
import { errorMiddleware, resourceNotFound } from './errors.ts';
import { parseBody, queryBoolean, routeParam } from './request-parsing.ts';
import { webhookFaultsSchema, webhookTargetSchema } from './webhooks.ts';

// The control API over HTTP, for the demo and other processes: the same operations as the
// in-process handle, under /_control. Documented in docs/sandboxes-hubspot.md.

const portalInputSchema = z.object({
  portalId: z.number().int().positive().optional(),
  name: z.string().min(1).optional(),
  demo: z
    .union([
      z.boolean(),
      z.object({
        deals: z.number().int().min(1).max(200_000).optional(),
        seed: z.number().int().optional(),
        asOf: z.string().optional(),
      }),
    ])
    .optional(),
});

const tokenInputSchema = z.object({
  portalId: z.number().int(),
  scopes: z.array(z.string()).optional(),
  expiresInSeconds: z.number().int().positive().optional(),
});

const authorizeInputSchema = z.object({
  portalId: z.number().int(),
  redirectUri: z.string().min(1),
  scopes: z.array(z.string()),
});

const limitsInputSchema = z.object({
  tenSecondly: z.number().int().min(0).optional(),
  daily: z.number().int().min(0).nullable().optional(),
  searchPerSecond: z.number().int().min(0).optional(),
});

const propertiesInputSchema = z.object({
  properties: z.record(z.string(), z.string()),
  userId: z.number().int().optional(),
});

const userInputSchema = z.object({ userId: z.number().int().optional() });

const associationInputSchema = z.object({
  fromObjectType: z.enum(['deal', 'company', 'deals', 'companies', '0-3', '0-2']),
  fromId: z.string().min(1),
  toId: z.string().min(1),
  associationTypeIds: z.array(z.number().int()).optional(),
  label: z.string().optional(),
  userId: z.number().int().optional(),
});

const mergeInputSchema = z.object({
  primaryObjectId: z.string().min(1),
  objectIdToMerge: z.string().min(1),
  userId: z.number().int().optional(),
});

const seedInputSchema = z.object({
  deals: z.number().int().min(1).max(200_000).optional(),
  seed: z.number().int().optional(),
  asOf: z.string().optional(),
});

type ObjectTypeParam = Parameters<HubspotSandboxControl['getRecord']>[1];

const objectTypeParam = (req: Request): ObjectTypeParam =>
  parseBody(
    z.enum(['deal', 'company', 'deals', 'companies', '0-3', '0-2']),
    routeParam(req, 'objectType'),
  );

const portalParam = (req: Request): number => Number(routeParam(req, 'portalId'));

const userOptions = (userId: number | undefined) => (userId === undefined ? {} : { userId });

export function controlRouter(control: HubspotSandboxControl): Router {
  const router = Router();
  router.use(express.json({ limit: '20mb' }));

  router.get('/', (_req: Request, res: Response) => {
    res.json({ app: control.app, portals: control.portals(), now: control.now() });
  });

  router.get('/portals', (_req: Request, res: Response) => {
    res.json({ results: control.portals() });
  });

  router.post('/portals', (req: Request, res: Response) => {
    const input = parseBody(portalInputSchema, req.body);
    const portalId = control.createPortal({
      ...(input.portalId === undefined ? {} : { portalId: input.portalId }),
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.demo === undefined
        ? {}
        : { demo: typeof input.demo === 'boolean' ? input.demo : stripUndefined(input.demo) }),
    });
    res.status(201).json({ portalId });
  });

  router.post('/tokens', (req: Request, res: Response) => {
    const input = parseBody(tokenInputSchema, req.body);
    res.status(201).json(control.issueToken(stripUndefined(input)));
  });

  router.post('/authorize', (req: Request, res: Response) => {
    const input = parseBody(authorizeInputSchema, req.body);
    res.status(201).json({ code: control.authorize(input) });
  });

  router.get('/requests', (_req: Request, res: Response) => {
    res.json(control.requests());
  });

  router.post('/requests/reset', (_req: Request, res: Response) => {
    control.resetRequests();
    res.status(204).end();
  });

  router.put('/portals/:portalId/limits', (req: Request, res: Response) => {
    const input = parseBody(limitsInputSchema, req.body);
    res.json(control.setRateLimits(portalParam(req), stripUndefined(input)));
  });

  router.get('/portals/:portalId/limits', (req: Request, res: Response) => {
    res.json(control.rateLimitUsage(portalParam(req)));
  });

  router.put('/faults', (req: Request, res: Response) => {
    control.faults.set(parseBody(faultPlanSchema, req.body));
    res.json(control.faults.current());
  });

  router.get('/faults', (_req: Request, res: Response) => {
    res.json({ plan: control.faults.current(), injected: control.faults.injected() });
  });

  router.delete('/faults', (_req: Request, res: Response) => {
    control.faults.clear();
    res.status(204).end();
  });

  router.put('/webhooks/target', (req: Request, res: Response) => {
    res.json({ subscriptions: control.setWebhookTarget(parseBody(webhookTargetSchema, req.body)) });
  });

  router.delete('/webhooks/target', (_req: Request, res: Response) => {
    control.clearWebhookTarget();
    res.status(204).end();
  });

  router.put('/webhooks/faults', (req: Request, res: Response) => {
    control.setWebhookFaults(parseBody(webhookFaultsSchema, req.body));
    res.status(204).end();
  });

  router.delete('/webhooks/faults', (_req: Request, res: Response) => {
    control.clearWebhookFaults();
    res.status(204).end();
  });

  router.post('/webhooks/flush', async (_req: Request, res: Response) => {
    await control.flushWebhooks();
    res.json(control.webhookStats());
  });

  router.get('/webhooks', (_req: Request, res: Response) => {
    res.json({ stats: control.webhookStats(), deliveries: control.webhookDeliveries() });
  });

  router.post('/portals/:portalId/install-partnerbridge', (req: Request, res: Response) => {
    control.installPartnerbridge(portalParam(req));
    res.status(204).end();
  });

  router.post('/portals/:portalId/seed-demo', (req: Request, res: Response) => {
    const input = parseBody(seedInputSchema, req.body ?? {});
    const program = generateDemoProgram({
      deals: input.deals ?? 3000,
      seed: input.seed ?? 2026,
      asOf: input.asOf ?? `${new Date(control.now()).toISOString().slice(0, 10)}T00:00:00.000Z`,
    });
    const result = control.seedDemo(portalParam(req), program);
    res.status(201).json({
      companies: Object.fromEntries(result.companies),
      deals: Object.fromEntries(result.deals),
    });
  });

  router.post('/portals/:portalId/associations', (req: Request, res: Response) => {
    const { userId, ...input } = parseBody(associationInputSchema, req.body);
    control.userAssociate(portalParam(req), stripUndefined(input), userOptions(userId));
    res.status(204).end();
  });

  router.delete('/portals/:portalId/associations', (req: Request, res: Response) => {
    const { userId, ...input } = parseBody(associationInputSchema, req.body);
    control.userDisassociate(portalParam(req), stripUndefined(input), userOptions(userId));
    res.status(204).end();
  });

  router.get(
    '/portals/:portalId/associations/:objectType/:objectId',
    (req: Request, res: Response) => {
      res.json({
        results: control.associations(
          portalParam(req),
          objectTypeParam(req),
          routeParam(req, 'objectId'),
        ),
      });
    },
  );

  router.get('/portals/:portalId/objects/:objectType', (req: Request, res: Response) => {
    res.json({
      results: control.listRecords(portalParam(req), objectTypeParam(req), {
        archived: queryBoolean(req, 'archived'),
      }),
    });
  });

  router.post('/portals/:portalId/objects/:objectType', (req: Request, res: Response) => {
    const input = parseBody(propertiesInputSchema, req.body);
    res
      .status(201)
      .json(
        control.userCreate(
          portalParam(req),
          objectTypeParam(req),
          input.properties,
          userOptions(input.userId),
        ),
      );
  });

  router.post('/portals/:portalId/objects/:objectType/merge', (req: Request, res: Response) => {
    const input = parseBody(mergeInputSchema, req.body);
    res.json(
      control.userMerge(
        portalParam(req),
        objectTypeParam(req),
        input.primaryObjectId,
        input.objectIdToMerge,
        userOptions(input.userId),
      ),
    );
  });

  router.get('/portals/:portalId/objects/:objectType/:objectId', (req: Request, res: Response) => {
    const record = control.getRecord(
      portalParam(req),
      objectTypeParam(req),
      routeParam(req, 'objectId'),
      {
        archived: queryBoolean(req, 'archived'),
        withHistory: queryBoolean(req, 'history'),
      },
    );
    if (record === undefined) throw resourceNotFound(`No record ${routeParam(req, 'objectId')}`);
    res.json(record);
  });

  router.patch(
    '/portals/:portalId/objects/:objectType/:objectId',
    (req: Request, res: Response) => {
      const input = parseBody(propertiesInputSchema, req.body);
      res.json(
        control.userEdit(
          portalParam(req),
          objectTypeParam(req),
          routeParam(req, 'objectId'),
          input.properties,
          userOptions(input.userId),
        ),
      );
    },
  );

  router.delete(
    '/portals/:portalId/objects/:objectType/:objectId',
    (req: Request, res: Response) => {
      const input = parseBody(userInputSchema, req.body ?? {});
      control.userArchive(
        portalParam(req),
        objectTypeParam(req),
        routeParam(req, 'objectId'),
        userOptions(input.userId),
      );
      res.status(204).end();
    },
  );

  router.use(errorMiddleware);
  return router;
}

/** Drops undefined members, for exactOptionalPropertyTypes-typed callees. */
function stripUndefined<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
