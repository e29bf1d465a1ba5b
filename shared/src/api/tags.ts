import { z } from 'zod';
import {
  apiFractionSchema,
  apiInstantSchema,
  idempotencyKeySchema,
  localIdSchema,
  motionSchema,
  partnerRoleSchema,
} from './common.ts';
import { conflictViewSchema, dealEffectSchema, tagViewSchema } from './deal-view.ts';

// Tagging a partner on a deal from the deal card, changing or removing the tag, and a partner
// manager's decision on a conflicting registration. Every answer carries the effect.

/** POST /api/v1/deals/:hubspotDealId/tags */
export const createTagBodySchema = z
  .strictObject({
    idempotencyKey: idempotencyKeySchema,
    /** From the partner picker (`GET /api/v1/partners`). */
    partnerId: localIdSchema,
    role: partnerRoleSchema,
    motion: motionSchema,
    /** When the partner touched the deal; defaults to now. */
    touchedAt: apiInstantSchema.optional(),
    /** Explicit share (0–1), used by the explicit-split attribution model. */
    share: apiFractionSchema.optional(),
  })
  .meta({ id: 'CreateTagBody' });
export type CreateTagBody = z.infer<typeof createTagBodySchema>;

/** PATCH /api/v1/deals/:hubspotDealId/tags/:tagId — at least one field besides the key. */
export const updateTagBodySchema = z
  .strictObject({
    idempotencyKey: idempotencyKeySchema,
    role: partnerRoleSchema.optional(),
    motion: motionSchema.optional(),
    touchedAt: apiInstantSchema.optional(),
    /** `null` clears an explicit share. */
    share: apiFractionSchema.nullable().optional(),
  })
  .refine(
    (body) =>
      body.role !== undefined ||
      body.motion !== undefined ||
      body.touchedAt !== undefined ||
      body.share !== undefined,
    { message: 'name at least one of role, motion, touchedAt, share', path: ['role'] },
  )
  .meta({ id: 'UpdateTagBody' });
export type UpdateTagBody = z.infer<typeof updateTagBodySchema>;

/** POST /api/v1/deals/:hubspotDealId/tags/:tagId/registration (partner managers and admins). */
export const registrationDecisionBodySchema = z
  .strictObject({
    idempotencyKey: idempotencyKeySchema,
    decision: z.enum(['approve', 'reject']),
    /** Why; required when rejecting, shown to the rep on the deal card. */
    note: z.string().trim().min(1).max(1000).optional(),
  })
  .refine((body) => body.decision !== 'reject' || body.note !== undefined, {
    message: 'a rejection needs a note saying why',
    path: ['note'],
  })
  .meta({ id: 'RegistrationDecisionBody' });
export type RegistrationDecisionBody = z.infer<typeof registrationDecisionBodySchema>;

/**
 * What happened to the tag's registration: `approved` (counts at once), `pending_review`
 * (another partner holds the deal or the customer: a partner manager decides; it earns nothing
 * meanwhile), `rejected`, or `removed`.
 */
export const registrationOutcomeSchema = z.enum([
  'approved',
  'pending_review',
  'rejected',
  'removed',
]);

/** The answer to every tag mutation: the tag, what happened to it, and the deal's new effect. */
export const tagMutationResponseSchema = z
  .strictObject({
    tag: tagViewSchema,
    outcome: registrationOutcomeSchema,
    /** One sentence for the card ("Tagged Acme as sourced; pending review: …"). */
    message: z.string(),
    /** The conflicts that made this tag pending (empty otherwise). */
    conflicts: z.array(conflictViewSchema),
    /** The deal's attribution, commission preview and open conflicts after the change. */
    effect: dealEffectSchema,
  })
  .meta({ id: 'TagMutationResponse' });
export type TagMutationResponse = z.infer<typeof tagMutationResponseSchema>;
