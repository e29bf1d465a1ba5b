import { hubspotObjectIdSchema } from '@partnerbridge/shared/api';
import { z } from 'zod';

/** Path parameters of the card routes. */
export const dealParamsSchema = z.strictObject({ hubspotDealId: hubspotObjectIdSchema });

export const tagParamsSchema = z.strictObject({
  hubspotDealId: hubspotObjectIdSchema,
  tagId: z.uuid('tagId must be a tag id (UUID) from the deal view'),
});
