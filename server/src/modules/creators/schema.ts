import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A person who streams: at most one agency at a time (an organization of kind `agency`), with the
 * history in `creator_streamer_agencies`. Suspension here stops them streaming; blocking the person
 * (people module) shuts them out altogether.
 */
export const creatorStreamers = pgTable(
  'creator_streamers',
  {
    personId: uuid('person_id').primaryKey(),
    agencyId: uuid('agency_id'),
    status: text('status', { enum: ['active', 'suspended'] }).notNull().default('active'),
    suspendedReason: text('suspended_reason'),
    rating: integer('rating').notNull().default(0),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [index('creator_streamers_agency_idx').on(t.agencyId, t.personId)],
);

/** Which agency a streamer belonged to, when: one open row (no `left_at`) per streamer with an agency. */
export const creatorStreamerAgencies = pgTable(
  'creator_streamer_agencies',
  {
    id: uuid('id').primaryKey(),
    personId: uuid('person_id').notNull(),
    agencyId: uuid('agency_id').notNull(),
    joinedAt: timestamptz('joined_at').notNull(),
    leftAt: timestamptz('left_at'),
  },
  (t) => [
    index('creator_streamer_agencies_person_idx').on(t.personId, t.joinedAt),
    uniqueIndex('creator_streamer_agencies_open_key').on(t.personId).where(sql`${t.leftAt} IS NULL`),
  ],
);

/** A person who signed up in the app as a user (the ones who buy coins, call and send gifts). */
export const creatorUsers = pgTable('creator_users', {
  personId: uuid('person_id').primaryKey(),
  platform: text('platform', { enum: ['ios', 'android', 'web'] }),
  signedUpAt: timestamptz('signed_up_at').notNull(),
});
