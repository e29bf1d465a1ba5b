import type { IsoDate } from '@partnerbridge/shared';
import type { Clock } from '../clock.ts';

/** Business days are UTC calendar days: "today" for rules, tiers and the ledger. */
export function todayOf(clock: Clock): IsoDate {
  return new Date(clock.now()).toISOString().slice(0, 10) as IsoDate;
}

export function dateOf(instant: Date): IsoDate {
  return instant.toISOString().slice(0, 10) as IsoDate;
}
