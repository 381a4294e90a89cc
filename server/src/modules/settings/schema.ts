import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Only values that differ from their declared default are stored. */
export const settingValues = pgTable('setting_values', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  updatedBy: uuid('updated_by'),
});
