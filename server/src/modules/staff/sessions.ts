import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, gt, gte, isNull, ne, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Principal } from '../../core/access.ts';
import type { StaffAuthenticator } from '../../core/auth.ts';
import type { Executor } from '../../core/db/client.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';

import { loadPrincipal } from './principals.ts';
import { burnVerifyTime, verifyPassword } from './passwords.ts';
import { knownDevices, signInAttempts, staffSessions, staffUsers } from './schema.ts';
import { StaffEvents } from './events.ts';
import { StaffError } from './errors.ts';

/** A cached principal is trusted this long without a database round trip; writes evict it at once. */
const CACHE_TTL_MS = 5_000;
/** Sliding expiry is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

export const SIGN_IN_LIMITS = {
  /** Failed attempts from one IP, across accounts, per 15 minutes. */
  perIp: { max: 30, windowMs: 15 * 60_000 },
  /** Failed attempts on one account from one IP per 15 minutes. */
  perAccountAndIp: { max: 10, windowMs: 15 * 60_000 },
  /** Failed attempts on one account from devices it has never signed in from, per hour: past this the
   * password is not even evaluated. */
  perAccount: { max: 100, windowMs: 60 * 60_000 },
  /** A device that has signed in to the account before is limited only by its own failures, so an
   * attacker elsewhere (or behind the same NAT) cannot lock the owner out. */
  perKnownDevice: { max: 10, windowMs: 15 * 60_000 },
};

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

interface CachedSession {
  principal: Principal;
  staffId: string;
  sessionId: string;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  lastSeenAt: Date;
  loadedAt: number;
}

export interface SignInInput {
  email: string;
  password: string;
  ip: string;
  userAgent: string | undefined;
  deviceToken: string | undefined;
}

export interface SignInResult {
  token: string;
  deviceToken: string;
  principal: Principal;
}

export class StaffSessions implements StaffAuthenticator {
  private readonly cache = new Map<string, CachedSession>();
  /** Bumped by every access change; a lookup that started under an older generation is not cached. */
  private generation = 0;
  private insertsSinceSweep = 0;

  constructor(private readonly kernel: Kernel) {
    kernel.bus.subscribe((message) => {
      if (message.kind !== 'auth_changed') return;
      this.generation++;
      if (message.staffIds === 'all') this.cache.clear();
      else for (const [key, entry] of this.cache) if (message.staffIds.includes(entry.staffId)) this.cache.delete(key);
    });
  }

  async authenticate(token: string, options: { touch?: boolean } = {}): Promise<Principal | null> {
    const now = this.kernel.now();
    // Cached by the token itself, so a cached request hashes nothing; the database only ever sees the hash.
    let entry = this.cache.get(token);
    if (!entry || Date.now() - entry.loadedAt > CACHE_TTL_MS) {
      const generation = this.generation;
      entry = await this.load(hashToken(token));
      if (!entry) {
        this.cache.delete(token);
        return null;
      }
      if (generation === this.generation) this.remember(token, entry);
    }
    if (now >= entry.idleExpiresAt || now >= entry.absoluteExpiresAt) {
      this.cache.delete(token);
      return null;
    }
    if (options.touch !== false && now.getTime() - entry.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
      if (!(await this.touch(token, entry, now))) return null;
    }
    return entry.principal;
  }

  private remember(token: string, entry: CachedSession): void {
    this.cache.set(token, entry);
    // Entries past their TTL would be reloaded anyway; sweeping them keeps the cache as small as the live sessions.
    if (++this.insertsSinceSweep < 1000) return;
    this.insertsSinceSweep = 0;
    const stale = Date.now() - CACHE_TTL_MS;
    for (const [key, cached] of this.cache) if (cached.loadedAt < stale) this.cache.delete(key);
  }

