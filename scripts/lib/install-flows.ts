import { TestBrowser } from '../../test/support/browser.ts';
import { signedHubspotFetch } from './signed-fetch.ts';

// Drives the install flows through HTTP, as an admin's browser would, so the demo portal and org
// are installed and linked by the same code paths as in production.

async function expectPage(response: Response, what: string): Promise<void> {
  if (response.ok) return;
  throw new Error(
    `${what} failed with ${response.status}: ${(await response.text()).slice(0, 300)}`,
  );
}

export async function installHubspotPortal(input: {
  apiUrl: string;
  portalId: number;
}): Promise<void> {
  const browser = new TestBrowser();
  const response = await browser.open(
    `${input.apiUrl}/oauth/hubspot/install?portal_id=${input.portalId}`,
  );
  await expectPage(response, 'HubSpot install');
}

export async function linkSalesforceOrg(input: {
  apiUrl: string;
  portalId: number;
  clientSecret: string;
  loginHint?: string;
}): Promise<void> {
  const path = `/api/v1/installation/salesforce/connect?portalId=${input.portalId}`;
  const connect = await signedHubspotFetch({
    apiUrl: input.apiUrl,
    path,
    method: 'POST',
    clientSecret: input.clientSecret,
  });
  await expectPage(connect, 'Salesforce connect');
  const { url } = (await connect.json()) as { url: string };
  const browser = new TestBrowser();
  // Stop at our redirect to Salesforce's consent screen to say which user logs in.
  const toSalesforce = await browser.open(url, 0);
  const authorize = new URL(toSalesforce.headers.get('location') ?? '', url);
  if (input.loginHint !== undefined) authorize.searchParams.set('login_hint', input.loginHint);
  await expectPage(await browser.open(authorize.toString()), 'Salesforce link');
}
