import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { createRng } from './rng.ts';

// Fault injection shared by both sandboxes: by rate (every matching request rolls the dice) or
// scripted (the next N matching requests get exactly this). Each sandbox renders 429s and 5xx in
// its own provider's shape through `FaultRenderers`.

const faultMatchSchema = z.object({
  method: z.string().toUpperCase().optional(),
  /** A regular expression tested against the request path (no query string). */
  path: z.string().optional(),
});

const faultActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('latency'), ms: z.number().int().min(0).max(120_000) }),
  z.object({
    kind: z.literal('status'),
    status: z.number().int().min(400).max(599),
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  z.object({ kind: z.literal('rate-limit') }),
  z.object({ kind: z.literal('server-error') }),
  z.object({ kind: z.literal('drop') }),
]);

export const faultPlanSchema = z.object({
  rates: z
    .object({
      match: faultMatchSchema.optional(),
      latencyMs: z.number().int().min(0).max(60_000).optional(),
      latencyJitterMs: z.number().int().min(0).max(60_000).optional(),
      serverErrorRate: z.number().min(0).max(1).optional(),
      rateLimitRate: z.number().min(0).max(1).optional(),
      dropRate: z.number().min(0).max(1).optional(),
    })
    .optional(),
  script: z
    .array(
      z.object({
        match: faultMatchSchema.optional(),
        action: faultActionSchema,
        times: z.number().int().min(1).default(1),
      }),
    )
    .optional(),
});

export type FaultPlan = z.input<typeof faultPlanSchema>;
export type FaultAction = z.infer<typeof faultActionSchema>;
type FaultMatch = z.infer<typeof faultMatchSchema>;

export type FaultRenderers = {
  rateLimit(res: Response): void;
  serverError(res: Response): void;
};

export type FaultInjector = {
  set(plan: FaultPlan): void;
  clear(): void;
  current(): z.infer<typeof faultPlanSchema>;
  /** How many faults were injected, by kind. */
  injected(): Record<string, number>;
  middleware(renderers: FaultRenderers): (req: Request, res: Response, next: NextFunction) => void;
};

function matches(match: FaultMatch | undefined, req: Request): boolean {
  if (match === undefined) return true;
  if (match.method !== undefined && match.method !== req.method) return false;
  if (match.path !== undefined && !new RegExp(match.path).test(req.path)) return false;
  return true;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createFaultInjector(
  options: { seed?: number; exempt?: RegExp } = {},
): FaultInjector {
  const rng = createRng(options.seed ?? 1);
  // Control and OAuth paths stay reliable unless a script names them explicitly.
  const exempt = options.exempt ?? /^\/_control(\/|$)/;
  let plan = faultPlanSchema.parse({});
  const counts = new Map<string, number>();
  const count = (kind: string) => counts.set(kind, (counts.get(kind) ?? 0) + 1);

  const apply = async (action: FaultAction, renderers: FaultRenderers, res: Response) => {
    count(action.kind);
    switch (action.kind) {
      case 'latency':
        await sleep(action.ms);
        return false;
      case 'status':
        res.status(action.status);
        for (const [name, value] of Object.entries(action.headers ?? {}))
          res.setHeader(name, value);
        if (action.body === undefined) res.end();
        else res.json(action.body);
        return true;
      case 'rate-limit':
        renderers.rateLimit(res);
        return true;
      case 'server-error':
        renderers.serverError(res);
        return true;
      case 'drop':
        res.socket?.destroy();
        return true;
    }
  };

  return {
    set(next) {
      plan = faultPlanSchema.parse(next);
    },
    clear() {
      plan = faultPlanSchema.parse({});
    },
    current: () => plan,
    injected: () => Object.fromEntries(counts),
    middleware(renderers) {
      return (req, res, next) => {
        const run = async () => {
          const scripted = plan.script?.find(
            (entry) =>
              entry.times > 0 &&
              matches(entry.match, req) &&
              (entry.match?.path !== undefined || !exempt.test(req.path)),
          );
          if (scripted !== undefined) {
            scripted.times -= 1;
            if (await apply(scripted.action, renderers, res)) return;
          }
          const rates = plan.rates;
          if (rates !== undefined && !exempt.test(req.path) && matches(rates.match, req)) {
            const latency =
              (rates.latencyMs ?? 0) + Math.round(rng.next() * (rates.latencyJitterMs ?? 0));
            if (latency > 0) await apply({ kind: 'latency', ms: latency }, renderers, res);
            if (rng.chance(rates.dropRate ?? 0)) {
              await apply({ kind: 'drop' }, renderers, res);
              return;
            }
            if (rng.chance(rates.rateLimitRate ?? 0)) {
              await apply({ kind: 'rate-limit' }, renderers, res);
              return;
            }
            if (rng.chance(rates.serverErrorRate ?? 0)) {
              await apply({ kind: 'server-error' }, renderers, res);
              return;
            }
          }
          next();
        };
        run().catch(next);
      };
    },
  };
}
