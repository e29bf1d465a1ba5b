import { Reply } from '../../http/reply.ts';
import { defineRoute } from '../../http/route.ts';

export const openapiJsonRoute = defineRoute({
  method: 'get',
  path: '/openapi.json',
  summary: 'This API as an OpenAPI 3.1 document',
  tags: ['documentation'],
  auth: 'public',
  successDescription: 'The OpenAPI document',
  handler: async (_input, { apiDocument }) => Reply.json(apiDocument()),
});
