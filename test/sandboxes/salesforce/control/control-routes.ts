import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { faultPlanSchema } from '../../common/faults.ts';
import { changeEventFaultPlanSchema } from '../cdc/change-event-faults.ts';
import { SalesforceApiError } from '../errors.ts';
import type { SalesforceSandboxControl } from './control.ts';

// The control API over HTTP, for the demo and for tests in other processes. Every route mirrors a
// method of SalesforceSandboxControl; bodies are JSON validated with zod. Errors answer
// `{ error: { code, message } }`; Salesforce-style validation failures keep their error code.

const orgBody = z.object({
  orgId: z.string().optional(),
  name: z.string().optional(),
  multiCurrency: z.boolean().optional(),
  demo: z
    .union([
      z.literal(false),
      z.object({
        deals: z.number().int().min(1).max(200_000).optional(),
        asOf: z.string().optional(),
        seed: z.number().int().optional(),
        hubspotIds: z
          .object({
            companies: z.record(z.string(), z.string()).optional(),
            deals: z.record(z.string(), z.string()).optional(),
          })
          .optional(),
      }),
    ])
    .optional(),
});

const connectedAppBody = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  certificatePem: z.string().optional(),
  redirectUris: z.array(z.string()).optional(),
  rotateRefreshTokens: z.boolean().optional(),
});

const userBody = z.object({ userId: z.string().optional(), clientId: z.string().optional() });
const authorizeBody = userBody.extend({ redirectUri: z.string().min(1) });
const certificateBody = z.object({
  certificatePem: z.string().min(1),
  clientId: z.string().optional(),
});
const jwtUserBody = userBody.extend({ username: z.string().optional() });
const limitBody = z.object({ dailyApiRequests: z.number().int().min(0) });
const usageBody = z.object({ used: z.number().int().min(0) });
const lockBody = z.object({
  ids: z.array(z.string()).optional(),
  accountId: z.string().optional(),
  times: z.number().int().min(1),
});
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const ruleBody = z.object({
  sobject: z.string(),
  name: z.string(),
  errorMessage: z.string(),
  errorDisplayField: z.string().optional(),
  when: z.object({ field: z.string(), equals: scalar.optional(), isBlank: z.boolean().optional() }),
});
const fieldsBody = z.record(z.string(), z.unknown());
const editQuery = z.object({ userId: z.string().optional() });
const seedBody = z.object({
  deals: z.number().int().min(1).max(200_000).optional(),
  asOf: z.string().optional(),
  seed: z.number().int().optional(),
  hubspotIds: z
    .object({
      companies: z.record(z.string(), z.string()).default({}),
      deals: z.record(z.string(), z.string()).default({}),
    })
    .default({ companies: {}, deals: {} }),
});

type Handler = (req: Request, res: Response) => unknown;

const route =
  (handler: Handler) =>
  async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const result = await handler(req, res);
      if (!res.headersSent) {
        if (result === undefined) res.status(204).end();
        else res.json(result);
      }
    } catch (error) {
      next(error);
    }
  };

const param = (req: Request, name: string) => String(req.params[name] ?? '');

