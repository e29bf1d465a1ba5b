import { z } from 'zod';
import { partnerRefSchema, partnerTypeSchema } from './common.ts';

// GET /api/v1/partners — the tag picker's search.

export const partnerSearchQuerySchema = z.strictObject({
  /** Case-insensitive substring of the partner's name. */
  q: z.string().trim().max(100).optional(),
  type: partnerTypeSchema.optional(),
  /** "registered" or a program tier id. */
  tier: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/, 'expected a tier id such as "gold"')
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(500).optional(),
});
export type PartnerSearchQuery = z.infer<typeof partnerSearchQuerySchema>;

export const partnerSearchResultSchema = z
  .strictObject({
    partners: z.array(partnerRefSchema),
    /** Pass as `cursor` for the next page; null on the last page. */
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'PartnerSearchResult' });
export type PartnerSearchResult = z.infer<typeof partnerSearchResultSchema>;
