import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, listen, ORIGIN, type Session, signIn, staffWith, type TestApp } from '../../../test/helpers.ts';
import { SseClient } from '../../../test/sse.ts';
import { streamTiming } from '../realtime/event-stream.ts';

describe('event log API and live stream', () => {
  let t: TestApp;
  let admin: Session;
  let base: string;
  const streams: SseClient[] = [];

  before(async () => {
    t = await createTestApp();
    base = await listen(t.app);
    admin = await signIn(t.app);
  });
  after(async () => {
    for (const stream of streams) stream.close();
    await t.close();
  });

  const open = async (session: Session, headers: Record<string, string> = {}) => {
    const stream = await SseClient.open(`${base}/api/console/stream`, { cookie: session.cookie, ...headers });
    streams.push(stream);
    return stream;
  };

  it('lists newest first with filters and keyset pages', async () => {
    const role = await admin.post('/api/console/roles', { name: 'Filter me', permissions: [] });
    await admin.patch(`/api/console/roles/${role.json().id}`, { description: 'changed' });
    const byType = await admin.get('/api/console/events?type=staff.role_updated');
    assert.ok(byType.json().items.every((e: { type: string }) => e.type === 'staff.role_updated'));
    const bySubject = await admin.get(`/api/console/events?subjectType=role&subjectId=${role.json().id}`);
    assert.deepEqual(
      bySubject.json().items.map((e: { type: string }) => e.type),
      ['staff.role_updated', 'staff.role_created'],
    );
    const me = (await admin.get('/api/console/me')).json();
    const byActor = await admin.get(`/api/console/events?actorId=${me.id}&limit=200`);
    assert.ok(byActor.json().items.length >= 2);
    assert.ok(byActor.json().items.every((e: { actorId: string }) => e.actorId === me.id));

    const future = new Date(Date.now() + 3600_000).toISOString();
    assert.equal((await admin.get(`/api/console/events?from=${future}`)).json().items.length, 0);

    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await admin.get(`/api/console/events?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...page.json().items.map((e: { id: number }) => e.id));
      cursor = page.json().nextCursor;
    } while (cursor);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
    assert.equal(new Set(ids).size, ids.length);
    assert.equal((await admin.get('/api/console/events?from=yesterday')).json().errors[0].field, 'query.from');
    const leap = await admin.get('/api/console/events?to=2016-12-31T23:59:60Z');
    assert.equal(leap.statusCode, 400);
    assert.equal(leap.json().errors[0].field, 'query.to');
    for (const key of [[1.5], [1e30], ['1']]) {
      const cursor = Buffer.from(JSON.stringify(key)).toString('base64url');
      assert.equal((await admin.get(`/api/console/events?cursor=${cursor}`)).statusCode, 400, JSON.stringify(key));
    }
  });

  it('streams a new event to a tab that may see it, not to one that may not', async () => {
    const auditor = await staffWith(admin, ['events.read', 'staff.manage_roles'], 'auditor');
    const nobody = await staffWith(admin, [], 'nobody');
    const seeing = await open(auditor.session);
    const blind = await open(nobody.session);
    assert.equal(seeing.status, 200);
    const created = await admin.post('/api/console/roles', { name: 'Live role', permissions: [] });
    await seeing.until(() => seeing.messages.some((m) => (m.data as { subjectId: string }).subjectId === created.json().id));
    const message = seeing.messages.find((m) => m.event === 'staff.role_created')!;
    assert.equal((message.data as { payload: { name: string } }).payload.name, 'Live role');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(blind.messages.length, 0);
  });

  it('shows a user the event types of their permission without events.read', async () => {
    const roleKeeper = await staffWith(admin, ['staff.manage_roles'], 'keeper');
    const stream = await open(roleKeeper.session);
    await admin.post('/api/console/roles', { name: 'Seen by keeper', permissions: [] });
    await admin.post('/api/console/staff', { email: 'unseen@test.local', name: 'Unseen', password: 'unseen password 1', roleIds: [] });
    await stream.until(() => stream.messages.some((m) => m.event === 'staff.role_created'));
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!stream.messages.some((m) => m.event === 'staff.user_created'), 'user events need staff.manage_users');
  });

  it('replays missed events after Last-Event-ID', async () => {
    const last = (await admin.get('/api/console/events?limit=1')).json().items[0].id as number;
    await admin.post('/api/console/roles', { name: 'Missed one', permissions: [] });
    await admin.post('/api/console/roles', { name: 'Missed two', permissions: [] });
    const stream = await open(admin, { 'last-event-id': String(last) });
    await stream.until(() => stream.messages.length >= 2);
    assert.deepEqual(
      stream.messages.slice(0, 2).map((m) => (m.data as { payload: { name: string } }).payload.name),
      ['Missed one', 'Missed two'],
    );
  });

  for (const [what, end] of [
    ['signing out', async (s: Session) => assert.equal((await s.delete('/api/console/session')).statusCode, 204)],
    [
      'a password reset',
      async (_s: Session, id: string) =>
        assert.equal((await admin.post(`/api/console/staff/${id}/password`, { password: 'reset to this password' })).statusCode, 200),
    ],
    [
      'disabling the user',
      async (_s: Session, id: string) => assert.equal((await admin.patch(`/api/console/staff/${id}`, { status: 'disabled' })).statusCode, 200),
    ],
  ] as const) {
    it(`closes the user's open streams within a second of ${what}`, async () => {
      const user = await staffWith(admin, ['events.read'], `closing-${what.replace(/\W/g, '')}`);
      const stream = await open(user.session);
      const other = await open(user.session);
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      await end(user.session, user.user.id);
      await stream.until(() => stream.closed, 1000);
      await other.until(() => other.closed, 1000);
      assert.ok(Date.now() - started < 1000);
      const refused = await SseClient.open(`${base}/api/console/stream`, { cookie: user.session.cookie });
      assert.equal(refused.status, 401);
    });
  }

  it('closes a stream when its session expires, even with no access change', async () => {
    streamTiming.heartbeatMs = 50;
    try {
      const user = await staffWith(admin, ['events.read'], 'expiring');
      const stream = await open(user.session);
      t.clock.advance(31 * 24 * 3600_000);
      await stream.until(() => stream.closed, 2000);
    } finally {
      streamTiming.heartbeatMs = 15_000;
      t.clock.advance(-31 * 24 * 3600_000);
    }
  });

  it('refuses a Last-Event-ID that cannot be an event id', async () => {
    const stream = await SseClient.open(`${base}/api/console/stream`, { cookie: admin.cookie, 'last-event-id': '99999999999999999999999' });
    assert.equal(stream.status, 400);
  });

  it('answers the stream without a session with 401', async () => {
    const stream = await SseClient.open(`${base}/api/console/stream`, { origin: ORIGIN });
    assert.equal(stream.status, 401);
  });
});

describe('shutdown with open streams', () => {
  it('closes open streams so the server stops promptly', async () => {
    const t = await createTestApp();
    const base = await listen(t.app);
    const admin = await signIn(t.app);
    const stream = await SseClient.open(`${base}/api/console/stream`, { cookie: admin.cookie });
    const started = Date.now();
    await t.close();
    assert.ok(Date.now() - started < 3000, `close took ${Date.now() - started} ms`);
    await stream.until(() => stream.closed, 1000);
  });
});
