import { and, eq, ne } from 'drizzle-orm';
import { ensureProgram } from '../cards/program-store.ts';
import type { Executor } from '../db/database.ts';
import { installations } from '../db/schema/installations.ts';
import type { SalesforceAuthKind } from '../db/vocabulary.ts';
import { ConflictError, NotFoundError } from '../errors.ts';

export type Installation = typeof installations.$inferSelect;

export async function findInstallation(
  db: Executor,
  installationId: string,
): Promise<Installation | undefined> {
  const [row] = await db.select().from(installations).where(eq(installations.id, installationId));
  return row;
}

export async function getInstallationOrThrow(
  db: Executor,
  installationId: string,
): Promise<Installation> {
  const installation = await findInstallation(db, installationId);
  if (installation === undefined) throw new NotFoundError('installation not found');
  return installation;
}

/** The active installation of a HubSpot portal, if the portal has installed the app. */
export async function findActiveInstallationByPortal(
  db: Executor,
  portalId: string,
): Promise<Installation | undefined> {
  const [row] = await db
    .select()
    .from(installations)
    .where(and(eq(installations.hubspotPortalId, portalId), eq(installations.status, 'active')));
  return row;
}

export type HubspotInstall = {
  readonly portalId: string;
  readonly appId: string;
  readonly hubDomain: string | undefined;
  readonly scopes: readonly string[];
  readonly installedBy: string | undefined;
  /** HubSpot user id of the installer (token info): Partnerbridge's first admin. */
  readonly installerUserId?: string | undefined;
};

/**
 * Creates the portal's installation, or reactivates and refreshes it on reinstall. A new
 * installation starts with the default program (version 1) and its commission rules.
 */
export async function upsertHubspotInstallation(
  db: Executor,
  install: HubspotInstall,
): Promise<Installation> {
  const values = {
    hubspotPortalId: install.portalId,
    hubspotAppId: install.appId,
    hubspotHubDomain: install.hubDomain ?? null,
    hubspotScopes: [...install.scopes],
    hubspotInstalledBy: install.installedBy ?? null,
    ...(install.installerUserId === undefined
      ? {}
      : { hubspotInstallerUserId: install.installerUserId }),
    status: 'active' as const,
    uninstalledAt: null,
    updatedAt: new Date(),
  };
  const [row] = await db
    .insert(installations)
    .values(values)
    .onConflictDoUpdate({ target: installations.hubspotPortalId, set: values })
    .returning();
  if (row === undefined) throw new Error('installation upsert returned no row');
  await ensureProgram(db, row.id);
  return row;
}

export type SalesforceLink = {
  readonly orgId: string;
  readonly instanceUrl: string;
  readonly loginUrl: string;
  readonly authKind: SalesforceAuthKind;
  readonly username: string | undefined;
  readonly userId: string | undefined;
};

/**
 * Links a Salesforce org to an installation. An org already linked to another active
 * installation is a conflict: one org's data must never flow into two tenants.
 */
export async function linkSalesforceOrg(
  db: Executor,
  installationId: string,
  link: SalesforceLink,
): Promise<Installation> {
  const [owner] = await db
    .select({ id: installations.id, status: installations.status })
    .from(installations)
    .where(
      and(eq(installations.salesforceOrgId, link.orgId), ne(installations.id, installationId)),
    );
  if (owner !== undefined) {
    if (owner.status === 'active') {
      throw new ConflictError('this Salesforce org is already linked to another installation');
    }
    // A leftover link on an uninstalled installation gives way.
    await db
      .update(installations)
      .set({ salesforceOrgId: null, updatedAt: new Date() })
      .where(eq(installations.id, owner.id));
  }
  const [row] = await db
    .update(installations)
    .set({
      salesforceOrgId: link.orgId,
      salesforceInstanceUrl: link.instanceUrl,
      salesforceLoginUrl: link.loginUrl,
      salesforceAuthKind: link.authKind,
      salesforceUsername: link.username ?? null,
      salesforceUserId: link.userId ?? null,
      salesforceLinkedAt: new Date(),
      updatedAt: new Date(),
    })
    .where(eq(installations.id, installationId))
    .returning();
  if (row === undefined) throw new NotFoundError('installation not found');
  return row;
}

/** Keeps the installation, forgets the org (tokens are removed by the caller). */
export async function unlinkSalesforceOrg(
  db: Executor,
  installationId: string,
): Promise<Installation> {
  const [row] = await db
    .update(installations)
    .set({
      salesforceOrgId: null,
      salesforceInstanceUrl: null,
      salesforceLoginUrl: null,
      salesforceAuthKind: null,
      salesforceUsername: null,
      salesforceUserId: null,
      salesforceLinkedAt: null,
      updatedAt: new Date(),
    })
    .where(eq(installations.id, installationId))
    .returning();
  if (row === undefined) throw new NotFoundError('installation not found');
  return row;
}

/** Records the salesforce instance URL a refresh moved us to (My Domain changes). */
export async function updateSalesforceInstanceUrl(
  db: Executor,
  installationId: string,
  instanceUrl: string,
): Promise<void> {
  await db
    .update(installations)
    .set({ salesforceInstanceUrl: instanceUrl, updatedAt: new Date() })
    .where(eq(installations.id, installationId));
}

/** Uninstalled installations keep their business data but no longer authenticate anything. */
export async function markUninstalled(db: Executor, installationId: string): Promise<void> {
  await db
    .update(installations)
    .set({ status: 'uninstalled', uninstalledAt: new Date(), updatedAt: new Date() })
    .where(eq(installations.id, installationId));
}
