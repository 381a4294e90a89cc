import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { createTestApp, signIn, testDatabase, waitFor } from '../../../test/helpers.ts';
import { kernelModules } from '../../modules/index.ts';
import { queryRows } from '../db/sql.ts';
import { Type } from '@sinclair/typebox';
import { defineModule, defineSubscriber } from '../module.ts';
import { defineEvents, eventTypeList, type PayloadsOf } from './types.ts';
import { systemActor } from '../actor.ts';
import type { Kernel } from '../kernel.ts';
import { backoffMs } from './subscribers.ts';

const TYPE = 'probe.pinged';
const probeEvents = defineEvents({
  [TYPE]: {
    description: 'test',
    title: { en: 'Pinged', ru: 'Пинг' },
    summary: { en: 'Ping {payload.i}', ru: 'Пинг {payload.i}' },
    payload: Type.Object({ i: Type.Integer() }),
  },
});

declare module './types.ts' {
  interface EventPayloads extends PayloadsOf<typeof probeEvents> {}
}

/** A test module whose subscriber copies each event id into a table, in the subscriber's transaction. */
function probeModule(options: { failFor?: Set<number>; onHandled?: (id: number) => void } = {}) {
  const subscriber = defineSubscriber({
    name: 'probe-copier',
    types: [TYPE],
    async handle(event, ctx) {
      if (options.failFor?.has(event.id)) {
        options.failFor.delete(event.id);
        throw new Error(`transient failure on ${event.id}`);
      }
      await ctx.tx.execute(sql`INSERT INTO probe_seen (event_id) VALUES (${event.id})`);
      options.onHandled?.(event.id);
    },
  });
  return defineModule({ name: 'probe', events: eventTypeList(probeEvents), subscribers: [subscriber] });
}

async function ping(kernel: Kernel, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const event = await kernel.write(systemActor('test'), (ctx) => ctx.emit({ type: TYPE, payload: { i } }));
    ids.push(event.id);
  }
  return ids;
}

const seen = async (kernel: Kernel) =>
  (await queryRows<{ event_id: string }>(kernel.db, sql`SELECT event_id FROM probe_seen ORDER BY seq`)).map((r) => Number(r.event_id));

