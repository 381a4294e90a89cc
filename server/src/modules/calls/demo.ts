import { eq } from 'drizzle-orm';
import { systemActor, type Actor } from '../../core/actor.ts';
import type { Kernel } from '../../core/kernel.ts';
import { onMovedClock, type MovedClock } from '../../core/moved-clock.ts';
import { COIN } from '../creators/coins.ts';
import { markMatched } from '../creators/interactions/service.ts';
import { blockedEitherWay } from '../creators/social/blocks.ts';
import { searchStreamers } from '../creators/streamers/service.ts';
import { searchAppUsers } from '../creators/users/service.ts';
import { tariffFor } from '../creators/tariffs/service.ts';
import { accountsByOwner } from '../ledger/accounts.ts';
import { adjustBalance } from '../ledger/transfers.ts';
import { staffIdByEmail } from '../staff/users.ts';
import { calls } from './schema.ts';
import { runDue } from './scheduler.ts';
import {
  answer,
  beat,
  bill,
  endCall,
  getCall,
  hangUp,
  joined,
  listCalls,
  OPEN_STATES,
  requestCall,
  RING_TIMEOUT_SETTING,
  startRouletteCall,
  type Call,
  type CallEndReason,
} from './service.ts';

const SECOND = 1000;
const HOUR = 3_600_000;

/** What one demo call does: its kind, how it ends, how long it talks (seconds after it connects). */
type DemoCall =
  | { kind: 'direct' | 'roulette'; ends: 'hangup_caller' | 'hangup_callee' | 'moderator'; seconds: number }
  | { kind: 'direct'; ends: 'declined' | 'missed' | 'cancelled' }
  | { kind: 'direct'; ends: 'insufficient_funds'; poor: true };

/** Three days of calls, oldest first: every outcome the Calls page shows, talks from seconds to eleven minutes. */
const DEMO_CALLS: DemoCall[] = [
  { kind: 'direct', ends: 'hangup_caller', seconds: 45 },
  { kind: 'direct', ends: 'hangup_callee', seconds: 180 },
  { kind: 'roulette', ends: 'hangup_caller', seconds: 25 },
  { kind: 'direct', ends: 'declined' },
  { kind: 'direct', ends: 'hangup_caller', seconds: 480 },
  { kind: 'roulette', ends: 'hangup_callee', seconds: 61 },
  { kind: 'direct', ends: 'missed' },
  { kind: 'direct', ends: 'hangup_callee', seconds: 15 },
  { kind: 'roulette', ends: 'hangup_caller', seconds: 130 },
  { kind: 'direct', ends: 'cancelled' },
  { kind: 'direct', ends: 'hangup_callee', seconds: 320 },
  { kind: 'direct', ends: 'insufficient_funds', poor: true },
  { kind: 'roulette', ends: 'hangup_caller', seconds: 12 },
  { kind: 'direct', ends: 'hangup_caller', seconds: 100 },
  { kind: 'direct', ends: 'moderator', seconds: 125 },
  { kind: 'roulette', ends: 'hangup_callee', seconds: 240 },
  { kind: 'direct', ends: 'hangup_caller', seconds: 32 },
  { kind: 'direct', ends: 'declined' },
  { kind: 'direct', ends: 'hangup_callee', seconds: 660 },
  { kind: 'roulette', ends: 'hangup_caller', seconds: 45 },
  { kind: 'direct', ends: 'hangup_caller', seconds: 120 },
];

/** The poor caller's coins: the connect (10) and the 30 s point (40), not the 90 s one: the call ends there. */
const POOR_COINS = 60;
/** Every other caller holds at least this much before the first call (topped up as a purchase would). */
const CALLER_COINS = 1500;
const CALLERS = 8;
const STREAMERS = 8;

/**
 * Three days of calls between demo users and the best-rated active streamers, made through the calls
 * services on a moved clock exactly as the apps and the scheduler would make them (requested, answered,
 * joined, billed point by point by `runDue`, hung up, missed by the ring timeout, ended by a moderator), so
 * the rows, their nested events, ledger batches, chat records and interactions all agree. No call is left
 * open. Skipped when the demo tariffs did not price calls three days ago.
 */
