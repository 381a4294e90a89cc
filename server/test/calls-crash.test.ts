/**
 * A call in progress survives its server being killed: the real server (`src/main.ts`) runs as a child
 * process on the database of this pass (a throwaway PostgreSQL database with TEST_DB=postgres, embedded
 * PGlite in a temporary DATA_DIR otherwise), bills a call by a fast tariff (a point every 2 s), and gets
 * SIGKILL while a point is due. Started again on the same database, it bills the points the outage
 * skipped, then each point on time, and ends the call with `insufficient_funds` at the first point the
 * wallet cannot cover, on time. Each point is billed exactly once (one row, one ledger batch per index,
 * whatever the kill interrupted), the wallet never goes negative, and the ledger check is sound.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../src/core/db/client.ts';
import { queryRows } from '../src/core/db/sql.ts';
import { checkLedger } from '../src/modules/ledger/check.ts';
import { Client, durableDatabase, POSTGRES, startServer, stopServer, type DurableDatabase, type Server } from './server-process.ts';

/** The tariff: 10 coins at the connect and every 2 s after; the streamer earns 5 of each from 2 s on; the agency 10 %. */
const EVERY_S = 2;
const PRICE = 10;
const EARNS = 5;
const AGENCY_BP = 1000;
/** The wallet pays the points 0..LAST (the connect and LAST more): the call must end at point LAST + 1, 2 × (LAST + 1) s after the connect. */
const LAST = 12;
const FUNDS = PRICE * (LAST + 1);
/** SIGKILL as point KILL_AT comes due, plus up to 150 ms (drawn from CRASH_SEED, printed with the result): while it is being billed, or just before. */
const KILL_AT = 3;
const CRASH_SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILL_OFFSET_MS = CRASH_SEED % 150;
/** A point billed by a running scheduler is late by at most its tick (200 ms) plus the work: well under this. */
const ON_TIME_MS = 1500;

interface Point {
  index: number;
  atSecond: number;
  caller: number;
  streamer: number;
  agency: number;
  platform: number;
  transferIds: string[];
  dueAt: string;
  billedAt: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function until<T>(probe: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(50);
  }
}

/** A member's requests to the client API (bearer token). */
function member(base: string, token: string) {
  return async (method: string, path: string, status = 200) => {
    const response = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    assert.equal(response.status, status, `${method} ${path}: ${text}`);
    return JSON.parse(text);
  };
}

