import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * One thing to review: a record of some module (`record_type`/`record_id`), of a kind (photo, video,
 * chat report), about a subject (usually a person). A moderator claims a batch with a short lease so
 * two never get the same item; the decision is final and appends an event.
 */
export const moderationItems = pgTable(
  'moderation_items',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    recordType: text('record_type').notNull(),
    recordId: text('record_id').notNull(),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    state: text('state', { enum: ['pending', 'approved', 'rejected'] })
      .notNull()
      .default('pending'),
    reason: text('reason'),
    claimedBy: uuid('claimed_by'),
    claimExpiresAt: timestamptz('claim_expires_at'),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamptz('decided_at'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    index('moderation_items_queue_idx')
      .on(t.kind, t.createdAt, t.id)
      .where(sql`${t.state} = 'pending'`),
    uniqueIndex('moderation_items_open_key')
      .on(t.kind, t.recordType, t.recordId)
      .where(sql`${t.state} = 'pending'`),
    index('moderation_items_subject_idx').on(t.subjectType, t.subjectId),
  ],
);
