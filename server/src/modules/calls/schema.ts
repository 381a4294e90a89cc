import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { CallKind } from '../creators/tariffs/service.ts';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Where a call stands (see docs/calls.md for the transitions). */
export const CALL_STATES = ['requested', 'accepted', 'declined', 'missed', 'cancelled', 'connected', 'ended'] as const;
export const CALL_END_REASONS = [
  'hangup_caller',
  'hangup_callee',
  'insufficient_funds',
  'blocked',
  'moderator',
  'provider_failure',
  'heartbeat_lost',
  'join_timeout',
  'max_duration',
] as const;

/**
 * A call between a paying member (the caller) and a streamer: its state, the tariff version it is billed by
 * (fixed at the connect), and the next billing point the server's clock will reach (`next_point_at`, the
 * index it bears). `event_id` is the call's top-level event: every transition is nested under it.
 */
export const calls = pgTable(
  'calls',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').$type<CallKind>().notNull(),
    callerId: uuid('caller_id').notNull(),
    streamerId: uuid('streamer_id').notNull(),
    agencyId: uuid('agency_id'),
    state: text('state', { enum: CALL_STATES }).notNull(),
    endReason: text('end_reason', { enum: CALL_END_REASONS }),
    eventId: bigint('event_id', { mode: 'number' }),
    tariffId: uuid('tariff_id'),
    requestedAt: timestamptz('requested_at').notNull(),
    acceptedAt: timestamptz('accepted_at'),
    callerJoinedAt: timestamptz('caller_joined_at'),
    streamerJoinedAt: timestamptz('streamer_joined_at'),
    connectedAt: timestamptz('connected_at'),
    endedAt: timestamptz('ended_at'),
    /** The last heartbeat of each side's app while the call is up. */
    callerBeatAt: timestamptz('caller_beat_at'),
    streamerBeatAt: timestamptz('streamer_beat_at'),
    nextPointIndex: integer('next_point_index'),
    nextPointAt: timestamptz('next_point_at'),
    /** When the caller is to be told the wallet will not cover the next point, and when they were. */
    lowBalanceWarnAt: timestamptz('low_balance_warn_at'),
    lowBalanceWarnedAt: timestamptz('low_balance_warned_at'),
    cost: bigint('cost', { mode: 'number' }).notNull().default(0),
    earned: bigint('earned', { mode: 'number' }).notNull().default(0),
    conversationId: uuid('conversation_id'),
    /** The video provider the call runs on now, and the ones that failed it. */
    provider: text('provider'),
    failedProviders: jsonb('failed_providers').$type<string[]>().notNull().default([]),
    /** A prerecorded call plays this video of the streamer's (creators' `creator_videos`): the streamer is not there. */
    videoFileId: uuid('video_file_id'),
  },
  (t) => [
    index('calls_due_idx')
      .on(t.nextPointAt)
      .where(sql`${t.state} = 'connected'`),
    index('calls_warn_idx')
      .on(t.lowBalanceWarnAt)
      .where(sql`${t.state} = 'connected' AND ${t.lowBalanceWarnedAt} IS NULL`),
    index('calls_open_idx')
      .on(t.requestedAt)
      .where(sql`${t.state} IN ('requested', 'accepted', 'connected')`),
    index('calls_caller_idx').on(t.callerId, t.requestedAt.desc()),
    index('calls_streamer_idx').on(t.streamerId, t.requestedAt.desc()),
    index('calls_requested_idx').on(t.requestedAt.desc(), t.id.desc()),
  ],
);

/** Each billing point of a call, once: the ledger batch it posted and how it was split. */
export const callPoints = pgTable(
  'call_points',
  {
    callId: uuid('call_id')
      .notNull()
      .references(() => calls.id),
    index: integer('index').notNull(),
    atSecond: integer('at_second').notNull(),
    caller: integer('caller').notNull(),
    streamer: integer('streamer').notNull(),
    agency: integer('agency').notNull(),
    platform: integer('platform').notNull(),
    transferIds: jsonb('transfer_ids').$type<string[]>().notNull(),
    dueAt: timestamptz('due_at').notNull(),
    billedAt: timestamptz('billed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.callId, t.index] })],
);

/** Each failure an app reported for a provider: enough of them within a window open its circuit. */
export const callProviderFailures = pgTable(
  'call_provider_failures',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    provider: text('provider').notNull(),
    callId: uuid('call_id').notNull(),
    at: timestamptz('at').notNull(),
  },
  (t) => [index('call_provider_failures_recent_idx').on(t.provider, t.at)],
);

/**
 * Who waits in the roulette pool: users for a streamer, streamers (available while in no live call) for users.
 * A user leaves it when matched; a streamer stays until they leave, taking the next user after each call.
 */
export const roulettePool = pgTable(
  'roulette_pool',
  {
    personId: uuid('person_id').primaryKey(),
    role: text('role', { enum: ['user', 'streamer'] }).notNull(),
    /** Since when they wait for a match: the longest waiting are matched first. */
    waitingSince: timestamptz('waiting_since').notNull(),
  },
  (t) => [index('roulette_pool_waiting_idx').on(t.role, t.waitingSince)],
);
