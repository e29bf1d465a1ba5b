import { Reply } from '../../http/reply.ts';
import { defineRoute } from '../../http/route.ts';
import { disconnectSalesforce } from '../../installs/uninstall.ts';

export const salesforceDisconnectRoute = defineRoute({
  method: 'delete',
  path: '/api/v1/installation/salesforce',
  summary: 'Disconnect the Salesforce org (revoke and delete its tokens)',
  tags: ['installation'],
  auth: 'hubspot',
  successStatus: 204,
  successDescription: 'Disconnected (also when nothing was connected)',
  handler: async (_input, { deps, installation }) => {
    await disconnectSalesforce(deps, installation.id);
    return Reply.empty();
  },
});
