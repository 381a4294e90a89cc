import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type PersonStatus = 'active' | 'blocked' | 'deleted';
export interface ContactPoint {
  kind: 'email' | 'phone';
  value: string;
}

/**
 * Everyone a business deals with: app users, streamers, Telegram customers, broker clients. `public_profile`
 * is what other members may see; `private_profile` only staff and the person. `search_text` is the
 * lower-cased name and contact values, kept by the service, for one trigram index.
 */
export const people = pgTable(
  'people',
  {
    id: uuid('id').primaryKey(),
    displayName: text('display_name').notNull(),
    status: text('status', { enum: ['active', 'blocked', 'deleted'] })
      .notNull()
      .default('active'),
    locale: text('locale'),
    timeZone: text('time_zone'),
    contacts: jsonb('contacts').$type<ContactPoint[]>().notNull().default([]),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    publicProfile: jsonb('public_profile').$type<Record<string, unknown>>().notNull().default({}),
    privateProfile: jsonb('private_profile').$type<Record<string, unknown>>().notNull().default({}),
    blockReason: text('block_reason'),
    blockNote: text('block_note'),
    blockedAt: timestamptz('blocked_at'),
    searchText: text('search_text').notNull(),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [
    index('people_name_order_idx').on(sql`lower(${t.displayName})`, t.id),
    index('people_search_idx').using('gin', sql`${t.searchText} gin_trgm_ops`),
    index('people_tags_idx').using('gin', t.tags),
    index('people_status_idx').on(t.status),
  ],
);

/** How a person is known outside: (provider, external id), unique per provider (app uid, firebase, telegram, email, …). */
export const personIdentities = pgTable(
  'person_identities',
  {
    id: uuid('id').primaryKey(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    externalId: text('external_id').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('person_identities_key').on(t.provider, t.externalId),
    index('person_identities_person_idx').on(t.personId),
    // Search looks an identity up by its external id alone, whatever the provider.
    index('person_identities_external_idx').on(t.externalId),
  ],
);

export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    status: text('status', { enum: ['active', 'suspended', 'closed'] })
      .notNull()
      .default('active'),
    /** Legal name, country, banking details: free-form but validated by the route schema. */
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [
    index('organizations_name_order_idx').on(sql`lower(${t.name})`, t.id),
    index('organizations_search_idx').using('gin', sql`lower(${t.name}) gin_trgm_ops`),
  ],
);

export const organizationMembers = pgTable(
  'organization_members',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'manager', 'member'] }).notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.personId] }), index('organization_members_person_idx').on(t.personId)],
);

/** Staff-only notes on a person or an organization. */
export const notes = pgTable(
  'notes',
  {
    id: uuid('id').primaryKey(),
    subjectType: text('subject_type', { enum: ['person', 'organization'] }).notNull(),
    subjectId: uuid('subject_id').notNull(),
    authorId: uuid('author_id'),
    authorName: text('author_name').notNull(),
    body: text('body').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [index('notes_subject_idx').on(t.subjectType, t.subjectId, t.createdAt)],
);

/** The managed list of reasons a person can be blocked for. */
export const blockReasons = pgTable('block_reasons', {
  key: text('key').primaryKey(),
  label: text('label').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: timestamptz('created_at').notNull(),
});
