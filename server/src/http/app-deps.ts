import type { Services } from '../services.ts';

/** What `createApp` needs: the shared services plus the readiness probes. */
export type AppDeps = Services & {
  readonly readiness: {
    database(): Promise<void>;
    redis(): Promise<void>;
  };
};
