import { renderApiReference } from '../../http/api-reference.ts';
import { Reply } from '../../http/reply.ts';
import { defineRoute } from '../../http/route.ts';

export const apiDocsRoute = defineRoute({
  method: 'get',
  path: '/docs',
  summary: 'Readable API reference (HTML, works offline)',
  tags: ['documentation'],
  auth: 'public',
  successDescription: 'An HTML page',
  handler: async (_input, { apiDocument }) => Reply.html(renderApiReference(apiDocument())),
});
