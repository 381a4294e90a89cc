import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemActor } from '../../../core/actor.ts';
import { createTestApp, listen, newMember, signIn, waitFor, type Session, type TestApp } from '../../../../test/helpers.ts';
import { connectClient, type SocketClient } from '../../../../test/ws-client.ts';
import { rateStreamer } from '../streamers/service.ts';
import { autostartConversations } from './greetings.ts';

describe('creators: greetings, conversations on sign-up, gifts in a conversation', () => {
  let t: TestApp;
  let admin: Session;
  let wsBase: string;
  const sockets: SocketClient[] = [];

  before(async () => {
    t = await createTestApp({ workers: true, env: { PRESENCE_HEARTBEAT_SECONDS: '30' } });
    admin = await signIn(t.app);
    wsBase = (await listen(t.app)).replace('http://', 'ws://');
  });
  after(async () => {
    for (const socket of sockets) socket.socket.close();
    await t.close();
  });

  async function streamer(name: string, rating: number, greetings: string[], online: boolean) {
    const member = await newMember(t, admin, name);
    assert.equal((await admin.post('/api/console/creators/streamers', { personId: member.id })).statusCode, 201);
    await t.app.kernel.write(systemActor('test'), (ctx) => rateStreamer(ctx, member.id, rating));
    for (const text of greetings) assert.equal((await member.call('POST', '/api/client/creators/portal/greetings', { text })).statusCode, 201);
    if (online) {
      const socket = await connectClient(wsBase, member.token);
      await socket.next('welcome');
      sockets.push(socket);
    }
    return member;
  }

  it('keeps a streamer’s greetings, refusing empty, overlong and non-streamers', async () => {
    const star = await streamer('Greeting Gina', 1, ['Hi!'], false);
    const empty = await star.call('POST', '/api/client/creators/portal/greetings', { text: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.json().detail, /body\.text/);
    assert.equal((await star.call('POST', '/api/client/creators/portal/greetings', { text: 'x'.repeat(501) })).statusCode, 400);
    const list = (await star.call('GET', '/api/client/creators/portal/greetings')).json();
    assert.deepEqual(
      list.map((g: { text: string }) => g.text),
      ['Hi!'],
    );
    assert.equal((await star.call('DELETE', `/api/client/creators/portal/greetings/${list[0].id}`)).statusCode, 204);
    const user = await newMember(t, admin, 'Not A Streamer');
    assert.equal((await user.call('POST', '/api/client/creators/portal/greetings', { text: 'hello' })).statusCode, 403);
  });

  it('greets a new user from the best-rated online streamers with greetings, once, even when the rule runs again', async () => {
    await admin.request({ method: 'PUT', url: '/api/console/settings/creators.chat_autostart', payload: { value: { streamers: 2 } } });
    const best = await streamer('Best Online', 90, ['Welcome, I am Best'], true);
    const second = await streamer('Second Online', 80, ['Hey from Second', 'Hello from Second'], true);
    await streamer('Third Online', 70, ['Third says hi'], true);
    await streamer('Offline Star', 99, ['I am away'], false);
    await streamer('Silent Online', 95, [], true);
    const user = await newMember(t, admin, 'New User');
    assert.equal((await user.call('POST', '/api/client/creators/sign-up', { platform: 'ios' })).statusCode, 201);
    await waitFor(async () => (await user.call('GET', '/api/client/chats')).json().items.length === 2);
    const chats = (await user.call('GET', '/api/client/chats')).json().items as Array<{
      id: string;
      unread: number;
      lastMessage: { text: string; sender: { id: string } };
    }>;
    assert.deepEqual(chats.map((c) => c.lastMessage.sender.id).sort(), [best.id, second.id].sort());
    assert.ok(chats.every((c) => c.unread === 1));
    assert.ok(['Hey from Second', 'Hello from Second'].includes(chats.find((c) => c.lastMessage.sender.id === second.id)!.lastMessage.text));
    // The subscriber's work is a transaction with its cursor; running the rule again (as a redelivery would) adds nothing.
    const again = await t.app.kernel.write(systemActor('test'), (ctx) => autostartConversations(ctx, user.id, { streamers: 2 }));
    assert.equal(again, 2);
    const after = (await user.call('GET', '/api/client/chats')).json().items as Array<{ lastSeq: number }>;
    assert.equal(after.length, 2);
    assert.ok(
      after.every((c) => c.lastSeq === 1),
      'one greeting each',
    );
    // Signing up again changes nothing.
    assert.equal((await user.call('POST', '/api/client/creators/sign-up', {})).statusCode, 200);
  });

  it('shows a gift sent in a conversation as a gift record with its transfers', async () => {
    const star = await streamer('Gift Chat Star', 10, [], false);
    const fan = await newMember(t, admin, 'Gift Chat Fan');
    const other = await newMember(t, admin, 'Someone Else');
    const chat = (await fan.call('POST', '/api/client/chats', { kind: 'creators.direct', personId: star.id })).json();
    const otherChat = (await other.call('POST', '/api/client/chats', { kind: 'creators.direct', personId: star.id })).json();
    const gift = (await admin.post('/api/console/creators/gifts', { name: 'Chat Rose', price: 50, streamerShareBp: 5000, agencyShareBp: 0 })).json();
    const credited = await admin.request({
      method: 'POST',
      url: '/api/console/ledger/adjustments',
      payload: { ownerType: 'person', ownerId: fan.id, kind: 'wallet', currency: 'COIN', amount: 500, reason: 'test coins' },
      headers: { 'idempotency-key': `coins-${fan.id}` },
    });
    assert.equal(credited.statusCode < 300, true, credited.body);
    const headers = { 'idempotency-key': 'gift-in-chat-1' };
    const wrong = await fan.call(
      'POST',
      '/api/client/creators/gifts/send',
      { giftId: gift.id, receiverId: star.id, conversationId: otherChat.id },
      { 'idempotency-key': 'gift-wrong' },
    );
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.json().detail, /body\.conversationId/);
    const sent = await fan.call('POST', '/api/client/creators/gifts/send', { giftId: gift.id, receiverId: star.id, conversationId: chat.id }, headers);
    assert.equal(sent.statusCode, 201, sent.body);
    await fan.call('POST', '/api/client/creators/gifts/send', { giftId: gift.id, receiverId: star.id, conversationId: chat.id }, headers);
    const messages = (await star.call('GET', `/api/client/chats/${chat.id}/messages`)).json().items;
    assert.equal(messages.length, 1, 'the replayed send adds no second record');
    assert.equal(messages[0].kind, 'gift');
    assert.equal(messages[0].sender.type, 'system');
    assert.equal(messages[0].data.giftName, 'Chat Rose');
    assert.equal(messages[0].data.coins, 50);
    assert.ok(messages[0].data.transferIds.length >= 1);
  });
});