  private async load(tokenHash: string): Promise<CachedSession | undefined> {
    const { db } = this.kernel;
    const [row] = await db
      .select({ session: staffSessions, status: staffUsers.status })
      .from(staffSessions)
      .innerJoin(staffUsers, eq(staffUsers.id, staffSessions.staffId))
      .where(and(eq(staffSessions.tokenHash, tokenHash), isNull(staffSessions.revokedAt)));
    if (!row || row.status !== 'active') return undefined;
    const { session } = row;
    const principal = await loadPrincipal(db, session.staffId, session.id, this.kernel.now());
    if (!principal) return undefined;
    principal.sessionExpiresAt = minDate(session.idleExpiresAt, session.absoluteExpiresAt);
    return {
      principal,
      staffId: session.staffId,
      sessionId: session.id,
      idleExpiresAt: session.idleExpiresAt,
      absoluteExpiresAt: session.absoluteExpiresAt,
      lastSeenAt: session.lastSeenAt,
      loadedAt: Date.now(),
    };
  }

  /** Slides the idle expiry; false when the session was revoked meanwhile. */
  private async touch(token: string, entry: CachedSession, now: Date): Promise<boolean> {
    const idle = new Date(Math.min(now.getTime() + this.kernel.config.sessionIdleSeconds * 1000, entry.absoluteExpiresAt.getTime()));
    const updated = await this.kernel.db
      .update(staffSessions)
      .set({ lastSeenAt: now, idleExpiresAt: idle })
      .where(and(eq(staffSessions.id, entry.sessionId), isNull(staffSessions.revokedAt)))
      .returning({ id: staffSessions.id });
    if (updated.length === 0) {
      this.cache.delete(token);
      return false;
    }
    entry.lastSeenAt = now;
    entry.idleExpiresAt = idle;
    entry.principal.sessionExpiresAt = minDate(idle, entry.absoluteExpiresAt);
    return true;
  }

  /** Checks the limits, evaluates the password, and opens a new session with a fresh token. */
  async signIn(input: SignInInput): Promise<SignInResult> {
    if (!this.kernel.config.staffSso.passwordSignIn) {
      throw new StaffError('password_sign_in_off', 'Password sign-in is turned off on this server: use single sign-on.');
    }
    const email = input.email.trim().toLowerCase();
    const [user] = await this.kernel.db.select().from(staffUsers).where(eq(staffUsers.email, email));
    if (!(await this.limitedPasswordCheck(email, user?.passwordHash, input)) || !user) {
      throw new StaffError('unauthenticated', 'Email or password is incorrect.');
    }
    if (user.status !== 'active') throw StaffError.forbidden('This account is disabled. Ask an administrator to enable it.');
    return this.openSession(user.id, { ...input, method: 'password' });
  }

  /**
   * Opens a session for a staff user who has proven who they are (password or single sign-on): a fresh
   * token, the device remembered, `staff.signed_in` in the log. `extra` runs in the same transaction
   * (an identity link and its event).
   */
  async openSession(
    staffId: string,
    input: { ip: string; userAgent: string | undefined; deviceToken: string | undefined; method: 'password' | 'oidc' | 'firebase' },
    extra?: (ctx: ServiceContext) => Promise<void>,
  ): Promise<SignInResult> {
    const token = newToken();
    const knownDevice = input.deviceToken ? hashToken(input.deviceToken) : undefined;
    const deviceToken = knownDevice && (await this.isKnownDevice(this.kernel.db, knownDevice, staffId)) ? input.deviceToken! : newToken();
    await this.kernel.write({ type: 'staff', id: staffId }, async (ctx) => {
      // Disabled meanwhile (or by the time an identity provider answered): no session.
      const [user] = await ctx.tx.select({ status: staffUsers.status }).from(staffUsers).where(eq(staffUsers.id, staffId)).for('share');
      if (user?.status !== 'active') throw new StaffError('account_disabled', 'This account is disabled. Ask an administrator to enable it.');
      await extra?.(ctx);
      const id = uuidv7();
      const idleSeconds = this.kernel.config.sessionIdleSeconds;
      const absoluteSeconds = this.kernel.config.sessionAbsoluteSeconds;
      await ctx.tx.insert(staffSessions).values({
        id,
        staffId,
        tokenHash: hashToken(token),
        createdAt: ctx.now,
        lastSeenAt: ctx.now,
        idleExpiresAt: new Date(ctx.now.getTime() + idleSeconds * 1000),
        absoluteExpiresAt: new Date(ctx.now.getTime() + absoluteSeconds * 1000),
        ip: input.ip,
        userAgent: input.userAgent?.slice(0, 500) ?? null,
      });
      await ctx.tx
        .insert(knownDevices)
        .values({ tokenHash: hashToken(deviceToken), staffId, createdAt: ctx.now, lastUsedAt: ctx.now })
        .onConflictDoUpdate({ target: knownDevices.tokenHash, set: { lastUsedAt: ctx.now } });
      await ctx.emit({
        type: StaffEvents.signedIn,
        subject: { type: 'staff_user', id: staffId },
        payload: { sessionId: id, ip: input.ip, method: input.method },
      });
    });
    const principal = await this.authenticate(token);
    // Only a revocation racing this very sign-in could make the new session fail already.
    if (!principal) throw new StaffError('unauthenticated', 'Your session ended as it began; sign in again.');
    return { token, deviceToken, principal };
  }

