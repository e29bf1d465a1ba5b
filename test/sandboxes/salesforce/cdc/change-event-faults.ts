import { z } from 'zod';
import { createRng } from '../../common/rng.ts';

// Faults for Change Data Capture, by rate or scripted (the next N events of an entity):
// `duplicate` delivers an event twice, `out-of-order` holds it back behind the next event,
// `gap` stores and delivers a header-only GAP_* event instead, `gap-overflow` a GAP_OVERFLOW.

export const changeEventFaultKinds = ['duplicate', 'out-of-order', 'gap', 'gap-overflow'] as const;
export type ChangeEventFaultKind = (typeof changeEventFaultKinds)[number];

export const changeEventFaultPlanSchema = z.strictObject({
  duplicateRate: z.number().min(0).max(1).optional(),
  outOfOrderRate: z.number().min(0).max(1).optional(),
  gapRate: z.number().min(0).max(1).optional(),
  script: z
    .array(
      z.strictObject({
        kind: z.enum(changeEventFaultKinds),
        /** Only events of this entity (`Opportunity`, `Account`); any when omitted. */
        entity: z.string().optional(),
        times: z.number().int().min(1).default(1),
      }),
    )
    .optional(),
});
export type ChangeEventFaultPlan = z.input<typeof changeEventFaultPlanSchema>;

export type ChangeEventFaults = {
  set(plan: ChangeEventFaultPlan): void;
  clear(): void;
  current(): z.infer<typeof changeEventFaultPlanSchema>;
  /** How many faults were applied, by kind. */
  injected(): Record<string, number>;
  /** Decides the faults for the next event of `entity`. */
  decide(entity: string): Set<ChangeEventFaultKind>;
};

export function createChangeEventFaults(seed: number): ChangeEventFaults {
  const rng = createRng(seed);
  let plan = changeEventFaultPlanSchema.parse({});
  const counts = new Map<string, number>();
  return {
    set(next) {
      plan = changeEventFaultPlanSchema.parse(next);
    },
    clear() {
      plan = changeEventFaultPlanSchema.parse({});
    },
    current: () => plan,
    injected: () => Object.fromEntries(counts),
    decide(entity) {
      const kinds = new Set<ChangeEventFaultKind>();
      for (const entry of plan.script ?? []) {
        if (entry.times <= 0 || (entry.entity !== undefined && entry.entity !== entity)) continue;
        if (kinds.has(entry.kind)) continue;
        entry.times -= 1;
        kinds.add(entry.kind);
      }
      if (rng.chance(plan.duplicateRate ?? 0)) kinds.add('duplicate');
      if (rng.chance(plan.outOfOrderRate ?? 0)) kinds.add('out-of-order');
      if (rng.chance(plan.gapRate ?? 0)) kinds.add('gap');
      for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
      return kinds;
    },
  };
}
