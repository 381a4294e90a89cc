import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { makeStaff } from '../../../test/factories.ts';
import { ADMIN, createTestApp, ORIGIN, Session, signIn, signInRequest, type TestApp } from '../../../test/helpers.ts';
import { authorizeAtProvider, listenOidcProvider, type TestOidcProvider } from '../../../test/oidc-provider.ts';
import { uuidv7 } from 'uuidv7';
import { isUniqueViolation } from '../../core/db/sql.ts';
import { staffIdentities, staffSsoStates } from './schema.ts';
import { MAX_PENDING_SSO_STATES, SSO_STATE_TTL_MS } from './sso.ts';

/** What the tests' app builds its redirect URI from: the injected requests' origin. */
const CALLBACK = `${new URL(ORIGIN).origin}/api/console/auth/oidc/callback`;
const CLIENT = { client_id: 'switchboard-console', client_secret: 'console-secret-1', redirect_uris: [CALLBACK] };
const OTHER_CLIENT = { client_id: 'someone-elses-app', client_secret: 'other-secret-2', redirect_uris: [CALLBACK] };

const ACCOUNTS = {
  vera: { email: 'Vera@Corp.test', email_verified: true, name: 'Vera Provider' },
  unverified: { email: 'uv@corp.test', email_verified: false },
  noemail: {},
  stranger: { email: 'nobody@corp.test', email_verified: true },
  newbie: { email: 'newbie@allowed.test', email_verified: true, name: 'New Person' },
  dora: { email: 'dora@corp.test', email_verified: true },
  impostor: { email: 'vera@corp.test', email_verified: true },
};

const cookieOf = (response: LightMyRequestResponse, name: string) => {
  const cookie = response.cookies.find((c) => c.name === name);
  return cookie ? `${name}=${cookie.value}` : undefined;
};

