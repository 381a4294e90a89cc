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
    description: 'A person was created (by staff, or on first sign-in with a new identity).',
    permission: read,
    payload: Type.Object({ displayName: Type.String(), contacts: Type.Array(Contact), tags: Type.Array(Type.String()) }),
  },
  // A member hears about changes to their own profile and identities; staff notes and blocks stay staff-side.
  'people.person_updated': { description: "A person's profile, contacts, tags or locale changed.", permission: read, toSubject: true, payload: Changes },
  'people.identity_added': {
    description: 'A person became known under one more (provider, external id).',
    permission: read,
    toSubject: true,
    payload: Identity,
  },
  'people.identity_removed': { description: 'An identity was detached from a person.', permission: read, toSubject: true, payload: Identity },
  'people.person_blocked': {
    description: 'A person was blocked, with a reason; their client sessions end.',
    permission: read,
    payload: Type.Object({ reason: Type.String(), note: Nullable(Type.String()) }),
  },
  'people.person_unblocked': { description: 'A blocked person was let back in.', permission: read, payload: Type.Object({}) },
  'people.person_erased': {
    description: "A person's personal data was erased on request; their history stays, pseudonymised.",
    permission: read,
    payload: Type.Object({ eventsPseudonymised: Type.Integer() }),
  },
  'people.note_added': {
    description: 'A staff note was written on a person or an organization.',
    permission: read,
    payload: Type.Object({ noteId: Id, body: Type.String() }),
  },
  'people.organization_created': {
    description: 'An organization was created.',
    permission: read,
    payload: Type.Object({ name: Type.String(), kind: Type.String() }),
  },
  'people.organization_updated': { description: "An organization's name, kind, status, details or tags changed.", permission: read, payload: Changes },
  'people.member_set': {
    description: 'A person joined an organization, or their role in it changed.',
    permission: read,
    payload: Type.Object({ personId: Id, role: Type.String() }),
  },
  'people.member_removed': { description: 'A person left an organization.', permission: read, payload: Type.Object({ personId: Id }) },
  'people.block_reason_saved': {
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
