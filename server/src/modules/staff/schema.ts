import { sql } from 'drizzle-orm';
import { index, inet, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, boolean } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const staffUsers = pgTable(
  'staff_users',
  {
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    status: text('status', { enum: ['active', 'disabled'] })
      .notNull()
      .default('active'),
    locale: text('locale').notNull().default('en'),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('staff_users_email_key').on(t.email),
    index('staff_users_name_order_idx').on(sql`lower(${t.name})`, t.id),
    index('staff_users_search_idx').using('gin', sql`(lower(${t.name} || ' ' || ${t.email})) gin_trgm_ops`),
  ],
);

export const roles = pgTable(
  'roles',
  {
    id: uuid('id').primaryKey(),
    /** Set for built-in roles (`administrator`, …), which modules declare and the kernel seeds. */
    builtinKey: text('builtin_key'),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [uniqueIndex('roles_name_key').on(sql`lower(${t.name})`), uniqueIndex('roles_builtin_key').on(t.builtinKey)],
);

export const rolePermissions = pgTable(
  'role_permissions',
  {
    roleId: uuid('role_id')
      .notNull()
      .references(() => roles.id, { onDelete: 'cascade' }),
    permission: text('permission').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roleId, t.permission] }), index('role_permissions_permission_idx').on(t.permission)],
);

/** Which built-in default (role, permission) pairs were ever applied, so an admin's later removal sticks. */
export const builtinRoleDefaults = pgTable(
  'builtin_role_defaults',
  {
    roleKey: text('role_key').notNull(),
    permission: text('permission').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roleKey, t.permission] })],
);

export const staffUserRoles = pgTable(
  'staff_user_roles',
  {
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    roleId: uuid('role_id')
      .notNull()
      .references(() => roles.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.staffId, t.roleId] }), index('staff_user_roles_role_idx').on(t.roleId)],
);

/** A per-record grant: one staff user, one permission, one record, optionally until a time. */
export const recordGrants = pgTable(
  'record_grants',
  {
    id: uuid('id').primaryKey(),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    permission: text('permission').notNull(),
    recordId: text('record_id').notNull(),
    expiresAt: timestamptz('expires_at'),
    createdBy: uuid('created_by'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [uniqueIndex('record_grants_unique').on(t.staffId, t.permission, t.recordId)],
);

export const staffSessions = pgTable(
  'staff_sessions',
  {
    id: uuid('id').primaryKey(),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    /** SHA-256 of the token, hex; the token itself is only ever in the user's cookie. */
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamptz('created_at').notNull(),
    lastSeenAt: timestamptz('last_seen_at').notNull(),
    idleExpiresAt: timestamptz('idle_expires_at').notNull(),
    absoluteExpiresAt: timestamptz('absolute_expires_at').notNull(),
    revokedAt: timestamptz('revoked_at'),
    revokedReason: text('revoked_reason'),
    ip: inet('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [uniqueIndex('staff_sessions_token_key').on(t.tokenHash), index('staff_sessions_staff_idx').on(t.staffId)],
);

/** Every sign-in attempt, kept for audit and counted by the rate limiter. */
export const signInAttempts = pgTable(
  'staff_sign_in_attempts',
  {
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    ip: inet('ip').notNull(),
    succeeded: boolean('succeeded').notNull(),
    /** True when the request came from a device that has signed in to this account before. */
    knownDevice: boolean('known_device').notNull().default(false),
    /** Hash of the device cookie presented, if any: known devices are limited per device instead. */
    deviceHash: text('device_hash'),
    /** False when the limiter refused the attempt before the password was looked at. */
    evaluated: boolean('evaluated').notNull().default(true),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    index('staff_sign_in_attempts_email_idx').on(t.email, t.createdAt),
    index('staff_sign_in_attempts_ip_idx').on(t.ip, t.createdAt),
    index('staff_sign_in_attempts_device_idx').on(t.deviceHash, t.createdAt),
  ],
);

/** Devices (browsers) that have signed in to an account: they bypass the account-wide failure cap. */
export const knownDevices = pgTable(
  'staff_known_devices',
  {
    tokenHash: text('token_hash').primaryKey(),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    createdAt: timestamptz('created_at').notNull(),
    lastUsedAt: timestamptz('last_used_at').notNull(),
  },
  (t) => [index('staff_known_devices_staff_idx').on(t.staffId)],
);

/** A sign-in identity linked to a staff user: (issuer, subject) at an OpenID Connect provider or Firebase. */
export const staffIdentities = pgTable(
  'staff_identities',
  {
    id: uuid('id').primaryKey(),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: ['oidc', 'firebase'] }).notNull(),
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    /** The verified email it was linked by. */
    email: text('email').notNull(),
    createdAt: timestamptz('created_at').notNull(),
    lastUsedAt: timestamptz('last_used_at').notNull(),
  },
  (t) => [
    uniqueIndex('staff_identities_subject_key').on(t.issuer, t.subject),
    // One identity per provider and account (it also serves lookups by staff user, as its first column).
    uniqueIndex('staff_identities_staff_issuer_key').on(t.staffId, t.issuer),
  ],
);

/**
 * An OpenID Connect sign-in under way: the state (hashed), the nonce and PKCE verifier, and the hash of
 * the browser cookie it was started with. Used once (deleted on the callback), or gone after 10 minutes.
 */
export const staffSsoStates = pgTable(
  'staff_sso_states',
  {
    stateHash: text('state_hash').primaryKey(),
    browserHash: text('browser_hash').notNull(),
    nonce: text('nonce').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    returnTo: text('return_to').notNull(),
    createdAt: timestamptz('created_at').notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [index('staff_sso_states_expires_idx').on(t.expiresAt)],
);
