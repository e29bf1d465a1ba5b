import type { Route } from '../../http/route.ts';
import { hubspotWebhooksRoute } from './hubspot-webhooks.route.ts';

/** Webhook intake, sync mappings, sync health and dead-letter replay. */
export const syncRoutes: readonly Route[] = [hubspotWebhooksRoute];
