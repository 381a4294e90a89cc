import { Type } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id, Nullable } from '../../core/schemas.ts';

const Contact = Type.Object({ kind: Type.Union([Type.Literal('email'), Type.Literal('phone')]), value: Type.String() });
/** The changed field names, and each one's new value under its own name. */
const Changes = Type.Object({ changed: Type.Array(Type.String()) }, { additionalProperties: true });
const Identity = Type.Object({ provider: Type.String(), externalId: Type.String() });

const read = 'people.read';

export const peopleEvents = defineEvents({
  'people.person_created': {
    title: { en: 'Person created', ru: 'Человек добавлен' },
    summary: { en: '{actor} created {subject}', ru: '{actor} добавляет человека: {subject}' },
    description: 'A person was created (by staff, or on first sign-in with a new identity).',
    permission: read,
    payload: Type.Object({ displayName: Type.String(), contacts: Type.Array(Contact), tags: Type.Array(Type.String()) }),
  },
  // A member hears about changes to their own profile and identities; staff notes and blocks stay staff-side.
  'people.person_updated': {
    title: { en: 'Profile changed', ru: 'Профиль изменён' },
    summary: { en: '{actor} changed {subject}: {payload.changed}', ru: '{actor} меняет профиль: {subject} ({payload.changed})' },
    description: "A person's profile, contacts, tags or locale changed.",
    permission: read,
    toSubject: true,
    payload: Changes,
  },
  'people.identity_added': {
    title: { en: 'Identity added', ru: 'Учётная запись добавлена' },
    summary: {
      en: '{actor} added a {payload.provider:identity_provider} identity to {subject}',
      ru: '{actor} добавляет учётную запись {payload.provider:identity_provider}: {subject}',
    },
    description: 'A person became known under one more (provider, external id).',
    permission: read,
    toSubject: true,
    payload: Identity,
  },
  'people.identity_removed': {
    title: { en: 'Identity removed', ru: 'Учётная запись отвязана' },
    summary: {
      en: '{actor} removed a {payload.provider:identity_provider} identity from {subject}',
      ru: '{actor} отвязывает учётную запись {payload.provider:identity_provider}: {subject}',
    },
    description: 'An identity was detached from a person.',
    permission: read,
    toSubject: true,
    payload: Identity,
  },
  'people.person_blocked': {
    title: { en: 'Person blocked', ru: 'Человек заблокирован' },
    summary: { en: '{actor} blocked {subject}: {payload.reason}', ru: '{actor} блокирует {subject}: {payload.reason}' },
    refs: { reason: 'block_reason' },
    description: 'A person was blocked, with a reason; their client sessions end.',
    permission: read,
    payload: Type.Object({ reason: Type.String(), note: Nullable(Type.String()) }),
  },
  'people.person_unblocked': {
    title: { en: 'Person unblocked', ru: 'Человек разблокирован' },
    summary: { en: '{actor} unblocked {subject}', ru: '{actor} разблокирует {subject}' },
    description: 'A blocked person was let back in.',
    permission: read,
    payload: Type.Object({}),
  },
  'people.person_erased': {
    title: { en: 'Personal data erased', ru: 'Персональные данные удалены' },
    summary: { en: '{actor} erased the personal data of {subject}', ru: '{actor} удаляет персональные данные: {subject}' },
    description: "A person's personal data was erased on request; their history stays, pseudonymised.",
    permission: read,
    payload: Type.Object({ eventsPseudonymised: Type.Integer() }),
  },
  'people.note_added': {
    title: { en: 'Note written', ru: 'Заметка добавлена' },
    summary: { en: '{actor} wrote a note on {subject}', ru: '{actor} пишет заметку: {subject}' },
    description: 'A staff note was written on a person or an organization.',
    permission: read,
    payload: Type.Object({ noteId: Id, body: Type.String() }),
  },
  'people.organization_created': {
    title: { en: 'Organization created', ru: 'Организация создана' },
    summary: { en: '{actor} created {subject}', ru: '{actor} создаёт организацию {subject}' },
    description: 'An organization was created.',
    permission: read,
    payload: Type.Object({ name: Type.String(), kind: Type.String() }),
  },
  'people.organization_updated': {
    title: { en: 'Organization changed', ru: 'Организация изменена' },
    summary: { en: '{actor} changed {subject}: {payload.changed}', ru: '{actor} меняет организацию {subject} ({payload.changed})' },
    description: "An organization's name, kind, status, details or tags changed.",
    permission: read,
    payload: Changes,
  },
  'people.member_set': {
    title: { en: 'Member set', ru: 'Участник организации' },
    summary: {
      en: '{actor} made {payload.personId} {payload.role:role} in {subject}',
      ru: '{actor} назначает {payload.personId} ({payload.role:role}) в организации {subject}',
    },
    refs: { personId: 'person' },
    description: 'A person joined an organization, or their role in it changed.',
    permission: read,
    payload: Type.Object({ personId: Id, role: Type.String() }),
  },
  'people.member_removed': {
    title: { en: 'Member removed', ru: 'Участник исключён' },
    summary: { en: '{actor} removed {payload.personId} from {subject}', ru: '{actor} исключает {payload.personId} из организации {subject}' },
    refs: { personId: 'person' },
    description: 'A person left an organization.',
    permission: read,
    payload: Type.Object({ personId: Id }),
  },
  'people.block_reason_saved': {
    title: { en: 'Block reason saved', ru: 'Причина блокировки сохранена' },
    summary: { en: '{actor} saved the block reason {payload.label}', ru: '{actor} сохраняет причину блокировки «{payload.label}»' },
    description: 'A block reason was added to the managed list or changed.',
    permission: read,
    payload: Type.Object({ key: Type.String(), label: Type.String(), active: Type.Boolean() }),
  },
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof peopleEvents> {}
}

export const PeopleEvents = {
  personCreated: 'people.person_created',
  personUpdated: 'people.person_updated',
  identityAdded: 'people.identity_added',
  identityRemoved: 'people.identity_removed',
  personBlocked: 'people.person_blocked',
  personUnblocked: 'people.person_unblocked',
  personErased: 'people.person_erased',
  noteAdded: 'people.note_added',
  organizationCreated: 'people.organization_created',
  organizationUpdated: 'people.organization_updated',
  memberSet: 'people.member_set',
  memberRemoved: 'people.member_removed',
  blockReasonSaved: 'people.block_reason_saved',
} as const satisfies Record<string, keyof typeof peopleEvents>;

export const peopleEventTypes = eventTypeList(peopleEvents);
