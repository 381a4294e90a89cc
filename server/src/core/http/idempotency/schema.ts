import { index, integer, json, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The first answer to each money-moving request, by who sent it and its `Idempotency-Key`: a replay
 * gets this answer back instead of acting again. The row is written in the request's own transaction.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /** `staff:<id>` or `member:<id>`: one client's keys never collide with another's. */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of the method, route, parameters and body: the same key with other parameters is refused. */
    fingerprint: text('fingerprint').notNull(),
    status: integer('status').notNull(),
    /** `json`, not `jsonb`: a replay must be the first answer byte for byte, keys in their order. */
    body: json('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_created_at').on(t.createdAt)],
);
