import { z } from 'zod';
import { daysBetween, type IsoDate } from './calendar.ts';
import type { Partner } from './partner.ts';

export const checklistItemSchema = z.strictObject({
  id: z.string().min(1),
  label: z.string().min(1),
});
export type ChecklistItem = z.infer<typeof checklistItemSchema>;

/** A phase of onboarding, planned for weeks `startWeek`–`endWeek` after joining (week 1 first). */
export const onboardingPhaseSchema = z
  .strictObject({
    id: z.string().min(1),
    label: z.string().min(1),
    startWeek: z.int().min(1),
    endWeek: z.int().min(1),
    checklist: z.array(checklistItemSchema).min(1),
  })
  .refine((phase) => phase.endWeek >= phase.startWeek, 'a phase must end on or after its start');
export type OnboardingPhase = z.infer<typeof onboardingPhaseSchema>;

export const onboardingPlanSchema = z
  .array(onboardingPhaseSchema)
  .min(1)
  .superRefine((phases, context) => {
    const itemIds = phases.flatMap((phase) => phase.checklist.map((item) => item.id));
    if (new Set(itemIds).size !== itemIds.length) {
      context.addIssue({
        code: 'custom',
        message: 'checklist item ids must be unique across phases',
      });
    }
    phases.forEach((phase, index) => {
      const previous = phases[index - 1];
      if (previous !== undefined && phase.startWeek <= previous.endWeek) {
        context.addIssue({
          code: 'custom',
          message: `phase ${phase.id} overlaps the one before`,
          path: [index],
        });
      }
    });
  });

export const onboardingPaces = ['ahead', 'on_track', 'behind', 'completed'] as const;
export type OnboardingPace = (typeof onboardingPaces)[number];

export type OnboardingStatus = {
  /** Week since joining, 1-based (the joining day is in week 1). */
  readonly week: number;
  /** The first phase with open checklist items; `null` once every phase is complete. */
  readonly currentPhase: { readonly id: string; readonly label: string } | null;
  /** Against the plan: is the current phase's week window still ahead, now, or past? */
  readonly pace: OnboardingPace;
  readonly remaining: readonly ChecklistItem[];
  readonly phases: readonly {
    readonly id: string;
    readonly label: string;
    readonly done: number;
    readonly total: number;
  }[];
};

/** Where a partner stands in onboarding, derived from its joining date and completed items. */
export function onboardingStatus(
  partner: Pick<Partner, 'joinedOn' | 'onboardingCompleted'>,
  plan: readonly OnboardingPhase[],
  asOf: IsoDate,
): OnboardingStatus {
  const week = Math.max(1, Math.floor(daysBetween(partner.joinedOn, asOf) / 7) + 1);
  const completed = new Set(partner.onboardingCompleted);
  const phases = plan.map((phase) => ({
    id: phase.id,
    label: phase.label,
    done: phase.checklist.filter((item) => completed.has(item.id)).length,
    total: phase.checklist.length,
  }));
  const current = plan.find((phase) => phase.checklist.some((item) => !completed.has(item.id)));
  if (current === undefined) {
    return { week, currentPhase: null, pace: 'completed', remaining: [], phases };
  }
  const pace = week > current.endWeek ? 'behind' : week < current.startWeek ? 'ahead' : 'on_track';
  return {
    week,
    currentPhase: { id: current.id, label: current.label },
    pace,
    remaining: current.checklist.filter((item) => !completed.has(item.id)),
    phases,
  };
}
