import { Reply } from '../../http/reply.ts';
import { defineRoute } from '../../http/route.ts';
import { uninstallInstallation } from '../../installs/uninstall.ts';

export const installationDeleteRoute = defineRoute({
  method: 'delete',
  path: '/api/v1/installation',
  summary: 'Uninstall: revoke and delete all stored tokens of the calling portal',
  description:
    'Afterwards every signed request from the portal is refused with `not_installed` until the ' +
    'app is installed again. Business data is kept.',
  tags: ['installation'],
  auth: 'hubspot',
  successStatus: 204,
  successDescription: 'Uninstalled',
  handler: async (_input, { deps, installation }) => {
    await uninstallInstallation(deps, installation.id);
    return Reply.empty();
  },
});
