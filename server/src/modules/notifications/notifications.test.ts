import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { systemActor } from '../../core/actor.ts';
import { queryRows } from '../../core/db/sql.ts';
import { defineModule } from '../../core/module.ts';
import type { NotifyInput } from '../../core/notifications.ts';
import { makeRole, makeStaff, TEST_PASSWORD } from '../../../test/factories.ts';
import { startFakeApns, type FakeApns } from '../../../test/fake-apns.ts';
import { startFakeFcm, type FakeFcm } from '../../../test/fake-fcm.ts';
import { createTestApp, listen, newMember, signIn, waitFor, type Session, type TestApp } from '../../../test/helpers.ts';
import { connectClient, type SocketClient } from '../../../test/ws-client.ts';
import { enabledModules } from '../index.ts';
import { deliver, retryPush } from './delivery.ts';

/** A module of the test's own with one kind per policy. */
const probe = defineModule({
  name: 'probe',
  notificationKinds: [
    {
      kind: 'probe.ping',
      label: { en: 'Ping', ru: 'Пинг' },
      audience: 'member',
      policy: 'in_app_then_push',
      mutable: true,
      templates: {
        en: { title: 'Hello {name}', body: '{count, plural, one {# new thing} other {# new things}}' },
        ru: { title: 'Привет, {name}', body: '{count, plural, one {# новость} few {# новости} many {# новостей} other {# новости}}' },
      },
    },
    {
      kind: 'probe.quiet',
      label: { en: 'Quiet', ru: 'Тихое' },
      audience: 'member',
      policy: 'in_app_only',
      templates: { en: { title: 'Quiet', body: 'Only in the app' }, ru: { title: 'Тихое', body: 'Только в приложении' } },
    },
    {
      kind: 'probe.push',
      label: { en: 'Push', ru: 'Пуш' },
      audience: 'member',
      policy: 'push_only',
      templates: { en: { title: 'Push', body: 'Straight to the phone' }, ru: { title: 'Пуш', body: 'Сразу на телефон' } },
    },
    {
      kind: 'probe.call',
      label: { en: 'Call', ru: 'Звонок' },
      audience: 'member',
      policy: 'voip',
      templates: { en: { title: 'Incoming call', body: '{name} is calling' }, ru: { title: 'Входящий звонок', body: '{name} звонит' } },
    },
    {
      kind: 'probe.staff',
      label: { en: 'Staff ping', ru: 'Пинг сотруднику' },
      audience: 'staff',
      policy: 'in_app_only',
      templates: { en: { title: 'For you', body: 'Look at {what}' }, ru: { title: 'Вам', body: 'Посмотрите {what}' } },
    },
  ],
});

interface Member {
  id: string;
  token: string;
  call: Awaited<ReturnType<typeof newMember>>['call'];
}