export function createControlRouter(
  control: SalesforceSandboxControl,
  generateProgram: (
    input: z.infer<typeof seedBody>,
  ) => Parameters<SalesforceSandboxControl['seedDemo']>[1],
): Router {
  const router = express.Router();
  router.use('/_control', express.json({ limit: '50mb' }));

  router.get(
    '/_control/orgs',
    route(() => control.listOrgs()),
  );
  router.post(
    '/_control/orgs',
    route((req) => {
      const body = orgBody.parse(req.body ?? {});
      return control.createOrg({
        ...(body.orgId === undefined ? {} : { orgId: body.orgId }),
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.multiCurrency === undefined ? {} : { multiCurrency: body.multiCurrency }),
        ...(body.demo === undefined ? {} : { demo: body.demo }),
      });
    }),
  );
  router.post(
    '/_control/connected-apps',
    route(async (req) => {
      const body = connectedAppBody.parse(req.body);
      await control.registerConnectedApp({
        clientId: body.clientId,
        clientSecret: body.clientSecret,
        ...(body.certificatePem === undefined ? {} : { certificatePem: body.certificatePem }),
        ...(body.redirectUris === undefined ? {} : { redirectUris: body.redirectUris }),
        ...(body.rotateRefreshTokens === undefined
          ? {}
          : { rotateRefreshTokens: body.rotateRefreshTokens }),
      });
    }),
  );
  router.post(
    '/_control/orgs/:orgId/tokens',
    route((req) => {
      const body = userBody.parse(req.body ?? {});
      return control.issueToken({ orgId: param(req, 'orgId'), ...defined(body) });
    }),
  );
  router.post(
    '/_control/orgs/:orgId/authorize',
    route((req) => {
      const body = authorizeBody.parse(req.body);
      return {
        code: control.authorize({
          orgId: param(req, 'orgId'),
          ...defined(body),
          redirectUri: body.redirectUri,
        }),
      };
    }),
  );
  router.post(
    '/_control/jwt/certificates',
    route(async (req) => {
      const body = certificateBody.parse(req.body);
      await control.registerJwtCertificate({
        certificatePem: body.certificatePem,
        ...defined({ clientId: body.clientId }),
      });
    }),
  );
  router.post(
    '/_control/orgs/:orgId/jwt-users',
    route((req) => {
      const body = jwtUserBody.parse(req.body ?? {});
      return control.registerJwtUser({ orgId: param(req, 'orgId'), ...defined(body) });
    }),
  );
  router.put(
    '/_control/orgs/:orgId/client-credentials-user',
    route((req) => {
      const body = userBody.parse(req.body ?? {});
      control.setClientCredentialsUser({ orgId: param(req, 'orgId'), ...defined(body) });
    }),
  );
  router.post(
    '/_control/sessions/expire',
    route((req) => {
      const body = z.object({ orgId: z.string().optional() }).parse(req.body ?? {});
      return { expired: control.expireSessions(defined(body)) };
    }),
  );
  router.get(
    '/_control/requests',
    route(() => control.requests()),
  );
  router.delete(
    '/_control/requests',
    route(() => control.resetRequests()),
  );
  router.get(
    '/_control/orgs/:orgId/api-usage',
    route((req) => control.apiUsage(param(req, 'orgId'))),
  );
  router.put(
    '/_control/orgs/:orgId/api-usage',
    route((req) => {
      control.setApiUsage({ orgId: param(req, 'orgId'), used: usageBody.parse(req.body).used });
    }),
  );
  router.put(
    '/_control/orgs/:orgId/api-limit',
    route((req) => {
      const body = limitBody.parse(req.body);
      control.setDailyApiLimit({
        orgId: param(req, 'orgId'),
        dailyApiRequests: body.dailyApiRequests,
      });
    }),
  );
  router.put(
    '/_control/api-limit',
    route((req) => {
      control.setDailyApiLimit({ dailyApiRequests: limitBody.parse(req.body).dailyApiRequests });
    }),
  );
  router.get(
    '/_control/faults',
    route(() => ({ plan: control.faults.current(), injected: control.faults.injected() })),
  );
  router.put(
    '/_control/faults',
    route((req) => {
      control.faults.set(faultPlanSchema.parse(req.body));
    }),
  );
  router.delete(
    '/_control/faults',
    route(() => control.faults.clear()),
  );
  router.put(
    '/_control/change-event-faults',
    route((req) => {
      control.changeEventFaults.set(changeEventFaultPlanSchema.parse(req.body));
    }),
  );
  router.delete(
    '/_control/change-event-faults',
    route(() => control.changeEventFaults.clear()),
  );
  router.get(
    '/_control/orgs/:orgId/change-events',
    route((req) => control.changeEvents(param(req, 'orgId'))),
  );
  router.post(
    '/_control/orgs/:orgId/locks',
    route((req) => {
      const body = lockBody.parse(req.body);
      control.lockRecords({
        orgId: param(req, 'orgId'),
        times: body.times,
        ...defined({ ids: body.ids, accountId: body.accountId }),
      });
    }),
  );
  router.delete(
    '/_control/orgs/:orgId/locks',
    route((req) => control.clearLocks(param(req, 'orgId'))),
  );
  router.post(
    '/_control/orgs/:orgId/validation-rules',
    route((req) => {
      const body = ruleBody.parse(req.body);
      control.addValidationRule({
        orgId: param(req, 'orgId'),
        sobject: body.sobject,
        name: body.name,
        errorMessage: body.errorMessage,
        ...defined({ errorDisplayField: body.errorDisplayField }),
        when: {
          field: body.when.field,
          ...defined({ equals: body.when.equals, isBlank: body.when.isBlank }),
        },
      });
    }),
  );
  router.delete(
    '/_control/orgs/:orgId/validation-rules/:name',
    route((req) => {
      control.removeValidationRule({ orgId: param(req, 'orgId'), name: param(req, 'name') });
    }),
  );
  router.get(
    '/_control/orgs/:orgId/sobjects/:sobject',
    route((req) =>
      control.listRecords(param(req, 'orgId'), param(req, 'sobject'), {
        includeDeleted: req.query.includeDeleted === 'true',
      }),
    ),
  );
  router.get(
    '/_control/orgs/:orgId/sobjects/:sobject/:id',
    route((req, res) => {
      const record = control.getRecord(
        param(req, 'orgId'),
        param(req, 'sobject'),
        param(req, 'id'),
      );
      if (record === undefined)
        res.status(404).json({ error: { code: 'not_found', message: 'no such record' } });
      return record;
    }),
  );
  router.post(
    '/_control/orgs/:orgId/sobjects/:sobject',
    route((req) => {
      const options = defined(editQuery.parse(req.query));
      return {
        id: control.userCreate(
          param(req, 'orgId'),
          param(req, 'sobject'),
          fieldsBody.parse(req.body),
          options,
        ),
      };
    }),
  );
  router.patch(
    '/_control/orgs/:orgId/sobjects/:sobject/:id',
    route((req) => {
      const options = defined(editQuery.parse(req.query));
      control.userUpdate(
        param(req, 'orgId'),
        param(req, 'sobject'),
        param(req, 'id'),
        fieldsBody.parse(req.body),
        options,
      );
    }),
  );
  router.delete(
    '/_control/orgs/:orgId/sobjects/:sobject/:id',
    route((req) => {
      control.userDelete(
        param(req, 'orgId'),
        param(req, 'sobject'),
        param(req, 'id'),
        defined(editQuery.parse(req.query)),
      );
    }),
  );
  router.post(
    '/_control/orgs/:orgId/sobjects/:sobject/:id/undelete',
    route((req) => {
      control.userUndelete(
        param(req, 'orgId'),
        param(req, 'sobject'),
        param(req, 'id'),
        defined(editQuery.parse(req.query)),
      );
    }),
  );
  router.post(
    '/_control/orgs/:orgId/seed-demo',
    route((req) => {
      const body = seedBody.parse(req.body ?? {});
      const seeded = control.seedDemo(param(req, 'orgId'), generateProgram(body), {
        companies: new Map(Object.entries(body.hubspotIds.companies)),
        deals: new Map(Object.entries(body.hubspotIds.deals)),
      });
      return {
        accounts: Object.fromEntries(seeded.accounts),
        opportunities: Object.fromEntries(seeded.opportunities),
      };
    }),
  );
  router.get(
    '/_control/orgs/:orgId/write-log',
    route((req) => control.writeLog(param(req, 'orgId'))),
  );

  router.use('/_control', (_req: Request, res: Response) => {
    res.status(404).json({ error: { code: 'not_found', message: 'no such control route' } });
  });
  router.use('/_control', (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof z.ZodError) {
      res.status(400).json({
        error: { code: 'invalid_request', message: 'invalid body', issues: error.issues },
      });
      return;
    }
    if (error instanceof SalesforceApiError) {
      res.status(error.status).json({
        error: { code: error.errorCode, message: error.message, fields: error.fields ?? [] },
      });
      return;
    }
    if (error instanceof Error) {
      res.status(400).json({ error: { code: 'bad_request', message: error.message } });
      return;
    }
    next(error);
  });
  return router;
}

/** Drops undefined properties (exactOptionalPropertyTypes). */
function defined<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
