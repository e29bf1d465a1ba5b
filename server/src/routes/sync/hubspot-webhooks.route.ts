import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import {
  enqueueNotifications,
  hubspotEventSchema,
  hubspotNotifications,
} from '../../sync/intake.ts';
import { defaultSyncOptions } from '../../sync/sync-context.ts';

// HubSpot retries a delivery that takes more than 5 s: verify, filter, queue, answer. No CRM call.
export const hubspotWebhooksRoute = defineRoute({
  method: 'post',
  path: '/hubspot/webhooks',
  summary: 'HubSpot webhook intake (signed batches of up to 100 events)',
  description:
    'Verifies the v3 signature, drops our own writes (changeSource INTEGRATION from our app) and notifications already reflected, and queues one deduplicated sync job per record. Never calls a CRM.',
  tags: ['sync'],
  auth: 'hubspot-webhook',
  bodySchema: z.array(hubspotEventSchema).max(1000),
  responseSchema: z.strictObject({
    received: z.int(),
    queued: z.int(),
    ownEchoes: z.int(),
    stale: z.int(),
    ignored: z.int(),
  }),
  handler: async (_input, { deps, webhook }) => {
    const events = z.array(hubspotEventSchema).parse(webhook.events);
    const { notifications, ownEchoes, ignored } = hubspotNotifications(
      events,
      (portalId) => webhook.installations.get(portalId)?.id,
      deps.config.hubspot.appId,
    );
    const { queued, stale } = await enqueueNotifications(
      deps.db,
      deps.queues,
      notifications,
      defaultSyncOptions.debounceMs,
    );
    return {
      received: events.length + webhook.ignoredEvents,
      queued,
      ownEchoes,
      stale,
      ignored: ignored + webhook.ignoredEvents,
    };
  },
});
