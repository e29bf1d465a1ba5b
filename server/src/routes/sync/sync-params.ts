import { z } from 'zod';

/** Every operator sync route names its installation (the settings page's are in sync-settings/). */
export const installationParams = z.strictObject({ installationId: z.uuid() });
export const SYNC_BASE = '/admin/api/installations/:installationId/sync';
