import { z } from 'zod';

/** Every sync admin route names its installation (operator API until the settings page's admin role lands). */
export const installationParams = z.strictObject({ installationId: z.uuid() });
export const SYNC_BASE = '/admin/api/installations/:installationId/sync';
export const anyJson = z.unknown();
