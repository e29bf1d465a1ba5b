import { Reply } from '../../http/reply.ts';
import { defineRoute } from '../../http/route.ts';

/** Prometheus metrics (keep this path off the public internet at the proxy). */
export const metricsRoute = defineRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics',
  description:
    'HTTP latency by route and status, queue depths, job outcomes, and CRM API calls and 429s ' +
    'per installation, plus Node.js process metrics.',
  tags: ['operations'],
  auth: 'public',
  successDescription: 'Prometheus text exposition format',
  handler: async (_input, { deps }) => {
    const { registry } = deps.metrics;
    return Reply.text(await registry.metrics(), registry.contentType);
  },
});
