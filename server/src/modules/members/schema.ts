import { bigint, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** The keys our own member tokens are signed with (ES256); the public halves are served as a JWKS. */
export const memberSigningKeys = pgTable('member_signing_keys', {
  kid: text('kid').primaryKey(),
  publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
  privateJwk: jsonb('private_jwk').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamptz('created_at').notNull(),
});

/** Every time a member token is first seen by this server: accepted or refused, from where. */
export const memberSignIns = pgTable(
  'member_sign_ins',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    personId: uuid('person_id'),
    provider: text('provider'),
    subject: text('subject'),
    outcome: text('outcome', { enum: ['accepted', 'refused'] }).notNull(),
    reason: text('reason'),
    ip: text('ip').notNull(),
    userAgent: text('user_agent'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [index('member_sign_ins_person_idx').on(t.personId, t.id), index('member_sign_ins_created_idx').on(t.createdAt)],
);

/** A member's devices, with the push token to reach each. */
export const memberDevices = pgTable(
  'member_devices',
  {
    id: uuid('id').primaryKey(),
    personId: uuid('person_id').notNull(),
    platform: text('platform', { enum: ['ios', 'android', 'web'] }).notNull(),
    pushToken: text('push_token'),
    /** iOS only: the PushKit token that call (VoIP) pushes go to. */
    voipToken: text('voip_token'),
    appVersion: text('app_version'),
    name: text('name'),
    lastSeenAt: timestamptz('last_seen_at').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    index('member_devices_person_idx').on(t.personId),
    uniqueIndex('member_devices_push_token_key').on(t.pushToken),
    uniqueIndex('member_devices_voip_token_key').on(t.voipToken),
  ],
);
