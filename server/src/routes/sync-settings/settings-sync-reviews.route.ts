import { identityReviewsViewSchema } from '@partnerbridge/shared/api';
import { requirePartnerManager } from '../../cards/access.ts';
import { defineRoute } from '../../http/route.ts';
import { identityReviews } from '../../sync/admin.ts';
import { SYNC_API } from './sync-settings-params.ts';

export const settingsSyncReviewsRoute = defineRoute({
  method: 'get',
  path: `${SYNC_API}/reviews`,
  summary: 'Identity reviews: records with several possible twins on the other CRM, newest first',
  tags: ['Settings'],
  auth: 'hubspot',
  responseSchema: identityReviewsViewSchema,
  errors: ['forbidden'],
  handler: async (_request, { deps, installation, hubspot }) => {
    await requirePartnerManager(deps.db, installation, hubspot);
    return identityReviews(deps, installation.id);
  },
});
