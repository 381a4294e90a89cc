import { Type } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id, Nullable, Timestamp } from '../../core/schemas.ts';

export const memberEvents = defineEvents({
  'members.token_issued': {
    title: { en: 'Member token issued', ru: 'Выдан токен участника' },
    summary: { en: '{actor} issued a member token for {subject}', ru: '{actor} выдаёт токен участника: {subject}' },
    description: 'A staff user issued a member token for a person.',
    permission: 'people.read',
    payload: Type.Object({ expiresAt: Timestamp }),
  },
  'members.online': {
    title: { en: 'Came online', ru: 'В сети' },
    summary: { en: '{subject} came online', ru: '{subject} в сети' },
    description: 'A member came online in a client app (their first open connection).',
    permission: 'people.read',
    payload: Type.Object({}),
  },
  'members.offline': {
    title: { en: 'Went offline', ru: 'Не в сети' },
    summary: { en: '{subject} went offline', ru: '{subject} выходит из сети' },
    description: 'A member went offline (their last connection closed or stopped beating).',
    permission: 'people.read',
    payload: Type.Object({}),
  },
  'members.device_registered': {
    title: { en: 'Device registered', ru: 'Устройство зарегистрировано' },
    summary: { en: '{subject} registered a device ({payload.platform:platform})', ru: '{subject} регистрирует устройство ({payload.platform:platform})' },
    description: 'A member registered a device of a client app, or changed its push token, platform or app version.',
    permission: 'people.read',
    payload: Type.Object({ deviceId: Id, platform: Type.String(), appVersion: Nullable(Type.String()), pushToken: Type.Boolean(), first: Type.Boolean() }),
  },
  'members.device_forgotten': {
    title: { en: 'Device signed out', ru: 'Устройство отключено' },
    summary: { en: '{subject} signed a device out', ru: '{subject} выходит из приложения на устройстве' },
    description: 'A member signed a device out: no more pushes go to it.',
    permission: 'people.read',
    payload: Type.Object({ deviceId: Id }),
  },
  'members.device_token_removed': {
    title: { en: 'Push token removed', ru: 'Токен push удалён' },
    summary: { en: "{subject}'s device lost its push token: {payload.reason}", ru: 'У устройства {subject} удалён токен push: {payload.reason}' },
    description: 'A push provider said a device token is no longer valid (the app was removed, the token expired): no more pushes go to it.',
    permission: 'people.read',
    payload: Type.Object({ deviceId: Id, token: Type.Union([Type.Literal('push'), Type.Literal('voip')]), reason: Type.String() }),
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
  deviceTokenRemoved: 'members.device_token_removed',
} as const satisfies Record<string, keyof typeof memberEvents>;

export const memberEventTypes = eventTypeList(memberEvents);
