import type { EventTypeDef } from '../../core/events/types.ts';

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
} as const;

const describe: Record<keyof typeof PeopleEvents, string> = {
  personCreated: 'A person was created (by staff, or on first sign-in with a new identity).',
  personUpdated: "A person's profile, contacts, tags or locale changed.",
  identityAdded: 'A person became known under one more (provider, external id).',
  identityRemoved: 'An identity was detached from a person.',
  personBlocked: 'A person was blocked, with a reason; their client sessions end.',
  personUnblocked: 'A blocked person was let back in.',
  personErased: "A person's personal data was erased on request; their history stays, pseudonymised.",
  noteAdded: 'A staff note was written on a person or an organization.',
  organizationCreated: 'An organization was created.',
  organizationUpdated: "An organization's name, kind, status, details or tags changed.",
  memberSet: 'A person joined an organization, or their role in it changed.',
  memberRemoved: 'A person left an organization.',
  blockReasonSaved: 'A block reason was added to the managed list or changed.',
};

export const peopleEventTypes: EventTypeDef[] = (Object.keys(PeopleEvents) as Array<keyof typeof PeopleEvents>).map((key) => ({
  type: PeopleEvents[key],
  description: describe[key],
  permission: 'people.read',
  // A member hears about changes to their own profile and identities; staff notes and blocks stay staff-side.
  toSubject: ['personUpdated', 'identityAdded', 'identityRemoved'].includes(key),
}));