describe('staff sign-in with an OpenID Connect provider', () => {
  let t: TestApp;
  let op: TestOidcProvider;
  let admin: Session;

  /** Starts a sign-in as a browser would: our redirect to the provider, and the cookie that binds it to this browser. */
  async function start(returnTo = '/staff') {
    const response = await t.app.inject({ method: 'GET', url: `/api/console/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}` });
    assert.equal(response.statusCode, 302, response.body);
    const browser = cookieOf(response, 'sb_sso');
    assert.ok(browser, 'a browser-binding cookie');
    return { url: new URL(response.headers.location as string), browser };
  }

  /** The provider's redirect back to us, in a browser with `cookie`. */
  const callback = (url: string, cookie?: string) =>
    t.app.inject({ method: 'GET', url: url.slice(new URL(url).origin.length), headers: cookie ? { cookie } : {} });

  async function signInAs(login: string, returnTo?: string) {
    const { url, browser } = await start(returnTo);
    const back = await authorizeAtProvider(url.href, login, CALLBACK);
    return { response: await callback(back, browser), back, browser };
  }

  const failure = (response: LightMyRequestResponse) => {
    assert.equal(response.statusCode, 302);
    assert.equal(cookieOf(response, 'sb_session'), undefined, 'no session');
    return new URL(response.headers.location as string, ORIGIN).searchParams.get('sso_error');
  };

  const events = async (type: string) => (await admin.get(`/api/console/events?type=${type}&limit=100`)).json().items as Array<Record<string, unknown>>;

  before(async () => {
    op = await listenOidcProvider();
    op.configure([CLIENT, OTHER_CLIENT], ACCOUNTS);
    t = await createTestApp({
      env: {
        STAFF_OIDC_ISSUER: op.issuer,
        PUBLIC_URL: new URL(ORIGIN).origin,
        STAFF_OIDC_CLIENT_ID: CLIENT.client_id,
        STAFF_OIDC_CLIENT_SECRET: CLIENT.client_secret,
        STAFF_OIDC_NAME: 'Corp SSO',
        STAFF_SSO_ALLOWED_DOMAINS: 'allowed.test',
      },
    });
    admin = await signIn(t.app);
    for (const email of ['vera@corp.test', 'uv@corp.test', 'dora@corp.test']) await makeStaff(t.app, { email, name: email });
  });
  after(async () => {
    await t?.close();
    await op?.close();
  });

  it('tells the sign-in page what it offers', async () => {
    const options = await t.app.inject({ method: 'GET', url: '/api/console/auth/options' });
    assert.equal(options.statusCode, 200);
    assert.deepEqual(options.json(), { passwordSignIn: true, oidc: { name: 'Corp SSO' }, firebase: null });
  });

  it('signs a pre-created user in through the code flow with PKCE, links them by verified email, and reuses the link', async () => {
    const { url, browser } = await start('/staff?selected=1');
    assert.equal(url.origin, op.issuer);
    assert.equal(url.searchParams.get('client_id'), CLIENT.client_id);
    assert.equal(url.searchParams.get('redirect_uri'), CALLBACK);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('code_challenge') ?? '', /^[\w-]{43}$/);
    for (const p of ['state', 'nonce']) assert.ok((url.searchParams.get(p) ?? '').length >= 32, p);

    const back = await authorizeAtProvider(url.href, 'vera', CALLBACK);
    const response = await callback(back, browser);
    assert.equal(response.statusCode, 302, response.body);
    assert.equal(response.headers.location, '/staff?selected=1');
    const session = new Session(t.app, cookieOf(response, 'sb_session')!);
    const me = (await session.get('/api/console/me')).json();
    assert.equal(me.email, 'vera@corp.test');
    assert.deepEqual(me.roles, [], 'roles stay those Switchboard gave');

    const [linked] = await events('staff.sso_linked');
    assert.equal(linked!.subjectId, me.id);
    assert.deepEqual(
      { provider: (linked!.payload as Record<string, unknown>).provider, issuer: (linked!.payload as Record<string, unknown>).issuer },
      { provider: 'oidc', issuer: op.issuer },
    );
    const [signedIn] = await events('staff.signed_in');
    assert.equal((signedIn!.payload as { method: string }).method, 'oidc');

    const again = await signInAs('vera');
    assert.equal(again.response.statusCode, 302);
    assert.ok(cookieOf(again.response, 'sb_session'));
    assert.equal((await events('staff.sso_linked')).length, 1, 'linked once');
    const identities = (await admin.get(`/api/console/staff/${me.id}/identities`)).json();
    assert.equal(identities.length, 1);
    assert.equal(identities[0].email, 'vera@corp.test');
  });

  it('refuses a replayed state', async () => {
    const { response, back, browser } = await signInAs('vera');
    assert.ok(cookieOf(response, 'sb_session'));
    assert.equal(failure(await callback(back, browser)), 'state');
  });

  it('refuses a state started in another browser, and still lets the browser that started it finish', async () => {
    const { url, browser } = await start();
    const back = await authorizeAtProvider(url.href, 'vera', CALLBACK);
    const other = await start();
    assert.equal(failure(await callback(back, other.browser)), 'browser');
    assert.equal(failure(await callback(back)), 'browser');
    assert.ok(cookieOf(await callback(back, browser), 'sb_session'));
  });

  it('refuses an unknown or expired state', async () => {
    const { url, browser } = await start();
    const back = await authorizeAtProvider(url.href, 'vera', CALLBACK);
    const forged = new URL(back);
    forged.searchParams.set('state', 'made-up-state-value-of-a-good-length');
    assert.equal(failure(await callback(forged.href, browser)), 'state');
    t.clock.advance(SSO_STATE_TTL_MS + 1000);
    try {
      assert.equal(failure(await callback(back, browser)), 'state');
    } finally {
      t.clock.advance(-(SSO_STATE_TTL_MS + 1000));
    }
  });

  it('refuses new sign-ins while too many are in flight, and takes them again once those expire', async () => {
    const now = t.clock.now();
    const abandoned = Array.from({ length: MAX_PENDING_SSO_STATES }, (_, i) => ({
      stateHash: `abandoned-${i}`,
      browserHash: `browser-${i}`,
      nonce: 'n',
      codeVerifier: 'v',
      returnTo: '/',
      createdAt: now,
      expiresAt: new Date(now.getTime() + SSO_STATE_TTL_MS),
    }));
    for (let i = 0; i < abandoned.length; i += 1000) await t.app.kernel.db.insert(staffSsoStates).values(abandoned.slice(i, i + 1000));
    const refused = await t.app.inject({ method: 'GET', url: '/api/console/auth/oidc/start' });
    assert.equal(failure(refused), 'busy');
    assert.equal(cookieOf(refused, 'sb_sso'), undefined, 'no browser binding for a refused start');
    t.clock.advance(SSO_STATE_TTL_MS + 1000);
    try {
      await start();
    } finally {
      t.clock.advance(-(SSO_STATE_TTL_MS + 1000));
    }
  });

  it('refuses an ID token for another audience, from another issuer, or with another nonce', async () => {
    const tampering: Record<string, (c: Record<string, unknown>) => Record<string, unknown>> = {
      audience: (c) => ({ ...c, aud: 'someone-elses-app' }),
      issuer: (c) => ({ ...c, iss: 'https://evil.example' }),
      nonce: (c) => ({ ...c, nonce: 'not-the-nonce' }),
    };
    for (const [what, tamper] of Object.entries(tampering)) {
      op.tamperIdToken(tamper);
      try {
        assert.equal(failure((await signInAs('vera')).response), 'provider', what);
      } finally {
        op.tamperIdToken(undefined);
      }
    }
  });

  it("refuses a code the provider issued to another client, even with this browser's own state", async () => {
    const { url, browser } = await start();
    const foreign = new URL(url);
    foreign.searchParams.set('client_id', OTHER_CLIENT.client_id);
    const back = await authorizeAtProvider(foreign.href, 'vera', CALLBACK);
    assert.ok(new URL(back).searchParams.get('code'), 'the other client got a code');
    assert.equal(failure(await callback(back, browser)), 'provider');
  });

  it('refuses when the user cancels at the provider', async () => {
    const { url, browser } = await start();
    const back = new URL(CALLBACK);
    back.searchParams.set('error', 'access_denied');
    back.searchParams.set('state', url.searchParams.get('state')!);
    back.searchParams.set('iss', op.issuer);
    assert.equal(failure(await callback(back.href, browser)), 'provider');
  });

  it('refuses an unverified or missing email, and a verified email no staff user has outside the allowed domains', async () => {
    assert.equal(failure((await signInAs('unverified')).response), 'email_unverified');
    assert.equal(failure((await signInAs('noemail')).response), 'email_unverified');
    assert.equal(failure((await signInAs('stranger')).response), 'unknown_user');
    const nobody = (await admin.get('/api/console/staff?q=nobody')).json();
    assert.equal(nobody.items.length, 0, 'no account was made');
  });

  it('creates a user of an allowed domain without roles on first sign-in', async () => {
    const { response } = await signInAs('newbie');
    const session = new Session(t.app, cookieOf(response, 'sb_session')!);
    const me = (await session.get('/api/console/me')).json();
    assert.equal(me.email, 'newbie@allowed.test');
    assert.equal(me.name, 'New Person');
    assert.deepEqual([me.roles, me.permissions, me.nav], [[], [], []]);
    assert.equal((await session.get('/api/console/staff')).statusCode, 403, 'nothing until an administrator gives roles');
    const [created] = await events('staff.user_created');
    assert.deepEqual([created!.subjectId, created!.actorType, created!.actorId], [me.id, 'system', 'staff-sso']);
    // Their password is unusable.
    assert.equal((await signInRequest(t.app, 'newbie@allowed.test', 'anything at all 1')).statusCode, 401);
  });

  it('never lets a disabled user in, linked or not', async () => {
    const dora = (await admin.get('/api/console/staff?q=dora')).json().items[0];
    await admin.patch(`/api/console/staff/${dora.id}`, { status: 'disabled' });
    assert.equal(failure((await signInAs('dora')).response), 'account_disabled');
    await admin.patch(`/api/console/staff/${dora.id}`, { status: 'active' });
    assert.ok(cookieOf((await signInAs('dora')).response, 'sb_session'), 'linked once enabled');
    await admin.patch(`/api/console/staff/${dora.id}`, { status: 'disabled' });
    assert.equal(failure((await signInAs('dora')).response), 'account_disabled', 'a linked identity does not get past it either');
  });

  it("refuses a second provider account with a linked user's email, until an administrator unlinks the first", async () => {
    assert.equal(failure((await signInAs('impostor')).response), 'linked_elsewhere');
    const vera = (await admin.get('/api/console/staff?q=vera')).json().items[0];
    const [identity] = (await admin.get(`/api/console/staff/${vera.id}/identities`)).json();
    assert.equal((await admin.delete(`/api/console/identities/${identity.id}`)).statusCode, 204);
    assert.equal((await admin.get(`/api/console/staff/${vera.id}/identities`)).json().length, 0);
    assert.equal((await events('staff.sso_unlinked')).length, 1);
    assert.ok(cookieOf((await signInAs('impostor')).response, 'sb_session'), 'links the new one');
  });

  it('builds the redirect URI from PUBLIC_URL, whatever Host header the request has', async () => {
    for (const host of ['evil.example', 'bad host', '[::1']) {
      const response = await t.app.inject({ method: 'GET', url: '/api/console/auth/oidc/start', headers: { host } });
      assert.equal(response.statusCode, 302, `${host}: ${response.body}`);
      assert.equal(new URL(response.headers.location as string).searchParams.get('redirect_uri'), CALLBACK, host);
    }
  });

  it('lands only on a page of this console', async () => {
    for (const returnTo of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/api/console/me']) {
      const { response } = await signInAs('impostor', returnTo);
      assert.ok(cookieOf(response, 'sb_session'));
      assert.equal(response.headers.location, '/', returnTo);
    }
  });
});

