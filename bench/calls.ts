/**
 * Call billing under load: 1,000 concurrent calls billed by the real scheduler (`runDue` of
 * `server/src/modules/calls/scheduler.ts`, every TICK_MS like its loop) for 3 simulated minutes, on a
 * kernel clock that runs BENCH_CALLS_SPEED times faster than real time (default 10).
 *
 *   npm run bench -- calls                   PGlite in a temporary DATA_DIR
 *   BENCH_DATABASE_URL=postgres://… npm run bench -- calls
 *   BENCH_CALLS_SPEED=1 npm run bench -- calls      the real pace (3 minutes of billing; default 10×)
 *   npm run bench -- calls --calls 2000             another number of calls
 *
 * Prints the checkpoints' lateness (p50, p99, max, in real milliseconds from the point's due time to the
 * commit of its batch), the scheduler's ledger batches per second of work, the same batches (the same legs,
 * one transaction each) posted straight through the ledger service (`postTransfers`) as the baseline, and
 * the ratio; then checks that every point was billed exactly once and the ledger is sound. See bench/README.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/src/app.ts';
import { systemActor, type Actor } from '../server/src/core/actor.ts';
import { parseConfig } from '../server/src/core/config.ts';
import { queryRows } from '../server/src/core/db/sql.ts';
import type { Kernel } from '../server/src/core/kernel.ts';
import { runDue, TICK_MS } from '../server/src/modules/calls/scheduler.ts';
import { answer, joined, requestCall } from '../server/src/modules/calls/service.ts';
import { COIN } from '../server/src/modules/creators/coins.ts';
import { createAgency } from '../server/src/modules/creators/agencies/service.ts';
import { registerStreamer } from '../server/src/modules/creators/streamers/service.ts';
import { DEMO_TARIFFS } from '../server/src/modules/creators/tariffs/defaults.ts';
import { billingPoints } from '../server/src/modules/creators/tariffs/schedule.ts';
import { saveTariff } from '../server/src/modules/creators/tariffs/service.ts';
import { checkLedger } from '../server/src/modules/ledger/check.ts';
import { ensureAccount, platformAccount } from '../server/src/modules/ledger/accounts.ts';
import { postTransfers, type TransferInput } from '../server/src/modules/ledger/transfers.ts';
import { createPerson } from '../server/src/modules/people/people.ts';
import { throwawayDatabase } from '../server/test/throwaway-database.ts';
import { ADMIN } from './support.ts';

const DEFAULT_CALLS = 1_000;
/** Calls connect one after the other over this much simulated time, so their points are spread as real calls' are. */
const STAGGER_S = 60;
/** Each call is billed this long (simulated): points at 0 (the connect), 20, 60, 120 and 180 s by the seed's roulette tariff. */
const CALL_S = 180;
const AGENCIES = 10;
const FUNDS = 10_000;
const AGENCY_SHARE_BP = 1000;
const TARGET_P99_MS = 1000;
const CHUNK = 100;
const ROULETTE = { ...DEMO_TARIFFS.roulette, agencyShareBp: AGENCY_SHARE_BP };

