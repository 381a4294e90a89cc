import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, lt, ne } from 'drizzle-orm';
import * as oidc from 'openid-client';
import { uuidv7 } from 'uuidv7';
import { systemActor } from '../../core/actor.ts';
import { isLoopbackUrl } from '../../core/config.ts';
import type { Executor } from '../../core/db/client.ts';
import { isUniqueViolation } from '../../core/db/sql.ts';
import { firebaseIssuer, verifyIdToken, type TokenIssuer } from '../../core/id-tokens.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import { StaffError } from './errors.ts';
import { assertMayActUpon } from './escalation.ts';
import { StaffEvents } from './events.ts';
import { hashPassword } from './passwords.ts';
import { staffIdentities, staffSsoStates, staffUsers } from './schema.ts';
import { hashToken, type SignInResult, type StaffSessions } from './sessions.ts';
import { staffSubject, UUID_PATTERN } from './users.ts';

/** How long a started OpenID Connect sign-in may take to come back. */
export const SSO_STATE_TTL_MS = 10 * 60_000;
/**
 * The start route is public and each hit stores a state row: past this many sign-ins in flight (expired ones are
 * swept first) new ones are refused until some come back or expire, so a flood cannot grow the table without end.
 */
export const MAX_PENDING_SSO_STATES = 5_000;
const SCOPE = 'openid email profile';

type SsoProvider = 'oidc' | 'firebase';

/** Who the browser is, for the session and the log. */
interface SsoRequest {
  ip: string;
  userAgent: string | undefined;
  deviceToken: string | undefined;
}

/** What a provider vouched for, after its signature, issuer, audience, expiry (and for OIDC state, nonce, PKCE) were checked. */
interface VerifiedIdentity {
  provider: SsoProvider;
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
}

export interface StaffIdentity {
  id: string;
  staffId: string;
  provider: SsoProvider;
  issuer: string;
  email: string;
  createdAt: Date;
  lastUsedAt: Date;
}

const str = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/**
 * Staff single sign-on: the OpenID Connect authorization-code flow (PKCE, state and nonce kept server-side
 * and bound to the browser that started it) and Firebase ID tokens (verified like members' ones). Either
 * ends in our own staff session. The identity (issuer, subject) is linked to the staff user with the same
 * verified email on first use; a user who does not exist yet is created, without roles, only when the
 * email's domain is in `STAFF_SSO_ALLOWED_DOMAINS`.
 */
export class StaffSso {
  private discovered: Promise<oidc.Configuration> | undefined;
  private readonly firebase: TokenIssuer | undefined;

  constructor(
    private readonly kernel: Kernel,
    private readonly sessions: StaffSessions,
  ) {
    const firebase = kernel.config.staffSso.firebase;
    this.firebase = firebase ? firebaseIssuer(firebase.projectId, firebase.jwksUrl) : undefined;
  }

  /** What the sign-in page offers. */
  options(): { passwordSignIn: boolean; oidc: { name: string } | null; firebase: { signInUrl: string | null } | null } {
    const { oidc: o, firebase, passwordSignIn } = this.kernel.config.staffSso;
    return { passwordSignIn, oidc: o ? { name: o.name } : null, firebase: firebase ? { signInUrl: firebase.signInUrl ?? null } : null };
  }

