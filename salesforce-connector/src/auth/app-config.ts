import { z } from 'zod';

/** Our connected app (External Client App) as the connector needs it; validated once. */
export const salesforceAppConfigSchema = z.strictObject({
  clientId: z.string().min(1),
  /** Absent for JWT-only setups. */
  clientSecret: z.string().min(1).optional(),
  /** `https://login.salesforce.com`, `https://test.salesforce.com` or a My Domain URL. */
  loginUrl: z.url({ protocol: /^https?$/ }),
  apiVersion: z.string().regex(/^\d{2,3}\.0$/),
  /** PEM private key whose certificate is uploaded to the app, for the JWT bearer flow. */
  jwtPrivateKeyPem: z.string().min(1).optional(),
});
export type SalesforceAppConfig = z.infer<typeof salesforceAppConfigSchema>;

/** The Sforce-Call-Options client name on every call: how our own writes are recognised. */
export const CALL_OPTIONS_CLIENT = 'partnerbridge';
