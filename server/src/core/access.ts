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
