import { createHash, randomUUID } from 'node:crypto';
import { asc, sql } from 'drizzle-orm';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { systemActor, type Actor } from '../../core/actor.ts';
import type { MemberAuthenticator, MemberPrincipal } from '../../core/auth.ts';
import { isUniqueViolation } from '../../core/db/sql.ts';
import { firebaseIssuer, verifyIdToken, type TokenIssuer } from '../../core/id-tokens.ts';
import type { Kernel } from '../../core/kernel.ts';
import { personByIdentity } from '../people/identities.ts';
import { createPerson, getPerson, type Person } from '../people/people.ts';
import { MembersError } from './errors.ts';
import { MemberEvents } from './events.ts';
import { memberSignIns, memberSigningKeys } from './schema.ts';

export const OWN_PROVIDER = 'switchboard';
export const OWN_AUDIENCE = 'switchboard-client';
const CACHE_MS = 60_000;

type Refusal = { refused: string; status: 401 | 403 };

/**
 * Member tokens from three sources: our own (ES256, keys in the database), Firebase ID tokens
 * (FIREBASE_PROJECT_ID) and one OIDC issuer (OIDC_ISSUER/OIDC_AUDIENCE). The issuer claim only picks
 * which keys and rules apply; the signature, issuer, audience, expiry and not-before are then checked
 * with an allow-list of asymmetric algorithms, so `none`, HMAC and keys named inside the token (jku,
 * jwk) never count. A first sign-in with an unknown (provider, subject) creates the person.
 */
