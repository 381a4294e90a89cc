import { BUILTIN_ROLES } from '../../core/roles.ts';
import { and, asc, count, eq, gt, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../../core/db/sql.ts';

import { decodeCursor, parseDate, toPage } from '../../core/paging.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { StaffEvents } from './events.ts';
import { passwordProblem, type NewPassword } from './passwords.ts';
import { builtinRoleDefaults, recordGrants, rolePermissions, roles, staffUserRoles, staffUsers } from './schema.ts';
import type { StaffSessions } from './sessions.ts';
import { powerOf, rolePermissionsOf } from './principals.ts';
import { StaffError } from './errors.ts';

export const MANAGE_ROLES = 'staff.manage_roles';
/** The built-in role that holds every permission of the catalogue, by construction. */
export const ADMINISTRATOR = BUILTIN_ROLES.administrator.key;

const staffSubject = (id: string) => ({ type: 'staff_user', id });
const roleSubject = (id: string) => ({ type: 'role', id });

export interface StaffUserView {
  id: string;
  email: string;
  name: string;
  status: 'active' | 'disabled';
  locale: string;
  roles: Array<{ id: string; name: string }>;
  createdAt: string;
  updatedAt: string;
}

/** The policy again, now that the account's email is known (prepared passwords were checked without it). */
function checkPassword(password: NewPassword, email: string): void {
  const problem = passwordProblem(password.plain, email);
  if (problem) throw StaffError.invalid(password.field, problem);
}

async function rolesOf(db: Executor, staffIds: string[]): Promise<Map<string, Array<{ id: string; name: string }>>> {
  const result = new Map<string, Array<{ id: string; name: string }>>();
  if (staffIds.length === 0) return result;
  const rows = await db
    .select({ staffId: staffUserRoles.staffId, id: roles.id, name: roles.name })
    .from(staffUserRoles)
    .innerJoin(roles, eq(roles.id, staffUserRoles.roleId))
    .where(inArray(staffUserRoles.staffId, staffIds))
    .orderBy(asc(roles.name));
  for (const row of rows) {
    const list = result.get(row.staffId) ?? [];
    list.push({ id: row.id, name: row.name });
    result.set(row.staffId, list);
  }
  return result;
}

async function permissionsOfRoles(tx: Executor, roleIds: string[]): Promise<Set<string>> {
  if (roleIds.length === 0) return new Set();
  const rows = await tx
    .selectDistinct({ permission: rolePermissions.permission })
    .from(rolePermissions)
    .where(inArray(rolePermissions.roleId, roleIds));
  return new Set(rows.map((r) => r.permission));
}

/**
 * The escalation rule. A staff actor may only hand out what they hold through their own roles (role
 * permissions, roles they assign, grants they give), and may only act upon a role or a user whose every
 * permission they hold through their own roles: a role they edit (adding or removing permissions, renaming)
 * or delete, a user they edit, disable, enable, reset the password of, or grant to or revoke from. A user's
 * permissions here are their role permissions and those of their unexpired grants, so power that comes
 * from a grant protects its holder too. The actor's own grants never count on their side: a grant is
 * power over one record, not over people. The system itself (bootstrap, demo data) is trusted.
 */
async function ownPermissions(ctx: ServiceContext): Promise<Set<string> | undefined> {
  return ctx.actor.type === 'staff' ? rolePermissionsOf(ctx.tx, ctx.actor.id) : undefined;
}

function assertWithin(own: Set<string> | undefined, permissions: Iterable<string>, what: string): void {
  if (!own) return;
  const beyond = [...new Set(permissions)].filter((p) => !own.has(p)).sort();
  if (beyond.length > 0) throw StaffError.forbidden(`${what} involves permissions you do not hold yourself: ${beyond.join(', ')}.`);
}

async function assertWithinOwnPermissions(ctx: ServiceContext, permissions: Iterable<string>, what: string): Promise<void> {
  assertWithin(await ownPermissions(ctx), permissions, what);
}

/** Acting upon another user needs every permission they hold, by role or by grant. */
async function assertMayActUpon(ctx: ServiceContext, staffId: string, what: string): Promise<void> {
  if (ctx.actor.type !== 'staff' || ctx.actor.id === staffId) return;
  await assertWithinOwnPermissions(ctx, await powerOf(ctx.tx, staffId, ctx.now), what);
}

async function permissionsOfRole(tx: Executor, roleId: string): Promise<string[]> {
  return (await tx.select().from(rolePermissions).where(eq(rolePermissions.roleId, roleId))).map((p) => p.permission);
}

type StaffRow = typeof staffUsers.$inferSelect;

function view(row: StaffRow, userRoles: Array<{ id: string; name: string }>): StaffUserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    locale: row.locale,
    roles: userRoles,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function getStaffUser(db: Executor, id: string): Promise<StaffUserView> {
  const [row] = await db.select().from(staffUsers).where(eq(staffUsers.id, id));
  if (!row) throw StaffError.notFound('No such staff user.');
  return view(row, (await rolesOf(db, [id])).get(id) ?? []);
}

export interface StaffListQuery {
  q?: string;
  roleId?: string;
  status?: 'active' | 'disabled';
  cursor?: string;
  limit: number;
}

/** Alphabetical by name, keyset-paginated on (lower(name), id). */
export async function listStaffUsers(db: Executor, query: StaffListQuery) {
  const conditions: Array<SQL | undefined> = [];
  if (query.q) {
    const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(sql`lower(${staffUsers.name} || ' ' || ${staffUsers.email}) LIKE ${pattern}`);
  }
  if (query.status) conditions.push(eq(staffUsers.status, query.status));
  if (query.roleId) {
    conditions.push(
      inArray(
        staffUsers.id,
        db.select({ id: staffUserRoles.staffId }).from(staffUserRoles).where(eq(staffUserRoles.roleId, query.roleId)),
      ),
    );
  }
  const after = decodeCursor<[string, string]>(query.cursor, ['string', 'uuid']);
  if (after) conditions.push(sql`(lower(${staffUsers.name}), ${staffUsers.id}) > (${after[0]}, ${after[1]}::uuid)`);
  const rows = await db
    .select()
    .from(staffUsers)
    .where(and(...conditions))
    .orderBy(sql`lower(${staffUsers.name})`, asc(staffUsers.id))
    .limit(query.limit + 1);
  const userRoles = await rolesOf(db, rows.slice(0, query.limit).map((r) => r.id));
  return toPage(
    rows,
    query.limit,
    (r) => [r.name.toLowerCase(), r.id],
    (r) => view(r, userRoles.get(r.id) ?? []),
  );
}

async function assertRolesExist(tx: Executor, roleIds: string[], field: string): Promise<void> {
  if (roleIds.length === 0) return;
  const found = await tx.select({ id: roles.id }).from(roles).where(inArray(roles.id, roleIds));
  const missing = roleIds.filter((id) => !found.some((r) => r.id === id));
  if (missing.length > 0) throw StaffError.invalid(field, `names unknown roles: ${missing.join(', ')}`);
}

async function setRoles(tx: Executor, staffId: string, roleIds: string[]): Promise<void> {
  await tx.delete(staffUserRoles).where(eq(staffUserRoles.staffId, staffId));
  if (roleIds.length === 0) return;
  try {
    await tx.insert(staffUserRoles).values([...new Set(roleIds)].map((roleId) => ({ staffId, roleId })));
  } catch (error) {
    if (isForeignKeyViolation(error)) throw StaffError.conflict('One of these roles was deleted meanwhile; reload and try again.', 'roleIds');
    throw error;
  }
}

export interface CreateStaffInput {
  email: string;
  name: string;
  password: NewPassword;
  roleIds: string[];
  locale?: string;
}

export async function createStaffUser(ctx: ServiceContext, input: CreateStaffInput): Promise<StaffUserView> {
  const email = input.email.trim().toLowerCase();
  checkPassword(input.password, email);
  await assertRolesExist(ctx.tx, input.roleIds, 'roleIds');
  await assertWithinOwnPermissions(ctx, await permissionsOfRoles(ctx.tx, input.roleIds), 'Assigning these roles');
  const id = uuidv7();
  try {
    await ctx.tx.insert(staffUsers).values({
      id,
      email,
      name: input.name.trim(),
      passwordHash: input.password.hash,
      locale: input.locale ?? 'en',
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw StaffError.conflict(`A staff user with email ${email} already exists.`, 'email');
    throw error;
  }
  await setRoles(ctx.tx, id, input.roleIds);
  await ctx.emit({
    type: StaffEvents.userCreated,
    subject: staffSubject(id),
    payload: { email, name: input.name.trim(), roleIds: input.roleIds },
  });
  return getStaffUser(ctx.tx, id);
}

export interface UpdateStaffInput {
  email?: string;
  name?: string;
  locale?: string;
  roleIds?: string[];
  status?: 'active' | 'disabled';
}

export async function updateStaffUser(
  ctx: ServiceContext,
  sessions: StaffSessions,
  id: string,
  input: UpdateStaffInput,
): Promise<StaffUserView> {
  if (input.roleIds !== undefined || input.status === 'disabled') await lockRoles(ctx.tx);
  const [current] = await ctx.tx.select().from(staffUsers).where(eq(staffUsers.id, id)).for('update');
  if (!current) throw StaffError.notFound('No such staff user.');
  await assertMayActUpon(ctx, id, 'Editing this user');
  const changes: Partial<StaffRow> = {};
  if (input.email !== undefined && input.email.trim().toLowerCase() !== current.email) changes.email = input.email.trim().toLowerCase();
  if (input.name !== undefined && input.name.trim() !== current.name) changes.name = input.name.trim();
  if (input.locale !== undefined && input.locale !== current.locale) changes.locale = input.locale;
  const statusChange = input.status !== undefined && input.status !== current.status ? input.status : undefined;
  if (statusChange === 'disabled' && ctx.actor.id === id) throw StaffError.conflict('You cannot disable your own account.');
  if (statusChange) changes.status = statusChange;

  let rolesChanged = false;
  if (input.roleIds !== undefined) {
    await assertRolesExist(ctx.tx, input.roleIds, 'roleIds');
    await assertWithinOwnPermissions(ctx, await permissionsOfRoles(ctx.tx, input.roleIds), 'Assigning these roles');
    const before = ((await rolesOf(ctx.tx, [id])).get(id) ?? []).map((r) => r.id).sort();
    const after = [...new Set(input.roleIds)].sort();
    rolesChanged = before.join() !== after.join();
    if (rolesChanged) await setRoles(ctx.tx, id, after);
  }
  if (Object.keys(changes).length > 0) {
    try {
      await ctx.tx.update(staffUsers).set({ ...changes, updatedAt: ctx.now }).where(eq(staffUsers.id, id));
    } catch (error) {
      if (isUniqueViolation(error)) throw StaffError.conflict(`A staff user with email ${changes.email} already exists.`, 'email');
      throw error;
    }
  }
  if (rolesChanged || statusChange === 'disabled') await assertSomeoneManagesRoles(ctx.tx);
  const { status: _status, ...fieldChanges } = changes;
  if (Object.keys(fieldChanges).length > 0 || rolesChanged) {
    await ctx.emit({
      type: StaffEvents.userUpdated,
      subject: staffSubject(id),
      payload: { changes: fieldChanges, ...(rolesChanged ? { roleIds: input.roleIds } : {}) },
    });
  }
  if (statusChange === 'disabled') {
    const ended = await sessions.revokeAll(ctx, id, 'user disabled');
    await ctx.emit({ type: StaffEvents.userDisabled, subject: staffSubject(id), payload: { sessionsEnded: ended } });
  } else if (statusChange === 'active') {
    await ctx.emit({ type: StaffEvents.userEnabled, subject: staffSubject(id), payload: {} });
  }
  if (rolesChanged || Object.keys(changes).length > 0) {
    ctx.afterCommit(() => ctx.kernel.bus.publish({ kind: 'auth_changed', staffIds: [id] }));
  }
  return getStaffUser(ctx.tx, id);
}

/** Sets a new password; ends every session of that user except the caller's own current one. */
export async function setPassword(
  ctx: ServiceContext,
  sessions: StaffSessions,
  id: string,
  password: NewPassword,
  options: { keepSessionId?: string; reason: 'reset' | 'changed' },
): Promise<{ sessionsEnded: number }> {
  const [user] = await ctx.tx.select().from(staffUsers).where(eq(staffUsers.id, id)).for('update');
  if (!user) throw StaffError.notFound('No such staff user.');
  if (options.reason === 'reset' && ctx.actor.type === 'staff' && ctx.actor.id === id) {
    throw StaffError.forbidden('Change your own password under My account: it asks for the current one.');
  }
  await assertMayActUpon(ctx, id, "Resetting this user's password");
  checkPassword(password, user.email);
  await ctx.tx
    .update(staffUsers)
    .set({ passwordHash: password.hash, updatedAt: ctx.now })
    .where(eq(staffUsers.id, id));
  const sessionsEnded = await sessions.revokeAll(ctx, id, `password ${options.reason}`, options.keepSessionId);
  await ctx.emit({
    type: options.reason === 'reset' ? StaffEvents.passwordReset : StaffEvents.passwordChanged,
    subject: staffSubject(id),
    payload: { sessionsEnded },
  });
  return { sessionsEnded };
}

// ---------------------------------------------------------------- roles

export interface RoleView {
  id: string;
  name: string;
  description: string;
  builtin: boolean;
  /** The Administrator role: holds every permission, always. */
  holdsEverything: boolean;
  permissions: string[];
  holders: number;
  createdAt: string;
  updatedAt: string;
}

export async function listRoles(db: Executor): Promise<RoleView[]> {
  // Sequential: `db` may be a transaction, which runs one statement at a time anyway.
  const roleRows = await db.select().from(roles).orderBy(sql`lower(${roles.name})`);
  const permissionRows = await db.select().from(rolePermissions).orderBy(asc(rolePermissions.permission));
  const holderRows = await db
    .select({ roleId: staffUserRoles.roleId, n: count() })
    .from(staffUserRoles)
    .groupBy(staffUserRoles.roleId);
  return roleRows.map((role) => ({
    id: role.id,
    name: role.name,
    description: role.description,
    builtin: role.builtinKey !== null,
    holdsEverything: role.builtinKey === ADMINISTRATOR,
    permissions: permissionRows.filter((p) => p.roleId === role.id).map((p) => p.permission),
    holders: Number(holderRows.find((h) => h.roleId === role.id)?.n ?? 0),
    createdAt: role.createdAt.toISOString(),
    updatedAt: role.updatedAt.toISOString(),
  }));
}

export async function getRole(db: Executor, id: string) {
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

function checkPermissions(known: ReadonlySet<string>, permissions: string[]): string[] {
  const unknown = permissions.filter((p) => !known.has(p));
  if (unknown.length > 0) throw StaffError.invalid('permissions', `names unknown permissions: ${unknown.join(', ')}`);
  return [...new Set(permissions)].sort();
}

/**
 * Refuses any change after which no active staff user would hold staff.manage_roles through a role:
 * nobody could ever fix the roles again. (This covers the last role holding it, too.)
 */
async function assertSomeoneManagesRoles(tx: Executor): Promise<void> {
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

async function lockRoles(tx: Executor): Promise<void> {
  // Role edits are rare; serialising them makes the "last holder of manage_roles" rule race-free.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('staff-roles'))`);
}

export interface RoleInput {
  name: string;
  description?: string;
  permissions: string[];
}

export async function createRole(ctx: ServiceContext, known: ReadonlySet<string>, input: RoleInput): Promise<RoleView> {
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

export async function updateRole(
  ctx: ServiceContext,
  known: ReadonlySet<string>,
  id: string,
  input: Partial<RoleInput>,
): Promise<RoleView> {
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
      await ctx.tx.update(roles).set({ ...changes, updatedAt: ctx.now }).where(eq(roles.id, id));
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

// ---------------------------------------------------------------- per-record grants

export interface GrantView {
  id: string;
  staffId: string;
  permission: string;
  recordId: string;
  expiresAt: string | null;
  createdBy: string | null;
  createdAt: string;
}

const grantView = (g: typeof recordGrants.$inferSelect): GrantView => ({
  id: g.id,
  staffId: g.staffId,
  permission: g.permission,
  recordId: g.recordId,
  expiresAt: g.expiresAt?.toISOString() ?? null,
  createdBy: g.createdBy,
  createdAt: g.createdAt.toISOString(),
});

export async function listGrants(db: Executor, staffId: string, now: Date): Promise<GrantView[]> {
  await getStaffUser(db, staffId);
  const rows = await db
    .select()
    .from(recordGrants)
    .where(and(eq(recordGrants.staffId, staffId), or(isNull(recordGrants.expiresAt), gt(recordGrants.expiresAt, now))))
    .orderBy(asc(recordGrants.permission), asc(recordGrants.recordId));
  return rows.map(grantView);
}

export interface GrantInput {
  permission: string;
  recordId: string;
  expiresAt?: string;
}

/** Grants (or renews) one permission on one record; granting the same pair again replaces its expiry. */
export async function createGrant(
  ctx: ServiceContext,
  known: ReadonlySet<string>,
  staffId: string,
  input: GrantInput,
): Promise<GrantView> {
  if (!known.has(input.permission)) throw StaffError.invalid('permission', `is not a known permission: ${input.permission}`);
  if (ctx.actor.type === 'staff' && ctx.actor.id === staffId) throw StaffError.forbidden('You cannot grant access to yourself.');
  await assertWithinOwnPermissions(ctx, [input.permission], 'This grant');
  await assertMayActUpon(ctx, staffId, 'Granting to this user');
  const expiresAt = input.expiresAt ? parseDate('expiresAt', input.expiresAt) : null;
  if (expiresAt && expiresAt <= ctx.now) throw StaffError.invalid('expiresAt', 'must be in the future');
  const [user] = await ctx.tx.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.id, staffId));
  if (!user) throw StaffError.notFound('No such staff user.');
  const [grant] = await ctx.tx
    .insert(recordGrants)
    .values({
      id: uuidv7(),
      staffId,
      permission: input.permission,
      recordId: input.recordId,
      expiresAt,
      createdBy: ctx.actor.type === 'staff' ? ctx.actor.id : null,
      createdAt: ctx.now,
    })
    .onConflictDoUpdate({
      target: [recordGrants.staffId, recordGrants.permission, recordGrants.recordId],
      set: { expiresAt, createdAt: ctx.now },
    })
    .returning();
  await ctx.emit({
    type: StaffEvents.grantCreated,
    subject: staffSubject(staffId),
    payload: { grantId: grant!.id, permission: input.permission, recordId: input.recordId, expiresAt: expiresAt?.toISOString() ?? null },
  });
  ctx.afterCommit(() => ctx.kernel.bus.publish({ kind: 'auth_changed', staffIds: [staffId] }));
  return grantView(grant!);
}

export async function revokeGrant(ctx: ServiceContext, grantId: string): Promise<void> {
  const [held] = UUID_PATTERN.test(grantId) ? await ctx.tx.select().from(recordGrants).where(eq(recordGrants.id, grantId)) : [];
  if (!held) throw StaffError.notFound('No such grant.');
  await assertMayActUpon(ctx, held.staffId, "Revoking this user's grant");
  const [grant] = await ctx.tx.delete(recordGrants).where(eq(recordGrants.id, grantId)).returning();
  if (!grant) throw StaffError.notFound('No such grant.');
  await ctx.emit({
    type: StaffEvents.grantRevoked,
    subject: staffSubject(grant.staffId),
    payload: { grantId, permission: grant.permission, recordId: grant.recordId },
  });
  ctx.afterCommit(() => ctx.kernel.bus.publish({ kind: 'auth_changed', staffIds: [grant.staffId] }));
}

// ---------------------------------------------------------------- built-in roles and the first administrator

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
      const [taken] = await ctx.tx.select({ id: roles.id }).from(roles).where(sql`lower(${roles.name}) = lower(${builtin.name})`);
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

/** Names of staff users by id, for modules that show who did something. */
export async function staffNames(db: Executor, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter((id) => UUID_PATTERN.test(id));
  if (unique.length === 0) return new Map();
  const rows = await db.select({ id: staffUsers.id, name: staffUsers.name }).from(staffUsers).where(inArray(staffUsers.id, unique));
  return new Map(rows.map((r) => [r.id, r.name]));
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function staffCount(db: Executor): Promise<number> {
  const [row] = await db.select({ n: count() }).from(staffUsers);
  return Number(row?.n ?? 0);
}

