import type { ApiRoute } from './api-route.ts';
import { json } from './api-route.ts';

// The version root (available resources) and `GET /limits`.

const limit = (max: number, used = 0) => ({ Max: max, Remaining: Math.max(0, max - used) });

export const limitsRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/',
    handler: ({ context }) => {
      const base = context.basePath;
      return json(200, {
        composite: `${base}/composite`,
        identity: `${context.state.url}/id/${context.org.id}/${context.session.userId}`,
        'jobs-ingest': `${base}/jobs/ingest`,
        limits: `${base}/limits`,
        query: `${base}/query`,
        queryAll: `${base}/queryAll`,
        sobjects: `${base}/sobjects`,
        tooling: `${base}/tooling`,
      });
    },
  },
  {
    method: 'GET',
    path: '/limits',
    handler: ({ context }) => {
      const { org } = context;
      const used = org.apiUsage.used(context.now);
      return json(200, {
        ConcurrentAsyncGetReportInstances: limit(200),
        DailyApiRequests: limit(org.apiUsage.limit, used),
        DailyAsyncApexExecutions: limit(250_000),
        DailyBulkApiBatches: limit(15_000, org.bulkBatchesToday(context.now)),
        DailyBulkV2QueryFileStorageMB: limit(976_562),
        DailyBulkV2QueryJobs: limit(10_000),
        DailyDeliveredPlatformEvents: limit(50_000, org.deliveredEvents),
        DailyStreamingApiEvents: limit(1_000_000),
        DataStorageMB: limit(1_024, Math.ceil(org.store.count('Opportunity') * 0.002)),
        FileStorageMB: limit(1_024),
        MonthlyPlatformEventsUsageEntitlement: limit(0),
        SingleEmail: limit(5_000),
      });
    },
  },
];
