import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { ADMIN, createTestApp, ORIGIN, Session, sessionCookie, signIn, signInRequest, staffWith, useTestApp, type TestApp } from '../../../test/helpers.ts';
import { queryRows } from '../../core/db/sql.ts';
import { hashToken } from './sessions.ts';
import { staffSessions } from './schema.ts';

describe('staff sign-in and sessions', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('signs in with an httpOnly SameSite=Lax cookie and shows roles and effective permissions', async () => {
    const response = await signInRequest(t.app, ADMIN.email, ADMIN.password);
    assert.equal(response.statusCode, 200);
    const cookie = response.cookies.find((c) => c.name === 'sb_session')!;
    assert.ok(cookie.httpOnly);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/');
    assert.ok(Buffer.from(cookie.value, 'base64url').length >= 16, 'token carries at least 128 random bits');
    const me = await new Session(t.app, sessionCookie(response)).get('/api/console/me');
    assert.equal(me.statusCode, 200);
    assert.deepEqual(
      me.json().roles.map((r: { name: string }) => r.name),
      ['Administrator'],
    );
    assert.ok(me.json().permissions.includes('staff.manage_roles'));
    assert.ok(me.json().permissions.includes('events.read'));
  });

  it('stores only a hash of the token, and issues a new token at every sign-in', async () => {
    const a = sessionCookie(await signInRequest(t.app, ADMIN.email, ADMIN.password)).split('=')[1]!;
    const b = sessionCookie(await signInRequest(t.app, ADMIN.email, ADMIN.password)).split('=')[1]!;
    assert.notEqual(a, b);
    const stored = await t.app.kernel.db
      .select()
      .from(staffSessions)
      .where(eq(staffSessions.tokenHash, hashToken(a)));
    assert.equal(stored.length, 1);
    const raw = await queryRows<{ n: number }>(t.app.kernel.db, sql`SELECT count(*)::int AS n FROM staff_sessions WHERE token_hash = ${a}`);
    assert.equal(raw[0]!.n, 0);
  });

  it('uses the __Host- prefix and Secure over HTTPS', async () => {
    const https = await createTestApp({ env: { TRUST_PROXY: 'true' } });
    try {
      const response = await signInRequest(https.app, ADMIN.email, ADMIN.password, {
        headers: { 'x-forwarded-proto': 'https', origin: 'https://localhost:80' },
      });
      assert.equal(response.statusCode, 200, response.body);
      const cookie = response.cookies.find((c) => c.name === '__Host-sb_session');
      assert.ok(cookie?.secure);
      const me = await https.app.inject({
        method: 'GET',
        url: '/api/console/me',
        headers: { cookie: `__Host-sb_session=${cookie!.value}`, 'x-forwarded-proto': 'https' },
      });
      assert.equal(me.statusCode, 200);
      const planted = await https.app.inject({
        method: 'GET',
        url: '/api/console/me',
        headers: { cookie: `sb_session=${cookie!.value}`, 'x-forwarded-proto': 'https' },
      });
      assert.equal(planted.statusCode, 401, 'over HTTPS a cookie without the __Host- prefix is ignored');
    } finally {
      await https.close();
    }
  });

  it('refuses a wrong password with one message for unknown accounts too', async () => {
    const wrong = await signInRequest(t.app, ADMIN.email, 'not the password at all');
    const unknown = await signInRequest(t.app, 'nobody@test.local', 'not the password at all');
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.json().detail, unknown.json().detail);
    assert.equal(wrong.headers['content-type'], 'application/problem+json; charset=utf-8');
  });

  it('signing out makes the old token fail on every route at once', async () => {
    const session = await signIn(t.app);
    assert.equal((await session.delete('/api/console/session')).statusCode, 204);
    for (const url of ['/api/console/me', '/api/console/staff', '/api/console/events']) {
      assert.equal((await session.get(url)).statusCode, 401, url);
    }
  });

  it('lets many concurrent sign-ins of one user each get their own working session', async () => {
    const responses = await Promise.all(Array.from({ length: 6 }, () => signInRequest(t.app, ADMIN.email, ADMIN.password)));
    const cookies = responses.map((r) => {
      assert.equal(r.statusCode, 200, r.body);
      return sessionCookie(r);
    });
    assert.equal(new Set(cookies).size, 6);
    for (const cookie of cookies) assert.equal((await new Session(t.app, cookie).get('/api/console/me')).statusCode, 200);
  });

  it('expires an idle session after the idle timeout, and slides it while in use', async () => {
    const clock = t.clock;
    const session = await signIn(t.app);
    clock.advance(6 * 24 * 3600_000);
    assert.equal((await session.get('/api/console/me')).statusCode, 200, 'used within 7 days: still valid, and extended');
    clock.advance(6 * 24 * 3600_000);
    assert.equal((await session.get('/api/console/me')).statusCode, 200, 'sliding: 12 days after sign-in, 6 after last use');
    clock.advance(7 * 24 * 3600_000 + 1000);
    assert.equal((await session.get('/api/console/me')).statusCode, 401, 'idle for more than 7 days');
  });

  it('ends a session at its absolute lifetime however active it is', async () => {
    const session = await signIn(t.app);
    for (let day = 0; day < 29; day += 5) {
      t.clock.advance(5 * 24 * 3600_000);
      const status = (await session.get('/api/console/me')).statusCode;
      assert.equal(status, day + 5 < 30 ? 200 : 401, `day ${day + 5}`);
    }
    t.clock.advance(24 * 3600_000);
    assert.equal((await session.get('/api/console/me')).statusCode, 401);
  });

  it("a password reset ends that user's sessions, and disabling ends them too", async () => {
    const admin = await signIn(t.app);
    const target = await staffWith(admin, ['events.read'], 'reset-target');
    const second = await signIn(t.app, target.email, target.password);
    const reset = await admin.post(`/api/console/staff/${target.user.id}/password`, { password: 'a brand new long password' });
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal(reset.json().sessionsEnded, 2);
    assert.equal((await target.session.get('/api/console/me')).statusCode, 401);
    assert.equal((await second.get('/api/console/me')).statusCode, 401);

    const fresh = await signIn(t.app, target.email, 'a brand new long password');
    const disabled = await admin.patch(`/api/console/staff/${target.user.id}`, { status: 'disabled' });
    assert.equal(disabled.statusCode, 200);
    assert.equal((await fresh.get('/api/console/me')).statusCode, 401);
    const again = await signInRequest(t.app, target.email, 'a brand new long password');
    assert.equal(again.statusCode, 403);
  });

  it('changing my own password keeps my current session and ends the others', async () => {
    const admin = await signIn(t.app);
    const target = await staffWith(admin, [], 'self-change');
    const other = await signIn(t.app, target.email, target.password);
    const wrong = await target.session.post('/api/console/me/password', { currentPassword: 'wrong one', newPassword: 'another long password' });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().errors[0].field, 'body.currentPassword');
    const changed = await target.session.post('/api/console/me/password', {
      currentPassword: target.password,
      newPassword: 'another long password',
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal((await target.session.get('/api/console/me')).statusCode, 200);
    assert.equal((await other.get('/api/console/me')).statusCode, 401);
  });

  it('refuses a cookie-authenticated unsafe request from another origin (CSRF)', async () => {
    const session = await signIn(t.app);
    const foreign = await session.request({
      method: 'POST',
      url: '/api/console/roles',
      payload: { name: 'evil', permissions: [] },
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(foreign.statusCode, 403);
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/console/roles',
      payload: { name: 'evil', permissions: [] },
      headers: { cookie: session.cookie },
    });
    assert.equal(missing.statusCode, 403);
    const viaReferer = await t.app.inject({
      method: 'POST',
      url: '/api/console/roles',
      payload: { name: 'fine', permissions: [] },
      headers: { cookie: session.cookie, referer: `${ORIGIN}/roles` },
    });
    assert.equal(viaReferer.statusCode, 201);
  });
});

