import { z } from 'zod';
import { Reply } from '../../http/reply.ts';
import { defineRoute } from '../../http/route.ts';
import { getInstallationOrThrow } from '../../installs/installations.ts';
import { uninstallInstallation } from '../../installs/uninstall.ts';

export const adminInstallationDeleteRoute = defineRoute({
  method: 'delete',
  path: '/admin/api/installations/:installationId',
  summary: 'Uninstall an installation (operators)',
  tags: ['operators'],
  auth: 'operator',
  paramsSchema: z.strictObject({ installationId: z.uuid() }),
  errors: ['not_found'],
  successStatus: 204,
  successDescription: 'Uninstalled',
  handler: async ({ params }, { deps }) => {
    await getInstallationOrThrow(deps.db, params.installationId);
    await uninstallInstallation(deps, params.installationId);
    return Reply.empty();
  },
});
