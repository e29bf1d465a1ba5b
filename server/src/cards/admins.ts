import type { AdminsView, PutAdminBody } from '@partnerbridge/shared/api';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { auditLog } from '../db/schema/audit.ts';
import { installationUsers } from '../db/schema/installations.ts';
import { NotFoundError, UnprocessableError } from '../errors.ts';
import type { Installation } from '../installs/installations.ts';

// Who administers the installation besides its installer, and who decides registrations.

export async function listAdmins(db: Executor, installation: Installation): Promise<AdminsView> {
  const rows = await db
    .select()
    .from(installationUsers)
    .where(eq(installationUsers.installationId, installation.id))
    .orderBy(asc(installationUsers.createdAt), asc(installationUsers.hubspotUserId));
  return {
    installer: {
      userId: installation.hubspotInstallerUserId,
      email: installation.hubspotInstalledBy,
    },
    users: rows.map((row) => ({
      userId: row.hubspotUserId,
      role: row.role,
      addedBy: row.addedBy,
      addedAt: row.createdAt.toISOString(),
    })),
  };
}

function refuseInstaller(installation: Installation, userId: string): void {
  if (installation.hubspotInstallerUserId === userId) {
    throw new UnprocessableError(
      `user ${userId} installed Partnerbridge and is always an admin; their role cannot change`,
      { issues: [{ path: 'params.userId', message: 'the installer' }] },
    );
  }
}

export async function putAdmin(
  db: Executor,
  input: { installation: Installation; actor: string; userId: string; body: PutAdminBody },
): Promise<AdminsView> {
  const { installation, userId, actor } = input;
  refuseInstaller(installation, userId);
  await db.transaction(async (tx) => {
    await tx
      .insert(installationUsers)
      .values({
        installationId: installation.id,
        hubspotUserId: userId,
        role: input.body.role,
        addedBy: actor,
      })
      .onConflictDoUpdate({
        target: [installationUsers.installationId, installationUsers.hubspotUserId],
        set: { role: input.body.role, addedBy: actor, updatedAt: sql`now()` },
      });
    await tx.insert(auditLog).values({
      installationId: installation.id,
      origin: 'admin',
      actor,
      action: 'user_role.granted',
      objectKind: 'installation_user',
      after: { userId, role: input.body.role },
    });
  });
  return listAdmins(db, installation);
}

export async function deleteAdmin(
  db: Executor,
  input: { installation: Installation; actor: string; userId: string },
): Promise<void> {
  const { installation, userId, actor } = input;
  refuseInstaller(installation, userId);
  await db.transaction(async (tx) => {
    const removed = await tx
      .delete(installationUsers)
      .where(
        and(
          eq(installationUsers.installationId, installation.id),
          eq(installationUsers.hubspotUserId, userId),
        ),
      )
      .returning();
    if (removed.length === 0) throw new NotFoundError(`user ${userId} has no Partnerbridge role`);
    await tx.insert(auditLog).values({
      installationId: installation.id,
      origin: 'admin',
      actor,
      action: 'user_role.revoked',
      objectKind: 'installation_user',
      before: { userId, role: removed[0]?.role },
    });
  });
}
