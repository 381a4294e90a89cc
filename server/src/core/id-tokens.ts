import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** Google's public keys of Firebase ID tokens (every project's). */
export const FIREBASE_JWKS_URL = 'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com';

/** Who signs a kind of ID token, for whom, with which algorithms and keys. */
export interface TokenIssuer {
  /** Our short name for it: `firebase`, `oidc`, `switchboard`. */
  provider: string;
  issuer: string;
  audience: string;
  algorithms: string[];
  keys: () => Promise<JWTVerifyGetKey>;
}

type TokenRefusal = { refused: string };

/**
 * Firebase Auth ID tokens of one project: issuer `https://securetoken.google.com/<project>`, audience the
 * project id, RS256 with Google's rotating keys (fetched at most every 30 s, 5 s timeout). Members and
 * staff verify Firebase tokens with this same rule.
 */
export function firebaseIssuer(projectId: string, jwksUrl = FIREBASE_JWKS_URL): TokenIssuer {
  const keys = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  return {
    provider: 'firebase',
    issuer: `https://securetoken.google.com/${projectId}`,
    audience: projectId,
    algorithms: ['RS256'],
    keys: async () => keys,
  };
}

/**
 * Checks a JWT against one issuer: signature (only the issuer's keys and algorithms: never `none`, HMAC,
 * or keys named inside the token), issuer, audience, expiry and not-before (5 s of tolerance, at `now`),
 * and a subject of at most 200 characters. Gives the payload or the reason in words.
 */
export async function verifyIdToken(token: string, issuer: TokenIssuer, now: Date): Promise<{ payload: JWTPayload & { sub: string } } | TokenRefusal> {
  let keys: JWTVerifyGetKey;
  try {
    keys = await issuer.keys();
  } catch {
    return { refused: "The issuer's keys could not be fetched; try again later." };
  }
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer: issuer.issuer,
      audience: issuer.audience,
      algorithms: issuer.algorithms,
      currentDate: now,
      clockTolerance: 5,
      requiredClaims: ['exp', 'sub'],
    });
    if (!payload.sub || payload.sub.length > 200) return { refused: 'The token has no valid subject.' };
    return { payload: payload as JWTPayload & { sub: string } };
  } catch (error) {
    return { refused: tokenRefusalReason(error) };
  }
}

/** What went wrong with a token, in words a client may be shown (never the key material). */
function tokenRefusalReason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The token has expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `The token is not valid here (${error.claim}).`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The token is signed with an algorithm this server does not accept.';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'The token is signed with an unknown key.';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is invalid.';
  return 'The token could not be verified.';
}
