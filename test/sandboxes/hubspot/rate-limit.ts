import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import type { PortalLimits } from './crm-store.ts';
import { HubspotError } from './errors.ts';

// HubSpot's API limits: a rolling ten-second burst per (app, portal), an optional daily budget per
// portal (reset at midnight UTC here; HubSpot uses the portal's time zone) and CRM search's own
// per-portal secondly limit. Rejected requests consume nothing.

export const rateLimitPolicies = ['TEN_SECONDLY_ROLLING', 'DAILY', 'SECONDLY'] as const;
export type RateLimitPolicy = (typeof rateLimitPolicies)[number];

export const TEN_SECONDS_MS = 10_000;
const SECOND_MS = 1_000;
const DAY_MS = 86_400_000;

const policyMessages: Record<RateLimitPolicy, string> = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  DAILY: 'You have reached your daily limit.',
  // The SDK's retry decorator keys on this exact sentence.
  SECONDLY: 'You have reached your secondly limit.',
};

export function rateLimitBody(policy: RateLimitPolicy): Record<string, unknown> {
  return {
    status: 'error',
    message: policyMessages[policy],
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName: policy,
    requestId: randomUUID(),
  };
}

export class RateLimiter {
  private readonly clock: () => number;
  /** `${appId}:${portalId}` → accepted request times inside the window, oldest first. */
  private readonly bursts = new Map<string, number[]>();
  private readonly searches = new Map<number, number[]>();
  private readonly daily = new Map<number, { day: number; count: number }>();
  private readonly rejected: Record<RateLimitPolicy, number> = {
    TEN_SECONDLY_ROLLING: 0,
    DAILY: 0,
    SECONDLY: 0,
  };

  constructor(clock: () => number) {
    this.clock = clock;
  }

  /** Admits one regular API request or throws HubSpot's 429; sets the rate-limit headers. */
  admit(res: Response, appId: number, portalId: number, limits: PortalLimits): void {
    const now = this.clock();
    const burst = this.window(this.bursts, `${appId}:${portalId}`, now - TEN_SECONDS_MS);
    const daily = this.dailyCount(portalId, now);
    const headers = (burstRemaining: number, dailyRemaining: number) => {
      const values: Record<string, string> = {
        'X-HubSpot-RateLimit-Max': String(limits.tenSecondly),
        'X-HubSpot-RateLimit-Remaining': String(Math.max(0, burstRemaining)),
        'X-HubSpot-RateLimit-Interval-Milliseconds': String(TEN_SECONDS_MS),
      };
      if (limits.daily !== null) {
        values['X-HubSpot-RateLimit-Daily'] = String(limits.daily);
        values['X-HubSpot-RateLimit-Daily-Remaining'] = String(Math.max(0, dailyRemaining));
      }
      return values;
    };
    const burstLeft = limits.tenSecondly - burst.length;
    const dailyLeft = limits.daily === null ? Number.POSITIVE_INFINITY : limits.daily - daily.count;
    if (dailyLeft <= 0) {
      this.rejected.DAILY += 1;
      throw new HubspotError(429, rateLimitBody('DAILY'), headers(burstLeft, 0));
    }
    if (burstLeft <= 0) {
      this.rejected.TEN_SECONDLY_ROLLING += 1;
      throw new HubspotError(429, rateLimitBody('TEN_SECONDLY_ROLLING'), headers(0, dailyLeft));
    }
    burst.push(now);
    daily.count += 1;
    for (const [name, value] of Object.entries(headers(burstLeft - 1, dailyLeft - 1))) {
      res.setHeader(name, value);
    }
  }

  /**
   * Admits one CRM search request. Search has its own per-portal limit and does not use the
   * ten-second window; UNSURE: HubSpot sends no rate-limit headers on search, neither does this.
   */
  admitSearch(portalId: number, limits: PortalLimits): void {
    const now = this.clock();
    const daily = this.dailyCount(portalId, now);
    if (limits.daily !== null && daily.count >= limits.daily) {
      this.rejected.DAILY += 1;
      throw new HubspotError(429, rateLimitBody('DAILY'));
    }
    const recent = this.window(this.searches, portalId, now - SECOND_MS);
    if (recent.length >= limits.searchPerSecond) {
      this.rejected.SECONDLY += 1;
      throw new HubspotError(429, rateLimitBody('SECONDLY'));
    }
    recent.push(now);
    daily.count += 1;
  }

  /** 429s answered so far, by policy. */
  rejections(): Record<RateLimitPolicy, number> {
    return { ...this.rejected };
  }

  resetCounters(): void {
    for (const policy of rateLimitPolicies) this.rejected[policy] = 0;
  }

  /** What is left for an (app, portal) right now, for the control API. */
  usage(appId: number, portalId: number, limits: PortalLimits) {
    const now = this.clock();
    const burst = this.window(this.bursts, `${appId}:${portalId}`, now - TEN_SECONDS_MS);
    const search = this.window(this.searches, portalId, now - SECOND_MS);
    const daily = this.dailyCount(portalId, now);
    return {
      tenSecondly: { max: limits.tenSecondly, used: burst.length },
      daily: { max: limits.daily, used: daily.count },
      search: { max: limits.searchPerSecond, used: search.length },
    };
  }

  private window<K>(map: Map<K, number[]>, key: K, since: number): number[] {
    let times = map.get(key);
    if (times === undefined) {
      times = [];
      map.set(key, times);
    }
    let expired = 0;
    while (expired < times.length && (times[expired] ?? 0) <= since) expired += 1;
    if (expired > 0) times.splice(0, expired);
    return times;
  }

  private dailyCount(portalId: number, now: number): { day: number; count: number } {
    const day = Math.floor(now / DAY_MS);
    let entry = this.daily.get(portalId);
    if (entry === undefined || entry.day !== day) {
      entry = { day, count: 0 };
      this.daily.set(portalId, entry);
    }
    return entry;
  }
}