describe('password rules', () => {
  const ctx = useTestApp();

  const create = (password: string, email = `p${Math.random().toString(36).slice(2)}@test.local`) =>
    ctx.admin.post('/api/console/staff', { email, name: 'Pat', password, roleIds: [] });

  it('refuses short and common passwords, naming the field', async () => {
    for (const password of ['short', 'password1', 'qwertyuiop', 'iloveyou']) {
      const response = await create(password);
      assert.equal(response.statusCode, 400, password);
      assert.equal(response.json().errors[0].field, 'body.password');
    }
  });

  it('accepts a 100-character passphrase without truncating it', async () => {
    const long = 'x'.repeat(70) + 'y'.repeat(30);
    const email = 'long@test.local';
    assert.equal((await create(long, email)).statusCode, 201);
    assert.equal((await signInRequest(ctx.t.app, email, long)).statusCode, 200);
    assert.equal((await signInRequest(ctx.t.app, email, long.slice(0, 72))).statusCode, 401, 'a truncated prefix must not work');
  });

  it('hashes with argon2id, at least 19 MiB and 2 iterations', async () => {
    const rows = await queryRows<{ password_hash: string }>(ctx.t.app.kernel.db, sql`SELECT password_hash FROM staff_users LIMIT 1`);
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(rows[0]!.password_hash);
    assert.ok(match, rows[0]!.password_hash.slice(0, 30));
    assert.ok(Number(match[1]) >= 19 * 1024);
    assert.ok(Number(match[2]) >= 2);
  });
});