describe('staff sign-in with password sign-in turned off', () => {
  let t: TestApp;
  let op: TestOidcProvider;
  before(async () => {
    op = await listenOidcProvider();
    op.configure([CLIENT], ACCOUNTS);
    t = await createTestApp({
      env: {
        STAFF_OIDC_ISSUER: op.issuer,
        PUBLIC_URL: new URL(ORIGIN).origin,
        STAFF_OIDC_CLIENT_ID: CLIENT.client_id,
        STAFF_OIDC_CLIENT_SECRET: CLIENT.client_secret,
        STAFF_PASSWORD_SIGN_IN: 'false',
      },
    });
  });
  after(async () => {
    await t?.close();
    await op?.close();
  });

  it('refuses passwords with a clear 403, and says so to the sign-in page', async () => {
    const response = await signInRequest(t.app, ADMIN.email, ADMIN.password);
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'password_sign_in_off');
    assert.match(response.json().detail, /Password sign-in is turned off/);
    const options = (await t.app.inject({ method: 'GET', url: '/api/console/auth/options' })).json();
    assert.deepEqual(options, { passwordSignIn: false, oidc: { name: '127.0.0.1' }, firebase: null });
  });

  it('still signs the administrator in through the provider, by their email', async () => {
    op.setAccount('the-admin', { email: ADMIN.email, email_verified: true });
    const start = await t.app.inject({ method: 'GET', url: '/api/console/auth/oidc/start' });
    const back = await authorizeAtProvider(start.headers.location as string, 'the-admin', CALLBACK);
    const response = await t.app.inject({ method: 'GET', url: back.slice(new URL(back).origin.length), headers: { cookie: cookieOf(start, 'sb_sso')! } });
    assert.equal(response.headers.location, '/');
    const me = (await new Session(t.app, cookieOf(response, 'sb_session')!).get('/api/console/me')).json();
    assert.equal(me.email, ADMIN.email);
    assert.ok(me.permissions.includes('staff.manage_roles'));
  });
});

