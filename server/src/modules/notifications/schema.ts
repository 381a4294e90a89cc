import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const RECIPIENT_TYPES = ['member', 'staff'] as const;
/**
 * Where a notification stands: `created` (in the inbox; nothing sent yet), `sent_in_app` (handed to the
 * recipient's open sockets or console tabs), `acked` (an app confirmed it), `pushed` (a provider accepted a
 * push for at least one device), `failed` (no push could be made; `failure` says why), `muted` (the member
 * muted its kind: inbox only).
 */
export const NOTIFICATION_STATES = ['created', 'sent_in_app', 'acked', 'pushed', 'failed', 'muted'] as const;
/** One line of a notification's delivery history. */
export const ATTEMPT_STEPS = ['created', 'sent_in_app', 'acked', 'pushed', 'retrying', 'failed', 'muted', 'token_removed'] as const;
export const ATTEMPT_CHANNELS = ['in_app', 'console', 'fcm', 'apns', 'onesignal'] as const;

/**
 * One notice to one person or staff user, rendered in their language when it was made. `dedupe_key` makes
 * a producer's retry return the first notice instead of a second.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    recipientType: text('recipient_type', { enum: RECIPIENT_TYPES }).notNull(),
    recipientId: uuid('recipient_id').notNull(),
    locale: text('locale').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    data: jsonb('data').$type<Record<string, string>>().notNull().default({}),
    subjectType: text('subject_type'),
    subjectId: uuid('subject_id'),
    dedupeKey: text('dedupe_key'),
    batchId: uuid('batch_id'),
    state: text('state', { enum: NOTIFICATION_STATES }).notNull(),
    failure: text('failure'),
    /** How many devices the push went to (set when it is made). */
    pushTargets: integer('push_targets'),
    createdAt: timestamptz('created_at').notNull(),
    ackedAt: timestamptz('acked_at'),
    readAt: timestamptz('read_at'),
    /** The sender took it back (the chat message it previews was hidden): out of the inbox, its text kept for staff. */
    withdrawnAt: timestamptz('withdrawn_at'),
  },
  (t) => [
    uniqueIndex('notifications_dedupe_key').on(t.kind, t.recipientId, t.dedupeKey),
    index('notifications_inbox_idx').on(t.recipientType, t.recipientId, t.id.desc()),
    index('notifications_unread_idx')
      .on(t.recipientType, t.recipientId)
      .where(sql`${t.readAt} IS NULL`),
    index('notifications_batch_idx').on(t.batchId),
    index('notifications_dedupe_idx').on(t.dedupeKey),
  ],
);

export const notificationAttempts = pgTable(
  'notification_attempts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    notificationId: uuid('notification_id')
      .notNull()
      .references(() => notifications.id),
    step: text('step', { enum: ATTEMPT_STEPS }).notNull(),
    channel: text('channel', { enum: ATTEMPT_CHANNELS }),
    deviceId: uuid('device_id'),
    /** The provider's id for a push, or why a step failed. */
    detail: text('detail'),
    at: timestamptz('at').notNull(),
  },
  (t) => [index('notification_attempts_notification_idx').on(t.notificationId, t.id)],
);

/**
 * The push of one notification to one device, claimed before each send: a try is `sending` until its outcome
 * is recorded (`retrying` with a next try queued, or `done`). A run that finds the try already claimed, or
 * done, sends nothing; a claim older than the job's expiry belongs to a run that died and may be taken over.
 */
export const notificationPushes = pgTable(
  'notification_pushes',
  {
    notificationId: uuid('notification_id')
      .notNull()
      .references(() => notifications.id),
    deviceId: uuid('device_id').notNull(),
    tries: integer('tries').notNull(),
    state: text('state', { enum: ['sending', 'retrying', 'done'] }).notNull(),
    claimedAt: timestamptz('claimed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.notificationId, t.deviceId] })],
);

/** A member's choice to mute one kind (only kinds declared `mutable`). */
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    personId: uuid('person_id').notNull(),
    kind: text('kind').notNull(),
    muted: boolean('muted').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.personId, t.kind] })],
);

export const BATCH_STATES = ['queued', 'running', 'done'] as const;

/**
 * A notice staff sent to one person or to everyone with a tag: made in chunks by a job, each chunk in one
 * transaction with the batch's progress (`cursor`, `sent`), so a retried or restarted chunk never sends twice.
 */
export const notificationBatches = pgTable(
  'notification_batches',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    audience: jsonb('audience').$type<{ type: 'person'; personId: string } | { type: 'tag'; tag: string }>().notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    createdBy: uuid('created_by').notNull(),
    state: text('state', { enum: BATCH_STATES }).notNull(),
    total: integer('total').notNull(),
    sent: integer('sent').notNull().default(0),
    /** The last person id a chunk covered (people are walked in id order). */
    cursor: uuid('cursor'),
    createdAt: timestamptz('created_at').notNull(),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [index('notification_batches_created_idx').on(t.createdAt.desc(), t.id.desc())],
);
