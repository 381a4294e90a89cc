import { and, asc, eq, isNotNull, isNull, lte, notInArray, sql, type SQL } from 'drizzle-orm';
import { systemActor } from '../../core/actor.ts';
import type { Kernel } from '../../core/kernel.ts';
import { matchWaiting } from './roulette/service.ts';
import { calls } from './schema.ts';
import { MAX_CALL_SECONDS } from '../creators/tariffs/schedule.ts';
import {
  bill,
  endCall,
  warnLowBalance,
  HEARTBEAT_TIMEOUT_SETTING,
  JOIN_TIMEOUT_SECONDS,
  missCall,
  RING_TIMEOUT_SETTING,
  type Call,
  type CallEndReason,
} from './service.ts';

/** How often the scheduler looks for due work: a checkpoint is billed at most this much after it is due, plus the work. */
export const TICK_MS = 200;
/** Calls handled per kind of work per tick (the rest wait for the next tick, a fraction of a second). */
const BATCH = 200;

/**
 * Takes one due call at a time, locked with SKIP LOCKED, and does its work in that transaction: any number
 * of server processes may run the scheduler at once; each due call is handled by exactly one of them, and a
 * call's billing point, written with its row, is billed once however often the work is attempted.
 */
async function each(
  kernel: Kernel,
  due: SQL,
  order: SQL,
  work: (call: Call, ctx: Parameters<Parameters<Kernel['write']>[1]>[0]) => Promise<unknown>,
): Promise<number> {
  let done = 0;
  // A call whose work fails is logged and left for the next pass, never in the way of the others.
  const failed: string[] = [];
  while (done < BATCH) {
    let taken: string | undefined;
    try {
      const handled = await kernel.write(systemActor('calls'), async (ctx) => {
        const [call] = await ctx.tx
          .select()
          .from(calls)
          .where(failed.length ? and(due, notInArray(calls.id, failed)) : due)
          .orderBy(order)
          .limit(1)
          .for('update', { skipLocked: true });
        if (!call) return false;
        taken = call.id;
        await work(call, ctx);
        return true;
      });
      if (!handled) break;
      done++;
    } catch (error) {
      if (!taken) throw error;
      failed.push(taken);
      kernel.log.error({ err: error, callId: taken }, 'the call scheduler could not handle a due call');
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
  const end = (reason: CallEndReason) => (call: Call, ctx: Parameters<Parameters<Kernel['write']>[1]>[0]) => endCall(ctx, call.id, reason);
  let done = 0;
  done += await each(
    kernel,
    and(eq(calls.state, 'connected'), isNotNull(calls.nextPointAt), lte(calls.nextPointAt, now))!,
    asc(calls.nextPointAt),
    (call, ctx) => bill(ctx, call),
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
