import { and, asc, eq, inArray, ne, notExists, or, sql } from 'drizzle-orm';
import { systemActor } from '../../../core/actor.ts';
import type { Executor } from '../../../core/db/client.ts';
import type { Kernel, ServiceContext } from '../../../core/kernel.ts';
import { realtimeHub } from '../../../core/realtime/hub.ts';
import { COIN } from '../../creators/coins.ts';
import { markMatched, matchedSince } from '../../creators/interactions/service.ts';
import { blockedAmong } from '../../creators/social/blocks.ts';
import { findStreamer } from '../../creators/streamers/service.ts';
import { tariffFor } from '../../creators/tariffs/service.ts';
import { pickVideo } from '../../creators/videos/service.ts';
import { ensureAccount } from '../../ledger/accounts.ts';
import { getPeople } from '../../people/people.ts';
import { CallsError } from '../errors.ts';
import { calls, roulettePool } from '../schema.ts';
import { busyAmong, hangUp, OPEN_STATES, startPrerecordedCall, startRouletteCall, type Call } from '../service.ts';

export const REMATCH_SETTING = 'calls.roulette_rematch_hours';
export const PRERECORDED_SETTING = 'calls.roulette_prerecorded';
/** Candidates looked at per match: the first that passes every rule wins. */
const CANDIDATES = 50;
/** Pool entries checked for presence per pass. */
const SWEEP = 1000;

export type RouletteRole = 'user' | 'streamer';
export interface RouletteOutcome {
  /** `waiting` in the pool, or `matched` into `call` (a live streamer's roulette call, or a prerecorded video). */
  state: 'waiting' | 'matched';
  call: Call | null;
}

/**
 * A member enters the roulette pool and is matched at once when someone fits: a user with the streamer who
 * waited longest, a streamer with the user who waited longest. A match is never between people blocked
 * either way, nor a pair roulette matched within `calls.roulette_rematch_hours`, and both must be online.
 * A user nobody fits watches a streamer's prerecorded video when the setting allows it, else waits.
 */
export async function enterRoulette(ctx: ServiceContext, personId: string): Promise<RouletteOutcome> {
  const streamer = await findStreamer(ctx.tx, personId);
  if (streamer && streamer.status !== 'active') throw CallsError.forbidden('A suspended streamer takes no calls.');
  const role: RouletteRole = streamer ? 'streamer' : 'user';
  const open = await busyAmong(ctx.tx, [personId]);
  if (open) throw new CallsError('busy', 'You are already in a call.', { extra: { callId: open } });
  if (role === 'user') {
    // Nobody is matched into a call they cannot pay the connect of: better to say so now than to wait.
    const tariff = await tariffFor(ctx.tx, 'roulette', ctx.now, { agencyId: null });
    if (!tariff) throw new CallsError('no_tariff', 'No tariff prices roulette calls yet.');
    const wallet = await ensureAccount(ctx, { ownerType: 'person', ownerId: personId, kind: 'wallet', currency: COIN });
    if (wallet.posted - wallet.held < tariff.caller.connect)
      throw new CallsError('insufficient_funds', `A roulette call costs ${tariff.caller.connect} coins to connect.`, {
        extra: { required: tariff.caller.connect },
      });
  }
  await ctx.tx.insert(roulettePool).values({ personId, role, waitingSince: ctx.now }).onConflictDoNothing();
  const call = role === 'user' ? await matchUser(ctx, personId) : await matchStreamer(ctx, personId);
  if (call) return { state: 'matched', call };
  if (role === 'user' && ctx.kernel.settings.get<boolean>(PRERECORDED_SETTING)) {
    const video = await pickVideo(ctx.kernel, ctx.tx, personId, rematchSince(ctx));
    if (video) {
      try {
        const watched = await ctx.savepoint(async (inner) => {
          await leavePool(inner, personId);
          await markMatched(inner, personId, video.streamerId);
          return startPrerecordedCall(inner, personId, video.streamerId, video.fileId);
        });
        return { state: 'matched', call: watched };
      } catch (error) {
        // No prerecorded tariff, or one the wallet cannot pay: the user waits for a live streamer instead.
        if (!(error instanceof CallsError)) throw error;
      }
    }
  }
  return { state: 'waiting', call: null };
}