  /**
   * For changes that need the password again within a session. It goes through the same limiter as
   * sign-in, so a stolen session cannot be used to guess the password.
   */
  async verifyCurrentPassword(staffId: string, password: string, from: { ip: string; deviceToken: string | undefined }): Promise<void> {
    const [user] = await this.kernel.db.select().from(staffUsers).where(eq(staffUsers.id, staffId));
    if (!user) throw new StaffError('unauthenticated', 'Sign in to continue.');
    const attempt = { email: user.email, password, userAgent: undefined, ...from };
    if (!(await this.limitedPasswordCheck(user.email, user.passwordHash, attempt))) {
      throw StaffError.invalid('currentPassword', 'is not your current password');
    }
  }

  /**
   * Records the attempt under the limits (429 when over them), then evaluates the password; an unknown
   * account costs the same time as a known one. The attempt is marked succeeded when the password matches.
   */
  private async limitedPasswordCheck(email: string, passwordHash: string | undefined, input: SignInInput): Promise<boolean> {
    const attemptId = uuidv7();
    await this.reserveAttempt(attemptId, email, input, this.kernel.now());
    if (passwordHash === undefined) {
      await burnVerifyTime(input.password);
      return false;
    }
    if (!(await verifyPassword(passwordHash, input.password))) return false;
    await this.kernel.db.update(signInAttempts).set({ succeeded: true }).where(eq(signInAttempts.id, attemptId));
    return true;
  }

  private async isKnownDevice(db: Executor, tokenHash: string, staffId: string): Promise<boolean> {
    const rows = await db
      .select({ staffId: knownDevices.staffId })
      .from(knownDevices)
      .where(and(eq(knownDevices.tokenHash, tokenHash), eq(knownDevices.staffId, staffId)));
    return rows.length > 0;
  }

