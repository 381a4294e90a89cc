import type { ServiceContext } from '../../core/kernel.ts';
import { StaffError } from './errors.ts';
import { powerOf, rolePermissionsOf } from './principals.ts';

/**
 * The escalation rule. A staff actor may only hand out what they hold through their own roles (role
 * permissions, roles they assign, grants they give), and may only act upon a role or a user whose every
 * permission they hold through their own roles: a role they edit (adding or removing permissions, renaming)
 * or delete, a user they edit, disable, enable, reset the password of, or grant to or revoke from. A user's
 * permissions here are their role permissions and those of their unexpired grants, so power that comes
 * from a grant protects its holder too. The actor's own grants never count on their side: a grant is
 * power over one record, not over people. The system itself (bootstrap, demo data) is trusted.
 */
export async function ownPermissions(ctx: ServiceContext): Promise<Set<string> | undefined> {
  return ctx.actor.type === 'staff' ? rolePermissionsOf(ctx.tx, ctx.actor.id) : undefined;
}

export function assertWithin(own: Set<string> | undefined, permissions: Iterable<string>, what: string): void {
  if (!own) return;
  const beyond = [...new Set(permissions)].filter((p) => !own.has(p)).sort();
  if (beyond.length > 0) throw StaffError.forbidden(`${what} involves permissions you do not hold yourself: ${beyond.join(', ')}.`);
}

export async function assertWithinOwnPermissions(ctx: ServiceContext, permissions: Iterable<string>, what: string): Promise<void> {
  assertWithin(await ownPermissions(ctx), permissions, what);
}

/** Acting upon another user needs every permission they hold, by role or by grant. */
export async function assertMayActUpon(ctx: ServiceContext, staffId: string, what: string): Promise<void> {
  if (ctx.actor.type !== 'staff' || ctx.actor.id === staffId) return;
  await assertWithinOwnPermissions(ctx, await powerOf(ctx.tx, staffId, ctx.now), what);
}