/** Leaves the pool (a call already matched goes on: hang it up to end it). */
export async function leaveRoulette(ctx: ServiceContext, personId: string): Promise<void> {
  await leavePool(ctx, personId);
}

/** Skip: ends my roulette call (or the video I watch), if any, and enters the pool again for the next match. */
export async function nextInRoulette(ctx: ServiceContext, personId: string): Promise<RouletteOutcome> {
  const [current] = await ctx.tx
    .select({ id: calls.id })
    .from(calls)
    .where(
      and(
        inArray(calls.state, OPEN_STATES),
        or(and(eq(calls.callerId, personId), ne(calls.kind, 'direct')), and(eq(calls.streamerId, personId), eq(calls.kind, 'roulette'))),
      ),
    )
    .limit(1);
  if (current) await hangUp(ctx, current.id, personId);
  return enterRoulette(ctx, personId);
}

export async function poolEntry(db: Executor, personId: string) {
  const [entry] = await db.select().from(roulettePool).where(eq(roulettePool.personId, personId));
  return entry;
}

async function leavePool(ctx: ServiceContext, personId: string): Promise<void> {
  await ctx.tx.delete(roulettePool).where(eq(roulettePool.personId, personId));
}

const rematchSince = (ctx: ServiceContext) => new Date(ctx.now.getTime() - ctx.kernel.settings.get<number>(REMATCH_SETTING) * 3_600_000);

/** The pool entry's person is in no open call (a streamer whose video plays to someone is in none). */
function inNoCall(db: Executor) {
  return notExists(
    db
      .select({ one: sql`1` })
      .from(calls)
      .where(
        and(
          inArray(calls.state, OPEN_STATES),
          or(eq(calls.callerId, roulettePool.personId), and(eq(calls.streamerId, roulettePool.personId), ne(calls.kind, 'prerecorded'))),
        ),
      ),
  );
}

/** Those in the pool with `role` who are in no call, longest waiting first, locked (others' locked ones are skipped). */
async function waiting(ctx: ServiceContext, role: RouletteRole, except: string) {
  const rows = await ctx.tx
    .select({ personId: roulettePool.personId })
    .from(roulettePool)
    .where(and(eq(roulettePool.role, role), ne(roulettePool.personId, except), inNoCall(ctx.tx)))
    .orderBy(asc(roulettePool.waitingSince))
    .limit(CANDIDATES)
    .for('update', { skipLocked: true });
  return rows.map((r) => r.personId);
}

/** Of `candidates` (in order), those `personId` may be matched with: online, active, not blocked, not matched lately. */
async function eligible(ctx: ServiceContext, personId: string, candidates: string[]): Promise<string[]> {
  if (candidates.length === 0) return [];
  const [online, blocked, recent, people] = await Promise.all([
    realtimeHub(ctx.kernel).onlineAmong([personId, ...candidates], ctx.tx),
    blockedAmong(ctx.tx, personId, candidates),
    matchedSince(ctx.tx, personId, candidates, rematchSince(ctx)),
    getPeople(ctx.tx, candidates),
  ]);
  if (!online.has(personId)) return [];
  const active = new Set(people.filter((p) => p.status === 'active').map((p) => p.id));
  return candidates.filter((id) => online.has(id) && active.has(id) && !blocked.has(id) && !recent.has(id));
}

/**
 * Opens the pair's roulette call in a savepoint: a refusal (taken by a direct call a moment ago, checked again
 * under the call locks; the streamer suspended) undoes the attempt and releases the call locks it took, so a
 * matcher trying the next candidate never holds a lock in the wrong order. `gone`: the user can no longer pay
 * the connect (their coins ran out while waiting) and left the pool, never again in everyone's way.
 */
