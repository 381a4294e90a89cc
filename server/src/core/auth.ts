import type { Principal } from './access.ts';

/** Resolves a console session token to the signed-in staff user; the staff module provides it. */
export interface StaffAuthenticator {
  authenticate(token: string): Promise<Principal | null>;
}

export const SESSION_COOKIE = 'sb_session';
/** Over HTTPS the cookie takes the `__Host-` prefix: Secure, host-only, path `/`. */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
