// The server's public surface, for other workspaces and tools. Inside server/, import modules
// directly.
export { type Clock, systemClock } from './clock.ts';
export {
  type Config,
  ConfigError,
  configVariables,
  describeConfig,
  hasCrmCredentials,
  parseConfig,
} from './config.ts';
export {
  type Database,
  type Executor,
  type OpenDatabase,
  openDatabase,
  queryRows,
  schema,
  type Transaction,
} from './db/database.ts';
export {
  AppError,
  ConflictError,
  type ErrorCode,
  type ErrorIssue,
  errorStatuses,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UnprocessableError,
  UpstreamError,
} from './errors.ts';
export { createApp } from './http/app.ts';
export type { AppDeps } from './http/app-deps.ts';
export { computeHubspotSignatureV3 } from './http/hubspot-signature.ts';
export { runIdempotent } from './http/idempotency.ts';
export { Reply } from './http/reply.ts';
export { defineRoute, type Route, type RouteContext } from './http/route.ts';
export { appRoutes } from './http/routes.ts';
export { HubspotAuthError, type HubspotClients } from './hubspot/client-factory.ts';
export type { Installation } from './installs/installations.ts';
export { createLogger, type Logger } from './logger.ts';
export { APP_VERSION, type Runtime, startRuntime } from './main.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { defineJob, type JobContext, type JobModule } from './queue/job.ts';
export type { QueueSet } from './queue/queue-set.ts';
export type { SalesforceConnections } from './salesforce/connections.ts';
export type { Services } from './services.ts';
