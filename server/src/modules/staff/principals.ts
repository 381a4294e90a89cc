import { and, asc, eq, gt, isNull, or } from 'drizzle-orm';
import type { Principal, PrincipalSource } from '../../core/access.ts';
import type { Executor } from '../../core/db/client.ts';
import { recordGrants, rolePermissions, roles, staffUserRoles, staffUsers } from './schema.ts';

/** Reads a staff user's roles, the union of their permissions, and their unexpired per-record grants. */
export async function loadPrincipal(db: Executor, staffId: string, sessionId: string, now: Date): Promise<Principal | undefined> {
  const [user] = await db
    .select({ id: staffUsers.id, email: staffUsers.email, name: staffUsers.name, locale: staffUsers.locale })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffId));
  if (!user) return undefined;
  const [roleRows, permissionRows, grantRows] = await Promise.all([
    db
      .select({ id: roles.id, name: roles.name })
      .from(staffUserRoles)
      .innerJoin(roles, eq(roles.id, staffUserRoles.roleId))
      .where(eq(staffUserRoles.staffId, staffId))
      .orderBy(asc(roles.name)),
    rolePermissionsOf(db, staffId),
    db
      .select({
        id: recordGrants.id,
        permission: recordGrants.permission,
        recordId: recordGrants.recordId,
        expiresAt: recordGrants.expiresAt,
      })
      .from(recordGrants)
      .where(and(eq(recordGrants.staffId, staffId), or(isNull(recordGrants.expiresAt), gt(recordGrants.expiresAt, now)))),
  ]);
  return {
    staffId: user.id,
    sessionId,
    email: user.email,
    name: user.name,
    locale: user.locale,
    roles: roleRows,
    permissions: permissionRows,
    grants: grantRows,
    sessionExpiresAt: now,
  };
}

/** Permissions a staff user holds through their roles (grants are per record and never count here). */
export async function rolePermissionsOf(db: Executor, staffId: string): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ permission: rolePermissions.permission })
    .from(staffUserRoles)
    .innerJoin(rolePermissions, eq(rolePermissions.roleId, staffUserRoles.roleId))
    .where(eq(staffUserRoles.staffId, staffId));
  return new Set(rows.map((r) => r.permission));
}

/**
 * Everything a staff user can do anywhere: their role permissions and the permissions of their unexpired
 * per-record grants. Acting upon a user (edit, disable, reset their password, grant to them) needs all of it.
 */
export async function powerOf(db: Executor, staffId: string, now: Date): Promise<Set<string>> {
  const byRole = await rolePermissionsOf(db, staffId);
  const byGrant = await db
    .selectDistinct({ permission: recordGrants.permission })
    .from(recordGrants)
    .where(and(eq(recordGrants.staffId, staffId), or(isNull(recordGrants.expiresAt), gt(recordGrants.expiresAt, now))));
  for (const row of byGrant) byRole.add(row.permission);
  return byRole;
}

/** Access of active staff users for checks made outside a request (no session: `sessionId` is empty). */
export const staffPrincipals: PrincipalSource = {
  async principalOf(db, staffId, now) {
    const [user] = await db.select({ status: staffUsers.status }).from(staffUsers).where(eq(staffUsers.id, staffId));
    if (user?.status !== 'active') return null;
    return (await loadPrincipal(db, staffId, '', now)) ?? null;
  },
};