  /**
   * Starts an OpenID Connect sign-in: remembers a fresh state (hashed), nonce and PKCE verifier with the hash
   * of a new browser token (the caller puts it in a cookie), and gives the provider's authorization URL.
   */
  async beginOidc(returnTo: string, redirectUri: string): Promise<{ url: string; browserToken: string }> {
    const config = await this.oidcConfiguration();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const browserToken = randomBytes(32).toString('base64url');
    const now = this.kernel.now();
    await this.kernel.db.delete(staffSsoStates).where(lt(staffSsoStates.expiresAt, now));
    const [inFlight] = await this.kernel.db.select({ pending: count() }).from(staffSsoStates);
    if ((inFlight?.pending ?? 0) >= MAX_PENDING_SSO_STATES) {
      throw new StaffError('sso_busy', 'Too many sign-ins are in progress; try again in a minute.', { retryAfterSeconds: 60 });
    }
    await this.kernel.db.insert(staffSsoStates).values({
      stateHash: hashToken(state),
      browserHash: hashToken(browserToken),
      nonce,
      codeVerifier,
      returnTo,
      createdAt: now,
      expiresAt: new Date(now.getTime() + SSO_STATE_TTL_MS),
    });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, browserToken };
  }

  /**
   * Completes an OpenID Connect sign-in from the provider's redirect (`callbackUrl`: our redirect URI with
   * the query the provider sent). The state is taken once, and only by the browser that started it; the
   * code is exchanged with the PKCE verifier, and the ID token checked (signature, issuer, audience, expiry,
   * nonce) by openid-client.
   */
  async completeOidc(callbackUrl: URL, browserToken: string | undefined, request: SsoRequest): Promise<SignInResult & { returnTo: string }> {
    const state = callbackUrl.searchParams.get('state');
    if (!state) throw new StaffError('sso_state', 'The sign-in came back without its state; start again.');
    const stateHash = hashToken(state);
    const [pending] = await this.kernel.db.select().from(staffSsoStates).where(eq(staffSsoStates.stateHash, stateHash));
    if (!pending || pending.expiresAt <= this.kernel.now()) {
      throw new StaffError('sso_state', 'This sign-in has expired or was already used; start again.');
    }
    if (!browserToken || hashToken(browserToken) !== pending.browserHash) {
      throw new StaffError('sso_browser', 'This sign-in was started in another browser; start again here.');
    }
    const [taken] = await this.kernel.db
      .delete(staffSsoStates)
      .where(and(eq(staffSsoStates.stateHash, stateHash), eq(staffSsoStates.browserHash, pending.browserHash)))
      .returning();
    if (!taken) throw new StaffError('sso_state', 'This sign-in was already used; start again.');

    const config = await this.oidcConfiguration();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: taken.codeVerifier,
        expectedState: state,
        expectedNonce: taken.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      this.kernel.log.warn({ err: error }, 'staff OIDC sign-in refused');
      throw new StaffError('sso_provider', providerRefusal(error));
    }
    const claims = tokens.claims()!;
    let email = str(claims.email);
    let verified = claims.email_verified === true;
    let name = str(claims.name);
    // Providers that keep the ID token small (and oidc-provider by default) give the email at the userinfo endpoint.
    if (!email && tokens.access_token && config.serverMetadata().userinfo_endpoint) {
      try {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        email = str(info.email);
        verified = info.email_verified === true;
        name ??= str(info.name);
      } catch (error) {
        this.kernel.log.warn({ err: error }, 'staff OIDC userinfo failed');
        throw new StaffError('sso_provider', 'The provider did not say who signed in; try again.');
      }
    }
    const trust = this.kernel.config.staffSso.oidc?.trustEmail === true;
    const identity = { provider: 'oidc' as const, issuer: config.serverMetadata().issuer, subject: claims.sub, email, emailVerified: verified || trust, name };
    return { ...(await this.signInAs(identity, request)), returnTo: taken.returnTo };
  }

  /** Signs in with a Firebase Auth ID token of `STAFF_FIREBASE_PROJECT_ID`, checked as members' Firebase tokens are. */
  async signInWithFirebase(idToken: string, request: SsoRequest): Promise<SignInResult> {
    if (!this.firebase) throw StaffError.notFound('Firebase sign-in is not set up on this server.');
    const result = await verifyIdToken(idToken, this.firebase, this.kernel.now());
    if ('refused' in result) throw new StaffError('sso_provider', result.refused);
    const { payload } = result;
    return this.signInAs(
      {
        provider: 'firebase',
        issuer: this.firebase.issuer,
        subject: payload.sub,
        email: str(payload.email),
        emailVerified: payload.email_verified === true,
        name: str(payload.name),
      },
      request,
    );
  }

  /** The user an identity belongs to (linking it by verified email the first time), in a new session. */
  private async signInAs(identity: VerifiedIdentity, request: SsoRequest, retried = false): Promise<SignInResult> {
    try {
      return await this.link(identity, request);
    } catch (error) {
      // Two first sign-ins at once: the other one linked (or created) it; this one finds it now, and is
      // refused if what the other linked is another account at this provider (staff_identities_staff_issuer_key).
      if (!retried && isUniqueViolation(error)) return this.signInAs(identity, request, true);
      if (isUniqueViolation(error, 'staff_identities_staff_issuer_key')) throw linkedElsewhere();
      throw error;
    }
  }

  private async link(identity: VerifiedIdentity, request: SsoRequest): Promise<SignInResult> {
    const { db } = this.kernel;
    const input = { ...request, method: identity.provider };
    const [linked] = await db
      .select({ id: staffIdentities.id, staffId: staffIdentities.staffId })
      .from(staffIdentities)
      .where(and(eq(staffIdentities.issuer, identity.issuer), eq(staffIdentities.subject, identity.subject)));
    if (linked) {
      return this.sessions.openSession(linked.staffId, input, async (ctx) => {
        await ctx.tx.update(staffIdentities).set({ lastUsedAt: ctx.now }).where(eq(staffIdentities.id, linked.id));
      });
    }

    const email = identity.email?.toLowerCase();
    if (!email || !identity.emailVerified) {
      throw new StaffError('sso_email_unverified', 'Your account there has no verified email address, so it cannot be matched to a staff account.');
    }
    let [user] = await db.select({ id: staffUsers.id, status: staffUsers.status }).from(staffUsers).where(eq(staffUsers.email, email));
    if (!user) {
      const domain = email.slice(email.lastIndexOf('@') + 1);
      if (!this.kernel.config.staffSso.allowedDomains.includes(domain)) {
        throw new StaffError('sso_unknown_user', `No staff account has the email ${email}. Ask an administrator to create one.`);
      }
      user = await this.createUser(email, identity.name);
    }
    if (user.status !== 'active') throw new StaffError('account_disabled', 'This account is disabled. Ask an administrator to enable it.');

    const staffId = user.id;
    return this.sessions.openSession(staffId, input, async (ctx) => {
      // One identity per provider and account: a second subject with the same email is someone else at the provider.
      const [other] = await ctx.tx
        .select({ id: staffIdentities.id })
        .from(staffIdentities)
        .where(and(eq(staffIdentities.staffId, staffId), eq(staffIdentities.issuer, identity.issuer), ne(staffIdentities.subject, identity.subject)));
      // The unique index on (staff_id, issuer) refuses the one of two first sign-ins at once that loses.
      if (other) throw linkedElsewhere();
      const id = uuidv7();
      await ctx.tx.insert(staffIdentities).values({
        id,
        staffId,
        provider: identity.provider,
        issuer: identity.issuer,
        subject: identity.subject,
        email,
        createdAt: ctx.now,
        lastUsedAt: ctx.now,
      });
      await ctx.emit({
        type: StaffEvents.ssoLinked,
        subject: staffSubject(staffId),
        payload: { identityId: id, provider: identity.provider, issuer: identity.issuer, email },
      });
    });
  }

  /** A staff user of an allowed domain on their first sign-in: no roles (an administrator gives them), no usable password. */
  private async createUser(email: string, name: string | undefined): Promise<{ id: string; status: 'active' | 'disabled' }> {
    const passwordHash = await hashPassword(randomBytes(32).toString('base64url'));
    const displayName = (name ?? email.slice(0, email.indexOf('@'))).slice(0, 200);
    return this.kernel.write(systemActor('staff-sso'), async (ctx) => {
      const id = uuidv7();
      await ctx.tx.insert(staffUsers).values({ id, email, name: displayName, passwordHash, createdAt: ctx.now, updatedAt: ctx.now });
      await ctx.emit({ type: StaffEvents.userCreated, subject: staffSubject(id), payload: { email, name: displayName, roleIds: [] } });
      return { id, status: 'active' as const };
    });
  }

  private oidcConfiguration(): Promise<oidc.Configuration> {
    const settings = this.kernel.config.staffSso.oidc;
    if (!settings) return Promise.reject(StaffError.notFound('OpenID Connect sign-in is not set up on this server.'));
    this.discovered ??= oidc
      .discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, {
        // Plain HTTP only to a provider on this machine (tests, a local Keycloak); config.ts refuses any other.
        execute: isLoopbackUrl(settings.issuer) ? [oidc.allowInsecureRequests] : [],
        timeout: 10,
      })
      .catch((error: unknown) => {
        this.discovered = undefined;
        this.kernel.log.warn({ err: error }, 'staff OIDC discovery failed');
        throw new StaffError('sso_unavailable', 'The sign-in provider cannot be reached right now; try again later.');
      });
    return this.discovered;
  }
}

