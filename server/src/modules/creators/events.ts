import type { EventTypeDef } from '../../core/events/types.ts';

export const CreatorEvents = {
  /** The ads module subscribes to it: the name is a contract. */
  userSignedUp: 'user.signed_up',
  streamerRegistered: 'creators.streamer_registered',
  streamerAgencyChanged: 'creators.streamer_agency_changed',
  streamerSuspended: 'creators.streamer_suspended',
  streamerReinstated: 'creators.streamer_reinstated',
} as const;

export const creatorEventTypes: EventTypeDef[] = [
  { type: CreatorEvents.userSignedUp, description: 'A person signed up in the app as a user (platform).', permission: 'creators.read', toSubject: true },
  { type: CreatorEvents.streamerRegistered, description: 'A person became a streamer, with or without an agency.', permission: 'creators.read', toSubject: true },
  { type: CreatorEvents.streamerAgencyChanged, description: "A streamer joined, left or changed agency (from, to).", permission: 'creators.read', toSubject: true },
  { type: CreatorEvents.streamerSuspended, description: 'A streamer was suspended, with a reason (by staff or by a penalty rule).', permission: 'creators.read', toSubject: true },
  { type: CreatorEvents.streamerReinstated, description: 'A suspended streamer may stream again.', permission: 'creators.read', toSubject: true },
];
