/**
 * A push waiting for its ACK timeout survives the server being killed: the real server (`src/main.ts`) runs
 * as a child process against a local FCM, a member's app is online and does not acknowledge, and the server
 * gets SIGKILL after the in-app copy arrived and before the timeout. Started again on the same database, it
 * sends exactly one push, when the timer (a pg-boss job made in the notification's transaction) comes due.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startFakeFcm, type FakeFcm } from './fake-fcm.ts';
import { Client, durableDatabase, POSTGRES, startServer, stopServer, type DurableDatabase, type Server } from './server-process.ts';
import { connectClient } from './ws-client.ts';

const ACK_TIMEOUT_SECONDS = 4;

async function until(predicate: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe(`notifications after SIGKILL (${POSTGRES ? 'PostgreSQL' : 'PGlite in DATA_DIR'})`, { timeout: 120_000 }, () => {
  let database: DurableDatabase;
  let env: Record<string, string>;
  let server: Server | undefined;
  let fcm: FakeFcm;

  before(async () => {
    fcm = await startFakeFcm();
    database = await durableDatabase('notify-crash');
    env = { ...database.env, FCM_SERVICE_ACCOUNT_KEY: fcm.serviceAccountKey, FCM_API_URL: fcm.url };
  });

  after(async () => {
    await stopServer(server, 'SIGKILL');
    await database.drop();
    await fcm.close();
  });

  it('sends exactly one push after a restart when the kill came between the notification and its push', async () => {
    server = await startServer(env);
    const client = await Client.signIn(server.base);
    await client.ok('PUT', '/api/console/settings/notifications.ack_timeout', { value: ACK_TIMEOUT_SECONDS }, undefined, 200);
    const person = await client.ok('POST', '/api/console/people', { displayName: 'Crash Member' });
    const { token } = await client.ok('POST', `/api/console/people/${person.id}/member-token`);
    const pushToken = fcm.registrationToken();
    const device = await fetch(`${server.base}/api/client/devices/${randomUUID()}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'android', pushToken }),
    });
    assert.equal(device.status, 200, await device.text());

    const socket = await connectClient(server.base.replace('http', 'ws'), token);
    await socket.next('welcome');
    await client.ok(
      'POST',
      '/api/console/notifications/batches',
      { audience: { type: 'person', personId: person.id }, title: { en: 'Before the crash', ru: 'До сбоя' }, body: { en: 'Hello', ru: 'Привет' } },
      { 'idempotency-key': randomUUID() },
      202,
    );
    const frame = (await socket.next('notification', 10_000)) as { notification: { id: string } };
    const id = frame.notification.id;
    // The app stays silent (no ACK); the server dies before the timeout.
    const victim = server;
    victim.child.kill('SIGKILL');
    assert.equal(await victim.exited, -1, 'the server died of the signal');
    socket.socket.terminate();
    assert.equal(fcm.sent.length, 0, 'nothing was pushed before the kill');

    server = await startServer(env);
    await until(() => fcm.sent.length > 0, 30_000, 'the push after the restart');
    // Time for a second push to show up, were there one.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(fcm.sent.length, 1, 'exactly one push');
    assert.equal(fcm.sent[0]!.message.token, pushToken);
    assert.equal(fcm.sent[0]!.message.data.notificationId, id);
    const again = await Client.signIn(server.base);
    const history = await again.ok('GET', `/api/console/notifications/${id}`);
    assert.equal(history.state, 'pushed');
    assert.deepEqual(
      history.attempts.map((a: { step: string }) => a.step),
      ['created', 'sent_in_app', 'pushed'],
    );
  });
});
