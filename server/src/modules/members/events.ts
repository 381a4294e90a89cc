import { Type } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id, Nullable, Timestamp } from '../../core/schemas.ts';

export const memberEvents = defineEvents({
  'members.token_issued': {
    description: 'A staff user issued a member token for a person.',
    permission: 'people.read',
    payload: Type.Object({ expiresAt: Timestamp }),
  },
  'members.online': { description: 'A member came online in a client app (their first open connection).', permission: 'people.read', payload: Type.Object({}) },
  'members.offline': {
    description: 'A member went offline (their last connection closed or stopped beating).',
    permission: 'people.read',
    payload: Type.Object({}),
  },
  'members.device_registered': {
    description: 'A member registered a device of a client app, or changed its push token, platform or app version.',
    permission: 'people.read',
    payload: Type.Object({ deviceId: Id, platform: Type.String(), appVersion: Nullable(Type.String()), pushToken: Type.Boolean(), first: Type.Boolean() }),
  },
  'members.device_forgotten': {
    description: 'A member signed a device out: no more pushes go to it.',
    permission: 'people.read',
    payload: Type.Object({ deviceId: Id }),
  },
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof memberEvents> {}
}

export const MemberEvents = {
  tokenIssued: 'members.token_issued',
  online: 'members.online',
  offline: 'members.offline',
  deviceRegistered: 'members.device_registered',
  deviceForgotten: 'members.device_forgotten',
} as const satisfies Record<string, keyof typeof memberEvents>;

export const memberEventTypes = eventTypeList(memberEvents);
