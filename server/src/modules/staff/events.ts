import { Type } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id, Nullable, Timestamp } from '../../core/schemas.ts';

const users = 'staff.manage_users';
const roles = 'staff.manage_roles';
const SessionsEnded = Type.Object({ sessionsEnded: Type.Integer() });
/** The changed fields with their new values. */
const Changes = Type.Record(Type.String(), Type.Unknown());

export const staffEvents = defineEvents({
  'staff.signed_in': { description: 'A staff user signed in to the console.', permission: users, payload: Type.Object({ sessionId: Id, ip: Type.String() }) },
  'staff.signed_out': { description: 'A staff user signed out.', permission: users, payload: Type.Object({ sessionId: Id }) },
  'staff.user_created': {
    description: 'An administrator created a staff user.',
    permission: users,
    payload: Type.Object({ email: Type.String(), name: Type.String(), roleIds: Type.Array(Id) }),
  },
  'staff.user_updated': {
    description: 'A staff user was edited (name, email, locale or roles).',
    permission: users,
    payload: Type.Object({ changes: Changes, roleIds: Type.Optional(Type.Array(Id)) }),
  },
  'staff.user_disabled': { description: 'A staff user was disabled; their sessions ended.', permission: users, payload: SessionsEnded },
  'staff.user_enabled': { description: 'A disabled staff user was enabled again.', permission: users, payload: Type.Object({}) },
  'staff.password_reset': {
    description: "An administrator reset a staff user's password; their other sessions ended.",
    permission: users,
    payload: SessionsEnded,
  },
  'staff.password_changed': { description: 'A staff user changed their own password; their other sessions ended.', permission: users, payload: SessionsEnded },
  'staff.role_created': {
    description: 'A role was created.',
    permission: roles,
    payload: Type.Object({ name: Type.String(), permissions: Type.Optional(Type.Array(Type.String())), builtin: Type.Optional(Type.String()) }),
  },
  'staff.role_updated': {
    description: 'A role was renamed or its permissions changed.',
    permission: roles,
    payload: Type.Object({ changes: Changes, added: Type.Array(Type.String()), removed: Type.Array(Type.String()) }),
  },
  'staff.role_deleted': { description: 'A role was deleted.', permission: roles, payload: Type.Object({ name: Type.String() }) },
  'staff.grant_created': {
    description: 'A staff user was granted one permission on one record.',
    permission: users,
    payload: Type.Object({ grantId: Id, permission: Type.String(), recordId: Type.String(), expiresAt: Nullable(Timestamp) }),
  },
  'staff.grant_revoked': {
    description: 'A per-record grant was revoked.',
    permission: users,
    payload: Type.Object({ grantId: Id, permission: Type.String(), recordId: Type.String() }),
  },
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof staffEvents> {}
}

export const StaffEvents = {
  signedIn: 'staff.signed_in',
  signedOut: 'staff.signed_out',
  userCreated: 'staff.user_created',
  userUpdated: 'staff.user_updated',
  userDisabled: 'staff.user_disabled',
  userEnabled: 'staff.user_enabled',
  passwordReset: 'staff.password_reset',
  passwordChanged: 'staff.password_changed',
  roleCreated: 'staff.role_created',
  roleUpdated: 'staff.role_updated',
  roleDeleted: 'staff.role_deleted',
  grantCreated: 'staff.grant_created',
  grantRevoked: 'staff.grant_revoked',
} as const satisfies Record<string, keyof typeof staffEvents>;

export const staffEventTypes = eventTypeList(staffEvents);