export class MemberTokens implements MemberAuthenticator {
  readonly ownIssuer: string;
  private signingKey: { kid: string; key: Parameters<SignJWT['sign']>[0] } | undefined;
  private ownKeys: JWTVerifyGetKey | undefined;
  private publicJwks: Record<string, unknown>[] = [];
  private readonly issuers: TokenIssuer[] = [];
  private readonly cache = new Map<string, { member: MemberPrincipal; until: number }>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly kernel: Kernel) {
    this.ownIssuer = kernel.config.publicUrl ?? 'urn:switchboard';
    this.issuers.push({
      provider: OWN_PROVIDER,
      issuer: this.ownIssuer,
      audience: OWN_AUDIENCE,
      algorithms: ['ES256'],
      keys: async () => this.ownKeys!,
    });
    const { firebase, oidc } = kernel.config;
    if (firebase) this.issuers.push(firebaseIssuer(firebase.projectId, firebase.jwksUrl));
    if (oidc) {
      let keys: JWTVerifyGetKey | undefined;
      this.issuers.push({
        provider: 'oidc',
        issuer: oidc.issuer,
        audience: oidc.audience,
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        keys: async () => (keys ??= createRemoteJWKSet(new URL(oidc.jwksUrl ?? (await discoverJwksUri(oidc.issuer))), { timeoutDuration: 5000 })),
      });
    }
  }

  /** Loads (or, the first time, creates) our signing key, and drops cached members when they are blocked. */
  async start(): Promise<void> {
    await this.kernel.write(systemActor('bootstrap'), async (ctx) => {
      await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('member-signing-key'))`);
      const [existing] = await ctx.tx.select({ kid: memberSigningKeys.kid }).from(memberSigningKeys).limit(1);
      if (existing) return;
      const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
      const kid = randomUUID();
      await ctx.tx.insert(memberSigningKeys).values({
        kid,
        publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
        privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
        createdAt: ctx.now,
      });
    });
    const rows = await this.kernel.db.select().from(memberSigningKeys).orderBy(asc(memberSigningKeys.createdAt));
    this.publicJwks = rows.map((r) => r.publicJwk);
    this.ownKeys = createLocalJWKSet({ keys: this.publicJwks as never });
    const newest = rows.at(-1)!;
    this.signingKey = { kid: newest.kid, key: await importJWK(newest.privateJwk as never, 'ES256') };
    this.unsubscribe = this.kernel.bus.subscribe((message) => {
      if (message.kind !== 'event' || !message.event.subjectId) return;
      if (['people.person_blocked', 'people.person_erased'].includes(message.event.type)) this.forget(message.event.subjectId);
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** The public keys of our own tokens, as a JWKS. */
  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: this.publicJwks };
  }

  /** Signs one of our own member tokens for a person. */
  async issue(personId: string): Promise<{ token: string; expiresAt: Date }> {
    const now = this.kernel.now();
    const expiresAt = new Date(now.getTime() + this.kernel.config.memberTokenTtlSeconds * 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.signingKey!.kid, typ: 'JWT' })
      .setIssuer(this.ownIssuer)
      .setAudience(OWN_AUDIENCE)
      .setSubject(personId)
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.signingKey!.key);
    return { token, expiresAt };
  }

  /** A token issued on someone's behalf (to try a client app as that person): only for an active person, and on the record. */
  async issueOnBehalf(actor: Actor, personId: string): Promise<{ token: string; expiresAt: Date }> {
    const person = await getPerson(this.kernel.db, personId);
    if (person.status !== 'active') throw MembersError.conflict(`This person is ${person.status}; no token is issued.`);
    const issued = await this.issue(person.id);
    await this.kernel.write(actor, (ctx) =>
      ctx.emit({ type: MemberEvents.tokenIssued, subject: { type: 'person', id: person.id }, payload: { expiresAt: issued.expiresAt.toISOString() } }),
    );
    return issued;
  }

  async authenticate(token: string, request: { ip: string; userAgent: string | undefined }): Promise<MemberPrincipal | Refusal> {
    const cacheKey = createHash('sha256').update(token).digest('base64url');
    const now = this.kernel.now().getTime();
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > now) return cached.member;
    this.cache.delete(cacheKey);

    const result = await this.verify(token).catch((): Refusal => ({ refused: 'The token could not be checked.', status: 401 }));
    const log = (outcome: 'accepted' | 'refused', fields: { personId?: string; provider?: string; subject?: string; reason?: string }) =>
      this.kernel.db
        .insert(memberSignIns)
        .values({ outcome, ip: request.ip, userAgent: request.userAgent?.slice(0, 500) ?? null, createdAt: new Date(now), ...fields })
        .catch((error: unknown) => this.kernel.log.error({ err: error }, 'logging a member sign-in failed'));
    if ('refused' in result) {
      await log('refused', { reason: result.refused });
      return result;
    }
    const { provider, subject, payload } = result;
    let person: Person | undefined;
    try {
      person = await this.personFor(provider, subject, payload);
    } catch (error) {
      this.kernel.log.error({ err: error }, 'resolving a member failed');
      return { refused: 'The token could not be checked.', status: 401 };
    }
    if (!person || person.status === 'deleted') {
      await log('refused', { provider, subject, reason: 'no such member' });
      return { refused: 'This member no longer exists.', status: 401 };
    }
    if (person.status === 'blocked') {
      await log('refused', { personId: person.id, provider, subject, reason: 'blocked' });
      return { refused: 'This account is blocked.', status: 403 };
    }
    await log('accepted', { personId: person.id, provider, subject });
    const member: MemberPrincipal = { personId: person.id, provider, subject, expiresAt: new Date(payload.exp! * 1000) };
    this.cache.set(cacheKey, { member, until: Math.min(payload.exp! * 1000, now + CACHE_MS) });
    return member;
  }

  /** Forgets cached tokens of a person, so a block takes effect on their next request. */
  forget(personId: string): void {
    for (const [key, entry] of this.cache) if (entry.member.personId === personId) this.cache.delete(key);
  }

  private async verify(token: string): Promise<{ provider: string; subject: string; payload: JWTPayload } | Refusal> {
    let claimed: JWTPayload;
    try {
      claimed = decodeJwt(token);
    } catch {
      return { refused: 'The token is malformed.', status: 401 };
    }
    const issuer = this.issuers.find((i) => i.issuer === claimed.iss);
    if (!issuer) return { refused: 'The token comes from an issuer this server does not accept.', status: 401 };
    const result = await verifyIdToken(token, issuer, this.kernel.now());
    if ('refused' in result) return { refused: result.refused, status: 401 };
    return { provider: issuer.provider, subject: result.payload.sub, payload: result.payload };
  }

  private async personFor(provider: string, subject: string, payload: JWTPayload): Promise<Person | undefined> {
    if (provider === OWN_PROVIDER) return getPerson(this.kernel.db, subject).catch(() => undefined);
    const known = await personByIdentity(this.kernel.db, provider, subject);
    if (known) return known;
    const email = typeof payload.email === 'string' && payload.email_verified === true ? payload.email : undefined;
    const name = typeof payload.name === 'string' && payload.name.trim() ? payload.name.trim().slice(0, 200) : (email?.split('@')[0] ?? 'New member');
    try {
      return await this.kernel.write(systemActor('member-sign-in'), (ctx) =>
        createPerson(ctx, {
          displayName: name,
          contacts: email ? [{ kind: 'email', value: email }] : [],
          identities: [{ provider, externalId: subject }],
        }),
      );
    } catch (error) {
      // Two first requests at once: the other one created the person.
      if (isUniqueViolation(error) || (error instanceof Error && /already belongs/.test(error.message))) {
        return personByIdentity(this.kernel.db, provider, subject);
      }
      throw error;
    }
  }
}

async function discoverJwksUri(issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`OIDC discovery answered ${response.status}`);
  const document = (await response.json()) as { jwks_uri?: unknown; issuer?: unknown };
  if (document.issuer !== issuer || typeof document.jwks_uri !== 'string') throw new Error('OIDC discovery document does not match the issuer');
  return document.jwks_uri;
}
