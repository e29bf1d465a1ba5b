import { z } from 'zod';
import { restRequest, type SalesforceContext } from './api-calls.ts';

// `GET /limits`: the org's allocations (daily API requests, Bulk API, streaming/CDC deliveries…).
// One API call; the sync engine reads it to enforce its own daily cap per org.

const limitSchema = z.looseObject({ Max: z.number(), Remaining: z.number() });
const limitsSchema = z.record(z.string(), z.unknown());

export type OrgLimit = { readonly max: number; readonly remaining: number };

export type OrgLimits = {
  /** Rolling 24-hour REST/SOAP/Bulk request allocation shared by every integration in the org. */
  readonly dailyApiRequests: OrgLimit;
  /** Every limit Salesforce reported, by its name (`DailyBulkV2QueryJobs`, …). */
  readonly all: Readonly<Record<string, OrgLimit>>;
};

export async function fetchLimits(context: SalesforceContext): Promise<OrgLimits> {
  const raw = limitsSchema.parse(await restRequest<unknown>(context, 'limits', 'GET', '/limits'));
  const all: Record<string, OrgLimit> = {};
  for (const [name, value] of Object.entries(raw)) {
    const parsed = limitSchema.safeParse(value);
    if (parsed.success) all[name] = { max: parsed.data.Max, remaining: parsed.data.Remaining };
  }
  const daily = all.DailyApiRequests;
  if (daily === undefined) throw new Error('Salesforce /limits did not report DailyApiRequests');
  return { dailyApiRequests: daily, all };
}
