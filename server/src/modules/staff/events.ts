import { Type } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id, Nullable, Timestamp } from '../../core/schemas.ts';

const users = 'staff.manage_users';
const roles = 'staff.manage_roles';
const SessionsEnded = Type.Object({ sessionsEnded: Type.Integer() });
/** The changed fields with their new values. */
const Changes = Type.Record(Type.String(), Type.Unknown());
/** How a staff user proved who they are: `password`, `oidc` (an OpenID Connect provider) or `firebase`. */
const SignInMethod = Type.Union([Type.Literal('password'), Type.Literal('oidc'), Type.Literal('firebase')]);

export const staffEvents = defineEvents({
  'staff.signed_in': {
    title: { en: 'Signed in', ru: 'Вход в консоль' },
    summary: { en: '{subject} signed in from {payload.ip}', ru: '{subject} входит в консоль с адреса {payload.ip}' },
    description: 'A staff user signed in to the console (with their password, or through single sign-on: `method`).',
    permission: users,
    payload: Type.Object({ sessionId: Id, ip: Type.String(), method: Type.Optional(SignInMethod) }),
  },
  'staff.signed_out': {
    title: { en: 'Signed out', ru: 'Выход из консоли' },
    summary: { en: '{subject} signed out', ru: '{subject} выходит из консоли' },
    description: 'A staff user signed out.',
    permission: users,
    payload: Type.Object({ sessionId: Id }),
  },
  'staff.user_created': {
    title: { en: 'Staff user created', ru: 'Сотрудник создан' },
    summary: {
      en: '{actor} created the staff user {subject} (roles: {payload.roleIds})',
      ru: '{actor} создаёт сотрудника {subject} (роли: {payload.roleIds})',
    },
    refs: { roleIds: 'role' },
    description: 'An administrator created a staff user.',
    permission: users,
    payload: Type.Object({ email: Type.String(), name: Type.String(), roleIds: Type.Array(Id) }),
  },
  'staff.user_updated': {
    title: { en: 'Staff user edited', ru: 'Сотрудник изменён' },
    summary: { en: '{actor} edited {subject}', ru: '{actor} изменяет сотрудника {subject}' },
    refs: { roleIds: 'role' },
    description: 'A staff user was edited (name, email, locale or roles).',
    permission: users,
    payload: Type.Object({ changes: Changes, roleIds: Type.Optional(Type.Array(Id)) }),
  },
  'staff.user_disabled': {
    title: { en: 'Staff user disabled', ru: 'Сотрудник отключён' },
    summary: { en: '{actor} disabled {subject}', ru: '{actor} отключает сотрудника {subject}' },
    description: 'A staff user was disabled; their sessions ended.',
    permission: users,
    payload: SessionsEnded,
  },
  'staff.user_enabled': {
    title: { en: 'Staff user enabled', ru: 'Сотрудник включён' },
    summary: { en: '{actor} enabled {subject}', ru: '{actor} включает сотрудника {subject}' },
    description: 'A disabled staff user was enabled again.',
    permission: users,
    payload: Type.Object({}),
  },
  'staff.password_reset': {
    title: { en: 'Password reset', ru: 'Пароль сброшен' },
    summary: { en: '{actor} reset the password of {subject}', ru: '{actor} сбрасывает пароль сотрудника {subject}' },
    description: "An administrator reset a staff user's password; their other sessions ended.",
    permission: users,
    payload: SessionsEnded,
  },
  'staff.password_changed': {
    title: { en: 'Password changed', ru: 'Пароль изменён' },
    summary: { en: '{subject} changed their password', ru: '{subject} меняет свой пароль' },
    description: 'A staff user changed their own password; their other sessions ended.',
    permission: users,
    payload: SessionsEnded,
  },
  'staff.role_created': {
    title: { en: 'Role created', ru: 'Роль создана' },
    summary: { en: '{actor} created the role {subject}', ru: '{actor} создаёт роль {subject}' },
    description: 'A role was created.',
    permission: roles,
    payload: Type.Object({ name: Type.String(), permissions: Type.Optional(Type.Array(Type.String())), builtin: Type.Optional(Type.String()) }),
  },
  'staff.role_updated': {
    title: { en: 'Role changed', ru: 'Роль изменена' },
    summary: { en: '{actor} changed the role {subject}', ru: '{actor} меняет роль {subject}' },
    description: 'A role was renamed or its permissions changed.',
    permission: roles,
    payload: Type.Object({ changes: Changes, added: Type.Array(Type.String()), removed: Type.Array(Type.String()) }),
  },
  'staff.role_deleted': {
    title: { en: 'Role deleted', ru: 'Роль удалена' },
    summary: { en: '{actor} deleted the role {payload.name}', ru: '{actor} удаляет роль «{payload.name}»' },
    description: 'A role was deleted.',
    permission: roles,
    payload: Type.Object({ name: Type.String() }),
  },
  'staff.sso_linked': {
    title: { en: 'Sign-in identity linked', ru: 'Внешний вход привязан' },
    summary: {
      en: '{subject} linked a sign-in identity of {payload.issuer} by the verified email {payload.email}',
      ru: '{subject} привязывает вход через {payload.issuer} по подтверждённому адресу {payload.email}',
    },
    description: 'A staff user signed in through single sign-on for the first time, and the identity was linked to them by verified email.',
    permission: users,
    payload: Type.Object({ identityId: Id, provider: SignInMethod, issuer: Type.String(), email: Type.String() }),
  },
  'staff.sso_unlinked': {
    title: { en: 'Sign-in identity unlinked', ru: 'Внешний вход отвязан' },
    summary: {
      en: '{actor} unlinked the {payload.issuer} sign-in identity of {subject}',
      ru: '{actor} отвязывает вход через {payload.issuer} у сотрудника {subject}',
    },
    description: "An administrator removed a staff user's single sign-on identity; the next sign-in there links again by verified email.",
    permission: users,
    payload: Type.Object({ identityId: Id, provider: SignInMethod, issuer: Type.String(), email: Type.String() }),
  },
  'staff.grant_created': {
    title: { en: 'Access granted', ru: 'Доступ выдан' },
    summary: {
      en: '{actor} granted {subject} {payload.permission} on one record',
      ru: '{actor} выдаёт сотруднику {subject} право {payload.permission} на одну запись',
    },
    description: 'A staff user was granted one permission on one record.',
    permission: users,
    payload: Type.Object({ grantId: Id, permission: Type.String(), recordId: Type.String(), expiresAt: Nullable(Timestamp) }),
  },
  'staff.grant_revoked': {
    title: { en: 'Access revoked', ru: 'Доступ отозван' },
    summary: {
      en: '{actor} revoked {payload.permission} on one record from {subject}',
      ru: '{actor} отзывает право {payload.permission} на запись у сотрудника {subject}',
    },
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
  ssoLinked: 'staff.sso_linked',
  ssoUnlinked: 'staff.sso_unlinked',
  grantCreated: 'staff.grant_created',
  grantRevoked: 'staff.grant_revoked',
} as const satisfies Record<string, keyof typeof staffEvents>;

export const staffEventTypes = eventTypeList(staffEvents);
