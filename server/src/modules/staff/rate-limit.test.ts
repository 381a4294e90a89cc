import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { ADMIN, createTestApp, signIn, signInRequest, type TestApp } from '../../../test/helpers.ts';
import { queryRows } from '../../core/db/sql.ts';
import { SIGN_IN_LIMITS } from './sessions.ts';

describe('sign-in rate limits', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const attempt = (password: string, ip: string, cookie?: string) =>
    signInRequest(t.app, ADMIN.email, password, { remoteAddress: ip, ...(cookie ? { headers: { cookie } } : {}) });

  it('limits failures per account and IP with 429 and Retry-After, then lets the user in after the window', async () => {
    const ip = '198.51.100.7';
    for (let i = 0; i < SIGN_IN_LIMITS.perAccountAndIp.max; i++) assert.equal((await attempt('wrong password!', ip)).statusCode, 401);
    const limited = await attempt(ADMIN.password, ip);
    assert.equal(limited.statusCode, 429);
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);
    assert.equal(limited.json().retryAfter > 0, true);
    assert.match(limited.json().detail, /Try again in/);
    assert.equal((await attempt(ADMIN.password, '198.51.100.8')).statusCode, 200, 'another IP is not affected');
    t.clock.advance(retryAfter * 1000 + 1000);
    assert.equal((await attempt(ADMIN.password, ip)).statusCode, 200);
  });

  it('limits failures per IP across accounts', async () => {
    t.clock.advance(2 * 3600_000);
    const ip = '203.0.113.9';
    const owner = await attempt(ADMIN.password, ip);
    const device = owner.cookies.find((c) => c.name === 'sb_device')!;
    for (let i = 0; i < SIGN_IN_LIMITS.perIp.max; i++) {
      const response = await signInRequest(t.app, `someone${i % 5}@test.local`, 'wrong password!', { remoteAddress: ip });
      assert.equal(response.statusCode, 401);
    }
    const limited = await signInRequest(t.app, 'someone-else@test.local', 'wrong password!', { remoteAddress: ip });
    assert.equal(limited.statusCode, 429);
    assert.equal((await attempt(ADMIN.password, ip)).statusCode, 429, 'the owner on a new browser shares the network limit');
    const known = await attempt(ADMIN.password, ip, `sb_device=${device.value}`);
    assert.equal(known.statusCode, 200, 'a browser that signed in before is limited only by its own failures');
  });

  it('evaluates at most 100 failures per account per hour, yet the owner on a known device still gets in', async () => {
    t.clock.advance(2 * 3600_000);
    const owner = await attempt(ADMIN.password, '192.0.2.1');
    assert.equal(owner.statusCode, 200);
    const device = owner.cookies.find((c) => c.name === 'sb_device')!;
    assert.ok(device.httpOnly);

    const perIp = SIGN_IN_LIMITS.perAccountAndIp.max / 2;
    for (let n = 0; n < SIGN_IN_LIMITS.perAccount.max; n++) {
      const ip = `10.9.${Math.floor(n / perIp)}.${1 + (n % 200)}`;
      assert.equal((await attempt('attacker guess!', ip)).statusCode, 401, `attempt ${n}`);
    }
    const refused = await attempt(ADMIN.password, '10.250.0.1');
    assert.equal(refused.statusCode, 429, 'even the right password is not evaluated from an unknown device');
    const [counts] = await queryRows<{ evaluated: number; refused: number }>(
      t.app.kernel.db,
      sql`SELECT count(*) FILTER (WHERE evaluated AND NOT succeeded)::int AS evaluated,
                 count(*) FILTER (WHERE NOT evaluated)::int AS refused
          FROM staff_sign_in_attempts WHERE email = ${ADMIN.email} AND created_at > ${new Date(t.clock.now().getTime() - 3600_000)}`,
    );
    assert.equal(counts!.evaluated, SIGN_IN_LIMITS.perAccount.max);
    assert.equal(counts!.refused, 1);

    const known = await attempt(ADMIN.password, '192.0.2.1', `sb_device=${device.value}`);
    assert.equal(known.statusCode, 200, 'the owner is not locked out');
  });

  it('counts concurrent failures strictly', async () => {
    t.clock.advance(2 * 3600_000);
    const ip = '198.51.100.77';
    const results = await Promise.all(Array.from({ length: SIGN_IN_LIMITS.perAccountAndIp.max + 5 }, () => attempt('wrong password!', ip)));
    const statuses = results.map((r) => r.statusCode);
    assert.equal(statuses.filter((s) => s === 401).length, SIGN_IN_LIMITS.perAccountAndIp.max);
    assert.equal(statuses.filter((s) => s === 429).length, 5);
  });

  it('counts the proxy-reported address only from a trusted proxy, and never lets a bogus one through as a 500', async () => {
    const proxied = await createTestApp({ env: { TRUST_PROXY: '127.0.0.1' } });
    try {
      const viaProxy = (forwarded: string, remoteAddress = '127.0.0.1') =>
        signInRequest(proxied.app, ADMIN.email, 'wrong password!', { remoteAddress, headers: { 'x-forwarded-for': forwarded } });
      assert.equal((await viaProxy('not-an-ip')).statusCode, 401);
      for (let i = 0; i < SIGN_IN_LIMITS.perAccountAndIp.max; i++) await viaProxy(`192.0.2.${100 + i}`, '198.51.100.200');
      const spoofed = await viaProxy('192.0.2.250', '198.51.100.200');
      assert.equal(spoofed.statusCode, 429, 'an untrusted sender cannot pick its address with X-Forwarded-For');
    } finally {
      await proxied.close();
    }
  });

  it('limits guesses of the current password from inside a session too', async () => {
    t.clock.advance(2 * 3600_000);
    const session = await signIn(t.app);
    let last = 0;
    for (let i = 0; i <= SIGN_IN_LIMITS.perAccountAndIp.max; i++) {
      last = (await session.post('/api/console/me/password', { currentPassword: `guess number ${i}`, newPassword: 'whatever new password' })).statusCode;
    }
    assert.equal(last, 429);
  });
});
