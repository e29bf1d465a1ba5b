import { desc } from 'drizzle-orm';
import { z } from 'zod';
import { installations } from '../../db/schema/installations.ts';
import { defineRoute } from '../../http/route.ts';
import { installationViewSchema, toInstallationView } from '../api/installation-view.ts';

export const adminInstallationsListRoute = defineRoute({
  method: 'get',
  path: '/admin/api/installations',
  summary: 'All installations (operators)',
  tags: ['operators'],
  auth: 'operator',
  responseSchema: z.strictObject({ installations: z.array(installationViewSchema) }),
  handler: async (_input, { deps }) => {
    const rows = await deps.db
      .select()
      .from(installations)
      .orderBy(desc(installations.installedAt));
    return { installations: rows.map(toInstallationView) };
  },
});
