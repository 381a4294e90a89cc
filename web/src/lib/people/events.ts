/** The people module's event types about a person (the server's `people.*` catalogue). */
export const PERSON_EVENT_TYPES = [
  'people.person_created',
  'people.person_updated',
  'people.identity_added',
  'people.identity_removed',
  'people.person_blocked',
  'people.person_unblocked',
  'people.person_erased',
  'people.note_added',
];

/** … and about an organization. */
export const ORGANIZATION_EVENT_TYPES = [
  'people.organization_created',
  'people.organization_updated',
  'people.member_set',
  'people.member_removed',
  'people.note_added',
];