describe('durable subscribers', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('resumes from its cursor after a restart without gaps or duplicates', async () => {
    const database = await testDatabase();
    cleanups.push(() => database.close());
    await database.executeSql('CREATE TABLE probe_seen (seq bigserial PRIMARY KEY, event_id bigint NOT NULL)');

    let handled = 0;
    let stopFirst: () => void = () => undefined;
    const firstStopped = new Promise<void>((resolve) => (stopFirst = resolve));
    const first = await createTestApp({
      database,
      keepDatabase: true,
      workers: true,
      modules: [...kernelModules, probeModule({ onHandled: () => ++handled === 5 && stopFirst() })],
    });
    const firstIds = await ping(first.app.kernel, 12);
    await firstStopped;
    await first.close();
    const afterFirst = await seen(first.app.kernel);
    assert.ok(afterFirst.length >= 5 && afterFirst.length <= 12);

    const second = await createTestApp({ database, keepDatabase: true, workers: true, modules: [...kernelModules, probeModule()] });
    cleanups.push(() => second.close());
    const secondIds = await ping(second.app.kernel, 3);
    await waitFor(async () => (await seen(second.app.kernel)).length >= 15);
    await second.app.subscribers.drain();
    assert.deepEqual(await seen(second.app.kernel), [...firstIds, ...secondIds], 'every event once, in log order');
  });

  it('retries a failing event with backoff, without letting later events overtake it', async () => {
    const database = await testDatabase();
    cleanups.push(() => database.close());
    await database.executeSql('CREATE TABLE probe_seen (seq bigserial PRIMARY KEY, event_id bigint NOT NULL)');
    const failFor = new Set<number>();
    const t = await createTestApp({ database, keepDatabase: true, workers: true, modules: [...kernelModules, probeModule({ failFor })] });
    cleanups.push(() => t.close());
    const [firstId] = await ping(t.app.kernel, 1);
    await waitFor(async () => (await seen(t.app.kernel)).length === 1);
    // The next event fails once: the cursor must stay on it, and the one after must wait.
    const nextId = firstId! + 1;
    failFor.add(nextId);
    const ids = await ping(t.app.kernel, 2);
    assert.equal(ids[0], nextId);
    await waitFor(async () => (await seen(t.app.kernel)).length === 3);
    assert.deepEqual(await seen(t.app.kernel), [firstId, ...ids]);
    const [state] = await queryRows<{ attempts: number; last_error: string | null }>(
      t.app.kernel.db,
      sql`SELECT attempts, last_error FROM event_subscriptions WHERE name = 'probe-copier'`,
    );
    assert.equal(state!.attempts, 0, 'attempts reset after success');
    const admin = await signIn(t.app);
    const status = (await admin.get('/api/console/subscribers')).json();
    assert.deepEqual(
      status.map((s: { name: string; position: { eventId: number } }) => [s.name, s.position.eventId]),
      [['probe-copier', ids[1]]],
    );
    assert.equal(state!.last_error, null);
    assert.equal(backoffMs(1), 250);
    assert.ok(backoffMs(3) > backoffMs(2));
    assert.equal(backoffMs(50), 60_000);
  });

  it('never skips the event of a transaction that commits after a later one (PostgreSQL)', { skip: process.env.TEST_DB !== 'postgres' }, async () => {
    const database = await testDatabase();
    cleanups.push(() => database.close());
    await database.executeSql('CREATE TABLE probe_seen (seq bigserial PRIMARY KEY, event_id bigint NOT NULL)');
    const t = await createTestApp({ database, keepDatabase: true, workers: true, modules: [...kernelModules, probeModule()] });
    cleanups.push(() => t.close());

    const slow = new pg.Client({ connectionString: database.url });
    await slow.connect();
    cleanups.push(() => slow.end());
    await slow.query('BEGIN');
    const { rows } = await slow.query(
      `INSERT INTO event_log (type, actor_type, actor_id, payload, created_at) VALUES ($1, 'system', 'slow', '{}', now()) RETURNING id`,
      [TYPE],
    );
    const slowId = Number(rows[0].id);
    const fastIds = await ping(t.app.kernel, 2);
    assert.ok(fastIds[0]! > slowId, 'the slow transaction took the smaller id');
    await new Promise((r) => setTimeout(r, 300));
    await t.app.subscribers.drain();
    assert.deepEqual(await seen(t.app.kernel), [], 'nothing is delivered past an open transaction');
    await slow.query('COMMIT');
    t.app.subscribers.wake();
    await waitFor(async () => (await seen(t.app.kernel)).length === 3);
    assert.deepEqual((await seen(t.app.kernel)).sort(), [slowId, ...fastIds].sort());
  });

  it('runs pg-boss jobs on the same database', async () => {
    const received: unknown[] = [];
    const jobs = defineModule({
      name: 'jobprobe',
      jobs: [
        { name: 'jobprobe-echo', handle: async (data) => void received.push(data) },
        { name: 'jobprobe-nightly', cron: '0 3 * * *', handle: async () => undefined },
      ],
    });
    const t = await createTestApp({ workers: true, modules: [...kernelModules, jobs] });
    cleanups.push(() => t.close());
    await t.app.kernel.jobs.send('jobprobe-echo', { hello: 'world' });
    await waitFor(async () => received.length === 1, 10_000);
    assert.deepEqual(received, [{ hello: 'world' }]);

    // Enqueued inside a write: the job exists only if the write commits.
    await assert.rejects(
      t.app.kernel.write(systemActor('test'), async (ctx) => {
        await ctx.enqueue('jobprobe-echo', { from: 'rolled back' });
        throw new Error('the write fails after enqueueing');
      }),
      /the write fails/,
    );
    await t.app.kernel.write(systemActor('test'), (ctx) => ctx.enqueue('jobprobe-echo', { from: 'committed' }));
    await waitFor(async () => received.length === 2, 10_000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(received, [{ hello: 'world' }, { from: 'committed' }]);
    const schedules = await queryRows<{ name: string; cron: string }>(t.app.kernel.db, sql`SELECT name, cron FROM pgboss.schedule`);
    assert.deepEqual(
      schedules.filter((s) => s.name.startsWith('jobprobe')),
      [{ name: 'jobprobe-nightly', cron: '0 3 * * *' }],
    );
  });
});
