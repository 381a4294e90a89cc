import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import { isUniqueViolation } from '../../core/db/sql.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { BUILTIN_ROLES } from '../../core/roles.ts';
import { StaffError } from './errors.ts';
import { assertWithin, assertWithinOwnPermissions, ownPermissions } from './escalation.ts';
import { StaffEvents } from './events.ts';
import { builtinRoleDefaults, rolePermissions, roles, staffUserRoles, staffUsers } from './schema.ts';

export const MANAGE_ROLES = 'staff.manage_roles';
/** The built-in role that holds every permission of the catalogue, by construction. */
export const ADMINISTRATOR = BUILTIN_ROLES.administrator.key;

const roleSubject = (id: string) => ({ type: 'role', id });

export interface Role {
  id: string;
  name: string;
  description: string;
  /** Set for built-in roles; the Administrator's is ADMINISTRATOR. */
  builtinKey: string | null;
  permissions: string[];
  holders: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface RoleHolder {
  id: string;
  name: string;
  email: string;
  status: 'active' | 'disabled';
}

/** Names of roles by id, for the event log and timelines. */
export async function roleNames(db: Executor, ids: string[]): Promise<Array<{ id: string; name: string }>> {
  if (ids.length === 0) return [];
  return db.select({ id: roles.id, name: roles.name }).from(roles).where(inArray(roles.id, ids));
}

export async function listRoles(db: Executor): Promise<Role[]> {
  // Sequential: `db` may be a transaction, which runs one statement at a time anyway.
  const roleRows = await db
    .select()
    .from(roles)
    .orderBy(sql`lower(${roles.name})`);
  const permissionRows = await db.select().from(rolePermissions).orderBy(asc(rolePermissions.permission));
  const holderRows = await db.select({ roleId: staffUserRoles.roleId, n: count() }).from(staffUserRoles).groupBy(staffUserRoles.roleId);
  return roleRows.map((role) => ({
    id: role.id,
    name: role.name,
    description: role.description,
    builtinKey: role.builtinKey,
    permissions: permissionRows.filter((p) => p.roleId === role.id).map((p) => p.permission),
    holders: Number(holderRows.find((h) => h.roleId === role.id)?.n ?? 0),
    createdAt: role.createdAt,
    updatedAt: role.updatedAt,
  }));
}

export async function getRole(db: Executor, id: string): Promise<Role & { holderList: RoleHolder[] }> {
  const role = (await listRoles(db)).find((r) => r.id === id);
  if (!role) throw StaffError.notFound('No such role.');
  const holders = await db
    .select({ id: staffUsers.id, name: staffUsers.name, email: staffUsers.email, status: staffUsers.status })
    .from(staffUserRoles)
    .innerJoin(staffUsers, eq(staffUsers.id, staffUserRoles.staffId))
    .where(eq(staffUserRoles.roleId, id))
    .orderBy(sql`lower(${staffUsers.name})`);
  return { ...role, holderList: holders };
}

/** The id of a built-in role, unless an administrator deleted it. */
export async function builtinRoleId(db: Executor, key: string): Promise<string | undefined> {
  const [role] = await db.select({ id: roles.id }).from(roles).where(eq(roles.builtinKey, key));
  return role?.id;
}

export async function assertRolesExist(tx: Executor, roleIds: string[], field: string): Promise<void> {
  if (roleIds.length === 0) return;
  const found = await tx.select({ id: roles.id }).from(roles).where(inArray(roles.id, roleIds));
  const missing = roleIds.filter((id) => !found.some((r) => r.id === id));
  if (missing.length > 0) throw StaffError.invalid(field, `names unknown roles: ${missing.join(', ')}`);
}

export async function permissionsOfRoles(tx: Executor, roleIds: string[]): Promise<Set<string>> {
  if (roleIds.length === 0) return new Set();
  const rows = await tx.selectDistinct({ permission: rolePermissions.permission }).from(rolePermissions).where(inArray(rolePermissions.roleId, roleIds));
  return new Set(rows.map((r) => r.permission));
}

async function permissionsOfRole(tx: Executor, roleId: string): Promise<string[]> {
  return (await tx.select().from(rolePermissions).where(eq(rolePermissions.roleId, roleId))).map((p) => p.permission);
}

function checkPermissions(known: ReadonlySet<string>, permissions: string[]): string[] {
  const unknown = permissions.filter((p) => !known.has(p));
  if (unknown.length > 0) throw StaffError.invalid('permissions', `names unknown permissions: ${unknown.join(', ')}`);
  return [...new Set(permissions)].sort();
}

/**
 * Refuses any change after which no active staff user would hold staff.manage_roles through a role:
 * nobody could ever fix the roles again. (This covers the last role holding it, too.)
 */
export async function assertSomeoneManagesRoles(tx: Executor): Promise<void> {
  const [row] = await tx
    .select({ n: count() })
    .from(rolePermissions)
    .innerJoin(staffUserRoles, eq(staffUserRoles.roleId, rolePermissions.roleId))
    .innerJoin(staffUsers, eq(staffUsers.id, staffUserRoles.staffId))
    .where(and(eq(rolePermissions.permission, MANAGE_ROLES), eq(staffUsers.status, 'active')));
  if (Number(row?.n ?? 0) === 0) {
    throw StaffError.conflict(`This change would leave no active staff user holding ${MANAGE_ROLES}; nobody could manage roles afterwards.`);
  }
}

export async function lockRoles(tx: Executor): Promise<void> {
  // Role edits are rare; serialising them makes the "last holder of manage_roles" rule race-free.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('staff-roles'))`);
}

export interface RoleInput {
  name: string;
  description?: string;
  permissions: string[];
}

export async function createRole(ctx: ServiceContext, known: ReadonlySet<string>, input: RoleInput): Promise<Role> {
  const permissions = checkPermissions(known, input.permissions);
  await assertWithinOwnPermissions(ctx, permissions, 'This role');
  const id = uuidv7();
  try {
    await ctx.tx.insert(roles).values({
      id,
      name: input.name.trim(),
      description: input.description?.trim() ?? '',
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw StaffError.conflict(`A role named ${input.name.trim()} already exists.`, 'name');
    throw error;
  }
  if (permissions.length > 0) await ctx.tx.insert(rolePermissions).values(permissions.map((permission) => ({ roleId: id, permission })));
  await ctx.emit({ type: StaffEvents.roleCreated, subject: roleSubject(id), payload: { name: input.name.trim(), permissions } });
  return (await listRoles(ctx.tx)).find((r) => r.id === id)!;
}

export async function updateRole(ctx: ServiceContext, known: ReadonlySet<string>, id: string, input: Partial<RoleInput>): Promise<Role> {
  await lockRoles(ctx.tx);
  const [role] = await ctx.tx.select().from(roles).where(eq(roles.id, id));
  if (!role) throw StaffError.notFound('No such role.');
  const own = await ownPermissions(ctx);
  const current = await permissionsOfRole(ctx.tx, id);
  assertWithin(own, current, 'Changing this role');
  const changes: Record<string, unknown> = {};
  if (input.name !== undefined && input.name.trim() !== role.name) changes.name = input.name.trim();
  if (input.description !== undefined && input.description.trim() !== role.description) changes.description = input.description.trim();
  let added: string[] = [];
  let removed: string[] = [];
  if (input.permissions !== undefined) {
    const next = checkPermissions(known, input.permissions);
    added = next.filter((p) => !current.includes(p));
    assertWithin(own, added, 'Adding these permissions');
    // Permissions of disabled modules are not in the catalogue; an edit leaves them alone.
    removed = current.filter((p) => !next.includes(p) && known.has(p));
    if (role.builtinKey === ADMINISTRATOR && removed.length > 0) {
      throw StaffError.conflict('The Administrator role always holds every permission; its permissions cannot be removed.', 'permissions');
    }
    if (removed.length > 0) {
      await ctx.tx.delete(rolePermissions).where(and(eq(rolePermissions.roleId, id), inArray(rolePermissions.permission, removed)));
    }
    if (added.length > 0) await ctx.tx.insert(rolePermissions).values(added.map((permission) => ({ roleId: id, permission })));
    if (removed.includes(MANAGE_ROLES)) await assertSomeoneManagesRoles(ctx.tx);
  }
  if (Object.keys(changes).length > 0) {
    try {
      await ctx.tx
        .update(roles)
        .set({ ...changes, updatedAt: ctx.now })
        .where(eq(roles.id, id));
    } catch (error) {
      if (isUniqueViolation(error)) throw StaffError.conflict(`A role named ${String(changes.name)} already exists.`, 'name');
      throw error;
    }
  }
  if (Object.keys(changes).length > 0 || added.length > 0 || removed.length > 0) {
    await ctx.emit({ type: StaffEvents.roleUpdated, subject: roleSubject(id), payload: { changes, added, removed } });
    ctx.afterCommit(() => ctx.kernel.bus.publish({ kind: 'auth_changed', staffIds: 'all' }));
  }
  return (await listRoles(ctx.tx)).find((r) => r.id === id)!;
}

export async function deleteRole(ctx: ServiceContext, id: string): Promise<void> {
  await lockRoles(ctx.tx);
  const [role] = await ctx.tx.select().from(roles).where(eq(roles.id, id));
  if (!role) throw StaffError.notFound('No such role.');
  if (role.builtinKey === ADMINISTRATOR) throw StaffError.conflict('The Administrator role cannot be deleted.');
  await assertWithinOwnPermissions(ctx, await permissionsOfRole(ctx.tx, id), 'Deleting this role');
  await ctx.tx.delete(roles).where(eq(roles.id, id));
  await assertSomeoneManagesRoles(ctx.tx);
  await ctx.emit({ type: StaffEvents.roleDeleted, subject: roleSubject(id), payload: { name: role.name } });
  ctx.afterCommit(() => ctx.kernel.bus.publish({ kind: 'auth_changed', staffIds: 'all' }));
}

// ---------------------------------------------------------------- built-in roles

/** In builtin_role_defaults, the row with this permission records that the built-in role was created. */
const ROLE_CREATED = '';

/**
 * Creates missing built-in roles and applies each (role, permission) default once, so permissions that a
 * newly enabled module declares reach the roles that should hold them, while an administrator's later
 * removal of a default is respected. A role declared with every permission (the Administrator) gets
 * whatever it lacks back at every start, whatever happened to its rows.
 */
export async function syncBuiltinRoles(
  ctx: ServiceContext,
  builtins: Array<{ key: string; name: string; description: string; permissions: string[]; everything: boolean }>,
): Promise<void> {
  for (const builtin of builtins) {
    const applied = await ctx.tx
      .select({ permission: builtinRoleDefaults.permission })
      .from(builtinRoleDefaults)
      .where(eq(builtinRoleDefaults.roleKey, builtin.key));
    let [role] = await ctx.tx.select().from(roles).where(eq(roles.builtinKey, builtin.key));
    // Created before (the '' marker row) but gone now: an administrator deleted it, and it stays deleted.
    if (!role && applied.some((a) => a.permission === ROLE_CREATED)) continue;
    if (!role) {
      // A custom role may already have this name; the built-in one then gets a distinct name.
      const [taken] = await ctx.tx
        .select({ id: roles.id })
        .from(roles)
        .where(sql`lower(${roles.name}) = lower(${builtin.name})`);
      [role] = await ctx.tx
        .insert(roles)
        .values({
          id: uuidv7(),
          builtinKey: builtin.key,
          name: taken ? `${builtin.name} (built-in)` : builtin.name,
          description: builtin.description,
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .returning();
      await ctx.tx.insert(builtinRoleDefaults).values({ roleKey: builtin.key, permission: ROLE_CREATED }).onConflictDoNothing();
      await ctx.emit({ type: StaffEvents.roleCreated, subject: roleSubject(role!.id), payload: { name: role!.name, builtin: builtin.key } });
    }
    const held = builtin.everything ? await permissionsOfRole(ctx.tx, role!.id) : [];
    const pending = builtin.everything
      ? builtin.permissions.filter((p) => !held.includes(p))
      : builtin.permissions.filter((p) => !applied.some((a) => a.permission === p));
    if (pending.length === 0) continue;
    await ctx.tx
      .insert(rolePermissions)
      .values(pending.map((permission) => ({ roleId: role!.id, permission })))
      .onConflictDoNothing();
    await ctx.tx
      .insert(builtinRoleDefaults)
      .values(pending.map((permission) => ({ roleKey: builtin.key, permission })))
      .onConflictDoNothing();
    await ctx.emit({ type: StaffEvents.roleUpdated, subject: roleSubject(role!.id), payload: { changes: {}, added: pending, removed: [] } });
    ctx.afterCommit(() => ctx.kernel.bus.publish({ kind: 'auth_changed', staffIds: 'all' }));
  }
}
