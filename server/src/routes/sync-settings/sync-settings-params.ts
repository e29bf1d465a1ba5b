/** The settings page's sync API: signed by HubSpot, the installation is the signed portal's. */
export const SYNC_API = '/api/v1/sync';