describe(`calls after SIGKILL mid-call (${POSTGRES ? 'PostgreSQL' : 'PGlite in DATA_DIR'})`, { timeout: 180_000 }, () => {
  let database: DurableDatabase;
  let server: Server | undefined;

  before(async () => {
    database = await durableDatabase('calls-crash');
  });

  after(async () => {
    await stopServer(server, 'SIGKILL');
    await database.drop();
  });

  it('bills every point exactly once and ends the call on time across a restart', async (t) => {
    server = await startServer(database.env);
    let admin = await Client.signIn(server.base);
    await admin.ok(
      'POST',
      '/api/console/creators/tariffs/direct',
      {
        caller: { connect: PRICE, checkpoints: [{ at: EVERY_S, amount: PRICE }], repeat: { every: EVERY_S, amount: PRICE } },
        streamer: { connect: 0, checkpoints: [{ at: EVERY_S, amount: EARNS }], repeat: { every: EVERY_S, amount: EARNS } },
        agencyShareBp: AGENCY_BP,
      },
      undefined,
      201,
    );
    // The apps stay silent through the outage: the heartbeat check is not what this test is about.
    await admin.ok('PUT', '/api/console/settings/calls.heartbeat_timeout', { value: 300 }, undefined, 200);
    const agency = await admin.ok('POST', '/api/console/creators/agencies', { name: 'Crash Agency' });
    const people = async (displayName: string) => {
      const person = await admin.ok('POST', '/api/console/people', { displayName });
      const { token } = await admin.ok('POST', `/api/console/people/${person.id}/member-token`);
      return { id: person.id as string, token: token as string };
    };
    const streamer = await people('Crash Streamer');
    await admin.ok('POST', '/api/console/creators/streamers', { personId: streamer.id, agencyId: agency.id });
    const caller = await people('Crash Caller');
    await admin.ok(
      'POST',
      '/api/console/ledger/adjustments',
      { ownerType: 'person', ownerId: caller.id, kind: 'wallet', currency: 'COIN', amount: FUNDS, reason: 'bought coins' },
      { 'idempotency-key': randomUUID() },
    );

    let asCaller = member(server.base, caller.token);
    let asStreamer = member(server.base, streamer.token);
    const made = await fetch(`${server.base}/api/client/calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${caller.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ streamerId: streamer.id }),
    });
    assert.equal(made.status, 201, await made.clone().text());
    const id = ((await made.json()) as { id: string }).id;
    await asStreamer('POST', `/api/client/calls/${id}/accept`);
    await asCaller('POST', `/api/client/calls/${id}/joined`);
    const connected = await asStreamer('POST', `/api/client/calls/${id}/joined`);
    assert.equal(connected.state, 'connected');
    const connectedAt = Date.parse(connected.connectedAt);
    const dueOf = (index: number) => connectedAt + index * EVERY_S * 1000;
    const detail = async (client: Client) => (await client.ok('GET', `/api/console/calls/${id}`)) as { state: string; points: Point[] } & Record<string, any>;

    // ---------------------------------------------------------------- the kill, while point KILL_AT is due
    await until(async () => (await detail(admin)).points.length >= 2, 15_000, 'a checkpoint after the connect');
    await sleep(dueOf(KILL_AT) + KILL_OFFSET_MS - Date.now());
    const victim = server;
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    assert.equal(await victim.exited, -1, 'the server died of the signal');

    // ---------------------------------------------------------------- restart on the same database
    server = await startServer(database.env);
    const upAt = Date.now();
    admin = await Client.signIn(server.base);
    asCaller = member(server.base, caller.token);
    asStreamer = member(server.base, streamer.token);
    assert.ok(upAt < dueOf(LAST + 1) - 3000, `the restart took ${upAt - killedAt} ms: too long to see the call end after it`);
    const ended = await until(
      async () => {
        const call = await detail(admin);
        return call.state === 'ended' && call;
      },
      dueOf(LAST + 1) - Date.now() + 15_000,
      'the end of the call',
    );

    // ---------------------------------------------------------------- what it billed, through the API
    assert.equal(ended.endReason, 'insufficient_funds');
    const points = ended.points;
    assert.deepEqual(
      points.map((p) => p.index),
      Array.from({ length: LAST + 1 }, (_, i) => i),
      'points 0..LAST, each once, none after',
    );
    for (const p of points) {
      assert.equal(Date.parse(p.dueAt), dueOf(p.index), `point ${p.index} was due ${EVERY_S} s after the one before`);
      assert.ok(Date.parse(p.billedAt) >= dueOf(p.index), `point ${p.index} was not billed before it was due`);
      // What came due while a scheduler ran was billed on time; what came due during the outage, once the new process was up.
      if (dueOf(p.index) < killedAt - ON_TIME_MS || dueOf(p.index) > upAt)
        assert.ok(
          Date.parse(p.billedAt) - dueOf(p.index) < ON_TIME_MS,
          `point ${p.index} billed ${Date.parse(p.billedAt) - dueOf(p.index)} ms after it was due`,
        );
      else assert.ok(Date.parse(p.billedAt) < upAt + 5000, `point ${p.index}, due in the outage, billed soon after the restart`);
    }
    const endedLate = Date.parse(ended.endedAt) - dueOf(LAST + 1);
    assert.ok(endedLate >= 0 && endedLate < ON_TIME_MS, `the call ended ${endedLate} ms after the point the wallet could not cover was due`);
    const earned = EARNS * LAST;
    const agencyShare = Math.floor((PRICE * AGENCY_BP) / 10000) * (LAST + 1);
    assert.equal(ended.cost, FUNDS);
    assert.equal(ended.earned, earned);
    const balance = async (ownerType: string, ownerId: string, kind: string) =>
      (await admin.ok('GET', `/api/console/ledger/accounts?ownerType=${ownerType}&ownerId=${ownerId}&kind=${kind}&currency=COIN`)).items[0]?.posted ?? 0;
    assert.equal(await balance('person', caller.id, 'wallet'), 0, 'funded − cost');
    assert.equal(await balance('person', streamer.id, 'earnings'), earned);
    assert.equal(await balance('organization', agency.id, 'earnings'), agencyShare);
    const check = await admin.ok('GET', '/api/console/ledger/check');
    assert.deepEqual(
      { ok: check.ok, mismatches: check.mismatches, unbalanced: check.unbalanced, negative: check.negative },
      { ok: true, mismatches: [], unbalanced: [], negative: [] },
      'the ledger check is sound',
    );
    await stopServer(server);
    server = undefined;

    // ---------------------------------------------------------------- the rows themselves, with the server stopped
    const opened = await openDatabase(database.databaseUrl ? { databaseUrl: database.databaseUrl, dataDir: database.dataDir } : { dataDir: database.dataDir });
    try {
      const batches = await queryRows<{ memo: string; transfers: number; batches: number; ids: string[]; paid: string; wallet_after: string }>(
        opened.db,
        sql`SELECT t.memo, count(*)::int AS transfers, count(DISTINCT coalesce(t.batch_id::text, t.id::text))::int AS batches,
                   array_agg(t.id::text ORDER BY t.id) AS ids,
                   sum(CASE WHEN a.owner_id = ${caller.id}::uuid THEN t.amount ELSE 0 END)::text AS paid,
                   min(CASE WHEN a.owner_id = ${caller.id}::uuid THEN t.debit_balance_after END)::text AS wallet_after
            FROM ledger_transfers t JOIN ledger_accounts a ON a.id = t.debit_account_id
            WHERE t.reference_type = 'call' AND t.reference_id = ${id}
            GROUP BY t.memo ORDER BY min(t.seq)`,
      );
      assert.deepEqual(
        batches.map((b) => b.memo),
        points.map((p) => `call:${id}:${p.index}`),
        'one memo per point, in order, and no other',
      );
      for (const [i, b] of batches.entries()) {
        const point = points[i]!;
        assert.equal(b.batches, 1, `${b.memo} was posted once, as one batch`);
        assert.deepEqual([...b.ids].sort(), [...point.transferIds].sort(), `${b.memo}: the transfers its point names`);
        assert.equal(Number(b.paid), PRICE, `${b.memo}: the caller paid one price`);
        assert.equal(Number(b.wallet_after), FUNDS - PRICE * (point.index + 1), `${b.memo}: the wallet after it`);
      }
      const [wallet] = await queryRows<{ low: string | null }>(
        opened.db,
        sql`SELECT min(least(CASE WHEN t.debit_account_id = a.id THEN t.debit_balance_after END, CASE WHEN t.credit_account_id = a.id THEN t.credit_balance_after END))::text AS low
            FROM ledger_transfers t JOIN ledger_accounts a ON a.id IN (t.debit_account_id, t.credit_account_id)
            WHERE a.owner_id = ${caller.id}::uuid AND a.kind = 'wallet'`,
      );
      assert.ok(Number(wallet!.low) >= 0, 'the wallet never went negative');
      const [rows] = await queryRows<{ points: number; indexes: number }>(
        opened.db,
        sql`SELECT count(*)::int AS points, count(DISTINCT "index")::int AS indexes FROM call_points WHERE call_id = ${id}::uuid`,
      );
      assert.deepEqual(rows, { points: LAST + 1, indexes: LAST + 1 });
      const sound = await checkLedger(opened.db);
      assert.deepEqual(
        { mismatches: sound.mismatches, unbalanced: sound.unbalanced, negative: sound.negative },
        { mismatches: [], unbalanced: [], negative: [] },
      );
    } finally {
      await opened.close();
    }

    const byA = points.filter((p) => Date.parse(p.billedAt) < killedAt).length;
    const late = points.map((p) => Date.parse(p.billedAt) - dueOf(p.index));
    t.diagnostic(
      `CRASH_SEED=${CRASH_SEED}: SIGKILL ${killedAt - dueOf(KILL_AT)} ms after point ${KILL_AT} was due; ${byA} points billed before it; ` +
        `restart took ${upAt - killedAt} ms; lateness per point (ms) ${late.join(', ')}; ended ${endedLate} ms after point ${LAST + 1} was due`,
    );
  });
});