export async function seedCallsDemo(kernel: Kernel): Promise<void> {
  const now = kernel.now().getTime();
  const first = now - 70 * HOUR;
  const step = (69 * HOUR) / DEMO_CALLS.length;
  for (const kind of ['direct', 'roulette'] as const) {
    if (!(await tariffFor(kernel.db, kind, new Date(first - HOUR), { agencyId: null }))) {
      kernel.log.warn({ kind }, 'calls demo skipped: no tariff priced calls three days ago');
      return;
    }
  }
  const everyStreamer = (await searchStreamers(kernel.db, { limit: 1000 })).items;
  const streamers = everyStreamer
    .filter(({ person, streamer }) => person.status === 'active' && streamer.status === 'active')
    .sort((a, b) => b.streamer.rating - a.streamer.rating || a.person.id.localeCompare(b.person.id))
    .slice(0, STREAMERS)
    .map(({ person }) => ({ id: person.id }));
  // Callers: the app users with the most coins (the demo's purchases), and one with none, for the call that runs out.
  const streaming = new Set(everyStreamer.map(({ person }) => person.id));
  const appUsers = (await searchAppUsers(kernel.db, { status: 'active', limit: 1000 })).items.filter(({ person }) => !streaming.has(person.id));
  const wallets = await accountsByOwner(
    kernel.db,
    'person',
    appUsers.map(({ person }) => person.id),
    'wallet',
    COIN,
  );
  const users = appUsers
    .map(({ person }) => {
      const wallet = wallets.get(person.id);
      return { id: person.id, available: wallet ? wallet.posted - wallet.held : 0 };
    })
    .sort((a, b) => b.available - a.available || a.id.localeCompare(b.id));
  const callers = users.slice(0, CALLERS);
  const poor = [...users].reverse().find((u) => u.available === 0);
  if (streamers.length < 3 || callers.length < 3 || !poor) return;
  const adminId = await staffIdByEmail(kernel.db, kernel.config.adminEmail);
  const moderator: Actor = adminId ? { type: 'staff', id: adminId } : systemActor('demo');
  const clock: MovedClock = { at: new Date(first - HOUR) };

  await onMovedClock(kernel, clock, async () => {
    // The callers bought coins before their calls.
    await kernel.write(systemActor('demo'), async (ctx) => {
      for (const caller of callers) {
        if (caller.available >= CALLER_COINS) continue;
        const amount = CALLER_COINS - caller.available;
        await adjustBalance(ctx, { ownerType: 'person', ownerId: caller.id, kind: 'wallet', currency: COIN, amount, reason: 'Demo: bought coins' });
      }
      await adjustBalance(ctx, { ownerType: 'person', ownerId: poor.id, kind: 'wallet', currency: COIN, amount: POOR_COINS, reason: 'Demo: bought coins' });
    });

    const member = (id: string): Actor => ({ type: 'member', id });
    const at = (time: number) => (clock.at = new Date(Math.max(time, clock.at.getTime())));
    /**
     * The call goes on until `until`, both apps beating: at each point's due time the point is billed as the
     * scheduler bills it (its own transaction, the call locked); a low-balance warning due is the scheduler's pass.
     */
    const talkUntil = async (id: string, until: number): Promise<Call> => {
      for (let passes = 0; passes < 100; passes += 1) {
        const call = await getCall(kernel.db, id);
        if (call.state !== 'connected') return call;
        const point = call.nextPointAt && call.nextPointAt.getTime() <= until ? call.nextPointAt.getTime() : undefined;
        const warning =
          call.lowBalanceWarnAt && !call.lowBalanceWarnedAt && call.lowBalanceWarnAt.getTime() <= until ? call.lowBalanceWarnAt.getTime() : undefined;
        at(Math.min(point ?? until, warning ?? until));
        await beat(kernel.db, id, call.callerId, clock.at);
        await beat(kernel.db, id, call.streamerId, clock.at);
        if (point === undefined && warning === undefined) return call;
        if (warning === clock.at.getTime()) await runDue(kernel);
        else
          await kernel.write(systemActor('calls'), async (ctx) => {
            const [locked] = await ctx.tx.select().from(calls).where(eq(calls.id, id)).for('update');
            return bill(ctx, locked!);
          });
      }
      throw new Error(`Demo call ${id} did not reach ${new Date(until).toISOString()}`);
    };

    for (const [i, plan] of DEMO_CALLS.entries()) {
      const start = first + i * step + ((i * 7919) % 1800) * SECOND;
      const caller = 'poor' in plan ? poor : callers[i % callers.length]!;
      let streamer = streamers[(i * 3) % streamers.length]!;
      for (let k = 1; await blockedEitherWay(kernel.db, caller.id, streamer.id); k += 1) streamer = streamers[(i * 3 + k) % streamers.length]!;
      at(start);
      let call: Call;
      if (plan.kind === 'roulette') {
        // Roulette matched them (as its pass does: the call, answered already, and the pair's match time).
        call = await kernel.write(member(caller.id), async (ctx) => {
          const matched = await startRouletteCall(ctx, caller.id, streamer.id);
          await markMatched(ctx, caller.id, streamer.id);
          return matched;
        });
      } else {
        call = await kernel.write(member(caller.id), (ctx) => requestCall(ctx, caller.id, streamer.id));
        if (plan.ends === 'missed') {
          at(start + (kernel.settings.get<number>(RING_TIMEOUT_SETTING) + 1) * SECOND);
          await runDue(kernel);
          continue;
        }
        if (plan.ends === 'cancelled') {
          at(start + 9 * SECOND);
          await kernel.write(member(caller.id), (ctx) => answer(ctx, call.id, caller.id, 'cancelled'));
          continue;
        }
        at(start + 4 * SECOND);
        const to = plan.ends === 'declined' ? 'declined' : 'accepted';
        await kernel.write(member(streamer.id), (ctx) => answer(ctx, call.id, streamer.id, to));
        if (to === 'declined') continue;
      }
      at(start + 6 * SECOND);
      await kernel.write(member(caller.id), (ctx) => joined(ctx, call.id, caller.id));
      at(start + 7 * SECOND);
      call = await kernel.write(member(streamer.id), (ctx) => joined(ctx, call.id, streamer.id));
      const connectedAt = call.connectedAt!.getTime();
      // The poor caller's call ends by itself at the point the wallet cannot cover; the others after their length.
      const seconds = 'seconds' in plan ? plan.seconds : 30 * 60;
      call = await talkUntil(call.id, connectedAt + seconds * SECOND);
      if (call.state !== 'connected') continue;
      const reason: CallEndReason = plan.ends as CallEndReason;
      if (reason === 'moderator') await kernel.write(moderator, (ctx) => endCall(ctx, call.id, 'moderator'));
      else
        await kernel.write(member(reason === 'hangup_caller' ? caller.id : streamer.id), (ctx) =>
          hangUp(ctx, call.id, reason === 'hangup_caller' ? caller.id : streamer.id),
        );
    }
  });
  const open = (await listCalls(kernel.db, { limit: 1 })).items.find((call) => OPEN_STATES.includes(call.state));
  if (open) throw new Error(`The calls demo left call ${open.id} open`);
}
