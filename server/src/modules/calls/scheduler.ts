import { and, asc, eq, inArray, isNotNull, isNull, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { systemActor } from '../../core/actor.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import { COIN } from '../creators/coins.ts';
import { accountsByOwner, lockAccounts, platformAccount } from '../ledger/accounts.ts';
import { matchWaiting } from './roulette/service.ts';
import { callPoints, calls } from './schema.ts';
import { MAX_CALL_SECONDS } from '../creators/tariffs/schedule.ts';
import { tariffById, type TariffVersion } from '../creators/tariffs/service.ts';
import {
  bill,
  endCall,
  warnLowBalance,
  HEARTBEAT_TIMEOUT_SETTING,
  JOIN_TIMEOUT_SECONDS,
  missCall,
  type PreparedBilling,
  RING_TIMEOUT_SETTING,
  type Call,
  type CallEndReason,
} from './service.ts';

/** How often the scheduler looks for due work: a checkpoint is billed at most this much after it is due, plus the work. */
export const TICK_MS = 200;
/** Calls handled per kind of work per tick (the rest wait for the next tick, a fraction of a second). */
const BATCH = 200;

/** Due billing points taken per transaction: one commit for several calls (a failure retries them one by one). */
const BILL_CHUNK = 16;

type Work = (call: Call, ctx: ServiceContext, prepared?: PreparedBilling) => Promise<unknown>;

/**
 * Reads, for a chunk of due calls, what billing them needs: the accounts their points move money between
 * (the callers' wallets, the streamers' and agencies' earnings, platform revenue), locked in one statement
 * in id order as every ledger posting locks them, and which of their due points are billed already. A chunk
 * then never holds one account while it waits for another, so it cannot deadlock with a posting or with
 * another process's chunk. Accounts not opened yet are opened by the billing itself.
 */
async function prepareBilling(rows: Call[], ctx: ServiceContext): Promise<PreparedBilling> {
  const earnings = async (ownerType: 'person' | 'organization', ids: string[]) => [
    ...(await accountsByOwner(ctx.tx, ownerType, ids, 'earnings', COIN)).values(),
  ];
  const found = [
    ...(
      await accountsByOwner(
        ctx.tx,
        'person',
        rows.map((call) => call.callerId),
        'wallet',
        COIN,
      )
    ).values(),
    ...(await earnings(
      'person',
      rows.map((call) => call.streamerId),
    )),
    ...(await earnings(
      'organization',
      rows.flatMap((call) => (call.agencyId ? [call.agencyId] : [])),
    )),
    await platformAccount(ctx, 'revenue', COIN),
  ];
  const locked = await lockAccounts(
    ctx.tx,
    found.map((account) => account.id),
  );
  const key = (ownerType: string, ownerId: string | null, kind: string) => `${ownerType}:${ownerId ?? ''}:${kind}`;
  const accounts = new Map([...locked.values()].map((account) => [key(account.ownerType, account.ownerId, account.kind), account]));
  const due = rows.filter((call) => call.nextPointIndex !== null);
  const billed = new Set(
    due.length
      ? (
          await ctx.tx
            .select({ callId: callPoints.callId, index: callPoints.index })
            .from(callPoints)
            .where(or(...due.map((call) => and(eq(callPoints.callId, call.id), eq(callPoints.index, call.nextPointIndex!)))))
        ).map((point) => `${point.callId}:${point.index}`)
      : [],
  );
  return {
    account: (ref) => (ref.currency === COIN ? accounts.get(key(ref.ownerType, ref.ownerId, ref.kind)) : undefined),
    billed: (callId, index) => billed.has(`${callId}:${index}`),
  };
}

/**
 * Takes up to `chunk` due calls at a time, locked with SKIP LOCKED, and does their work in that transaction:
 * any number of server processes may run the scheduler at once; each due call is handled by exactly one of
 * them, and a call's billing point, written with its row, is billed once however often the work is attempted.
 */
async function each(
  kernel: Kernel,
  due: SQL,
  order: SQL,
  work: Work,
  chunk = 1,
  failed: string[] = [],
  prepare?: (rows: Call[], ctx: ServiceContext) => Promise<PreparedBilling>,
): Promise<number> {
  let done = 0;
  // A call whose work fails is logged and left for the next pass, never in the way of the others.
  while (done < BATCH) {
    let taken: string[] = [];
    try {
      const handled = await kernel.write(systemActor('calls'), async (ctx) => {
        const rows = await ctx.tx
          .select()
          .from(calls)
          .where(failed.length ? and(due, notInArray(calls.id, failed)) : due)
          .orderBy(order)
          .limit(Math.min(chunk, BATCH - done))
          .for('update', { skipLocked: true });
        taken = rows.map((row) => row.id);
        const prepared = rows.length > 1 ? await prepare?.(rows, ctx) : undefined;
        for (const call of rows) await work(call, ctx, prepared);
        return rows.length;
      });
      if (!handled) break;
      done += handled;
    } catch (error) {
      if (taken.length === 0) throw error;
      if (taken.length === 1) {
        failed.push(taken[0]!);
        kernel.log.error({ err: error, callId: taken[0] }, 'the call scheduler could not handle a due call');
        continue;
      }
      // The others' work went back with the one that failed: they go again one per transaction, so only it is skipped.
      done += await each(kernel, and(due, inArray(calls.id, taken))!, order, work, 1, failed, prepare);
    }
  }
  return done;
}

const MATCH_PASS_MS = 1000;
const lastMatchPass = new WeakMap<Kernel, number>();

/** One pass over everything due now: billing points, ring and join timeouts, lost heartbeats, the longest call. */
export async function runDue(kernel: Kernel): Promise<number> {
  const now = kernel.now();
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
  const ring = kernel.settings.get<number>(RING_TIMEOUT_SETTING);
  const heartbeat = kernel.settings.get<number>(HEARTBEAT_TIMEOUT_SETTING);
  const end =
    (reason: CallEndReason): Work =>
    (call, ctx) =>
      endCall(ctx, call.id, reason);
  let done = 0;
  // Tariff versions never change once saved (an edit adds a version): each is read once per pass.
  const tariffs = new Map<string, TariffVersion>();
  const billDue: Work = async (call, ctx, prepared) => {
    let tariff = call.tariffId ? tariffs.get(call.tariffId) : undefined;
    if (!tariff && call.tariffId) {
      tariff = await tariffById(ctx.tx, call.tariffId);
      if (tariff) tariffs.set(call.tariffId, tariff);
    }
    return bill(ctx, call, tariff, prepared);
  };
  done += await each(
    kernel,
    and(eq(calls.state, 'connected'), isNotNull(calls.nextPointAt), lte(calls.nextPointAt, now))!,
    asc(calls.nextPointAt),
    billDue,
    BILL_CHUNK,
    [],
    prepareBilling,
  );
  done += await each(
    kernel,
    and(eq(calls.state, 'connected'), isNull(calls.lowBalanceWarnedAt), lte(calls.lowBalanceWarnAt, now))!,
    asc(calls.lowBalanceWarnAt),
    (call, ctx) => warnLowBalance(ctx, call),
  );
  done += await each(kernel, and(eq(calls.state, 'requested'), lte(calls.requestedAt, ago(ring)))!, asc(calls.requestedAt), (call, ctx) => missCall(ctx, call));
  done += await each(kernel, and(eq(calls.state, 'accepted'), lte(calls.acceptedAt, ago(JOIN_TIMEOUT_SECONDS)))!, asc(calls.acceptedAt), end('join_timeout'));
  done += await each(
    kernel,
    and(eq(calls.state, 'connected'), sql`LEAST(${calls.callerBeatAt}, ${calls.streamerBeatAt}) <= ${ago(heartbeat)}`)!,
    asc(calls.connectedAt),
    end('heartbeat_lost'),
  );
  done += await each(kernel, and(eq(calls.state, 'connected'), lte(calls.connectedAt, ago(MAX_CALL_SECONDS)))!, asc(calls.connectedAt), end('max_duration'));
  // Waiting roulette users are matched by a pass a second: they are few, and a pass looks at every free streamer.
  if (Date.now() - (lastMatchPass.get(kernel) ?? 0) >= MATCH_PASS_MS) {
    lastMatchPass.set(kernel, Date.now());
    done += await matchWaiting(kernel);
  }
  return done;
}

/** Runs `runDue` every TICK_MS until stopped (in every process that runs workers). */
export function startCallScheduler(kernel: Kernel): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const loop = async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        await runDue(kernel);
      } catch (error) {
        kernel.log.error({ err: error }, 'the call scheduler failed a pass');
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, TICK_MS - (Date.now() - started))));
    }
  };
  running = loop();
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}
