import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, listen, signIn, type Session, type TestApp } from '../../../test/helpers.ts';
import { connectClient } from '../../../test/ws-client.ts';

const ALLOWED_ORIGIN = 'https://app.example.com';

describe('client WebSocket: presence, own events', () => {
  let t: TestApp;
  let admin: Session;
  let wsBase: string;

  before(async () => {
    t = await createTestApp({ env: { CLIENT_ORIGINS: ALLOWED_ORIGIN, PRESENCE_HEARTBEAT_SECONDS: '1' } });
    admin = await signIn(t.app);
    wsBase = (await listen(t.app)).replace('http://', 'ws://');
  });
  after(() => t.close());

  async function member(name: string): Promise<{ id: string; token: string }> {
    const person = (await admin.post('/api/console/people', { displayName: name })).json();
    const token = (await admin.post(`/api/console/people/${person.id}/member-token`)).json().token as string;
    return { id: person.id, token };
  }

  const connect = (token: string | undefined, headers: Record<string, string> = {}) => connectClient(wsBase, token, headers);

  const presenceOf = async (id: string) => (await admin.get(`/api/console/people/${id}/presence`)).json();

  it('is online while connected and beating, offline with a last-seen time after closing', async () => {
    const { id, token } = await member('Online Olivia');
    const client = await connect(token);
    const welcome = await client.next('welcome');
    assert.equal(welcome.personId, id);
    assert.equal(welcome.heartbeatSeconds, 1);
    client.socket.send(JSON.stringify({ type: 'ping' }));
    await client.next('pong');
    assert.equal((await presenceOf(id)).online, true);

    client.socket.close();
    await client.closed;
    let status = await presenceOf(id);
    for (let i = 0; i < 40 && status.online; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = await presenceOf(id);
    }
    assert.equal(status.online, false);
    assert.ok(status.lastSeenAt);
    // The offline event is written just after the connection goes: wait for it rather than race it.
    let types: string[] = [];
    for (let i = 0; i < 80 && !types.includes('members.offline'); i++) {
      types = (await admin.get(`/api/console/people/${id}/timeline`)).json().items.map((e: { type: string }) => e.type);
      if (!types.includes('members.offline')) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(types.includes('members.online') && types.includes('members.offline'), types.join());
  });

  it('closes a connection that stops beating, and the member goes offline', async () => {
    const { id, token } = await member('Silent Sam');
    const client = await connect(token);
    await client.next('welcome');
    const { code } = await client.closed;
    assert.equal(code, 4008);
    let status = await presenceOf(id);
    for (let i = 0; i < 40 && status.online; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = await presenceOf(id);
    }
    assert.equal(status.online, false);
  });

  it('refuses the handshake without a token and from a foreign origin; accepts the allowed one', async () => {
    const { token } = await member('Origin Oscar');
    await assert.rejects(connect(undefined), /handshake refused: 401/);
    await assert.rejects(connect('not-a-token'), /handshake refused: 401/);
    await assert.rejects(connect(token, { origin: 'https://evil.example' }), /handshake refused: 403/);
    const allowed = await connect(token, { origin: ALLOWED_ORIGIN });
    await allowed.next('welcome');
    allowed.socket.close();
  });

  it("delivers events about the member only to that member; another member's stream is refused", async () => {
    const alice = await member('Alice Ws');
    const bob = await member('Bob Ws');
    const aliceClient = await connect(alice.token);
    const bobClient = await connect(bob.token);
    await aliceClient.next('welcome');
    await bobClient.next('welcome');

    aliceClient.socket.send(JSON.stringify({ type: 'subscribe', stream: `person:${bob.id}` }));
    const refused = await aliceClient.next('error');
    assert.equal(refused.code, 'forbidden');
    aliceClient.socket.send(JSON.stringify({ type: 'subscribe', stream: 'me' }));
    await aliceClient.next('subscribed');

    const patch = await t.app.inject({
      method: 'PATCH',
      url: '/api/client/me',
      headers: { authorization: `Bearer ${bob.token}` },
      payload: { publicProfile: { mood: 'happy' } },
    });
    assert.equal(patch.statusCode, 200);
    const event = (await bobClient.next('event')).event as { type: string; subjectId: string };
    assert.equal(event.type, 'people.person_updated');
    assert.equal(event.subjectId, bob.id);
    // A staff note about Bob stays staff-side.
    await admin.post(`/api/console/people/${bob.id}/notes`, { body: 'internal' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(
      aliceClient.messages.filter((m) => m.type === 'event'),
      [],
      'Alice hears nothing about Bob',
    );
    assert.deepEqual(
      bobClient.messages.filter((m) => m.type === 'event'),
      [],
      'notes are not sent to the member',
    );
    aliceClient.socket.close();
    bobClient.socket.close();
  });

  it("closes a blocked person's sockets at once", async () => {
    const { id, token } = await member('Blocked Bella');
    const client = await connect(token);
    await client.next('welcome');
    assert.equal((await admin.post(`/api/console/people/${id}/block`, { reason: 'abuse' })).statusCode, 200);
    const { code } = await client.closed;
    assert.equal(code, 4003);
    await assert.rejects(connect(token), /handshake refused: 403/);
  });
});
