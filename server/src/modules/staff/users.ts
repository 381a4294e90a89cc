import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../../core/db/sql.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';
import { StaffError } from './errors.ts';
import { assertMayActUpon, assertWithinOwnPermissions } from './escalation.ts';
import { StaffEvents } from './events.ts';
import { passwordProblem, type NewPassword } from './passwords.ts';
import { assertRolesExist, assertSomeoneManagesRoles, lockRoles, permissionsOfRoles } from './roles.ts';
import { roles, staffUserRoles, staffUsers } from './schema.ts';
import type { StaffSessions } from './sessions.ts';

export const staffSubject = (id: string) => ({ type: 'staff_user', id });

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type StaffRow = typeof staffUsers.$inferSelect;

export interface StaffRoleRef {
  id: string;
  name: string;
}

/** A staff user with their roles; the password hash never leaves this file. */
export type StaffUser = Omit<StaffRow, 'passwordHash'> & { roles: StaffRoleRef[] };

const withRoles = ({ passwordHash: _hash, ...user }: StaffRow, userRoles: StaffRoleRef[]): StaffUser => ({ ...user, roles: userRoles });

/** The policy again, now that the account's email is known (prepared passwords were checked without it). */
function checkPassword(password: NewPassword, email: string): void {
  const problem = passwordProblem(password.plain, email);
  if (problem) throw StaffError.invalid(password.field, problem);
}

async function rolesOf(db: Executor, staffIds: string[]): Promise<Map<string, StaffRoleRef[]>> {
  const result = new Map<string, StaffRoleRef[]>();
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

export async function getStaffUser(db: Executor, id: string): Promise<StaffUser> {
  const [row] = await db.select().from(staffUsers).where(eq(staffUsers.id, id));
  if (!row) throw StaffError.notFound('No such staff user.');
  return withRoles(row, (await rolesOf(db, [id])).get(id) ?? []);
}

export interface StaffListQuery {
  q?: string;
  roleId?: string;
  status?: 'active' | 'disabled';
  cursor?: string;
  limit: number;
}

/** Alphabetical by name, keyset-paginated on (lower(name), id). */
export async function listStaffUsers(db: Executor, query: StaffListQuery): Promise<{ items: StaffUser[]; nextCursor: string | null }> {
  const conditions: Array<SQL | undefined> = [];
  if (query.q) {
    const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(sql`lower(${staffUsers.name} || ' ' || ${staffUsers.email}) LIKE ${pattern}`);
  }
  if (query.status) conditions.push(eq(staffUsers.status, query.status));
  if (query.roleId) {
    conditions.push(inArray(staffUsers.id, db.select({ id: staffUserRoles.staffId }).from(staffUserRoles).where(eq(staffUserRoles.roleId, query.roleId))));
  }
  const after = decodeCursor<[string, string]>(query.cursor, ['string', 'uuid']);
  if (after) conditions.push(sql`(lower(${staffUsers.name}), ${staffUsers.id}) > (${after[0]}, ${after[1]}::uuid)`);
  const rows = await db
    .select()
    .from(staffUsers)
    .where(and(...conditions))
    .orderBy(sql`lower(${staffUsers.name})`, asc(staffUsers.id))
    .limit(query.limit + 1);
  const userRoles = await rolesOf(
    db,
    rows.slice(0, query.limit).map((r) => r.id),
  );
  return toPage(
    rows,
    query.limit,
    (r) => [r.name.toLowerCase(), r.id],
    (r) => withRoles(r, userRoles.get(r.id) ?? []),
  );
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

export async function createStaffUser(ctx: ServiceContext, input: CreateStaffInput): Promise<StaffUser> {
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

export async function updateStaffUser(ctx: ServiceContext, sessions: StaffSessions, id: string, input: UpdateStaffInput): Promise<StaffUser> {
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
      await ctx.tx
        .update(staffUsers)
        .set({ ...changes, updatedAt: ctx.now })
        .where(eq(staffUsers.id, id));
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
  await ctx.tx.update(staffUsers).set({ passwordHash: password.hash, updatedAt: ctx.now }).where(eq(staffUsers.id, id));
  const sessionsEnded = await sessions.revokeAll(ctx, id, `password ${options.reason}`, options.keepSessionId);
  await ctx.emit({
    type: options.reason === 'reset' ? StaffEvents.passwordReset : StaffEvents.passwordChanged,
    subject: staffSubject(id),
    payload: { sessionsEnded },
  });
  return { sessionsEnded };
}

/** Names of staff users by id, for modules that show who did something. */
export async function staffNames(db: Executor, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter((id) => UUID_PATTERN.test(id));
  if (unique.length === 0) return new Map();
  const rows = await db.select({ id: staffUsers.id, name: staffUsers.name }).from(staffUsers).where(inArray(staffUsers.id, unique));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The console language of each of these staff users. */
export async function staffLocales(db: Executor, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter((id) => UUID_PATTERN.test(id));
  if (unique.length === 0) return new Map();
  const rows = await db.select({ id: staffUsers.id, locale: staffUsers.locale }).from(staffUsers).where(inArray(staffUsers.id, unique));
  return new Map(rows.map((r) => [r.id, r.locale]));
}

export async function staffCount(db: Executor): Promise<number> {
  const [row] = await db.select({ n: count() }).from(staffUsers);
  return Number(row?.n ?? 0);
}

/** The id of the staff user with this email (emails are kept in lower case), if there is one. */
export async function staffIdByEmail(db: Executor, email: string): Promise<string | undefined> {
  const [user] = await db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.email, email.trim().toLowerCase()));
  return user?.id;
}
