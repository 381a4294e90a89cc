import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTestApp, listen, Session, signIn, staffWith, testDatabase, type TestApp } from '../../../test/helpers.ts';
import { SseClient } from '../../../test/sse.ts';
import { RedisBus } from './bus.ts';

const redisUrl = process.env.REDIS_URL;

/** Two server processes' worth of apps on one database, talking over Redis pub/sub. */
describe('several processes over Redis', { skip: redisUrl ? false : 'REDIS_URL is not set' }, () => {
  let a: TestApp;
  let b: TestApp;
  let baseB: string;
  let adminA: Session;
  const streams: SseClient[] = [];

  before(async () => {
    const channel = `switchboard:test:${randomBytes(6).toString('hex')}`;
    const database = await testDatabase();
    a = await createTestApp({ database, bus: await RedisBus.connect(redisUrl!, channel) });
    b = await createTestApp({ database, keepDatabase: true, bus: await RedisBus.connect(redisUrl!, channel) });
    baseB = await listen(b.app);
    adminA = await signIn(a.app);
  });
  after(async () => {
    for (const stream of streams) stream.close();
    await b.close();
    await a.close();
  });

  it('streams an event written in one process to a console connected to another', async () => {
    const stream = await SseClient.open(`${baseB}/api/console/stream`, { cookie: adminA.cookie });
    streams.push(stream);
    assert.equal(stream.status, 200);
    const role = await adminA.post('/api/console/roles', { name: 'Cross-process', permissions: [] });
    await stream.until(() => stream.messages.some((m) => (m.data as { subjectId: string }).subjectId === role.json().id));
  });

  it('revokes in every process at once: role edits, sign-out, open streams', async () => {
    const user = await staffWith(adminA, ['events.read'], 'crossproc');
    const onB = new Session(b.app, user.session.cookie);
    assert.equal((await onB.get('/api/console/events')).statusCode, 200);
    await adminA.patch(`/api/console/roles/${user.role.id}`, { permissions: [] });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await onB.get('/api/console/events')).statusCode, 403, 'the other process dropped its cached permissions');

    const stream = await SseClient.open(`${baseB}/api/console/stream`, { cookie: user.session.cookie });
    streams.push(stream);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await user.session.delete('/api/console/session')).statusCode, 204);
    await stream.until(() => stream.closed, 1000);
    assert.equal((await onB.get('/api/console/me')).statusCode, 401);
  });
});
