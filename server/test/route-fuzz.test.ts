import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { createTestApp, ORIGIN, multipart, newMember, signIn, staffWith, type Session, type TestApp } from './helpers.ts';
import { appleAuthority, BUNDLE_ID } from './fake-apple.ts';
import { startFakePlay, type FakePlay } from './fake-play.ts';
import { cases, operations, type FuzzCase, type Operation } from './fuzz.ts';

/**
 * Every route of the OpenAPI document, as an administrator and as a narrow role (client routes as a
 * member): empty bodies, unknown fields, wrong types, boundary numbers, overlong and odd strings, on
 * records that exist. No answer may be a 5xx, and every 4xx says what is wrong. FUZZ_CASES sets the
 * number of requests per route and caller (default 100; FUZZ_SEED replays a run).
 */
const PER_ROUTE = Number(process.env.FUZZ_CASES ?? 100);
const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
/** Long-lived streams, and signing out (which has no input to fuzz and would end the caller's session). */
const SKIPPED = new Set(['GET /api/console/stream', 'GET /api/client/ws', 'DELETE /api/console/session']);

describe('route fuzz: no input reaches a 5xx', () => {
  // The stores are set up (against local servers speaking their protocols), so their verification is fuzzed too.
  const ctx = {} as { t: TestApp; admin: Session };
  let play: FakePlay;
  let narrow: Session;
  let member: Awaited<ReturnType<typeof newMember>>;
  /** Ids of the callers themselves, kept out of the pools so that the run does not disable, erase or demote them. */
  const protectedIds = new Set<string>();
  const harvested = new Map<string, string[]>();
  let allIds: string[] = [];
  let ops: Operation[] = [];

  const keyed = (url: string, payload: object) => ctx.admin.request({ method: 'POST', url, payload, headers: { 'idempotency-key': randomUUID() } });

  before(async () => {
    const apple = await appleAuthority();
    play = await startFakePlay();
    ctx.t = await createTestApp({
      env: {
        APPLE_BUNDLE_ID: BUNDLE_ID,
        APPLE_ENVIRONMENT: 'Sandbox',
        APPLE_ROOT_CERTIFICATES: apple.rootPath,
        GOOGLE_PLAY_PACKAGE_NAME: 'com.example.fuzz',
        GOOGLE_PLAY_SERVICE_ACCOUNT_KEY: play.serviceAccountKey,
        GOOGLE_PLAY_API_URL: play.url,
      },
    });
    ctx.admin = await signIn(ctx.t.app);
    const { admin, t } = ctx;
    // Records of every module, so that routes on an existing record are reached.
    member = await newMember(t, admin, 'Fuzz Member');
    const person = (await admin.post('/api/console/people', { displayName: 'Fuzz Person', tags: ['fuzz'] })).json().id;
    const organization = (await admin.post('/api/console/organizations', { name: 'Fuzz Broker', kind: 'broker' })).json().id;
    await admin.post(`/api/console/organizations/${organization}/members`, { personId: person, role: 'owner' });
    await admin.post(`/api/console/people/${person}/notes`, { body: 'fuzz note' });
    const agency = (await admin.post('/api/console/creators/agencies', { name: 'Fuzz Agency' })).json().id;
    const streamer = await newMember(t, admin, 'Fuzz Streamer');
    await admin.post('/api/console/creators/streamers', { personId: streamer.id, agencyId: agency });
    await member.call('POST', '/api/client/creators/sign-up', { platform: 'ios' });
    const gift = (await admin.post('/api/console/creators/gifts', { name: 'Fuzz Rose', price: 10, streamerShareBp: 5000, agencyShareBp: 1000 })).json();
    await admin.post('/api/console/creators/penalty-rules', {
      reason: 'spam',
      targetRole: 'streamer',
      blockerRole: 'anyone',
      threshold: 3,
      windowDays: 7,
      action: 'suspend_streamer',
    });
    await admin.post('/api/console/creators/store/products', { productId: 'coins.fuzz', name: 'Fuzz pack', coins: 100, prices: {} }).catch(() => undefined);
    await keyed('/api/console/ledger/adjustments', {
      ownerType: 'person',
      ownerId: member.id,
      kind: 'wallet',
      currency: 'COIN',
      amount: 1000,
      reason: 'fuzz coins',
    });
    await member.call('POST', '/api/client/creators/gifts/send', { giftId: gift.id, receiverId: streamer.id }, { 'idempotency-key': randomUUID() });
    await keyed('/api/console/payouts', { ownerType: 'person', ownerId: streamer.id, currency: 'COIN' });
    await member.call('POST', '/api/client/creators/favorites', { personId: streamer.id });
    const photo = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#36c' } })
      .jpeg()
      .toBuffer();
    const upload = multipart(photo);
    await member.call('POST', '/api/client/files?kind=photo', upload.payload, upload.headers);
    await t.app.inject({
      method: 'POST',
      url: `/api/console/people/${person}/files?kind=document`,
      headers: { origin: ORIGIN, cookie: admin.cookie, ...upload.headers },
      payload: upload.payload,
    });
    await member.call('POST', '/api/client/devices', { platform: 'ios', pushToken: 'fuzz-token', appVersion: '1.0.0' });

    const narrowUser = await staffWith(admin, ['people.read', 'creators.read', 'ledger.read', 'events.read'], 'fuzz-narrow');
    narrow = narrowUser.session;
    const me = (await admin.get('/api/console/me')).json();
    for (const id of [me.id, narrowUser.user.id, narrowUser.role.id, member.id]) protectedIds.add(id);

    const doc = t.app.swagger() as unknown as Parameters<typeof operations>[0];
    ops = operations(doc).filter((op) => !SKIPPED.has(`${op.method} ${op.path}`));
    // Ids from every list that needs no input, by the path they were listed at.
    const all = new Set<string>();
    for (const op of ops.filter((o) => o.method === 'GET' && o.pathParams.length === 0 && !o.query.some((q) => q.required))) {
      const isClient = op.path.startsWith('/api/client/');
      const response = isClient ? await member.call('GET', op.path) : await admin.get(op.path);
      if (response.statusCode !== 200 || !response.headers['content-type']?.toString().includes('json')) continue;
      const ids = idsIn(response.json()).filter((id) => !protectedIds.has(id));
      harvested.set(op.path, ids);
      for (const id of ids) all.add(id);
    }
    allIds = [...all];
  });

  after(async () => {
    await ctx.t.close();
    await play.close();
  });

  function idsIn(value: unknown, depth = 0): string[] {
    if (depth > 3 || value === null || typeof value !== 'object') return [];
    if (Array.isArray(value)) return value.flatMap((v) => idsIn(v, depth + 1));
    const record = value as Record<string, unknown>;
    const own = ['id', 'personId', 'organizationId']
      .map((k) => record[k])
      .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
      .map(String);
    return [...own, ...idsIn(record.items, depth + 1)];
  }

  /** Ids listed at the path this parameter hangs off (`/people` for `/people/{id}`), else any id seen. */
  function pathPool(op: Operation, param: string): string[] {
    const prefix = op.path.slice(0, op.path.indexOf(`{${param}}`) - 1);
    const listed = harvested.get(prefix.replace(/\{\w+\}/g, '')) ?? harvested.get(prefix);
    const byName: Record<string, string> = { eventId: '/api/console/events', personId: '/api/console/people', staffId: '/api/console/staff' };
    const named = byName[param] ? harvested.get(byName[param]!) : undefined;
    const pool = (listed?.length ? listed : named?.length ? named : allIds).filter((id) => !protectedIds.has(id));
    return pool.slice(0, 20);
  }

  async function send(op: Operation, c: FuzzCase, caller: 'admin' | 'narrow' | 'member') {
    const headers: Record<string, string> = { origin: ORIGIN, 'idempotency-key': randomUUID() };
    if (caller === 'member') headers.authorization = `Bearer ${member.token}`;
    else headers.cookie = (caller === 'admin' ? ctx.admin : narrow).cookie;
    if (c.body !== undefined || c.rawBody !== undefined) headers['content-type'] = 'application/json';
    return ctx.t.app.inject({
      method: op.method as 'GET',
      url: c.url,
      headers,
      ...(c.rawBody !== undefined ? { payload: c.rawBody } : c.body !== undefined ? { payload: JSON.stringify(c.body) } : {}),
    });
  }

  it(`answers every route without a 5xx (${PER_ROUTE} cases per route and caller)`, async (test) => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    for (const op of ops) {
      const callers: Array<'admin' | 'narrow' | 'member'> = op.path.startsWith('/api/client/') ? ['member'] : ['admin', 'narrow'];
      for (const caller of callers) {
        const seed = SEED ^ Number.parseInt(createHash('sha1').update(`${op.method} ${op.path} ${caller}`).digest('hex').slice(0, 8), 16);
        for (const c of cases(op, { pathPool: (p) => pathPool(op, p), idPool: allIds, count: op.multipart ? Math.min(PER_ROUTE, 20) : PER_ROUTE, seed })) {
          const response = await send(op, c, caller);
          sent++;
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
          const where = `${op.method} ${op.path} as ${caller}: ${c.what.slice(0, 80)} → ${response.statusCode} (${c.url.slice(0, 160)}${c.body !== undefined ? ` ${JSON.stringify(c.body).slice(0, 160)}` : ''})`;
          if (response.statusCode >= 500) failures.push(`${where}: ${response.body.slice(0, 300)}`);
          else if (response.statusCode >= 400 && response.statusCode !== 404 && response.statusCode !== 405) {
            const problem = response.headers['content-type']?.toString().includes('json') ? (response.json() as { detail?: unknown }) : {};
            if (typeof problem.detail !== 'string' || problem.detail.length === 0)
              failures.push(`${where}: a ${response.statusCode} without a detail: ${response.body.slice(0, 200)}`);
          }
        }
      }
    }
    test.diagnostic(
      `${sent} requests to ${ops.length} routes; answers: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
    );
    assert.ok(sent > ops.length * 10, `sent ${sent} requests`);
    assert.ok(
      [200, 201, 204].reduce((n, s) => n + (statuses.get(s) ?? 0), 0) > sent / 20,
      'a fair share of the requests got through validation to the services',
    );
    // One line per route and kind of failure is enough to fix them all.
    const distinct = [...new Map(failures.map((f) => [f.replace(/:.*?→ (\d+).*$/, ' $1'), f])).values()];
    assert.deepEqual(distinct.slice(0, 60), [], `${failures.length} failing answers of ${sent} requests`);
  });
});