describe('notifications: in-app with ACK, push fallback, inbox and preferences', () => {
  let t: TestApp;
  let admin: Session;
  let fcm: FakeFcm;
  let apns: FakeApns;
  let wsBase: string;
  const sockets: SocketClient[] = [];

  before(async () => {
    fcm = await startFakeFcm();
    apns = await startFakeApns();
    t = await createTestApp({
      workers: true,
      modules: [...enabledModules(undefined), probe],
      env: {
        FCM_SERVICE_ACCOUNT_KEY: fcm.serviceAccountKey,
        FCM_API_URL: fcm.url,
        APNS_KEY: apns.key,
        APNS_KEY_ID: apns.keyId,
        APNS_TEAM_ID: apns.teamId,
        APNS_TOPIC: apns.bundleId,
        APNS_ADDRESS: apns.address,
        APNS_CA: apns.ca,
      },
    });
    admin = await signIn(t.app);
    wsBase = (await listen(t.app)).replace('http', 'ws');
    await setAckTimeout(1);
  });
  after(async () => {
    for (const socket of sockets) socket.socket.close();
    await t.close();
    await fcm.close();
    await apns.close();
  });

  const setAckTimeout = async (seconds: number) => {
    const set = await admin.request({ method: 'PUT', url: '/api/console/settings/notifications.ack_timeout', payload: { value: seconds } });
    assert.equal(set.statusCode, 200, set.body);
  };
  /** Waits until no job of this notification is waiting or running: what it was to do is done. */
  const jobsDone = (id: string, name?: string) =>
    waitFor(async () => {
      const rows = await queryRows<{ n: number }>(
        t.app.kernel.db,
        sql`SELECT count(*)::int AS n FROM pgboss.job WHERE data->>'id' = ${id} AND state IN ('created', 'retry', 'active') AND (${name ?? null}::text IS NULL OR name = ${name ?? null})`,
      );
      return rows[0]!.n === 0;
    }, 15_000);
  const notify = (input: NotifyInput) => t.app.kernel.write(systemActor('test'), (ctx) => ctx.kernel.notifier!.notify(ctx, input));
  const history = async (id: string) =>
    (await admin.get(`/api/console/notifications/${id}`)).json() as {
      state: string;
      failure: string | null;
      attempts: Array<{ step: string; channel: string | null; detail: string | null }>;
    };
  const sentTo = (token: string) => fcm.sent.filter((s) => s.message.token === token);

  async function member(
    name: string,
    platform: 'android' | 'ios' = 'android',
    tokens: { push?: string; voip?: string } = {},
  ): Promise<Member & { pushToken: string }> {
    const m = await newMember(t, admin, name);
    const pushToken = tokens.push ?? (platform === 'android' ? fcm.registrationToken() : apns.deviceToken());
    const device = await m.call('PUT', `/api/client/devices/${randomUUID()}`, { platform, pushToken, ...(tokens.voip ? { voipToken: tokens.voip } : {}) });
    assert.equal(device.statusCode, 200, device.body);
    return { ...m, pushToken };
  }
  async function online(m: Member): Promise<SocketClient> {
    const socket = await connectClient(wsBase, m.token);
    sockets.push(socket);
    await socket.next('welcome');
    return socket;
  }

  it('renders the template in the member’s language with its plural rules, into the inbox', async () => {
    const m = await member('Ирина');
    await admin.patch(`/api/console/people/${m.id}`, { locale: 'ru' });
    const { id } = await notify({ kind: 'probe.quiet', recipient: { type: 'member', id: m.id } });
    const ping = await notify({ kind: 'probe.ping', recipient: { type: 'member', id: m.id }, params: { name: 'Ирина', count: 3 }, dedupeKey: 'ping-1' });
    const inbox = (await m.call('GET', '/api/client/notifications')).json();
    assert.equal(inbox.unread, 2);
    assert.deepEqual(
      inbox.items.map((n: { title: string; body: string }) => [n.title, n.body]),
      [
        ['Привет, Ирина', '3 новости'],
        ['Тихое', 'Только в приложении'],
      ],
    );
    assert.equal(inbox.items[1].id, id);
    // The same dedupe key gives back the first notification.
    const again = await notify({ kind: 'probe.ping', recipient: { type: 'member', id: m.id }, params: { name: 'Ирина', count: 5 }, dedupeKey: 'ping-1' });
    assert.deepEqual(again, { id: ping.id, created: false });
    assert.equal((await m.call('GET', '/api/client/notifications')).json().items.length, 2);
  });

  it('ACK within the timeout: the in-app copy arrives over the socket and no push follows', async () => {
    // Long enough for the ACK's round trip on a busy machine; the timer still fires, and sends nothing.
    await setAckTimeout(3);
    const m = await member('Acking Member');
    const socket = await online(m);
    const { id } = await notify({ kind: 'probe.ping', recipient: { type: 'member', id: m.id }, params: { name: 'A', count: 1 } });
    const frame = (await socket.next('notification')) as { notification: { id: string; title: string; body: string } };
    assert.equal(frame.notification.id, id);
    assert.equal(frame.notification.body, '1 new thing');
    socket.socket.send(JSON.stringify({ type: 'notification.ack', id }));
    assert.deepEqual((await socket.next('notification.acked')).ids, [id]);
    await setAckTimeout(1);
    await jobsDone(id);
    assert.equal(sentTo(m.pushToken).length, 0);
    const seen = await history(id);
    assert.equal(seen.state, 'acked');
    assert.deepEqual(
      seen.attempts.map((a) => a.step),
      ['created', 'sent_in_app', 'acked'],
    );
  });

  it('no ACK: exactly one push after the timeout, with the notification id as collapse key', async () => {
    const m = await member('Silent Member');
    const socket = await online(m);
    const { id } = await notify({ kind: 'probe.ping', recipient: { type: 'member', id: m.id }, params: { name: 'S', count: 2 } });
    await socket.next('notification');
    await waitFor(async () => sentTo(m.pushToken).length > 0, 8000);
    await jobsDone(id);
    const pushes = sentTo(m.pushToken);
    assert.equal(pushes.length, 1);
    assert.equal(pushes[0]!.message.notification.body, '2 new things');
    assert.equal(pushes[0]!.message.data.notificationId, id);
    assert.equal(pushes[0]!.message.android.notification.tag, id, 'a resent push replaces the first on the phone');
    const seen = await history(id);
    assert.equal(seen.state, 'pushed');
    assert.deepEqual(
      seen.attempts.map((a) => `${a.step}:${a.channel ?? ''}`),
      ['created:', 'sent_in_app:in_app', 'pushed:fcm'],
    );
  });

  it('offline: pushed at once, without waiting for the timeout; in_app_only never pushes', async () => {
    // A minute's timeout: a push within seconds did not wait for it.
    await setAckTimeout(60);
    const m = await member('Offline Member');
    const ping = await notify({ kind: 'probe.ping', recipient: { type: 'member', id: m.id }, params: { name: 'O', count: 1 } });
    const quiet = await notify({ kind: 'probe.quiet', recipient: { type: 'member', id: m.id } });
    await waitFor(async () => sentTo(m.pushToken).length > 0, 10_000);
    await setAckTimeout(1);
    await jobsDone(ping.id);
    await jobsDone(quiet.id);
    assert.equal(sentTo(m.pushToken).length, 1, 'the in-app-only notice made no push');
  });

  it('push_only skips the socket; a 503 is retried with backoff and then pushed once', async () => {
    const m = await member('Retry Member');
    const socket = await online(m);
    fcm.next.push({
      status: 503,
      body: { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } },
      headers: { 'retry-after': '1' },
    });
    const { id } = await notify({ kind: 'probe.push', recipient: { type: 'member', id: m.id } });
    await waitFor(async () => (await history(id)).state === 'pushed', 12_000);
    assert.equal(sentTo(m.pushToken).length, 1);
    assert.equal(
      socket.messages.some((message) => message.type === 'notification'),
      false,
      'a push-only notice never goes to the socket',
    );
    const steps = (await history(id)).attempts.map((a) => a.step);
    assert.deepEqual(steps, ['created', 'retrying', 'pushed']);
  });

  it('an unregistered token is removed from the device and the notification fails with the reason', async () => {
    const m = await member('Uninstalled Member');
    fcm.unregistered.add(m.pushToken);
    const { id } = await notify({ kind: 'probe.push', recipient: { type: 'member', id: m.id } });
    await waitFor(async () => (await history(id)).state === 'failed', 8000);
    const seen = await history(id);
    assert.ok(seen.attempts.some((a) => a.step === 'token_removed'));
    assert.match(seen.failure ?? '', /UNREGISTERED|not registered|unregistered/i);
    const devices = (await m.call('GET', '/api/client/devices')).json();
    assert.equal(devices[0].pushToken, null);
    // With no token left, the next push fails at once, saying why.
    const next = await notify({ kind: 'probe.push', recipient: { type: 'member', id: m.id } });
    await waitFor(async () => (await history(next.id)).state === 'failed', 8000);
    assert.equal((await history(next.id)).failure, 'The member has no device that can receive a push.');
  });

  it('a call rings an iPhone through APNs VoIP at once, even when the member is online', async () => {
    const voip = apns.deviceToken();
    const m = await member('Callee', 'ios', { voip });
    const socket = await online(m);
    const { id } = await notify({ kind: 'probe.call', recipient: { type: 'member', id: m.id }, params: { name: 'Caller' } });
    await socket.next('notification');
    await waitFor(async () => apns.sent.some((s) => s.token === voip), 8000);
    const push = apns.sent.find((s) => s.token === voip)!;
    assert.equal(push.headers['apns-push-type'], 'voip');
    assert.equal(push.headers['apns-topic'], `${apns.bundleId}.voip`);
    assert.equal(apns.sent.filter((s) => s.token === m.pushToken).length, 0, 'the call did not go to the alert token');
    await waitFor(async () => (await history(id)).state === 'pushed', 5000);
    // An iPhone that registered no PushKit token still hears the call, as an alert on its push token.
    const plain = await member('Callee Without VoIP', 'ios');
    const second = await notify({ kind: 'probe.call', recipient: { type: 'member', id: plain.id }, params: { name: 'Caller' } });
    await waitFor(async () => (await history(second.id)).state === 'pushed', 8000);
    const alert = apns.sent.find((s) => s.token === plain.pushToken)!;
    assert.equal(alert.headers['apns-push-type'], 'alert');
    assert.equal(alert.headers['apns-topic'], apns.bundleId);
  });

  it('a muted kind stays in the inbox without a push; calls cannot be muted', async () => {
    const m = await member('Muting Member');
    const prefs = await m.call('PUT', '/api/client/notifications/preferences/probe.ping', { muted: true });
    assert.equal(prefs.statusCode, 200, prefs.body);
    assert.equal(prefs.json().find((p: { kind: string }) => p.kind === 'probe.ping').muted, true);
    const refused = await m.call('PUT', '/api/client/notifications/preferences/probe.call', { muted: true });
    assert.equal(refused.statusCode, 409);
    const unknown = await m.call('PUT', '/api/client/notifications/preferences/probe.nothing', { muted: true });
    assert.equal(unknown.statusCode, 400);
    const { id } = await notify({ kind: 'probe.ping', recipient: { type: 'member', id: m.id }, params: { name: 'M', count: 1 } });
    await jobsDone(id);
    assert.equal(sentTo(m.pushToken).length, 0);
    assert.equal((await history(id)).state, 'muted');
    assert.equal((await m.call('GET', '/api/client/notifications')).json().items[0].id, id);
  });

  it('reading marks unread counts down, pages by keyset, and only my own notifications count', async () => {
    const m = await member('Reader');
    const other = await member('Other Reader');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await notify({ kind: 'probe.quiet', recipient: { type: 'member', id: m.id } })).id);
    const first = (await m.call('GET', '/api/client/notifications?limit=2')).json();
    assert.deepEqual(
      first.items.map((n: { id: string }) => n.id),
      [ids[4], ids[3]],
    );
    const second = (await m.call('GET', `/api/client/notifications?limit=2&cursor=${first.nextCursor}`)).json();
    assert.deepEqual(
      second.items.map((n: { id: string }) => n.id),
      [ids[2], ids[1]],
    );
    // Someone else's ids change nothing.
    assert.equal((await other.call('POST', '/api/client/notifications/read', { ids })).json().unread, 0);
    assert.equal((await other.call('POST', `/api/client/notifications/${ids[0]}/ack`)).statusCode, 404);
    assert.equal((await m.call('POST', '/api/client/notifications/read', { ids: [ids[0], ids[1]] })).json().unread, 3);
    assert.equal((await m.call('GET', '/api/client/notifications?unread=true')).json().items.length, 3);
    assert.equal((await m.call('POST', '/api/client/notifications/read', { all: true })).json().unread, 0);
    const bad = await m.call('POST', '/api/client/notifications/read', { ids: [] });
    assert.equal(bad.statusCode, 400);
  });

  it('a bad ACK message on the socket is answered with an error naming the field', async () => {
    const m = await member('Bad Acker');
    const socket = await online(m);
    socket.socket.send(JSON.stringify({ type: 'notification.ack', id: 'nope' }));
    const error = await socket.next('error');
    assert.match(String(error.message), /id/);
  });

  it('staff send to a tag in chunks with progress, each member in their language, and the sender hears when it is done', async () => {
    const tag = `promo${Date.now()}`;
    const people: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await newMember(t, admin, `Promo ${i}`);
      await admin.patch(`/api/console/people/${m.id}`, { tags: [tag], ...(i === 0 ? { locale: 'ru' } : {}) });
      people.push(m.id);
    }
    const size = (await admin.get(`/api/console/notifications/audience?tag=${tag}`)).json();
    assert.equal(size.people, 3);
    const key = randomUUID();
    const send = () =>
      admin.request({
        method: 'POST',
        url: '/api/console/notifications/batches',
        headers: { 'idempotency-key': key },
        payload: { audience: { type: 'tag', tag }, title: { en: 'Sale', ru: 'Распродажа' }, body: { en: 'Half price today', ru: 'Сегодня за полцены' } },
      });
    const created = await send();
    assert.equal(created.statusCode, 202, created.body);
    assert.equal(created.json().total, 3);
    const replay = await send();
    assert.equal(replay.json().id, created.json().id, 'the same key sends once');
    const batchId = created.json().id as string;
    await waitFor(async () => (await admin.get(`/api/console/notifications/batches/${batchId}`)).json().state === 'done', 8000);
    assert.equal((await admin.get(`/api/console/notifications/batches/${batchId}`)).json().sent, 3);
    const ru = (await admin.get(`/api/console/people/${people[0]}/notifications`)).json().items[0];
    assert.equal(ru.title, 'Распродажа');
    const en = (await admin.get(`/api/console/people/${people[1]}/notifications`)).json().items[0];
    assert.equal(en.body, 'Half price today');
    const bell = (await admin.get('/api/console/me/notifications')).json();
    assert.equal(bell.items[0].kind, 'notifications.batch_finished');
    assert.equal(bell.items[0].body, '3 people received it.');
    assert.ok(bell.unread >= 1);
    assert.equal((await admin.post('/api/console/me/notifications/read', { all: true })).json().unread, 0);

    const nobody = await admin.request({
      method: 'POST',
      url: '/api/console/notifications/batches',
      headers: { 'idempotency-key': randomUUID() },
      payload: { audience: { type: 'tag', tag: 'nobody-has-this' }, title: { en: 'x', ru: 'x' }, body: { en: 'x', ru: 'x' } },
    });
    assert.equal(nobody.statusCode, 400);
    assert.match(nobody.json().detail ?? nobody.body, /tag/);
  });

  it('a chat message pushes to the offline member only, once, and not to the sender', async () => {
    const writer = await member('Chat Writer');
    const reader = await member('Chat Reader');
    const watcher = await member('Chat Watcher');
    const open = await writer.call('POST', '/api/client/chats', { kind: 'creators.direct', personId: reader.id });
    assert.equal(open.statusCode, 200, open.body);
    const conversationId = open.json().id as string;
    await online(writer);
    const send = await writer.call('POST', `/api/client/chats/${conversationId}/messages`, { clientId: randomUUID(), text: 'Are you there?' });
    assert.equal(send.statusCode, 201, send.body);
    await waitFor(async () => sentTo(reader.pushToken).length > 0, 8000);
    const push = sentTo(reader.pushToken)[0]!;
    assert.equal(push.message.notification.title, 'Chat Writer');
    assert.equal(push.message.notification.body, 'Are you there?');
    assert.equal(push.message.data.conversationId, conversationId);
    // Online now: the next message goes over the socket only.
    const readerSocket = await online(reader);
    await writer.call('POST', `/api/client/chats/${conversationId}/messages`, { clientId: randomUUID(), text: 'Good, you are here' });
    await readerSocket.next('chat.message');
    await t.app.subscribers!.drain();
    await waitFor(async () => {
      const rows = await queryRows<{ n: number }>(
        t.app.kernel.db,
        sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'notifications.deliver' AND state IN ('created', 'retry', 'active')`,
      );
      return rows[0]!.n === 0;
    }, 15_000);
    assert.equal(sentTo(reader.pushToken).length, 1);
    assert.equal(sentTo(writer.pushToken).length, 0, 'the sender is never notified of their own message');
    assert.equal(sentTo(watcher.pushToken).length, 0);
  });

  it('a push job run twice, or a retry run twice, sends once', async () => {
    const m = await member('Twice Member');
    await setAckTimeout(60);
    const socket = await online(m);
    const { id } = await notify({ kind: 'probe.ping', recipient: { type: 'member', id: m.id }, params: { name: 'T', count: 1 } });
    await socket.next('notification');
    await Promise.all([deliver(t.app.kernel, id), deliver(t.app.kernel, id)]);
    await deliver(t.app.kernel, id);
    assert.equal(sentTo(m.pushToken).length, 1);
    // A retry chain: the first try fails, then its next try runs twice (a crash after its send, a second process).
    const other = await member('Retry Twice Member');
    const socket2 = await online(other);
    const second = await notify({ kind: 'probe.ping', recipient: { type: 'member', id: other.id }, params: { name: 'R', count: 1 } });
    await socket2.next('notification');
    fcm.next.push({ status: 503, body: { error: { code: 503, message: 'Unavailable', status: 'UNAVAILABLE' } } });
    await deliver(t.app.kernel, second.id);
    const device = (await other.call('GET', '/api/client/devices')).json()[0].id as string;
    await Promise.all([
      retryPush(t.app.kernel, { id: second.id, deviceId: device, attempt: 2 }),
      retryPush(t.app.kernel, { id: second.id, deviceId: device, attempt: 2 }),
    ]);
    await retryPush(t.app.kernel, { id: second.id, deviceId: device, attempt: 2 });
    await setAckTimeout(1);
    // The queued try 2 (from the 503) finds its try taken and sends nothing; the 60 s timer is left to expire.
    await jobsDone(second.id, 'notifications.push_retry');
    assert.equal(sentTo(other.pushToken).length, 1);
    assert.deepEqual(
      (await history(second.id)).attempts.map((a) => a.step),
      ['created', 'sent_in_app', 'retrying', 'pushed'],
    );
  });

  it('reading a notification acknowledges it, so its push is not sent; a hidden chat message takes its push back', async () => {
    await setAckTimeout(2);
    const m = await member('Reading Member');
    const socket = await online(m);
    const { id } = await notify({ kind: 'probe.ping', recipient: { type: 'member', id: m.id }, params: { name: 'R', count: 1 } });
    await socket.next('notification');
    assert.equal((await m.call('POST', '/api/client/notifications/read', { ids: [id] })).json().unread, 0);
    await setAckTimeout(1);
    await jobsDone(id);
    assert.equal(sentTo(m.pushToken).length, 0);
    assert.equal((await history(id)).state, 'acked');

    const writer = await member('Rude Writer');
    const reader = await member('Offended Reader');
    const conversationId = (await writer.call('POST', '/api/client/chats', { kind: 'creators.direct', personId: reader.id })).json().id as string;
    const sent = (await writer.call('POST', `/api/client/chats/${conversationId}/messages`, { clientId: randomUUID(), text: 'something rude' })).json();
    await waitFor(async () => sentTo(reader.pushToken).length > 0, 8000);
    const hidden = await admin.post(`/api/console/chat-messages/${sent.id}/hide`, { reason: 'insult' });
    assert.equal(hidden.statusCode, 200, hidden.body);
    const inbox = (await reader.call('GET', '/api/client/notifications')).json();
    assert.equal(inbox.items.length, 0, 'the preview left the inbox');
    const staffView = (await admin.get(`/api/console/people/${reader.id}/notifications`)).json().items[0];
    assert.ok(staffView.withdrawnAt);
  });

  it('staff without the kind’s permission see that a chat preview was sent, not what it said', async () => {
    const reader = (await admin.get('/api/console/people?limit=200')).json().items.find((p: { displayName: string }) => p.displayName === 'Offended Reader');
    const role = await makeRole(t.app, { name: 'notification reader', permissions: ['notifications.read', 'people.read'] });
    const staff = await makeStaff(t.app, { email: 'notif-reader@test.local', name: 'Notif Reader', roleIds: [role.id] });
    const session = await signIn(t.app, staff.user.email, TEST_PASSWORD);
    const item = (await session.get(`/api/console/people/${reader.id}/notifications`)).json().items[0];
    assert.equal(item.redacted, true);
    assert.equal(item.body, '');
    assert.equal(item.kind, 'chat.message');
  });

  it('staff notifications reach the console stream live as `event: notification`', async () => {
    const me = (await admin.get('/api/console/me')).json();
    const base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const controller = new AbortController();
    const response = await fetch(`${base}/api/console/stream`, { headers: { cookie: admin.cookie, origin: base }, signal: controller.signal });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    await notify({ kind: 'probe.staff', recipient: { type: 'staff', id: me.id }, params: { what: 'this' } });
    let text = '';
    const timeout = setTimeout(() => controller.abort(), 5000);
    try {
      while (!text.includes('event: notification')) text += new TextDecoder().decode((await reader.read()).value);
    } catch {
      // Aborted at the deadline: the assertion below says what was missing.
    }
    clearTimeout(timeout);
    controller.abort();
    assert.match(text, /event: notification\ndata: .*"body":"Look at this"/);
  });
});