  /**
   * Records the attempt before the password is looked at, under a per-account lock, so concurrent
   * attempts cannot slip past the limits; a refused attempt is recorded too, as not evaluated.
   */
  private async reserveAttempt(id: string, email: string, input: SignInInput, now: Date): Promise<void> {
    const refusal = await this.kernel.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`staff-sign-in:${email}`}))`);
      const failures = (since: Date, ...where: Parameters<typeof and>) =>
        tx
          .select({ at: signInAttempts.createdAt })
          .from(signInAttempts)
          .where(and(eq(signInAttempts.evaluated, true), eq(signInAttempts.succeeded, false), gte(signInAttempts.createdAt, since), ...where))
          .orderBy(desc(signInAttempts.createdAt));
      const retryAfter = async (limit: { max: number; windowMs: number }, ...where: Parameters<typeof and>) => {
        const rows = await failures(new Date(now.getTime() - limit.windowMs), ...where).limit(limit.max);
        const oldestCounted = rows[limit.max - 1];
        return oldestCounted ? (oldestCounted.at.getTime() + limit.windowMs - now.getTime()) / 1000 : 0;
      };

      const [user] = await tx.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.email, email));
      const known =
        user !== undefined && input.deviceToken !== undefined && (await this.isKnownDevice(tx as unknown as Executor, hashToken(input.deviceToken), user.id));
      const deviceHash = input.deviceToken ? hashToken(input.deviceToken) : null;
      const checks: Array<[string, () => Promise<number>]> = known
        ? [
            [
              'Too many failed sign-ins from this browser.',
              () => retryAfter(SIGN_IN_LIMITS.perKnownDevice, eq(signInAttempts.email, email), eq(signInAttempts.deviceHash, deviceHash!)),
            ],
          ]
        : [
            ['Too many failed sign-ins from your network.', () => retryAfter(SIGN_IN_LIMITS.perIp, eq(signInAttempts.ip, input.ip))],
            [
              'Too many failed sign-ins for this account.',
              () => retryAfter(SIGN_IN_LIMITS.perAccountAndIp, eq(signInAttempts.email, email), eq(signInAttempts.ip, input.ip)),
            ],
            [
              'Too many failed sign-ins for this account from new devices.',
              () => retryAfter(SIGN_IN_LIMITS.perAccount, eq(signInAttempts.email, email), eq(signInAttempts.knownDevice, false)),
            ],
          ];
      let refused: { message: string; seconds: number } | undefined;
      for (const [message, check] of checks) {
        const seconds = await check();
        if (seconds > 0) {
          refused = { message, seconds };
          break;
        }
      }
      await tx
        .insert(signInAttempts)
        .values({ id, email, ip: input.ip, succeeded: false, knownDevice: known, deviceHash, evaluated: !refused, createdAt: now });
      return refused;
    });
    if (refusal)
      throw new StaffError('rate_limited', `${refusal.message} Try again in ${formatWait(refusal.seconds)}.`, { retryAfterSeconds: refusal.seconds });
  }

  /** Ends the session a staff user signs out of (its token fails on every route from now on), in the log. */
  async signOut(ctx: ServiceContext, staffId: string, sessionId: string): Promise<void> {
    const [session] = await ctx.tx
      .update(staffSessions)
      .set({ revokedAt: ctx.now, revokedReason: 'signed out' })
      .where(and(eq(staffSessions.id, sessionId), isNull(staffSessions.revokedAt)))
      .returning({ staffId: staffSessions.staffId });
    if (session) ctx.afterCommit(() => this.kernel.bus.publish({ kind: 'auth_changed', staffIds: [session.staffId] }));
    await ctx.emit({ type: StaffEvents.signedOut, subject: { type: 'staff_user', id: staffId }, payload: { sessionId } });
  }

  /** Ends every open session of a staff user, except `keepSessionId` when given; returns how many ended. */
  async revokeAll(ctx: ServiceContext, staffId: string, reason: string, keepSessionId?: string): Promise<number> {
    const ended = await ctx.tx
      .update(staffSessions)
      .set({ revokedAt: ctx.now, revokedReason: reason })
      .where(
        and(
          eq(staffSessions.staffId, staffId),
          isNull(staffSessions.revokedAt),
          gt(staffSessions.absoluteExpiresAt, ctx.now),
          keepSessionId ? ne(staffSessions.id, keepSessionId) : undefined,
        ),
      )
      .returning({ id: staffSessions.id });
    ctx.afterCommit(() => this.kernel.bus.publish({ kind: 'auth_changed', staffIds: [staffId] }));
    return ended.length;
  }
}

function minDate(a: Date, b: Date): Date {
  return a < b ? a : b;
}

function formatWait(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return minutes <= 1 ? 'a minute' : `${minutes} minutes`;
}
