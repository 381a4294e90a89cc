import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';
import { createTestApp, type Session, signIn, type TestApp } from '../../../test/helpers.ts';
import { kernelModules } from '../../modules/index.ts';
import { defineModule } from '../module.ts';
import { registerGuard } from './guard.ts';
import { parseConfig, ConfigError } from '../config.ts';

const logLines: string[] = [];
const crashing = defineModule({
  name: 'crashy',
  permissions: [{ key: 'crashy.use', description: 'Test only.' }],
  routes: async (app) => {
    app.get('/console/crash', { config: { permission: 'crashy.use' }, schema: {} }, async () => {
      throw new Error('secret internal detail: connection string postgres://u:p@db');
    });
  },
});

describe('HTTP conventions', () => {
  let t: TestApp;
  let admin: Session;
  before(async () => {
    t = await createTestApp({
      modules: [...kernelModules, crashing],
      env: { BODY_LIMIT_BYTES: '2048' },
      logger: {
        level: 'error',
        stream: new Writable({
          write(chunk, _enc, done) {
            logLines.push(String(chunk));
            done();
          },
        }),
      } as never,
    });
    admin = await signIn(t.app);
  });
  after(() => t.close());

  it('answers a Host header that is no host with a 400 problem, not a 500, where the console origin is taken from it', async () => {
    for (const host of ['bad host', '[::1', 'x:99999']) {
      const response = await admin.request({ method: 'DELETE', url: '/api/console/session', headers: { host } });
      assert.equal(response.statusCode, 400, `${host}: ${response.body}`);
      assert.match(response.headers['content-type'] as string, /^application\/problem\+json/);
      assert.equal(response.json().detail, 'The Host header is not a valid host.');
    }
    // A well-formed foreign host is still a cross-origin request.
    assert.equal((await admin.request({ method: 'DELETE', url: '/api/console/session', headers: { host: 'evil.example' } })).statusCode, 403);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await admin.get('/api/console/nothing-here');
    assert.equal(response.statusCode, 404);
    assert.match(response.headers['content-type'] as string, /^application\/problem\+json/);
    assert.equal(response.json().status, 404);
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const response = await admin.request({ method: 'PUT', url: '/api/console/roles' });
    assert.equal(response.statusCode, 405);
    assert.equal(response.headers.allow, 'GET, POST');
    assert.match(response.headers['content-type'] as string, /^application\/problem\+json/);
  });

  it('answers an oversized body with 413', async () => {
    const response = await admin.post('/api/console/roles', { name: 'x'.repeat(5000), permissions: [] });
    assert.equal(response.statusCode, 413);
    assert.match(response.headers['content-type'] as string, /^application\/problem\+json/);
  });

  it('names the offending field of a bad body, query or params', async () => {
    const body = await admin.post('/api/console/staff', { email: 'not-an-email', name: 'A', password: 'long enough password' });
    assert.equal(body.statusCode, 400);
    assert.equal(body.json().errors[0].field, 'body.email');
    assert.match(body.json().detail, /body\.email/);
    const missing = await admin.post('/api/console/roles', { permissions: [] });
    assert.equal(missing.json().errors[0].field, 'body.name');
    const query = await admin.get('/api/console/staff?limit=5000');
    assert.equal(query.json().errors[0].field, 'query.limit');
    const params = await admin.get('/api/console/staff/not-a-uuid');
    assert.equal(params.json().errors[0].field, 'params.id');
    const json = await admin.request({
      method: 'POST',
      url: '/api/console/roles',
      payload: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(json.statusCode, 400);
  });

  it('answers an unexpected error with a 500 problem that hides internals, and logs it with the request id', async () => {
    const response = await admin.get('/api/console/crash');
    assert.equal(response.statusCode, 500);
    assert.doesNotMatch(response.body, /secret|postgres:\/\//);
    const { detail } = response.json();
    const reference = /Reference: (\S+)$/.exec(detail)?.[1];
    assert.ok(reference);
    assert.ok(logLines.some((line) => line.includes(reference) && line.includes('secret internal detail')));
  });

  it('serves the OpenAPI document with every route and its permission', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(response.statusCode, 200);
    const doc = response.json();
    assert.equal(doc.openapi, '3.1.0');
    assert.match(doc.paths['/api/console/staff'].get.description, /staff\.manage_users/);
    assert.deepEqual(doc.paths['/api/console/staff'].get.security, [{ session: [] }]);
    assert.equal(doc.paths['/api/console/session'].post.security, undefined);
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(docs.statusCode, 200);
  });
});

describe('route declarations', () => {
  it('refuses to register an /api route without an access declaration or schema', async () => {
    const app = Fastify();
    registerGuard(app, {
      authenticator: { authenticate: async () => null },
      now: () => new Date(),
      publicUrl: undefined,
      memberAuthenticator: () => undefined,
    });
    assert.throws(() => app.get('/api/console/open', { schema: {} }, async () => 'x'), /must declare exactly one of/);
    assert.throws(() => app.get('/api/console/nos', { config: { permission: 'a.b' } }, async () => 'x'), /must declare its schema/);
    assert.throws(() => app.get('/api/console/mine', { config: { member: true }, schema: {} }, async () => 'x'), /member routes live under \/api\/client\//);
    assert.throws(() => app.get('/api/client/staffish', { config: { signedIn: true }, schema: {} }, async () => 'x'), /are for members/);
    assert.throws(() => app.get('/api/console/p/:id', { config: { permission: 'a.b' }, schema: {} }, async () => 'x'), /schema.params/);
    assert.throws(
      () => app.get('/api/console/both', { config: { permission: 'a.b', public: true }, schema: { params: Type.Object({}) } }, async () => 'x'),
      /exactly one/,
    );
    await app.close();
  });
});

describe('configuration', () => {
  it('names each bad variable', () => {
    assert.throws(
      () => parseConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', SEED_DEMO: 'maybe' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /PORT/);
        assert.match(error.message, /DATABASE_URL/);
        assert.match(error.message, /SEED_DEMO/);
        return true;
      },
    );
    assert.throws(() => parseConfig({ PORT: '70000' }), /PORT/);
    assert.throws(() => parseConfig({ ADMIN_EMAIL: 'nope' }), /ADMIN_EMAIL/);
  });

  it('needs PUBLIC_URL for staff OpenID Connect sign-in: the redirect URI is never built from the Host header', () => {
    const oidc = { STAFF_OIDC_ISSUER: 'https://idp.example.com', STAFF_OIDC_CLIENT_ID: 'console' };
    assert.throws(
      () => parseConfig(oidc),
      (error: unknown) => error instanceof ConfigError && /PUBLIC_URL: is required with STAFF_OIDC_ISSUER/.test(error.message),
    );
    assert.equal(parseConfig({ ...oidc, PUBLIC_URL: 'https://crm.example.com/' }).staffSso.oidc?.issuer, 'https://idp.example.com');
    assert.equal(parseConfig({ STAFF_FIREBASE_PROJECT_ID: 'staff-project' }).publicUrl, undefined, 'Firebase sign-in has no redirect URI');
  });

  it('has the documented defaults', () => {
    const config = parseConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.seedDemo, true);
    assert.equal(config.sessionIdleSeconds, 7 * 24 * 3600);
    assert.equal(config.sessionAbsoluteSeconds, 30 * 24 * 3600);
    assert.match(config.dataDir, /data$/);
    assert.equal(parseConfig({ SEED_DEMO: 'false' }).seedDemo, false);
    assert.deepEqual(parseConfig({ MODULES: 'staff, events' }).modules, ['staff', 'events']);
    assert.equal(parseConfig({}).trustProxy, false);
    assert.equal(parseConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.deepEqual(parseConfig({ TRUST_PROXY: '10.0.0.1, 10.1.0.0/16' }).trustProxy, ['10.0.0.1', '10.1.0.0/16']);
    assert.throws(() => parseConfig({ TRUST_PROXY: 'everyone' }), /TRUST_PROXY/);
    assert.equal(parseConfig({ DATA_DIR: 'memory://' }).dataDir, 'memory://');
  });
});
