import type { MeView } from '@partnerbridge/shared/api';
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { installationUsers } from '../db/schema/installations.ts';
import { ForbiddenError } from '../errors.ts';
import type { VerifiedHubspotFetch } from '../http/hubspot-signature.ts';
import type { Installation } from '../installs/installations.ts';

// Who may do what, from signed data only: the installer (user id from the install's token info,
// or the email HubSpot reported then) is an admin; admins add admins and partner managers.

export type Role = MeView['role'];
export type Access = { readonly role: Role; readonly reason: string };

/** The calling user's role in the installation. */
export async function accessOf(
  db: Executor,
  installation: Installation,
  hubspot: Pick<VerifiedHubspotFetch, 'userId' | 'userEmail'>,
): Promise<Access> {
  const { userId, userEmail } = hubspot;
  if (userId !== undefined && installation.hubspotInstallerUserId === userId) {
    return { role: 'admin', reason: 'installed Partnerbridge in this portal' };
  }
  if (
    installation.hubspotInstallerUserId === null &&
    userEmail !== undefined &&
    installation.hubspotInstalledBy !== null &&
    installation.hubspotInstalledBy.toLowerCase() === userEmail.toLowerCase()
  ) {
    return { role: 'admin', reason: 'installed Partnerbridge in this portal' };
  }
  if (userId === undefined) return { role: 'member', reason: 'HubSpot sent no user id' };
  const [row] = await db
    .select()
    .from(installationUsers)
    .where(
      and(
        eq(installationUsers.installationId, installation.id),
        eq(installationUsers.hubspotUserId, userId),
      ),
    );
  if (row === undefined) return { role: 'member', reason: 'no Partnerbridge role was granted' };
  return { role: row.role, reason: `granted by ${row.addedBy}` };
}

function describeUser(hubspot: Pick<VerifiedHubspotFetch, 'userId' | 'userEmail'>): string {
  return (
    hubspot.userEmail ?? (hubspot.userId === undefined ? 'this user' : `user ${hubspot.userId}`)
  );
}

/** Settings: admins only. */
export async function requireAdmin(
  db: Executor,
  installation: Installation,
  hubspot: Pick<VerifiedHubspotFetch, 'userId' | 'userEmail'>,
): Promise<Access> {
  const access = await accessOf(db, installation, hubspot);
  if (access.role !== 'admin') {
    throw new ForbiddenError(
      `${describeUser(hubspot)} is not a Partnerbridge admin of this portal (${access.reason}); the user who installed the app, or an admin they added, can grant the role in Partnerbridge settings`,
    );
  }
  return access;
}

/** Registration decisions and payouts: partner managers and admins. */
export async function requirePartnerManager(
  db: Executor,
  installation: Installation,
  hubspot: Pick<VerifiedHubspotFetch, 'userId' | 'userEmail'>,
): Promise<Access> {
  const access = await accessOf(db, installation, hubspot);
  if (access.role === 'member') {
    throw new ForbiddenError(
      `${describeUser(hubspot)} is not a partner manager of this portal (${access.reason}); a Partnerbridge admin can grant the role in settings`,
    );
  }
  return access;
}

/** How a change is attributed in tags, versions and the audit log. */
export function actorOf(hubspot: Pick<VerifiedHubspotFetch, 'userId' | 'userEmail'>): string {
  return (
    hubspot.userEmail ?? (hubspot.userId === undefined ? 'hubspot-user' : `user:${hubspot.userId}`)
  );
}
