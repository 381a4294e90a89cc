import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The event log: append-only, one row per fact. `tx_id` is the writing transaction's id; together with
 * `id` it gives subscribers a gap-free reading order (see events/subscribers.ts).
 */
export const eventLog = pgTable(
  'event_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    txId: bigint('tx_id', { mode: 'number' })
      .notNull()
      .default(sql`(pg_current_xact_id()::text)::bigint`),
    type: text('type').notNull(),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    /** The top-level event this one is part of (a call's ring, a burst's gifts), for nested history tables. */
    parentId: bigint('parent_id', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    index('event_log_type_idx').on(t.type, t.id),
    index('event_log_subject_idx').on(t.subjectType, t.subjectId, t.id),
    index('event_log_actor_idx').on(t.actorId, t.id),
    index('event_log_position_idx').on(t.txId, t.id),
    index('event_log_created_idx').on(t.createdAt),
    index('event_log_parent_idx')
      .on(t.parentId, t.id)
      .where(sql`${t.parentId} IS NOT NULL`),
  ],
);

/** One row per durable subscriber: where it has read up to, and its retry state. */
export const eventSubscriptions = pgTable('event_subscriptions', {
  name: text('name').primaryKey(),
  positionTx: bigint('position_tx', { mode: 'number' }).notNull().default(0),
  positionId: bigint('position_id', { mode: 'number' }).notNull().default(0),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
  lastError: text('last_error'),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
