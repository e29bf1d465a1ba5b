import type { AddFxRatesBody, FxRatesView } from '@partnerbridge/shared/api';
import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { auditLog } from '../db/schema/audit.ts';
import { fxRates } from '../db/schema/program.ts';
import { ConflictError } from '../errors.ts';
import type { Services } from '../services.ts';
import { recomputeInstallation } from './recompute.ts';

// Dated exchange rates: commissions convert at the quote in force on each deal's close date, so a
// stored quote is never changed; adding the same quote again is a no-op.

type Deps = Pick<Services, 'db' | 'queues' | 'log'>;

export async function listFxRates(db: Executor, installationId: string): Promise<FxRatesView> {
  const rows = await db
    .select()
    .from(fxRates)
    .where(eq(fxRates.installationId, installationId))
    .orderBy(asc(fxRates.base), asc(fxRates.quote), asc(fxRates.rateOn));
  return {
    rates: rows.map((row) => ({
      base: row.base,
      quote: row.quote,
      on: row.rateOn,
      rate: row.rate,
      createdBy: row.createdBy,
      createdAt: row.createdAt.toISOString(),
    })),
  };
}

export async function addFxRates(
  deps: Deps,
  input: { installationId: string; actor: string; body: AddFxRatesBody },
): Promise<FxRatesView> {
  const { installationId, actor } = input;
  const added = await deps.db.transaction(async (tx) => {
    let count = 0;
    for (const [index, rate] of input.body.rates.entries()) {
      const [existing] = await tx
        .select()
        .from(fxRates)
        .where(
          and(
            eq(fxRates.installationId, installationId),
            eq(fxRates.base, rate.base),
            eq(fxRates.quote, rate.quote),
            eq(fxRates.rateOn, rate.on),
          ),
        );
      if (existing !== undefined) {
        if (existing.rate === rate.rate) continue;
        throw new ConflictError(
          `body.rates[${index}]: ${rate.base}/${rate.quote} on ${rate.on} is already ${existing.rate}; a stored quote is never changed (commissions were converted with it), add a quote for another day instead`,
        );
      }
      await tx.insert(fxRates).values({
        installationId,
        base: rate.base,
        quote: rate.quote,
        rateOn: rate.on,
        rate: rate.rate,
        createdBy: actor,
      });
      count += 1;
    }
    if (count > 0) {
      await tx.insert(auditLog).values({
        installationId,
        origin: 'admin',
        actor,
        action: 'fx_rates.added',
        objectKind: 'fx_rate',
        after: input.body.rates,
      });
    }
    return count;
  });
  if (added > 0) {
    // Deals that lacked a rate can now be paid.
    await recomputeInstallation(deps, installationId).catch((error: unknown) =>
      deps.log.warn({ err: error, installationId }, 'could not schedule recomputation'),
    );
  }
  return listFxRates(deps.db, installationId);
}