async function match(ctx: ServiceContext, userId: string, streamerId: string): Promise<Call | 'gone' | undefined> {
  try {
    return await ctx.savepoint(async (inner) => {
      const call = await startRouletteCall(inner, userId, streamerId);
      await leavePool(inner, userId);
      await markMatched(inner, userId, streamerId);
      // The streamer queues again behind the others who wait: users are shared out, not all given to the first.
      await inner.tx.update(roulettePool).set({ waitingSince: inner.now }).where(eq(roulettePool.personId, streamerId));
      return call;
    });
  } catch (error) {
    if (error instanceof CallsError && (error.code === 'busy' || error.code === 'not_found')) return undefined;
    if (error instanceof CallsError && error.code === 'insufficient_funds') {
      await leavePool(ctx, userId);
      return 'gone';
    }
    throw error;
  }
}

/** Holds one's own pool entry for the match (false: another process is matching them right now, or they left). */
async function holdSelf(ctx: ServiceContext, personId: string): Promise<boolean> {
  const [entry] = await ctx.tx
    .select({ personId: roulettePool.personId })
    .from(roulettePool)
    .where(eq(roulettePool.personId, personId))
    .for('update', { skipLocked: true });
  return entry !== undefined;
}

async function matchUser(ctx: ServiceContext, userId: string): Promise<Call | undefined> {
  if (!(await holdSelf(ctx, userId))) return undefined;
  for (const streamerId of await eligible(ctx, userId, await waiting(ctx, 'streamer', userId))) {
    const call = await match(ctx, userId, streamerId);
    if (call === 'gone') throw new CallsError('insufficient_funds', 'You cannot pay the connect of a roulette call.');
    if (call) return call;
  }
  return undefined;
}

async function matchStreamer(ctx: ServiceContext, streamerId: string): Promise<Call | undefined> {
  if (!(await holdSelf(ctx, streamerId))) return undefined;
  for (const userId of await eligible(ctx, streamerId, await waiting(ctx, 'user', streamerId))) {
    const call = await match(ctx, userId, streamerId);
    if (call && call !== 'gone') return call;
  }
  return undefined;
}

/**
 * The scheduler's pass: free streamers in the pool take waiting users (a streamer whose call ended, one who
 * came online, a user who entered while nobody fit). Each streamer is matched in its own transaction.
 */
export async function matchWaiting(kernel: Kernel): Promise<number> {
  // Whoever is not online any more leaves (their process may have died without a presence change to say so).
  const pool = await kernel.db.select({ personId: roulettePool.personId, role: roulettePool.role }).from(roulettePool).limit(SWEEP);
  const online = await realtimeHub(kernel).onlineAmong(pool.map((entry) => entry.personId));
  const gone = pool.filter((entry) => !online.has(entry.personId)).map((entry) => entry.personId);
  if (gone.length) await kernel.write(systemActor('calls'), (ctx) => ctx.tx.delete(roulettePool).where(inArray(roulettePool.personId, gone)));
  if (!pool.some((entry) => entry.role === 'user' && online.has(entry.personId))) return 0;
  const streamers = await kernel.db
    .select({ personId: roulettePool.personId })
    .from(roulettePool)
    .where(and(eq(roulettePool.role, 'streamer'), inNoCall(kernel.db)))
    .orderBy(asc(roulettePool.waitingSince))
    .limit(CANDIDATES);
  let matched = 0;
  for (const { personId } of streamers) {
    try {
      if (await kernel.write(systemActor('calls'), (ctx) => matchStreamer(ctx, personId))) matched++;
    } catch (error) {
      // One streamer's failure is logged and skipped, never in the way of the others.
      kernel.log.error({ err: error, streamerId: personId }, 'roulette could not match a streamer');
    }
  }
  return matched;
}

/** The pool at a glance (the console's Calls page): users waiting, streamers in it, and those of them free now. */
export async function poolSummary(db: Executor): Promise<{ waitingUsers: number; streamers: number; freeStreamers: number }> {
  const [row] = await db
    .select({
      waitingUsers: sql<number>`count(*) FILTER (WHERE ${roulettePool.role} = 'user')`.mapWith(Number),
      streamers: sql<number>`count(*) FILTER (WHERE ${roulettePool.role} = 'streamer')`.mapWith(Number),
      freeStreamers: sql<number>`count(*) FILTER (WHERE ${roulettePool.role} = 'streamer' AND ${inNoCall(db)})`.mapWith(Number),
    })
    .from(roulettePool);
  return row ?? { waitingUsers: 0, streamers: 0, freeStreamers: 0 };
}
