import { boolean, index, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One row per open client WebSocket, in any server process; a row whose beat is stale is a dead connection. */
export const memberConnections = pgTable(
  'member_connections',
  {
    id: uuid('id').primaryKey(),
    personId: uuid('person_id').notNull(),
    lastBeatAt: timestamptz('last_beat_at').notNull(),
    openedAt: timestamptz('opened_at').notNull(),
  },
  (t) => [index('member_connections_person_idx').on(t.personId, t.lastBeatAt)],
);

/** Whether a person is online in a client app, and when they were last seen. */
export const memberPresence = pgTable('member_presence', {
  personId: uuid('person_id').primaryKey(),
  online: boolean('online').notNull(),
  lastSeenAt: timestamptz('last_seen_at').notNull(),
});