describe('staff sign-in with a Firebase ID token', () => {
  const PROJECT = 'switchboard-staff';
  const ISSUER = `https://securetoken.google.com/${PROJECT}`;
  let t: TestApp;
  let admin: Session;
  let keys: Server;
  let googleKey: Awaited<ReturnType<typeof generateKeyPair>>;
  let otherKey: Awaited<ReturnType<typeof generateKeyPair>>;

  const now = () => Math.floor(t.clock.now().getTime() / 1000);
  /** A token the way Firebase signs one; override any claim to break it. */
  const token = (claims: Record<string, unknown> = {}, key = googleKey.privateKey) =>
    new SignJWT({ email: 'fiona@corp.test', email_verified: true, name: 'Fiona', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'google-1', typ: 'JWT' })
      .setIssuer((claims.iss as string) ?? ISSUER)
      .setAudience((claims.aud as string) ?? PROJECT)
      .setSubject((claims.sub as string) ?? 'firebase-uid-fiona')
      .setIssuedAt(now() - 10)
      .setExpirationTime((claims.exp as number) ?? now() + 600)
      .sign(key);

  const post = (idToken: string, headers: Record<string, string> = { origin: ORIGIN }) =>
    t.app.inject({ method: 'POST', url: '/api/console/auth/firebase', payload: { idToken }, headers });

  before(async () => {
    googleKey = await generateKeyPair('RS256', { extractable: true });
    otherKey = await generateKeyPair('RS256', { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(googleKey.publicKey)), kid: 'google-1', alg: 'RS256', use: 'sig' }] };
    keys = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
    await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
    t = await createTestApp({
      env: {
        STAFF_FIREBASE_PROJECT_ID: PROJECT,
        STAFF_FIREBASE_SIGN_IN_URL: 'https://staff-sign-in.example.com/',
        FIREBASE_JWKS_URL: `http://127.0.0.1:${(keys.address() as AddressInfo).port}/jwks`,
      },
    });
    admin = await signIn(t.app);
    await makeStaff(t.app, { email: 'fiona@corp.test', name: 'Fiona Staff' });
    await makeStaff(t.app, { email: 'off@corp.test', name: 'Off Staff' });
  });
  after(async () => {
    await t?.close();
    await new Promise<void>((resolve) => {
      keys?.close(() => resolve());
      keys?.closeAllConnections();
    });
  });

  it('is offered with the sign-in page it names', async () => {
    const options = (await t.app.inject({ method: 'GET', url: '/api/console/auth/options' })).json();
    assert.deepEqual(options.firebase, { signInUrl: 'https://staff-sign-in.example.com/' });
    assert.equal(options.oidc, null);
  });

  it('signs a pre-created user in with our own session, linking the Firebase uid by verified email', async () => {
    const response = await post(await token());
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().email, 'fiona@corp.test');
    const session = new Session(t.app, cookieOf(response, 'sb_session')!);
    assert.equal((await session.get('/api/console/me')).json().email, 'fiona@corp.test');
    const linked = (await admin.get('/api/console/events?type=staff.sso_linked')).json().items;
    assert.equal(linked.length, 1);
    assert.equal(linked[0].payload.provider, 'firebase');
    assert.equal(linked[0].payload.issuer, ISSUER);
    // Later tokens of the same uid need no email check: the link holds.
    assert.equal((await post(await token({ email: 'changed@elsewhere.test', email_verified: false }))).statusCode, 200);
  });

  it('refuses a wrong audience, a wrong issuer, an expired token, a foreign key, an unverified email and an unknown user', async () => {
    const cases: Array<[string, string, number, string]> = [
      ['wrong aud', await token({ aud: 'another-project', sub: 'uid-2' }), 401, 'sso_provider'],
      ['wrong iss', await token({ iss: 'https://securetoken.google.com/another-project', sub: 'uid-2' }), 401, 'sso_provider'],
      ['expired', await token({ exp: now() - 3600, sub: 'uid-2' }), 401, 'sso_provider'],
      ['foreign key', await token({ sub: 'uid-2' }, otherKey.privateKey), 401, 'sso_provider'],
      ['not a JWT', 'not-a-token', 401, 'sso_provider'],
      ['unverified email', await token({ sub: 'uid-3', email: 'off@corp.test', email_verified: false }), 403, 'sso_email_unverified'],
      ['unknown user', await token({ sub: 'uid-4', email: 'nobody@corp.test' }), 403, 'sso_unknown_user'],
    ];
    for (const [what, idToken, status, code] of cases) {
      const response = await post(idToken);
      assert.equal(response.statusCode, status, `${what}: ${response.body}`);
      assert.equal(response.json().code, code, what);
      assert.ok(response.json().detail, what);
      assert.equal(cookieOf(response, 'sb_session'), undefined, what);
    }
  });

  it('refuses a disabled user, and a request from another origin', async () => {
    const off = (await admin.get('/api/console/staff?q=off')).json().items[0];
    await admin.patch(`/api/console/staff/${off.id}`, { status: 'disabled' });
    const refused = await post(await token({ sub: 'uid-off', email: 'off@corp.test' }));
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'account_disabled');
    assert.equal((await post(await token(), { origin: 'https://evil.example' })).statusCode, 403);
  });

  it('links only one of several accounts at the provider that sign in at once with the same email; the others are refused', async () => {
    // On PGlite (one connection) these run one after another; on PostgreSQL (TEST_DB=postgres) they race.
    const { user } = await makeStaff(t.app, { email: 'twin@corp.test', name: 'Twin Staff' });
    const subjects = ['uid-twin-a', 'uid-twin-b', 'uid-twin-c', 'uid-twin-d'];
    const tokens = await Promise.all(subjects.map((sub) => token({ sub, email: 'twin@corp.test' })));
    const responses = await Promise.all(tokens.map((idToken) => post(idToken)));
    const outcomes = responses.map((r) => (r.statusCode === 200 ? 'signed in' : `${r.statusCode} ${r.json().code}`)).sort();
    assert.deepEqual(outcomes, [...Array(subjects.length - 1).fill('409 sso_linked_elsewhere'), 'signed in'], responses.map((r) => r.body).join('\n'));
    const identities = (await admin.get(`/api/console/staff/${user.id}/identities`)).json();
    assert.equal(identities.length, 1, 'one identity linked');
    // The one that was linked keeps signing in; the others stay refused.
    const winner = responses.findIndex((r) => r.statusCode === 200);
    for (const [i, idToken] of tokens.entries()) {
      const again = await post(idToken);
      assert.equal(i === winner ? again.statusCode : again.json().code, i === winner ? 200 : 'sso_linked_elsewhere');
    }
  });

  it('keeps a second identity of one provider off a staff account in the database itself, whatever the timing', async () => {
    const { user } = await makeStaff(t.app, { email: 'solo@corp.test', name: 'Solo Staff' });
    const row = (subject: string) => ({
      id: uuidv7(),
      staffId: user.id,
      provider: 'firebase' as const,
      issuer: ISSUER,
      subject,
      email: 'solo@corp.test',
      createdAt: t.clock.now(),
      lastUsedAt: t.clock.now(),
    });
    await t.app.kernel.db.insert(staffIdentities).values(row('uid-solo-a'));
    await assert.rejects(t.app.kernel.db.insert(staffIdentities).values(row('uid-solo-b')), (error) =>
      isUniqueViolation(error, 'staff_identities_staff_issuer_key'),
    );
    // Another provider's identity of the same account is fine.
    await t.app.kernel.db.insert(staffIdentities).values({ ...row('oidc-solo'), provider: 'oidc', issuer: 'https://idp.example.com' });
  });

  it('is not there when OpenID Connect is not set up', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/console/auth/oidc/start' });
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, '/sign-in?sso_error=not_found');
  });
});
