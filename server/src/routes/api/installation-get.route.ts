import { defineRoute } from '../../http/route.ts';
import { installationViewSchema, toInstallationView } from './installation-view.ts';

export const installationGetRoute = defineRoute({
  method: 'get',
  path: '/api/v1/installation',
  summary: "The calling portal's installation and its Salesforce connection",
  tags: ['installation'],
  auth: 'hubspot',
  responseSchema: installationViewSchema,
  handler: async (_input, { installation }) => toInstallationView(installation),
});
