import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { createTestApp, listen, multipart, newMember, signIn, staffWith, type Session, type TestApp } from '../../../test/helpers.ts';
import { connectClient } from '../../../test/ws-client.ts';

const DIRECT = 'creators.direct';

describe('chat: member conversations over HTTP and the socket', () => {
  let t: TestApp;
  let admin: Session;
  let wsBase: string;

  before(async () => {
    t = await createTestApp({ env: { PRESENCE_HEARTBEAT_SECONDS: '5' } });
    admin = await signIn(t.app);
    wsBase = (await listen(t.app)).replace('http://', 'ws://');
  });
  after(() => t.close());

  async function pair(a = 'Anna Chat', b = 'Boris Chat') {
    const anna = await newMember(t, admin, a);
    const boris = await newMember(t, admin, b);
    const opened = await anna.call('POST', '/api/client/chats', { kind: DIRECT, personId: boris.id });
    assert.equal(opened.statusCode, 200, opened.body);
    return { anna, boris, chat: opened.json() as { id: string } };
  }
  const send = (member: Awaited<ReturnType<typeof newMember>>, chatId: string, body: Record<string, unknown>) =>
    member.call('POST', `/api/client/chats/${chatId}/messages`, body);

  it('opens one conversation per pair, whoever starts it, and lists it on both sides with names', async () => {
    const { anna, boris, chat } = await pair();
    const again = await boris.call('POST', '/api/client/chats', { kind: DIRECT, personId: anna.id });
    assert.equal(again.json().id, chat.id);
    const list = (await boris.call('GET', '/api/client/chats')).json();
    assert.equal(list.items.length, 1);
    assert.deepEqual(list.items[0].participants.map((p: { name: string }) => p.name).sort(), ['Anna Chat', 'Boris Chat']);
    assert.equal((await anna.call('POST', '/api/client/chats', { kind: DIRECT, personId: anna.id })).statusCode, 400);
    const unknownKind = await anna.call('POST', '/api/client/chats', { kind: 'nope.kind', personId: boris.id });
    assert.equal(unknownKind.statusCode, 400);
    assert.match(unknownKind.json().detail, /kind/);
  });

  it('numbers messages in order, answers a repeated client id with the stored message, even when the repeats race', async () => {
    const { anna, boris, chat } = await pair();
    const first = await send(anna, chat.id, { clientId: 'c-1', text: '  Hello\r\nthere  ' });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().seq, 1);
    assert.equal(first.json().text, 'Hello\nthere');
    const replay = await send(anna, chat.id, { clientId: 'c-1', text: 'something else' });
    assert.equal(replay.statusCode, 200);
    assert.equal(replay.json().id, first.json().id);
    const racing = await Promise.all(Array.from({ length: 5 }, () => send(boris, chat.id, { clientId: 'same', text: 'once' })));
    assert.equal(new Set(racing.map((r) => r.json().id)).size, 1);
    assert.deepEqual(racing.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 201]);
    const messages = (await anna.call('GET', `/api/client/chats/${chat.id}/messages`)).json();
    assert.deepEqual(
      messages.items.map((m: { seq: number }) => m.seq),
      [1, 2],
    );
  });

  it('refuses empty and overlong text and files that are not the sender’s own chat pictures, naming the field', async () => {
    const { anna, boris, chat } = await pair();
    const empty = await send(anna, chat.id, { clientId: 'e', text: '   ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.json().detail, /body\.text/);
    const long = await send(anna, chat.id, { clientId: 'l', text: 'x'.repeat(2001) });
    assert.equal(long.statusCode, 400);
    assert.match(long.json().detail, /body\.text.*2000/);
    const picture = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c33' } })
      .jpeg()
      .toBuffer();
    const upload = multipart(picture);
    const borisFile = await t.app.inject({
      method: 'POST',
      url: '/api/client/files?kind=chat',
      payload: upload.payload,
      headers: { ...upload.headers, authorization: `Bearer ${boris.token}` },
    });
    assert.equal(borisFile.statusCode, 201, borisFile.body);
    const foreign = await send(anna, chat.id, { clientId: 'f', fileId: borisFile.json().id });
    assert.equal(foreign.statusCode, 400);
    assert.match(foreign.json().detail, /body\.fileId/);
    const own = await send(boris, chat.id, { clientId: 'p', fileId: borisFile.json().id });
    assert.equal(own.statusCode, 201, own.body);
    assert.ok(own.json().attachment.urls.thumbnail);
    // A chat picture is not on its owner's public files.
    const publicFiles = (await anna.call('GET', `/api/client/people/${boris.id}/files`)).json();
    assert.equal(publicFiles.items.length, 0);
  });

  it('reaches the other member’s socket at once, and a reconnecting app resumes after its last message without gaps', async () => {
    const { anna, boris, chat } = await pair();
    const socket = await connectClient(wsBase, boris.token);
    await socket.next('welcome');
    const sent = (await send(anna, chat.id, { clientId: 'live-1', text: 'are you there?' })).json();
    const pushed = await socket.next('chat.message');
    assert.equal(pushed.conversationId, chat.id);
    assert.equal((pushed.message as { id: string }).id, sent.id);
    assert.equal((pushed.message as { text: string }).text, 'are you there?');
    socket.socket.send(JSON.stringify({ type: 'chat.received', conversationId: chat.id, seq: sent.seq }));
    socket.socket.close();
    await socket.closed;
    for (let i = 2; i <= 4; i++) await send(anna, chat.id, { clientId: `live-${i}`, text: `message ${i}` });
    const resumed = (await boris.call('GET', `/api/client/chats/${chat.id}/messages?after=${sent.id}&limit=2`)).json();
    assert.deepEqual(
      resumed.items.map((m: { seq: number }) => m.seq),
      [2, 3],
    );
    assert.equal(resumed.more, true);
    const rest = (await boris.call('GET', `/api/client/chats/${chat.id}/messages?after=${resumed.items[1].id}`)).json();
    assert.deepEqual(
      rest.items.map((m: { seq: number }) => m.seq),
      [4],
    );
    assert.equal(rest.more, false);
    const staffView = (await admin.get(`/api/console/chats/${chat.id}`)).json();
    const borisRow = staffView.participants.find((p: { id: string }) => p.id === boris.id);
    assert.equal(borisRow.deliveredSeq, 1, 'the app confirmed receiving the first message');
  });

  it('counts unread messages per member and marks them read, never moving the cursor back', async () => {
    const { anna, boris, chat } = await pair();
    const messages = [];
    for (let i = 1; i <= 3; i++) messages.push((await send(anna, chat.id, { clientId: `u-${i}`, text: `hi ${i}` })).json());
    const borisList = (await boris.call('GET', '/api/client/chats')).json();
    assert.equal(borisList.items[0].unread, 3);
    assert.equal(borisList.items[0].lastMessage.text, 'hi 3');
    assert.equal((await anna.call('GET', '/api/client/chats')).json().items[0].unread, 0, 'my own messages are not unread');
    const read = await boris.call('POST', `/api/client/chats/${chat.id}/read`, { messageId: messages[1].id });
    assert.deepEqual(read.json(), { readSeq: 2, unread: 1 });
    const back = await boris.call('POST', `/api/client/chats/${chat.id}/read`, { messageId: messages[0].id });
    assert.deepEqual(back.json(), { readSeq: 2, unread: 1 });
    await send(boris, chat.id, { clientId: 'reply', text: 'read it all' });
    assert.equal((await boris.call('GET', `/api/client/chats/${chat.id}`)).json().unread, 0, 'replying reads everything before');
    const foreign = await boris.call('POST', `/api/client/chats/${chat.id}/read`, { messageId: chat.id });
    assert.equal(foreign.statusCode, 400);
    assert.match(foreign.json().detail, /body\.messageId/);
  });

  it('keeps people who blocked each other apart: gone from both lists at once, sends refused, back after unblock', async () => {
    const { anna, boris, chat } = await pair();
    await send(anna, chat.id, { clientId: 'b-1', text: 'before the block' });
    const block = await boris.call('PUT', `/api/client/creators/blocks/${anna.id}`, { reason: 'spam' });
    assert.ok(block.statusCode < 300, block.body);
    assert.equal((await anna.call('GET', '/api/client/chats')).json().items.length, 0);
    assert.equal((await boris.call('GET', '/api/client/chats')).json().items.length, 0);
    const refused = await send(anna, chat.id, { clientId: 'b-2', text: 'after the block' });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'blocked');
    assert.equal((await anna.call('POST', '/api/client/chats', { kind: DIRECT, personId: boris.id })).statusCode, 403);
    assert.equal((await anna.call('GET', `/api/client/chats/${chat.id}/messages`)).statusCode, 404);
    // Staff still read it all.
    assert.equal((await admin.get(`/api/console/chats/${chat.id}/messages`)).json().items.length, 1);
    await boris.call('DELETE', `/api/client/creators/blocks/${anna.id}`);
    assert.equal((await anna.call('GET', '/api/client/chats')).json().items.length, 1);
  });

  it('takes a report into the chat_report queue; upholding it hides the message, which members then get without its text', async () => {
    const { anna, boris, chat } = await pair();
    const rude = (await send(anna, chat.id, { clientId: 'r-1', text: 'something rude' })).json();
    const reasons = (await boris.call('GET', '/api/client/chats/report-reasons')).json();
    assert.ok(reasons.some((r: { key: string }) => r.key === 'abuse'));
    const wrong = await boris.call('POST', `/api/client/chats/${chat.id}/reports`, { messageId: rude.id, reason: 'rudeness' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.json().detail, /body\.reason/);
    const reported = await boris.call('POST', `/api/client/chats/${chat.id}/reports`, { messageId: rude.id, reason: 'abuse', note: 'not nice' });
    assert.equal(reported.statusCode, 201, reported.body);
    const flagged = (await admin.get('/api/console/chats?reported=true')).json();
    assert.ok(flagged.items.some((c: { id: string }) => c.id === chat.id));
    const claimed = (await admin.post('/api/console/moderation/chat_report/claim', { limit: 10 })).json() as Array<{
      id: string;
      recordId: string;
      preview: Record<string, unknown>;
    }>;
    const item = claimed.find((i) => i.recordId === reported.json().id);
    assert.ok(item, JSON.stringify(claimed));
    assert.equal(item.preview.messageText, 'something rude');
    const decided = await admin.post(`/api/console/moderation/items/${item.id}/decision`, { decision: 'approved', reason: 'abusive' });
    assert.equal(decided.statusCode, 200, decided.body);
    const seen = (await anna.call('GET', `/api/client/chats/${chat.id}/messages`)).json().items[0];
    assert.equal(seen.hidden, true);
    assert.equal(seen.text, null);
    const staff = (await admin.get(`/api/console/chats/${chat.id}/messages`)).json().items[0];
    assert.equal(staff.text, 'something rude');
    assert.equal(staff.hiddenReason, 'abusive');
    assert.equal(staff.reported, true);
    assert.equal(
      (await admin.get('/api/console/chats?reported=true')).json().items.some((c: { id: string }) => c.id === chat.id),
      false,
    );
    assert.equal((await admin.post(`/api/console/chat-messages/${rude.id}/hide`, { reason: 'again' })).statusCode, 409);
    const blank = await admin.post(`/api/console/chat-messages/${(await send(anna, chat.id, { clientId: 'r-2', text: 'fine' })).json().id}/hide`, {
      reason: '   ',
    });
    assert.equal(blank.statusCode, 400);
    assert.match(blank.json().detail, /body\.reason/);
  });

  it('lets a moderator hide a message and filter conversations by person; a narrow role cannot hide', async () => {
    const { anna, chat } = await pair();
    const message = (await send(anna, chat.id, { clientId: 'h-1', text: 'hide me' })).json();
    const reader = (await staffWith(admin, ['chat.read'])).session;
    assert.equal((await reader.post(`/api/console/chat-messages/${message.id}/hide`, { reason: 'no' })).statusCode, 403);
    const hidden = await admin.post(`/api/console/chat-messages/${message.id}/hide`, { reason: 'off topic' });
    assert.equal(hidden.statusCode, 200, hidden.body);
    const annas = (await reader.get(`/api/console/chats?personId=${anna.id}`)).json();
    assert.deepEqual(
      annas.items.map((c: { id: string }) => c.id),
      [chat.id],
    );
    const tab = (await reader.get(`/api/console/people/${anna.id}/chats`)).json();
    assert.equal(tab.items[0].lastMessage.hiddenReason, 'off topic');
  });

  it('mutes and leaves: a left conversation is off my list until I open it again', async () => {
    const { anna, boris, chat } = await pair();
    const muted = await anna.call('PUT', `/api/client/chats/${chat.id}`, {});
    assert.equal(muted.statusCode, 405, 'PATCH is the verb');
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/client/chats/${chat.id}`,
      headers: { authorization: `Bearer ${anna.token}` },
      payload: { muted: true },
    });
    assert.equal(patched.json().muted, true);
    assert.equal((await anna.call('POST', `/api/client/chats/${chat.id}/leave`)).statusCode, 204);
    assert.equal((await anna.call('GET', '/api/client/chats')).json().items.length, 0);
    assert.equal((await send(anna, chat.id, { clientId: 'gone', text: 'hello?' })).statusCode, 403);
    await anna.call('POST', '/api/client/chats', { kind: DIRECT, personId: boris.id });
    assert.equal((await anna.call('GET', '/api/client/chats')).json().items.length, 1);
    const back = (await admin.get(`/api/console/events?type=chat.participant_returned&subjectId=${chat.id}`)).json().items;
    assert.equal(back.length, 1, 'coming back is recorded once');
  });
});
