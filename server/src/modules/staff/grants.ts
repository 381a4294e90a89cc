import { and, asc, eq, gt, isNull, or } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import type { ServiceContext } from '../../core/kernel.ts';
import { parseDate } from '../../core/paging.ts';
import { StaffError } from './errors.ts';
import { assertMayActUpon, assertWithinOwnPermissions } from './escalation.ts';
import { StaffEvents } from './events.ts';
import { recordGrants, staffUsers } from './schema.ts';
import { getStaffUser, staffSubject, UUID_PATTERN } from './users.ts';

/** One permission on one record for one staff user, optionally until a time. */
export type Grant = typeof recordGrants.$inferSelect;

export async function listGrants(db: Executor, staffId: string, now: Date): Promise<Grant[]> {
  await getStaffUser(db, staffId);
  return db
    .select()
    .from(recordGrants)
    .where(and(eq(recordGrants.staffId, staffId), or(isNull(recordGrants.expiresAt), gt(recordGrants.expiresAt, now))))
    .orderBy(asc(recordGrants.permission), asc(recordGrants.recordId));
}

export interface GrantInput {
  permission: string;
  recordId: string;
  expiresAt?: string;
}

/** Grants (or renews) one permission on one record; granting the same pair again replaces its expiry. */
export async function createGrant(ctx: ServiceContext, known: ReadonlySet<string>, staffId: string, input: GrantInput): Promise<Grant> {
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
  return grant!;
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
