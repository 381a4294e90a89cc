import { and, desc, eq, inArray, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';
import { pushToMembers } from '../../core/realtime/hub.ts';
import { openDirect } from '../chat/conversations.ts';
import { appendSystemMessage } from '../chat/messages.ts';
import { ensureAccount, type Account, type AccountRef } from '../ledger/accounts.ts';
import { postTransfers, type TransferInput } from '../ledger/transfers.ts';
import { getPerson } from '../people/people.ts';
import { COIN } from '../creators/coins.ts';
import { CallsError } from './errors.ts';
import { CallEvents } from './events.ts';
import { chooseProvider, providerNamed, type JoinCredentials, type VideoProviderName } from './providers.ts';
import { type CALL_END_REASONS, type CALL_STATES, callPoints, callProviderFailures, calls } from './schema.ts';
import { blockedEitherWay } from '../creators/social/blocks.ts';
import { DIRECT_CHAT } from '../creators/social/chat.ts';
import { findStreamer } from '../creators/streamers/service.ts';
import { connectPoint, nextPoint, splitPoint, type BillingPoint } from '../creators/tariffs/schedule.ts';
import { tariffById, tariffFor, type CallKind, type TariffVersion } from '../creators/tariffs/service.ts';

export type Call = typeof calls.$inferSelect;
export type CallState = (typeof CALL_STATES)[number];
export type CallEndReason = (typeof CALL_END_REASONS)[number];
export type CallPoint = typeof callPoints.$inferSelect;

export const INCOMING_CALL = 'calls.incoming';
export const RING_TIMEOUT_SETTING = 'calls.ring_timeout';
export const HEARTBEAT_TIMEOUT_SETTING = 'calls.heartbeat_timeout';
export const LOW_BALANCE_SETTING = 'calls.low_balance_warning_s';
/** Both sides must join the video channel this long after the answer. */
export const JOIN_TIMEOUT_SECONDS = 60;

/** The legal steps of a call; anything else is refused with 409. */
const TRANSITIONS: Record<CallState, CallState[]> = {
  requested: ['accepted', 'declined', 'missed', 'cancelled'],
  accepted: ['connected', 'ended'],
  connected: ['ended'],
  declined: [],
  missed: [],
  cancelled: [],
  ended: [],
};
export const OPEN_STATES: CallState[] = ['requested', 'accepted', 'connected'];

const EVENT_OF: Partial<Record<CallState, (typeof CallEvents)[keyof typeof CallEvents]>> = {
  accepted: CallEvents.accepted,
  declined: CallEvents.declined,
  missed: CallEvents.missed,
  cancelled: CallEvents.cancelled,
};

export type Side = 'caller' | 'streamer';

export function sideOf(call: Call, personId: string): Side {
  if (call.callerId === personId) return 'caller';
  // A prerecorded call plays the streamer's video: they are not in it (no beats, no hang-up).
  if (call.streamerId === personId && call.kind !== 'prerecorded') return 'streamer';
  // Someone else's call answers like one that does not exist.
  throw CallsError.notFound('No such call.');
}

export async function getCall(db: Executor, id: string): Promise<Call> {
  const [call] = await db.select().from(calls).where(eq(calls.id, id));
  if (!call) throw CallsError.notFound('No such call.');
  return call;
}

async function lockCall(ctx: ServiceContext, id: string): Promise<Call> {
  const [call] = await ctx.tx.select().from(calls).where(eq(calls.id, id)).for('update');
  if (!call) throw CallsError.notFound('No such call.');
  return call;
}

function assertStep(call: Call, to: CallState): void {
  if (!TRANSITIONS[call.state].includes(to))
    throw new CallsError('call_state', `A call that is ${call.state} cannot become ${to}.`, { extra: { state: call.state } });
}

const secondsOf = (call: Call, now: Date) => (call.connectedAt ? Math.max(0, Math.floor((now.getTime() - call.connectedAt.getTime()) / 1000)) : 0);

/** Tells both apps where the call stands (a prerecorded call: only the watcher's), on every process, once the step commits. */
function announce(ctx: ServiceContext, call: Call): void {
  pushToMembers(ctx, call.kind === 'prerecorded' ? [call.callerId] : [call.callerId, call.streamerId], {
    type: 'call.state',
    call: { id: call.id, kind: call.kind, state: call.state, endReason: call.endReason, callerId: call.callerId, streamerId: call.streamerId },
  });
}

async function save(ctx: ServiceContext, id: string, set: Partial<Call>): Promise<Call> {
  const [call] = await ctx.tx.update(calls).set(set).where(eq(calls.id, id)).returning();
  return call!;
}

async function nested(ctx: ServiceContext, call: Call, type: (typeof CallEvents)[keyof typeof CallEvents], extra: Record<string, unknown> = {}) {
  await ctx.emit({
    type: type as never,
    subject: { type: 'person', id: call.streamerId },
    ...(call.eventId ? { parentId: call.eventId } : {}),
    payload: { callId: call.id, kind: call.kind, callerId: call.callerId, ...extra } as never,
  });
}

/** The pair's conversation gets a record of the call (its outcome and length), like a phone's call log. */
async function recordInChat(ctx: ServiceContext, call: Call): Promise<string> {
  const conversation = call.conversationId ? { id: call.conversationId } : await openDirect(ctx, DIRECT_CHAT, call.callerId, call.streamerId);
  await appendSystemMessage(ctx, conversation.id, {
    kind: 'call',
    clientId: `call:${call.id}`,
    data: { callId: call.id, callKind: call.kind, outcome: call.state === 'ended' ? call.endReason : call.state, durationSeconds: secondsOf(call, ctx.now) },
  });
  return conversation.id;
}

/**
 * A member calls a streamer: refused when the streamer is not there for them (suspended, blocked either
 * way: 404 as if unknown), either is in another call (409 busy), no tariff prices the kind (409), or the
 * caller's wallet cannot pay the connect (409 insufficient_funds). The streamer's phone rings through the
 * `calls.incoming` notification (VoIP on iOS).
 */
export async function requestCall(ctx: ServiceContext, callerId: string, streamerId: string, kind: CallKind = 'direct'): Promise<Call> {
  const call = await openCall(ctx, { kind, callerId, streamerId });
  const caller = await getPerson(ctx.tx, callerId);
  await ctx.kernel.notifier?.notify(ctx, {
    kind: INCOMING_CALL,
    recipient: { type: 'member', id: streamerId },
    params: { caller: caller.displayName },
    data: { callId: call.id, callKind: kind },
    subject: { type: 'call', id: call.id },
    dedupeKey: call.id,
  });
  announce(ctx, call);
  return call;
}

/** Roulette paired a user with a streamer in its pool: the call is answered at once, nobody rings. */
export async function startRouletteCall(ctx: ServiceContext, userId: string, streamerId: string): Promise<Call> {
  return step(ctx, await openCall(ctx, { kind: 'roulette', callerId: userId, streamerId }), 'accepted');
}

/**
 * Roulette shows a user a streamer's prerecorded video (no live streamer was free): the call connects at
 * once and is billed by the `prerecorded` tariff while the user watches; only the user's app beats, and the
 * streamer stays free for live calls.
 */
export async function startPrerecordedCall(ctx: ServiceContext, userId: string, streamerId: string, videoFileId: string): Promise<Call> {
  const requested = await openCall(ctx, { kind: 'prerecorded', callerId: userId, streamerId, videoFileId });
  const accepted = await save(ctx, requested.id, { state: 'accepted', acceptedAt: ctx.now });
  await nested(ctx, accepted, CallEvents.accepted);
  return connect(ctx, { ...accepted, callerJoinedAt: ctx.now }, { callerJoinedAt: ctx.now, callerBeatAt: ctx.now, streamerBeatAt: null });
}

/** The checks every new call passes and its top-level event; its state is `requested`. */
async function openCall(ctx: ServiceContext, made: { kind: CallKind; callerId: string; streamerId: string; videoFileId?: string }): Promise<Call> {
  const { kind, callerId, streamerId } = made;
  if (callerId === streamerId) throw CallsError.invalid('streamerId', 'must be someone else');
  const streamer = await findStreamer(ctx.tx, streamerId);
  const person = await getPerson(ctx.tx, streamerId).catch(() => undefined);
  if (!streamer || streamer.status !== 'active' || person?.status !== 'active' || (await blockedEitherWay(ctx.tx, callerId, streamerId)))
    throw CallsError.notFound('No such streamer.');
  // One open call per person: each person's calls are opened one at a time (locks taken in one order: no deadlock).
  for (const id of [callerId, streamerId].sort()) await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`creator-calls:${id}`}))`);
  const busy = await busyAmong(ctx.tx, kind === 'prerecorded' ? [callerId] : [callerId, streamerId]);
  if (busy) throw new CallsError('busy', 'One of you is already in a call.', { extra: { callId: busy } });
  const tariff = await tariffFor(ctx.tx, kind, ctx.now, { agencyId: streamer.agencyId });
  if (!tariff) throw new CallsError('no_tariff', `No tariff prices ${kind} calls yet.`);
  const wallet = await ensureAccount(ctx, { ownerType: 'person', ownerId: callerId, kind: 'wallet', currency: COIN });
  if (wallet.posted - wallet.held < tariff.caller.connect)
    throw new CallsError('insufficient_funds', `The call costs ${tariff.caller.connect} coins to connect.`, { extra: { required: tariff.caller.connect } });
  const id = uuidv7();
  await ctx.tx
    .insert(calls)
    .values({ id, kind, callerId, streamerId, agencyId: streamer.agencyId, state: 'requested', requestedAt: ctx.now, videoFileId: made.videoFileId ?? null });
  const top = await ctx.emit({
    type: CallEvents.requested,
    subject: { type: 'person', id: streamerId },
    payload: { callId: id, kind, callerId },
  });
  return save(ctx, id, { eventId: top.id });
}

/**
 * An open call any of these people is in, if there is one. A streamer whose prerecorded video plays to
 * someone is not in a call (they are not there); the one watching it is.
 */
export async function busyAmong(db: Executor, personIds: string[]): Promise<string | undefined> {
  const [open] = await db
    .select({ id: calls.id })
    .from(calls)
    .where(
      and(inArray(calls.state, OPEN_STATES), or(inArray(calls.callerId, personIds), and(inArray(calls.streamerId, personIds), ne(calls.kind, 'prerecorded')))),
    )
    .limit(1);
  return open?.id;
}

/** A step one side of the call takes: accept or decline (the streamer), cancel (the caller, before an answer). */
export async function answer(ctx: ServiceContext, id: string, personId: string, to: 'accepted' | 'declined' | 'cancelled'): Promise<Call> {
  const current = await lockCall(ctx, id);
  const side = sideOf(current, personId);
  if ((to === 'cancelled') !== (side === 'caller'))
    throw CallsError.forbidden(to === 'cancelled' ? 'Only the caller cancels a call.' : 'Only the streamer answers a call.');
  return step(ctx, current, to);
}

async function step(ctx: ServiceContext, current: Call, to: Exclude<CallState, 'connected' | 'ended'>): Promise<Call> {
  assertStep(current, to);
  // The call runs on the provider chosen at the answer (the forced one, or the first whose circuit is closed).
  const provider = to === 'accepted' ? ((await chooseProvider(ctx.kernel, ctx.tx))?.name ?? null) : current.provider;
  const call = await save(ctx, current.id, { state: to, provider, ...(to === 'accepted' ? { acceptedAt: ctx.now } : { endedAt: ctx.now }) });
  await nested(ctx, call, EVENT_OF[to]!);
  if (to !== 'accepted' && !(await blockedEitherWay(ctx.tx, call.callerId, call.streamerId)))
    await save(ctx, call.id, { conversationId: await recordInChat(ctx, call) });
  announce(ctx, call);
  return call;
}

/**
 * A side's app joined the provider's channel; when both have, the call connects: the tariff in force now
 * is fixed for the call, the connect is billed at once, and the next point is scheduled by the server's clock.
 */
export async function joined(ctx: ServiceContext, id: string, personId: string): Promise<Call> {
  const current = await lockCall(ctx, id);
  const side = sideOf(current, personId);
  if (current.state !== 'accepted') {
    if (current.state === 'connected') return current;
    assertStep(current, 'connected');
  }
  const call = await save(
    ctx,
    id,
    side === 'caller' ? { callerJoinedAt: ctx.now, callerBeatAt: ctx.now } : { streamerJoinedAt: ctx.now, streamerBeatAt: ctx.now },
  );
  if (!call.callerJoinedAt || !call.streamerJoinedAt) return call;
  return connect(ctx, call, { callerBeatAt: ctx.now, streamerBeatAt: ctx.now });
}

/** The call connects now: the tariff in force is fixed for it, the connect point is billed at once. */
async function connect(ctx: ServiceContext, current: Call, set: Partial<Call>): Promise<Call> {
  const tariff = await tariffFor(ctx.tx, current.kind, ctx.now, { agencyId: current.agencyId });
  if (!tariff) return end(ctx, current, 'provider_failure');
  const call = await save(ctx, current.id, { ...set, state: 'connected', connectedAt: ctx.now, tariffId: tariff.id, nextPointIndex: 0, nextPointAt: ctx.now });
  await nested(ctx, call, CallEvents.connected, { tariffId: tariff.id, tariffVersion: tariff.version });
  announce(ctx, call);
  return bill(ctx, call, tariff);
}

/** The app's heartbeat for a call it is in (over its socket); a call whose beats stop is ended. */
export async function beat(db: Executor, id: string, personId: string, at: Date): Promise<void> {
  const call = await getCall(db, id);
  const side = sideOf(call, personId);
  if (call.state !== 'connected' && call.state !== 'accepted') return;
  await db
    .update(calls)
    .set(side === 'caller' ? { callerBeatAt: at } : { streamerBeatAt: at })
    .where(eq(calls.id, id));
}

/** Nobody answered within the ring timeout (the scheduler, holding the call's lock). */
export async function missCall(ctx: ServiceContext, call: Call): Promise<Call> {
  return step(ctx, call, 'missed');
}

/** A side hangs up: before an answer the caller cancels; after it, the call ends with who hung up. */
export async function hangUp(ctx: ServiceContext, id: string, personId: string): Promise<Call> {
  const current = await lockCall(ctx, id);
  const side = sideOf(current, personId);
  if (current.state === 'requested') return side === 'caller' ? step(ctx, current, 'cancelled') : step(ctx, current, 'declined');
  return end(ctx, current, side === 'caller' ? 'hangup_caller' : 'hangup_callee');
}

/** Ends an accepted or connected call (a moderator, a block, the scheduler), with the reason. */
export async function endCall(ctx: ServiceContext, id: string, reason: CallEndReason): Promise<Call> {
  return end(ctx, await lockCall(ctx, id), reason);
}

async function end(ctx: ServiceContext, current: Call, reason: CallEndReason): Promise<Call> {
  if (current.state === 'requested' && (reason === 'blocked' || reason === 'moderator')) return step(ctx, current, 'cancelled');
  assertStep(current, 'ended');
  let call = await save(ctx, current.id, { state: 'ended', endReason: reason, endedAt: ctx.now, nextPointAt: null, nextPointIndex: null });
  await nested(ctx, call, CallEvents.ended, { reason, seconds: secondsOf(call, ctx.now), cost: call.cost, earned: call.earned });
  // A blocked pair's conversation is gone for both of them (and chat refuses to open one): no record.
  // A prerecorded video was not a conversation with the streamer: no record either.
  if (reason !== 'blocked' && call.kind !== 'prerecorded') call = await save(ctx, call.id, { conversationId: await recordInChat(ctx, call) });
  announce(ctx, call);
  return call;
}

/** Ends the open calls between two people (a block between them), or all of one person's (a block by staff). */
export async function endCallsOf(ctx: ServiceContext, personId: string, otherId: string | null, reason: CallEndReason): Promise<number> {
  const pair = (a: string, b: string) => and(eq(calls.callerId, a), eq(calls.streamerId, b));
  const who: SQL = otherId ? or(pair(personId, otherId), pair(otherId, personId))! : or(eq(calls.callerId, personId), eq(calls.streamerId, personId))!;
  const open = await ctx.tx
    .select({ id: calls.id })
    .from(calls)
    .where(and(inArray(calls.state, OPEN_STATES), who));
  for (const { id } of open) await endCall(ctx, id, reason);
  return open.length;
}

async function tariffOf(db: Executor, call: Call): Promise<TariffVersion> {
  const tariff = await tariffById(db, call.tariffId!);
  if (!tariff) throw new Error(`Call ${call.id} names tariff ${call.tariffId}, which does not exist`);
  return tariff;
}

/**
 * What the scheduler read for a chunk of due calls in their transaction, ahead of billing them: the accounts
 * the points move money between, locked (so balances are exact), and which points are billed already.
 */
export interface PreparedBilling {
  /** The locked account for this reference, when it exists (otherwise the billing opens it). */
  account(ref: AccountRef): Account | undefined;
  billed(callId: string, index: number): boolean;
}

/**
 * Bills the call's due point, exactly once: the point's row (call, index) is written with the ledger batch
 * in one transaction, so a retry, a restart or a second process that reaches the same point writes nothing.
 * A wallet that cannot cover the point ends the call there with `insufficient_funds`, charging nothing.
 */
export async function bill(ctx: ServiceContext, current: Call, known?: TariffVersion, prepared?: PreparedBilling): Promise<Call> {
  if (current.state !== 'connected' || current.nextPointIndex === null || current.nextPointAt === null) return current;
  const tariff = known ?? (await tariffOf(ctx.tx, current));
  const second = Math.round((current.nextPointAt.getTime() - current.connectedAt!.getTime()) / 1000);
  const point: BillingPoint | undefined = current.nextPointIndex === 0 ? connectPoint(tariff) : nextPoint(tariff, second - 1, current.nextPointIndex);
  if (!point) return save(ctx, current.id, { nextPointAt: null, nextPointIndex: null });
  const already = prepared
    ? prepared.billed(current.id, point.index)
    : (
        await ctx.tx
          .select({ index: callPoints.index })
          .from(callPoints)
          .where(and(eq(callPoints.callId, current.id), eq(callPoints.index, point.index)))
      ).length > 0;
  if (already) return advance(ctx, current, tariff, point);
  const open = async (ref: AccountRef) => prepared?.account(ref) ?? ensureAccount(ctx, ref);
  const wallet = await open({ ownerType: 'person', ownerId: current.callerId, kind: 'wallet', currency: COIN });
  if (wallet.posted - wallet.held < point.caller) return end(ctx, current, 'insufficient_funds');
  const split = splitPoint(point, tariff.agencyShareBp, current.agencyId !== null);
  const reference = { type: 'call', id: current.id };
  const memo = `call:${current.id}:${point.index}`;
  const legs: TransferInput[] = [];
  const earnings = async () => open({ ownerType: 'person', ownerId: current.streamerId, kind: 'earnings', currency: COIN });
  const revenue = async () => open({ ownerType: 'platform', ownerId: null, kind: 'revenue', currency: COIN });
  if (split.streamer > 0) {
    // What the caller pays at this point covers the streamer first; the platform adds what it does not (a
    // tariff never lets earnings pass what the caller paid in all, so this is money the platform took earlier).
    const fromCaller = Math.min(split.streamer, point.caller);
    if (fromCaller > 0) legs.push({ debitAccountId: wallet.id, creditAccountId: (await earnings()).id, amount: fromCaller, kind: 'call', reference, memo });
    if (split.streamer > fromCaller)
      legs.push({
        debitAccountId: (await revenue()).id,
        creditAccountId: (await earnings()).id,
        amount: split.streamer - fromCaller,
        kind: 'call',
        reference,
        memo,
      });
  }
  if (split.agency > 0) {
    const agency = await open({ ownerType: 'organization', ownerId: current.agencyId!, kind: 'earnings', currency: COIN });
    legs.push({ debitAccountId: wallet.id, creditAccountId: agency.id, amount: split.agency, kind: 'call', reference, memo });
  }
  const platformShare = point.caller - Math.min(split.streamer, point.caller) - split.agency;
  if (platformShare > 0) legs.push({ debitAccountId: wallet.id, creditAccountId: (await revenue()).id, amount: platformShare, kind: 'call', reference, memo });
  const transfers = legs.length ? await postTransfers(ctx, legs) : [];
  await ctx.tx.insert(callPoints).values({
    callId: current.id,
    index: point.index,
    atSecond: point.at,
    caller: point.caller,
    streamer: split.streamer,
    agency: split.agency,
    platform: split.platform,
    transferIds: transfers.map((t) => t.id),
    dueAt: current.nextPointAt,
    billedAt: ctx.now,
  });
  const billed = { cost: current.cost + point.caller, earned: current.earned + split.streamer };
  await nested(ctx, current, CallEvents.billed, { index: point.index, atSecond: point.at, cost: point.caller, earned: split.streamer });
  return advance(ctx, current, tariff, point, wallet.posted - wallet.held - point.caller, billed);
}

/**
 * Schedules the point after `point`, in one update with what billing it added (`billed`); warns the caller
 * ahead of a point the wallet will not cover.
 */
async function advance(ctx: ServiceContext, call: Call, tariff: TariffVersion, point: BillingPoint, left?: number, billed: Partial<Call> = {}): Promise<Call> {
  const next = nextPoint(tariff, point.at, point.index + 1);
  const nextAt = next ? new Date(call.connectedAt!.getTime() + next.at * 1000) : null;
  const set: Partial<Call> = { ...billed, nextPointIndex: next?.index ?? null, nextPointAt: nextAt };
  if (next && nextAt && left !== undefined && left < next.caller && !call.lowBalanceWarnedAt) {
    const ahead = ctx.kernel.settings.get<number>(LOW_BALANCE_SETTING) * 1000;
    set.lowBalanceWarnAt = new Date(Math.max(ctx.now.getTime(), nextAt.getTime() - ahead));
  }
  return save(ctx, call.id, set);
}

/** Tells the caller, ahead of it, that the wallet will not cover the next point: the call ends there. */
export async function warnLowBalance(ctx: ServiceContext, call: Call): Promise<Call> {
  if (call.nextPointAt) {
    const wallet = await ensureAccount(ctx, { ownerType: 'person', ownerId: call.callerId, kind: 'wallet', currency: COIN });
    pushToMembers(ctx, [call.callerId], {
      type: 'call.low_balance',
      callId: call.id,
      endsAt: call.nextPointAt.toISOString(),
      balance: wallet.posted - wallet.held,
    });
  }
  return save(ctx, call.id, { lowBalanceWarnedAt: ctx.now });
}

/** A member's calls (as caller or streamer), newest first. */
export async function callsOf(db: Executor, personId: string, options: { cursor?: string; limit: number }) {
  return listCalls(db, { personId, ...options });
}

export interface CallFilter {
  personId?: string;
  streamerId?: string;
  callerId?: string;
  agencyId?: string;
  kind?: CallKind;
  state?: CallState;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

/** Calls, open ones first, then newest first. */
export async function listCalls(db: Executor, filter: CallFilter) {
  const after = decodeCursor<[number, string, string]>(filter.cursor, ['integer', 'date', 'uuid']);
  const open = sql<number>`CASE WHEN ${calls.state} IN ('requested', 'accepted', 'connected') THEN 0 ELSE 1 END`;
  const rows = await db
    .select({ call: calls, rank: open })
    .from(calls)
    .where(
      and(
        filter.personId ? or(eq(calls.callerId, filter.personId), eq(calls.streamerId, filter.personId)) : undefined,
        filter.streamerId ? eq(calls.streamerId, filter.streamerId) : undefined,
        filter.callerId ? eq(calls.callerId, filter.callerId) : undefined,
        filter.agencyId ? eq(calls.agencyId, filter.agencyId) : undefined,
        filter.kind ? eq(calls.kind, filter.kind) : undefined,
        filter.state ? eq(calls.state, filter.state) : undefined,
        filter.from ? sql`${calls.requestedAt} >= ${filter.from}` : undefined,
        filter.to ? lt(calls.requestedAt, filter.to) : undefined,
        after
          ? sql`(${open} > ${after[0]} OR (${open} = ${after[0]} AND (${calls.requestedAt}, ${calls.id}) < (${after[1]}::timestamptz, ${after[2]}::uuid)))`
          : undefined,
      ),
    )
    .orderBy(open, desc(calls.requestedAt), desc(calls.id))
    .limit(filter.limit + 1);
  return toPage(
    rows,
    filter.limit,
    (row) => [row.rank, row.call.requestedAt.toISOString(), row.call.id],
    (row) => row.call,
  );
}

export async function pointsOf(db: Executor, callId: string): Promise<CallPoint[]> {
  return db.select().from(callPoints).where(eq(callPoints.callId, callId)).orderBy(callPoints.index);
}

/** A call's channel name on every provider. */
export const channelOf = (call: Call) => `call-${call.id}`;

/** Credentials for one side of an answered call to join its channel on the call's provider. */
export async function joinCredentials(kernel: Kernel, id: string, personId: string): Promise<JoinCredentials> {
  const call = await getCall(kernel.db, id);
  sideOf(call, personId);
  if (call.state !== 'accepted' && call.state !== 'connected')
    throw new CallsError('call_state', `A call that is ${call.state} has no channel to join.`, { extra: { state: call.state } });
  if (call.kind === 'prerecorded')
    throw new CallsError('call_state', 'A prerecorded call plays a video: it has no channel to join.', { extra: { state: call.state } });
  const provider = providerNamed(kernel, call.provider);
  if (!provider) throw new CallsError('no_provider', 'No video provider is configured for calls.');
  return provider.credentials(channelOf(call), personId, kernel.now());
}

/**
 * An app reports that the call's provider failed it: the failure counts towards the provider's circuit, and
 * the call moves to the next provider with fresh credentials (both apps join again; billing goes on), or ends
 * with `provider_failure` when none is left. A report about a provider the call already left changes nothing.
 */
export async function reportProviderFailure(ctx: ServiceContext, id: string, personId: string, provider: VideoProviderName): Promise<Call> {
  const current = await lockCall(ctx, id);
  sideOf(current, personId);
  if (current.provider !== provider || (current.state !== 'accepted' && current.state !== 'connected')) return current;
  await ctx.tx.insert(callProviderFailures).values({ provider, callId: id, at: ctx.now });
  const failed = [...new Set([...current.failedProviders, provider])];
  const next = await chooseProvider(ctx.kernel, ctx.tx, failed as VideoProviderName[]);
  if (!next) return end(ctx, { ...current, failedProviders: failed }, 'provider_failure');
  const call = await save(ctx, id, {
    provider: next.name,
    failedProviders: failed,
    ...(current.state === 'accepted' ? { callerJoinedAt: null, streamerJoinedAt: null } : {}),
  });
  await nested(ctx, call, CallEvents.providerSwitched, { from: provider, to: next.name });
  pushToMembers(ctx, [call.callerId, call.streamerId], { type: 'call.provider', callId: id, provider: next.name });
  return call;
}
