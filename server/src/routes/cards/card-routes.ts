import type { Route } from '../../http/route.ts';

/** The cards' and admins' API (`/api/v1/...`): deal view, tagging, partner tier card, settings. */
export const cardRoutes: readonly Route[] = [];
