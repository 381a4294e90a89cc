import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeRole, makeStaff, TEST_PASSWORD } from './factories.ts';
import { actorOf, ADMIN, createTestApp, listen, type Session, signIn, type TestApp } from './helpers.ts';
import type { ApiRoute } from '../src/core/http/guard.ts';

/**
 * Walks EVERY registered /api route, so a new route is covered without editing this test: with no
 * session (401), with a session lacking the route's permission (403), with one holding only that
 * permission (allowed), and with every built-in role. Any unauthorised success, or any 5xx, fails.
 */
describe('permission matrix', () => {
  let t: TestApp;
  let base: string;
  let admin: Session;
  const password = TEST_PASSWORD;
  const holders = new Map<string, string>();
  let memberToken = '';

  before(async () => {
    t = await createTestApp();
    base = await listen(t.app);
    admin = await signIn(t.app);
    // The users are written by the administrator through the staff services, without a password hash each.
    const actor = await actorOf(admin);
    await makeStaff(t.app, { email: 'none@matrix.local', name: 'No Roles', actor });
    for (const permission of t.app.kernel.catalogue.permissions.keys()) {
      const email = `${permission.replace(/\W/g, '-')}@matrix.local`;
      const role = await makeRole(t.app, { name: `only ${permission}`, permissions: [permission], actor });
      await makeStaff(t.app, { email, name: email, roleIds: [role.id], actor });
      holders.set(permission, email);
    }
    const person = await admin.post('/api/console/people', { displayName: 'Matrix Member' });
    memberToken = (await admin.post(`/api/console/people/${person.json().id}/member-token`)).json().token;
    assert.ok(memberToken, 'a member token for the client routes');
  });
  after(() => t.close());

  // Signing in costs a password hash: each user signs in once, and again only after a route that may end its session.
  const cookies = new Map<string, string>();
  const endsSession = (route: ApiRoute) => route.url.startsWith('/api/console/session') || route.url.startsWith('/api/console/me/');

  async function cookieFor(email: string, secret = password): Promise<string> {
    const known = cookies.get(email);
    if (known) return known;
    const cookie = await signInCookie(email, secret);
    cookies.set(email, cookie);
    return cookie;
  }

  async function signInCookie(email: string, secret: string): Promise<string> {
    const response = await fetch(`${base}/api/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ email, password: secret }),
    });
    assert.equal(response.status, 200, `sign-in ${email}`);
    return response.headers
      .getSetCookie()
      .find((c) => c.startsWith('sb_session='))!
      .split(';')[0]!;
  }

  /** Calls a route with placeholder params and an empty body; reads only the status line. */
  async function call(route: ApiRoute, cookie?: string, bearer?: string): Promise<{ status: number; detail: string }> {
    const url = route.url.replace(/:(\w+)/g, '01900000-0000-7000-8000-000000000000');
    const controller = new AbortController();
    const response = await fetch(`${base}${url}`, {
      method: route.method,
      headers: {
        origin: base,
        ...(cookie ? { cookie } : {}),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
      },
      body: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
      signal: controller.signal,
    });
    let detail = '';
    if (response.headers.get('content-type')?.includes('json')) detail = ((await response.json()) as { detail?: string }).detail ?? '';
    controller.abort();
    if (cookie && endsSession(route)) for (const [email, known] of cookies) if (known === cookie) cookies.delete(email);
    return { status: response.status, detail };
  }

  const routes = () => t.app.apiRoutes.filter((r) => !r.public);
  const describeRoute = (r: ApiRoute) => `${r.method} ${r.url} (${r.permission ?? (r.member ? 'member' : 'signed in')})`;

  it('knows the routes it walks', () => {
    assert.ok(routes().length >= 15, `only ${routes().length} routes registered`);
    for (const route of t.app.apiRoutes) assert.ok(route.permission || route.signedIn || route.public || route.member, describeRoute(route));
  });

  // Public console routes answer without a session by design (signing in): each is named here, so that a new
  // one is a decision someone made, not a forgotten `config.public`.
  const PUBLIC_CONSOLE_ROUTES = [
    'GET /api/console/auth/oidc/callback',
    'GET /api/console/auth/oidc/start',
    'GET /api/console/auth/options',
    'POST /api/console/auth/firebase',
    'POST /api/console/session',
  ];

  it('knows every public console route, each answering without a session (never 401, never 5xx)', async () => {
    const publics = t.app.apiRoutes.filter((r) => r.public && r.url.startsWith('/api/console/'));
    assert.deepEqual(publics.map((r) => `${r.method} ${r.url}`).sort(), PUBLIC_CONSOLE_ROUTES);
    for (const route of publics) {
      const { status, detail } = await call(route);
      assert.ok(status !== 401 && status < 500, `${route.method} ${route.url}: ${status} ${detail}`);
    }
  });

  it('answers 401 to every non-public route without a session', async () => {
    for (const route of routes()) assert.equal((await call(route)).status, 401, describeRoute(route));
  });

  it('keeps the two kinds of sign-in apart: a staff session opens no member route, a member token no console route', async () => {
    const adminCookie = await cookieFor(ADMIN.email, ADMIN.password);
    for (const route of routes()) {
      const status = route.member ? (await call(route, adminCookie)).status : (await call(route, undefined, memberToken)).status;
      assert.equal(status, 401, describeRoute(route));
    }
  });

  it('answers 403 to a signed-in user lacking the permission', async () => {
    for (const route of routes().filter((r) => r.permission)) {
      const result = await call(route, await cookieFor('none@matrix.local'));
      assert.equal(result.status, 403, describeRoute(route));
    }
  });

  it('lets a user holding only that permission through (never 401/403, never 5xx)', async () => {
    for (const route of routes()) {
      const email = route.permission ? holders.get(route.permission)! : 'none@matrix.local';
      const result = route.member ? await call(route, undefined, memberToken) : await call(route, await cookieFor(email));
      assert.ok(result.status !== 401 && !(result.status === 403 && result.detail.startsWith('You need')), `${describeRoute(route)}: ${result.status}`);
      assert.ok(result.status < 500, `${describeRoute(route)}: ${result.status} ${result.detail}`);
    }
  });

  it('gives every built-in role exactly its permissions', async () => {
    const roles = (await admin.get('/api/console/roles')).json() as Array<{ id: string; name: string; builtin: boolean; permissions: string[] }>;
    for (const role of roles.filter((r) => r.builtin)) {
      const email = `builtin-${role.id}@matrix.local`;
      await makeStaff(t.app, { email, name: role.name, roleIds: [role.id], actor: await actorOf(admin) });
      for (const route of routes().filter((r) => r.permission)) {
        const result = await call(route, await cookieFor(email));
        const allowed = role.permissions.includes(route.permission!);
        if (allowed) assert.ok(result.status !== 403 && result.status !== 401 && result.status < 500, `${role.name}: ${describeRoute(route)}`);
        else assert.equal(result.status, 403, `${role.name}: ${describeRoute(route)}`);
      }
    }
    assert.ok(roles.some((r) => r.builtin && r.name === 'Administrator'));
  });
});