/** The kernel's clock: frozen while calls are set up, then simulated time running `speed` times faster than real time. */
class BenchClock {
  frozen: number | null = null;
  private simStart = 0;
  private realStart = 0;
  constructor(readonly speed: number) {}
  now = (): Date => new Date(this.frozen ?? this.simStart + (performance.now() - this.realStart) * this.speed);
  run(fromSim: number): void {
    this.simStart = fromSim;
    this.realStart = performance.now();
    this.frozen = null;
  }
  /** The real moment (performance.now()) a simulated time falls at. */
  realAt(sim: number): number {
    return this.realStart + (sim - this.simStart) / this.speed;
  }
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a whole number ≥ 1`);
  return value;
}

interface Pair {
  callerId: string;
  streamerId: string;
  callId?: string;
}

/** Callers with funded wallets and streamers in agencies, through the services, CHUNK pairs per transaction. */
async function makePairs(kernel: Kernel, n: number): Promise<Pair[]> {
  const actor = systemActor('bench');
  const agencies = await kernel.write(actor, async (ctx) => {
    const made: string[] = [];
    for (let i = 0; i < AGENCIES; i++) made.push((await createAgency(ctx, { name: `Bench Agency ${i}` })).id);
    await saveTariff(ctx, 'direct', ROULETTE, null);
    return made;
  });
  const pairs: Pair[] = [];
  for (let i = 0; i < n; i += CHUNK) {
    const chunk = await kernel.write(actor, async (ctx) => {
      const made: Pair[] = [];
      const liability = await platformAccount(ctx, 'liability', COIN);
      const funding: TransferInput[] = [];
      for (let j = i; j < Math.min(n, i + CHUNK); j++) {
        const streamer = await createPerson(ctx, { displayName: `Bench Streamer ${j}` });
        await registerStreamer(ctx, streamer.id, agencies[j % AGENCIES]!);
        const caller = await createPerson(ctx, { displayName: `Bench Caller ${j}` });
        const wallet = await ensureAccount(ctx, { ownerType: 'person', ownerId: caller.id, kind: 'wallet', currency: COIN });
        funding.push({ debitAccountId: liability.id, creditAccountId: wallet.id, amount: FUNDS, kind: 'adjustment', memo: 'bench funding' });
        made.push({ callerId: caller.id, streamerId: streamer.id });
      }
      await postTransfers(ctx, funding);
      return made;
    });
    pairs.push(...chunk);
  }
  return pairs;
}

/** Each call requested, answered and joined by both sides (the connect is billed then), at its own frozen instant. */
async function connectCalls(kernel: Kernel, clock: BenchClock, pairs: Pair[], start: number): Promise<void> {
  const member = (id: string): Actor => ({ type: 'member', id });
  // The streamer's phone would ring (the `calls.incoming` notification, whose push timers are pg-boss jobs, which
  // this process does not run): not what is measured, so the calls are made without it.
  const notifier = kernel.notifier;
  (kernel as { notifier?: Kernel['notifier'] }).notifier = undefined;
  for (const [i, pair] of pairs.entries()) {
    clock.frozen = start + Math.floor((i * STAGGER_S * 1000) / pairs.length);
    const call = await kernel.write(member(pair.callerId), (ctx) => requestCall(ctx, pair.callerId, pair.streamerId, 'direct'));
    pair.callId = call.id;
    await kernel.write(member(pair.streamerId), (ctx) => answer(ctx, call.id, pair.streamerId, 'accepted'));
    await kernel.write(member(pair.callerId), (ctx) => joined(ctx, call.id, pair.callerId));
    await kernel.write(member(pair.streamerId), (ctx) => joined(ctx, call.id, pair.streamerId));
  }
  (kernel as { notifier?: Kernel['notifier'] }).notifier = notifier;
  // Both apps keep beating (what `call.beat` records): the heartbeat check is not what is measured.
  await kernel.db.execute(
    sql`UPDATE calls SET caller_beat_at = connected_at + interval '1 day', streamer_beat_at = connected_at + interval '1 day' WHERE state = 'connected'`,
  );
}

interface Run {
  /** Real ms from each point's due time to the commit of its batch (the `calls.billed` event published after commit). */
  committed: number[];
  /** Real ms from each point's due time to `billed_at` (the start of its transaction). */
  started: number[];
  batches: number;
  /** Real seconds the passes that billed something took, and the whole run. */
  busyS: number;
  elapsedS: number;
  passes: number;
  longestPassMs: number;
  /** The simulated time the clock stopped at. */
  stoppedAt: number;
}

async function dueBy(kernel: Kernel, at: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    kernel.db,
    sql`SELECT count(*)::int AS n FROM calls WHERE state = 'connected' AND next_point_at <= ${new Date(at)}`,
  );
  return row!.n;
}

/** The scheduler's loop (`startCallScheduler`), timed: a pass of `runDue`, then the rest of TICK_MS, until simulated `until`. */
async function runScheduler(kernel: Kernel, clock: BenchClock, until: number): Promise<Run> {
  const commits = new Map<string, number>();
  const unsubscribe = kernel.bus.subscribe((message) => {
    if (message.kind !== 'event' || message.event.type !== 'calls.billed') return;
    const payload = message.event.payload as { callId: string; index: number };
    commits.set(`${payload.callId}:${payload.index}`, performance.now());
  });
  let busyMs = 0;
  let passes = 0;
  let longestPassMs = 0;
  let stoppedAt = until;
  const started = performance.now();
  const from = clock.now().getTime();
  try {
    // Until the simulated end, and then until nothing due by then is left (the clock runs on): a scheduler
    // that fell behind bills the rest late, and that lateness counts.
    for (;;) {
      const pass = performance.now();
      const done = await runDue(kernel);
      const took = performance.now() - pass;
      passes++;
      if (done > 0) busyMs += took;
      longestPassMs = Math.max(longestPassMs, took);
      if (clock.now().getTime() >= until && (await dueBy(kernel, until)) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, TICK_MS - took)));
    }
    // The clock stops: what the calls have reached by now is all there should be (a last pass bills what just came due).
    stoppedAt = clock.now().getTime();
    clock.frozen = stoppedAt;
    while ((await runDue(kernel)) > 0);
  } finally {
    unsubscribe();
  }
  const elapsedS = (performance.now() - started) / 1000;
  const points = await queryRows<{ call_id: string; index: number; due_at: Date; billed_at: Date }>(
    kernel.db,
    sql`SELECT call_id, "index", due_at, billed_at FROM call_points WHERE "index" > 0 AND due_at >= ${new Date(from)}`,
  );
  const committed: number[] = [];
  const startedLate: number[] = [];
  for (const p of points) {
    const due = new Date(p.due_at).getTime();
    const commit = commits.get(`${p.call_id}:${p.index}`);
    if (commit !== undefined) committed.push(commit - clock.realAt(due));
    startedLate.push((new Date(p.billed_at).getTime() - due) / clock.speed);
  }
  return { committed, started: startedLate, batches: points.length, busyS: busyMs / 1000, elapsedS, passes, longestPassMs, stoppedAt };
}

/** The baseline: the same batches (the legs each point posted, in the order they were billed), each in its own transaction, through `postTransfers`. */
async function postDirectly(kernel: Kernel, since: Date): Promise<{ batches: number; seconds: number }> {
  const legs = await queryRows<{ memo: string; debit: string; credit: string; amount: string; reference_id: string }>(
    kernel.db,
    sql`SELECT t.memo, t.debit_account_id AS debit, t.credit_account_id AS credit, t.amount::text AS amount, t.reference_id
        FROM call_points p CROSS JOIN LATERAL jsonb_array_elements_text(p.transfer_ids) AS leg(id) JOIN ledger_transfers t ON t.id = leg.id::uuid
        WHERE p."index" > 0 AND p.due_at >= ${since} ORDER BY t.seq`,
  );
  const batches = new Map<string, TransferInput[]>();
  for (const leg of legs) {
    const batch = batches.get(leg.memo) ?? [];
    batch.push({
      debitAccountId: leg.debit,
      creditAccountId: leg.credit,
      amount: Number(leg.amount),
      kind: 'call',
      reference: { type: 'bench', id: leg.reference_id },
      memo: `baseline:${leg.memo}`,
    });
    batches.set(leg.memo, batch);
  }
  const actor = systemActor('bench');
  const started = performance.now();
  for (const batch of batches.values()) await kernel.write(actor, (ctx) => postTransfers(ctx, batch));
  return { batches: batches.size, seconds: (performance.now() - started) / 1000 };
}

/** Every call has each point its length reached once (0, 20, 60, 120, 180 s, …), each with one ledger batch; the ledger is sound. */
async function verify(
  kernel: Kernel,
  pairs: Pair[],
  stoppedAt: number,
): Promise<{ expected: number; present: number; duplicated: number; missing: number; sound: boolean }> {
  const [counts] = await queryRows<{ points: number; distinct_points: number; memos: number; batches: number; max_batches: number }>(
    kernel.db,
    sql`SELECT (SELECT count(*)::int FROM call_points) AS points,
               (SELECT count(DISTINCT (call_id, "index"))::int FROM call_points) AS distinct_points,
               (SELECT count(DISTINCT memo)::int FROM ledger_transfers WHERE reference_type = 'call') AS memos,
               (SELECT count(DISTINCT coalesce(batch_id::text, id::text))::int FROM ledger_transfers WHERE reference_type = 'call') AS batches,
               (SELECT coalesce(max(n), 0)::int FROM (SELECT count(DISTINCT coalesce(batch_id::text, id::text)) AS n FROM ledger_transfers
                  WHERE reference_type = 'call' GROUP BY memo) m) AS max_batches`,
  );
  const perCall = await queryRows<{ call_id: string; connected_at: Date; indexes: number[] }>(
    kernel.db,
    sql`SELECT c.id AS call_id, c.connected_at, array_agg(p."index" ORDER BY p."index") AS indexes
        FROM calls c JOIN call_points p ON p.call_id = c.id GROUP BY c.id, c.connected_at`,
  );
  const byCall = new Map(perCall.map((row) => [row.call_id, row]));
  let expected = 0;
  let missing = 0;
  for (const pair of pairs) {
    const call = byCall.get(pair.callId!);
    const reached = call ? billingPoints(ROULETTE, (stoppedAt - new Date(call.connected_at).getTime()) / 1000).length : 1;
    expected += reached;
    const indexes = new Set(call?.indexes ?? []);
    for (let index = 0; index < reached; index++) if (!indexes.has(index)) missing++;
  }
  const check = await checkLedger(kernel.db);
  const sound = check.mismatches.length === 0 && check.unbalanced.length === 0 && check.negative.length === 0;
  const c = counts!;
  // A point billed twice would be a second call_points row, a second batch under its memo, or more batches than points.
  const duplicated = c.points - c.distinct_points + (c.max_batches > 1 ? c.batches - c.memos : 0) + Math.max(0, c.batches - c.points);
  return { expected, present: c.distinct_points, duplicated, missing, sound };
}

export async function main(args: string[]): Promise<void> {
  const unknown = args.filter((a, i) => a !== '--calls' && args[i - 1] !== '--calls');
  if (unknown.length > 0) throw new Error(`unknown option(s) ${unknown.join(' ')}; the calls bench takes --calls N`);
  const n = option(args, '--calls', DEFAULT_CALLS);
  const speed = Number(process.env.BENCH_CALLS_SPEED || 10);
  if (!Number.isFinite(speed) || speed < 1) throw new Error('BENCH_CALLS_SPEED must be a number ≥ 1');
  const where = process.env.BENCH_DATABASE_URL ? 'postgresql' : 'pglite';
  console.log(
    `bench calls: ${where}, ${n} calls connected over ${STAGGER_S} s and billed ${CALL_S} s each by the seed's roulette tariff (agency share ${AGENCY_SHARE_BP / 100} %), ` +
      `clock ${speed}× real time, scheduler tick ${TICK_MS} ms real, node ${process.version}`,
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
  const postgres = process.env.BENCH_DATABASE_URL ? await throwawayDatabase(process.env.BENCH_DATABASE_URL, 'sb_bench_calls') : undefined;
  const clock = new BenchClock(speed);
  clock.frozen = Math.ceil(Date.now() / 1000) * 1000;
  let app: FastifyInstance | undefined;
  try {
    const config = parseConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: postgres?.url,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
    });
    // No workers: the scheduler is driven below, on the bench's clock, and nothing else competes with it.
    app = await buildApp(config, { workers: false, logger: false, now: clock.now });
    const kernel = app.kernel;
    let step = performance.now();
    const lap = () => {
      const s = ((performance.now() - step) / 1000).toFixed(1);
      step = performance.now();
      return s;
    };
    process.stderr.write(`  ${n} callers and streamers, funded… `);
    const pairs = await makePairs(kernel, n);
    process.stderr.write(`${lap()} s; connecting ${n} calls… `);
    const start = clock.frozen + 1000;
    await connectCalls(kernel, clock, pairs, start);
    await kernel.database.executeSql('ANALYZE');
    const until = start + (STAGGER_S + CALL_S + 1) * 1000;
    process.stderr.write(`${lap()} s; billing ${STAGGER_S + CALL_S + 1} simulated s (${((STAGGER_S + CALL_S + 1) / speed).toFixed(0)} s real)… `);
    clock.run(start);
    const run = await runScheduler(kernel, clock, until);
    process.stderr.write(`${lap()} s; baseline… `);
    const baseline = await postDirectly(kernel, new Date(start));
    process.stderr.write(`${lap()} s; checking… `);
    const verdict = await verify(kernel, pairs, run.stoppedAt);
    console.error('done\n');

    const p99 = percentile(run.committed, 99);
    const ours = run.batches / run.busyS;
    const base = baseline.batches / baseline.seconds;
    const ms = (v: number) => `${v.toFixed(0)} ms`;
    console.log(
      `checkpoint lateness, due → committed (real time): p50 ${ms(percentile(run.committed, 50))}, p99 ${ms(p99)}, max ${ms(Math.max(...run.committed))} ` +
        `over ${run.committed.length} points (target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'PASS' : 'BELOW'})`,
    );
    console.log(
      `  due → billed_at (the transaction's start): p50 ${ms(percentile(run.started, 50))}, p99 ${ms(percentile(run.started, 99))}, max ${ms(Math.max(...run.started))}`,
    );
    console.log(
      `scheduler: ${run.batches} batches in ${run.elapsedS.toFixed(1)} s (${(run.batches / run.elapsedS).toFixed(0)}/s offered by the schedule at ${speed}×: the load ${(n * speed).toLocaleString('en')} calls would make in real time), ` +
        `${run.busyS.toFixed(1)} s of passes that billed: ${ours.toFixed(0)} batches/s of work; ${run.passes} passes, longest ${ms(run.longestPassMs)}`,
    );
    console.log(
      `baseline: the same ${baseline.batches} batches through postTransfers, one transaction each: ${base.toFixed(0)} batches/s; ` +
        `ratio ours ÷ baseline ${(ours / base).toFixed(2)}`,
    );
    console.log(
      `exactly once: ${verdict.present} of ${verdict.expected} points, ${verdict.duplicated} duplicated, ${verdict.missing} missing; ` +
        `ledger check ${verdict.sound ? 'sound' : 'NOT SOUND'}`,
    );
    if (verdict.duplicated > 0 || verdict.missing > 0 || !verdict.sound) throw new Error('the calls were not billed exactly once, or the ledger is not sound');
  } finally {
    await app?.close();
    await postgres?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