const linkedElsewhere = () =>
  new StaffError('sso_linked_elsewhere', 'This staff account is already linked to another account at this provider. An administrator can unlink it.');

function providerRefusal(error: unknown): string {
  if (error instanceof oidc.AuthorizationResponseError) return `The provider refused the sign-in (${error.error}).`;
  if (error instanceof oidc.ResponseBodyError) return `The provider refused the sign-in (${error.error}).`;
  return "The provider's answer could not be verified.";
}

/** A staff user's linked sign-in identities (for administrators). */
export async function listIdentities(db: Executor, staffId: string): Promise<StaffIdentity[]> {
  const [user] = UUID_PATTERN.test(staffId) ? await db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.id, staffId)) : [];
  if (!user) throw StaffError.notFound('No such staff user.');
  return db
    .select({
      id: staffIdentities.id,
      staffId: staffIdentities.staffId,
      provider: staffIdentities.provider,
      issuer: staffIdentities.issuer,
      email: staffIdentities.email,
      createdAt: staffIdentities.createdAt,
      lastUsedAt: staffIdentities.lastUsedAt,
    })
    .from(staffIdentities)
    .where(eq(staffIdentities.staffId, staffId))
    .orderBy(asc(staffIdentities.createdAt));
}

/** Removes a link; the next sign-in there links again by verified email. Sessions already open stay (disable the user to end them). */
export async function unlinkIdentity(ctx: ServiceContext, identityId: string): Promise<void> {
  const [held] = UUID_PATTERN.test(identityId) ? await ctx.tx.select().from(staffIdentities).where(eq(staffIdentities.id, identityId)) : [];
  if (!held) throw StaffError.notFound('No such sign-in identity.');
  await assertMayActUpon(ctx, held.staffId, "Unlinking this user's sign-in identity");
  const [gone] = await ctx.tx.delete(staffIdentities).where(eq(staffIdentities.id, identityId)).returning();
  if (!gone) throw StaffError.notFound('No such sign-in identity.');
  await ctx.emit({
    type: StaffEvents.ssoUnlinked,
    subject: staffSubject(gone.staffId),
    payload: { identityId, provider: gone.provider, issuer: gone.issuer, email: gone.email },
  });
}
