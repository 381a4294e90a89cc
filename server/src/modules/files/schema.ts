import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export interface StoredVariant {
  key: string;
  mime: string;
  size: number;
  width?: number;
  height?: number;
}

/**
 * Every stored file: who owns it, its kind (with its own limits), the type sniffed from its bytes, and
 * the variants kept in storage. Uploaded image bytes are never kept as sent: only re-encoded variants.
 */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey(),
    ownerType: text('owner_type', { enum: ['person', 'organization', 'platform'] }).notNull(),
    ownerId: uuid('owner_id').notNull(),
    kind: text('kind').notNull(),
    mime: text('mime').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    width: integer('width'),
    height: integer('height'),
    name: text('name').notNull(),
    sha256: text('sha256').notNull(),
    visibility: text('visibility', { enum: ['private', 'public'] })
      .notNull()
      .default('private'),
    review: text('review', { enum: ['not_required', 'pending', 'approved', 'rejected'] }).notNull(),
    variants: jsonb('variants').$type<Record<string, StoredVariant>>().notNull(),
    uploadedByType: text('uploaded_by_type').notNull(),
    uploadedById: text('uploaded_by_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    index('files_owner_idx').on(t.ownerType, t.ownerId, t.kind, t.id),
    index('files_review_idx')
      .on(t.review, t.id)
      .where(sql`${t.review} = 'pending'`),
  ],
);

/** The secret that signs file URLs, made once per installation. */
export const fileSecrets = pgTable('file_secrets', {
  id: integer('id').primaryKey(),
  secret: text('secret').notNull(),
});
