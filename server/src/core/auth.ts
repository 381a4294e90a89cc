import type { Principal } from './access.ts';

/** Resolves a console session token to the signed-in staff user; the staff module provides it. */
export interface StaffAuthenticator {
  /** `touch: false` looks the session up without counting it as activity (for open streams). */
  authenticate(token: string, options?: { touch?: boolean }): Promise<Principal | null>;
}

export const SESSION_COOKIE = 'sb_session';
/** Over HTTPS the cookie takes the `__Host-` prefix: Secure, host-only, path `/`. */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** A member of a client app, signed in with a bearer token. */
export interface MemberPrincipal {
  personId: string;
  /** Where the token came from: `switchboard` (our own), `firebase`, `oidc`. */
  provider: string;
  /** The token's subject at that provider. */
  subject: string;
  expiresAt: Date;
}

/** Verifies a member's bearer token; the members module provides it. */
export interface MemberAuthenticator {
  /** The member, or a reason the token is refused (answered as 401 or, for a blocked person, 403). */
  authenticate(token: string, request: { ip: string; userAgent: string | undefined }): Promise<MemberPrincipal | { refused: string; status: 401 | 403 }>;
}
