import { z } from 'zod';

const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  instance_url: z.url(),
  id: z.string().min(1),
  issued_at: z.string().optional(),
  scope: z.string().optional(),
});

/** Tokens from Salesforce's token endpoint, with the org and user they belong to. */
export type SalesforceTokens = {
  readonly accessToken: string;
  /** Present for the web-server flow (and on refresh when rotation is on); never for JWT. */
  readonly refreshToken: string | undefined;
  readonly instanceUrl: string;
  readonly orgId: string;
  readonly userId: string;
  readonly issuedAt: number;
  readonly scope: string | undefined;
};

/** `https://login.salesforce.com/id/<orgId>/<userId>` → its two ids. */
export function parseIdentityUrl(id: string): { orgId: string; userId: string } {
  const parts = new URL(id, 'https://placeholder.invalid').pathname.split('/').filter(Boolean);
  const userId = parts.at(-1);
  const orgId = parts.at(-2);
  if (orgId === undefined || userId === undefined || parts.at(-3) !== 'id') {
    throw new Error(`not a Salesforce identity URL: ${id}`);
  }
  return { orgId, userId };
}

export function parseTokenResponse(raw: unknown, now: number): SalesforceTokens {
  const response = tokenResponseSchema.parse(raw);
  const { orgId, userId } = parseIdentityUrl(response.id);
  const issuedAt = Number(response.issued_at);
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    instanceUrl: response.instance_url.replace(/\/+$/, ''),
    orgId,
    userId,
    issuedAt: Number.isFinite(issuedAt) && issuedAt > 0 ? issuedAt : now,
    scope: response.scope,
  };
}
