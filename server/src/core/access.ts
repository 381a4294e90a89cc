import { defineErrors } from './errors.ts';
import type { Executor } from './db/client.ts';
import type { ServiceContext } from './kernel.ts';
/** A signed-in staff user as the access checks see them, resolved from their session. */
export interface Principal {
  staffId: string;
  sessionId: string;
  email: string;
  name: string;
  locale: string;
  roles: Array<{ id: string; name: string }>;
  permissions: ReadonlySet<string>;
  grants: ReadonlyArray<RecordGrant>;
  sessionExpiresAt: Date;
}

export interface RecordGrant {
  id: string;
  permission: string;
  recordId: string;
  expiresAt: Date | null;
}

/**
 * The one access function: a staff user may use `permission` if one of their roles holds it, or, for a
 * given record, if they hold an unexpired per-record grant of that permission on it.
 */
export function can(principal: Principal, permission: string, recordId: string | undefined, now: Date): boolean {
  if (principal.permissions.has(permission)) return true;
  if (recordId === undefined) return false;
  return principal.grants.some((g) => g.permission === permission && g.recordId === recordId && (g.expiresAt === null || g.expiresAt > now));
}

/** Effective permissions for display: role permissions only (grants are per record). */
export function effectivePermissions(principal: Principal): string[] {
  return [...principal.permissions].sort();
}

/** Staff users' access as services see it outside a request (a bot, a job acting for someone); the staff module provides it. */
export interface PrincipalSource {
  /** The user's roles' permissions and unexpired grants; null for an unknown or disabled user. */
  principalOf(db: Executor, staffId: string, now: Date): Promise<Principal | null>;
}

export class AccessError extends defineErrors('access', { unknown_actor: 'forbidden' }) {}

/**
 * The rule of the HTTP guard, for any caller: `permission` for `ids`. Returns the ids the actor may
 * touch (all of them when one of their roles holds the permission, those with an unexpired grant
 * otherwise) and refuses when that leaves none. Called without ids, the permission must come from a role.
 * The system (jobs, subscribers, bootstrap) acts for the platform and may touch everything; a member holds
 * no staff permission (their rules are ownership rules, in the services that own the records).
 */
export async function requireAccess(ctx: ServiceContext, permission: string, ids: readonly string[] = []): Promise<string[]> {
  const { actor } = ctx;
  if (actor.type === 'system') return [...ids];
  if (actor.type === 'member') throw AccessError.forbidden(`You need the ${permission} permission.`);
  const principal = actor.principal ?? (await ctx.kernel.principals?.principalOf(ctx.tx, actor.id, ctx.now));
  if (!principal) throw new AccessError('unknown_actor', 'This staff user does not exist or is disabled.');
  if (principal.permissions.has(permission)) return [...ids];
  const allowed = ids.filter((id) => can(principal, permission, id, ctx.now));
  if (allowed.length === 0) throw AccessError.forbidden(`You need the ${permission} permission.`);
  return allowed;
}
