import type { Principal } from './access.ts';

/** Resolves a console session token to the signed-in staff user; the staff module provides it. */
export interface StaffAuthenticator {
  /** `touch: false` looks the session up without counting it as activity (for open streams). */
  authenticate(token: string, options?: { touch?: boolean }): Promise<Principal | null>;
}

export const SESSION_COOKIE = 'sb_session';
/** Over HTTPS the cookie takes the `__Host-` prefix: Secure, host-only, path `/`. */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
