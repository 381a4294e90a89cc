import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { asc } from 'drizzle-orm';
import sharp from 'sharp';
import { makeStaff } from './factories.ts';
import { actorOf, createTestApp, listen, multipart, newMember, signIn, staffWith, type Session, type TestApp } from './helpers.ts';
import { SseClient } from './sse.ts';
import { eventLog } from '../src/core/events/schema.ts';
import type { StoredEvent } from '../src/core/events/types.ts';

/**
 * Every surface that shows events applies one rule (core/events/visibility.ts). The rule is restated
 * here from its definition — an event shows to a staff user holding the permission its module declared
 * for its type, by role or by a grant on its subject — and each surface is read for each built-in role.
 */
describe('event visibility: one rule on every surface', () => {
  let t: TestApp;
  let admin: Session;
  let base: string;
  let star: Awaited<ReturnType<typeof newMember>>;
  let fan: Awaited<ReturnType<typeof newMember>>;
  let burstId = 0;

  const keyed = (url: string, payload: object) => admin.request({ method: 'POST', url, payload, headers: { 'idempotency-key': randomUUID() } });

  before(async () => {
    t = await createTestApp();
    admin = await signIn(t.app);
    base = await listen(t.app);
    // Events of every module about one person: people, ledger, payouts, creators (a nested gift burst), files, moderation.
    star = await newMember(t, admin, 'Visible Star');
    fan = await newMember(t, admin, 'Visible Fan');
    const agency = (await admin.post('/api/console/creators/agencies', { name: 'Visibility Agency' })).json().id;
    assert.equal((await admin.post('/api/console/creators/streamers', { personId: star.id, agencyId: agency })).statusCode, 201);
    await admin.post(`/api/console/people/${star.id}/notes`, { body: 'A staff note' });
    await admin.patch(`/api/console/people/${star.id}`, { tags: ['vip'] });
    assert.equal(
      (
        await keyed('/api/console/ledger/adjustments', {
          ownerType: 'person',
          ownerId: fan.id,
          kind: 'wallet',
          currency: 'COIN',
          amount: 500,
          reason: 'bought coins',
        })
      ).statusCode,
      201,
    );
    const rose = (await admin.post('/api/console/creators/gifts', { name: 'Rose', price: 50, streamerShareBp: 5000, agencyShareBp: 1000 })).json();
    for (let i = 0; i < 3; i++) {
      const sent = await fan.call('POST', '/api/client/creators/gifts/send', { giftId: rose.id, receiverId: star.id }, { 'idempotency-key': randomUUID() });
      assert.equal(sent.statusCode, 201, sent.body);
    }
    const payout = await keyed('/api/console/payouts', { ownerType: 'person', ownerId: star.id, currency: 'COIN' });
    assert.equal(payout.statusCode, 201, payout.body);
    const photo = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#c33' } })
      .jpeg()
      .toBuffer();
    const upload = multipart(photo);
    assert.equal((await star.call('POST', '/api/client/files?kind=photo', upload.payload, upload.headers)).statusCode, 201);
    const rows = (await t.app.kernel.db.select().from(eventLog).orderBy(asc(eventLog.id))) as StoredEvent[];
    burstId = rows.find((e) => e.type === 'creators.gift_burst')!.id;
    assert.ok(rows.filter((e) => e.parentId === burstId).length >= 3, 'the gifts nest inside their burst');
  });
  after(() => t.close());

  const all = async () => (await t.app.kernel.db.select().from(eventLog).orderBy(asc(eventLog.id))) as StoredEvent[];

  /** The rule, restated from its definition. */
  function expected(events: StoredEvent[], permissions: Set<string>, grants: Array<{ permission: string; recordId: string }> = []) {
    const catalogue = t.app.kernel.catalogue;
    return events
      .filter((e) => {
        const declared = catalogue.eventTypes.get(e.type);
        const permission = declared?.permission ?? 'events.read';
        return permissions.has(permission) || (declared !== undefined && grants.some((g) => g.permission === permission && g.recordId === e.subjectId));
      })
      .map((e) => e.id);
  }

  async function pages(session: Session, url: string): Promise<Array<{ id: number; children?: number }>> {
    const items: Array<{ id: number; children?: number }> = [];
    let cursor: string | null = null;
    do {
      const page = await session.get(`${url}${url.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.statusCode, 200, `${url}: ${page.body}`);
      items.push(...page.json().items);
      cursor = page.json().nextCursor;
    } while (cursor);
    return items;
  }

  async function surfaces(name: string, session: Session, permissions: Set<string>, grants: Array<{ permission: string; recordId: string }> = []) {
    const events = await all();
    const visible = new Set(expected(events, permissions, grants));
    const sorted = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b);

    if (permissions.has('events.read')) {
      const log = await pages(session, '/api/console/events');
      assert.deepEqual(sorted(log.map((e) => e.id)), sorted(visible), `${name}: the event log`);
    } else {
      assert.equal((await session.get('/api/console/events')).statusCode, 403, `${name}: no event log without events.read`);
    }

    if (permissions.has('people.read') || grants.some((g) => g.permission === 'people.read' && g.recordId === star.id)) {
      const timeline = await pages(session, `/api/console/people/${star.id}/timeline`);
      const top = events.filter((e) => e.subjectType === 'person' && e.subjectId === star.id && e.parentId === null && visible.has(e.id));
      assert.deepEqual(sorted(timeline.map((e) => e.id)), sorted(top.map((e) => e.id)), `${name}: the timeline`);
      const children = events.filter((e) => e.parentId === burstId && visible.has(e.id)).map((e) => e.id);
      const burst = timeline.find((e) => e.id === burstId);
      if (burst) {
        assert.equal(burst.children, children.length, `${name}: the burst's count of nested events`);
        const nested = await session.get(`/api/console/people/${star.id}/timeline/${burstId}/children`);
        assert.deepEqual(
          nested.json().items.map((e: { id: number }) => e.id),
          children,
          `${name}: the nested events`,
        );
      } else {
        assert.equal(
          (await session.get(`/api/console/people/${star.id}/timeline/${burstId}/children`)).statusCode,
          404,
          `${name}: a hidden entry opens as missing`,
        );
      }
    }

    // The live stream replays from the first event: exactly the visible ones, then silence.
    const cookie = session.cookie;
    const stream = await SseClient.open(`${base}/api/console/stream`, { cookie, 'last-event-id': '0' });
    assert.equal(stream.status, 200);
    try {
      await stream.until(() => stream.messages.length >= visible.size, 5000);
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(sorted(stream.messages.map((m) => Number(m.id))), sorted(visible), `${name}: the live stream`);
    } finally {
      stream.close();
    }
  }

  it('applies it to the log, the timeline, nested events and the live stream for every built-in role', async () => {
    const roles = (await admin.get('/api/console/roles')).json() as Array<{ id: string; name: string; builtin: boolean; permissions: string[] }>;
    const builtins = roles.filter((r) => r.builtin);
    assert.ok(builtins.length >= 4, builtins.map((r) => r.name).join());
    const actor = await actorOf(admin);
    for (const role of builtins) {
      const { email, password } = await makeStaff(t.app, { email: `visibility-${role.id}@test.local`, name: role.name, roleIds: [role.id], actor });
      await surfaces(role.name, await signIn(t.app, email, password), new Set(role.permissions));
    }
  });

  it('hides from a people.read holder what other modules declared (the reported leak), and opens one person with a grant', async () => {
    const reader = await staffWith(admin, ['people.read', 'events.read'], 'people-reader');
    await surfaces('people.read', reader.session, new Set(['people.read', 'events.read']));
    const ledgerTypes = (await reader.session.get(`/api/console/people/${star.id}/timeline?limit=100`))
      .json()
      .items.filter((e: { type: string }) => e.type.startsWith('ledger.'));
    assert.deepEqual(ledgerTypes, [], 'no amounts on the timeline without ledger.read');

    const grant = await admin.post(`/api/console/staff/${reader.user.id}/grants`, { permission: 'ledger.read', recordId: star.id });
    assert.equal(grant.statusCode, 201, grant.body);
    const granted = await signIn(t.app, reader.email, reader.password);
    await surfaces('people.read + ledger.read on one person', granted, new Set(['people.read', 'events.read']), [
      { permission: 'ledger.read', recordId: star.id },
    ]);
  });

  it('sends a member only their own events of the types marked for them, on the client socket', async () => {
    const socket = new WebSocket(`${base.replace('http://', 'ws://')}/api/client/ws`, { headers: { authorization: `Bearer ${star.token}` } });
    const received: Array<{ id: number; type: string; subjectId: string }> = [];
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString());
      if (message.type === 'event') received.push(message.event);
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const from = (await all()).at(-1)!.id;
    // Staff-side events about the star (a note, a block), their own changes, money and gifts, and events about someone else.
    await admin.post(`/api/console/people/${star.id}/notes`, { body: 'Not for the member' });
    await admin.patch(`/api/console/people/${star.id}`, { tags: ['vip', 'top'] });
    await keyed('/api/console/ledger/adjustments', { ownerType: 'person', ownerId: star.id, kind: 'wallet', currency: 'COIN', amount: 5, reason: 'bonus' });
    await admin.patch(`/api/console/people/${fan.id}`, { tags: ['fan'] });
    const rose = (await admin.get('/api/console/creators/gifts')).json()[0];
    await fan.call('POST', '/api/client/creators/gifts/send', { giftId: rose.id, receiverId: star.id }, { 'idempotency-key': randomUUID() });
    const marker = await admin.patch(`/api/console/people/${star.id}`, { tags: ['vip', 'top', 'marker'] });
    assert.equal(marker.statusCode, 200);
    const deadline = Date.now() + 5000;
    while (!received.some((e) => e.type === 'people.person_updated' && e.id > from + 5) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 100));
    socket.close();

    const catalogue = t.app.kernel.catalogue;
    const since = (await all()).filter((e) => e.id > from);
    const mine = since.filter((e) => e.subjectType === 'person' && e.subjectId === star.id && catalogue.eventTypes.get(e.type)?.toSubject).map((e) => e.id);
    assert.deepEqual(
      received.filter((e) => e.id > from).map((e) => e.id),
      mine,
      'exactly their own events marked for them',
    );
    assert.ok(!received.some((e) => e.type === 'people.note_added'), 'staff notes stay staff-side');
    assert.ok(
      received.some((e) => e.type === 'ledger.balance_changed'),
      'their balance changes reach them',
    );
  });
});
