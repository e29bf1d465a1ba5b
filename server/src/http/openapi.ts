import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { type ErrorCode, errorStatuses } from '../errors.ts';
import { type Route, toOpenApiPath } from './route.ts';

export const errorResponseSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(Object.keys(errorStatuses) as [ErrorCode, ...ErrorCode[]]),
      message: z.string().describe('What is wrong, in words a person can act on.'),
      issues: z
        .array(
          z.strictObject({
            path: z.string().describe('The offending field, e.g. `body.partners[0].share`.'),
            message: z.string(),
            code: z.string().optional(),
          }),
        )
        .optional()
        .describe('Field-level problems (validation errors).'),
    }),
  })
  .meta({ id: 'ErrorResponse', description: 'Every error has this shape.' });

const securitySchemes = {
  hubspotSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-HubSpot-Signature-v3',
    description:
      'HubSpot v3 request signature: base64(HMAC-SHA256(client secret, method + URL + body + ' +
      'X-HubSpot-Request-Timestamp)). Sent by `hubspot.fetch` and webhooks; the timestamp must ' +
      'be within 5 minutes. The tenant is the signed `portalId` query parameter.',
  },
  operatorToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'ADMIN_TOKEN, for operators only.',
  },
} as const;

function errorStatusesFor(route: Route): Map<number, ErrorCode[]> {
  const codes: ErrorCode[] = [...route.errors];
  if (route.bodySchema || route.querySchema || route.paramsSchema) codes.push('validation_failed');
  if (route.bodySchema) codes.push('invalid_json');
  if (route.auth === 'hubspot' || route.auth === 'hubspot-webhook') {
    codes.push('invalid_signature', 'not_installed');
  }
  if (route.auth === 'hubspot') codes.push('rate_limited');
  if (route.auth === 'operator') codes.push('unauthorized', 'forbidden');
  codes.push('internal');
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = errorStatuses[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

function registerRoute(registry: OpenAPIRegistry, route: Route): void {
  const responses: Record<
    number,
    { description: string; content?: Record<string, { schema: z.ZodType }> }
  > = {};
  responses[route.successStatus] =
    route.responseSchema === undefined
      ? { description: route.successDescription }
      : {
          description: route.successDescription,
          content: { 'application/json': { schema: route.responseSchema } },
        };
  for (const [status, codes] of errorStatusesFor(route)) {
    responses[status] = {
      description: codes.map((code) => `\`${code}\``).join(', '),
      content: { 'application/json': { schema: errorResponseSchema } },
    };
  }
  const security =
    route.auth === 'hubspot' || route.auth === 'hubspot-webhook'
      ? [{ hubspotSignature: [] }]
      : route.auth === 'operator'
        ? [{ operatorToken: [] }]
        : [];
  registry.registerPath({
    method: route.method,
    path: toOpenApiPath(route.path),
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [...route.tags],
    security,
    request: {
      ...(route.paramsSchema === undefined ? {} : { params: route.paramsSchema as z.ZodObject }),
      ...(route.querySchema === undefined ? {} : { query: route.querySchema as z.ZodObject }),
      ...(route.bodySchema === undefined
        ? {}
        : { body: { content: { 'application/json': { schema: route.bodySchema } } } }),
    },
    responses,
  });
}

export type ApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** The OpenAPI 3.1 document, generated from the routes' zod schemas. */
export function createApiDocument(
  routes: readonly Route[],
  options: { version: string; serverUrl: string },
): ApiDocument {
  const registry = new OpenAPIRegistry();
  for (const [name, scheme] of Object.entries(securitySchemes)) {
    registry.registerComponent('securitySchemes', name, scheme);
  }
  for (const route of routes) if (!route.hidden) registerRoute(registry, route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Partnerbridge API',
      version: options.version,
      description:
        'The API behind the Partnerbridge HubSpot cards and settings page, HubSpot webhooks ' +
        'and the installs. Errors always have the `ErrorResponse` shape.',
    },
    servers: [{ url: options.serverUrl }],
  });
}
