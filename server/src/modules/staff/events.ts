import type { EventTypeDef } from '../../core/events/types.ts';

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
} as const;

const describe: Record<keyof typeof StaffEvents, string> = {
  signedIn: 'A staff user signed in to the console.',
  signedOut: 'A staff user signed out.',
  userCreated: 'An administrator created a staff user.',
  userUpdated: 'A staff user was edited (name, email, locale or roles).',
  userDisabled: 'A staff user was disabled; their sessions ended.',
  userEnabled: 'A disabled staff user was enabled again.',
  passwordReset: "An administrator reset a staff user's password; their other sessions ended.",
  passwordChanged: 'A staff user changed their own password; their other sessions ended.',
  roleCreated: 'A role was created.',
  roleUpdated: 'A role was renamed or its permissions changed.',
  roleDeleted: 'A role was deleted.',
  grantCreated: 'A staff user was granted one permission on one record.',
  grantRevoked: 'A per-record grant was revoked.',
};

export const staffEventTypes: EventTypeDef[] = (Object.keys(StaffEvents) as Array<keyof typeof StaffEvents>).map((key) => ({
  type: StaffEvents[key],
  description: describe[key],
  permission: key.startsWith('role') ? 'staff.manage_roles' : 'staff.manage_users',
}));
