import { Type, type TSchema } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id } from '../../core/schemas.ts';

export const CallEvents = {
  requested: 'calls.requested',
  accepted: 'calls.accepted',
  declined: 'calls.declined',
  missed: 'calls.missed',
  cancelled: 'calls.cancelled',
  connected: 'calls.connected',
  billed: 'calls.billed',
  ended: 'calls.ended',
  providerSwitched: 'calls.provider_switched',
} as const;

const CallPayload = { callId: Id, kind: Type.String(), callerId: Id };
const call = (title: { en: string; ru: string }, summary: { en: string; ru: string }, description: string, extra: Record<string, TSchema> = {}) => ({
  title,
  summary,
  description,
  refs: { callerId: 'person' },
  permission: 'calls.read',
  toSubject: true,
  payload: Type.Object({ ...CallPayload, ...extra }),
});

export const callEvents = defineEvents({
  [CallEvents.requested]: call(
    { en: 'Call', ru: 'Звонок' },
    { en: '{payload.callerId} called {subject} ({payload.kind:call_kind})', ru: '{payload.callerId} звонит: {subject} ({payload.kind:call_kind})' },
    "A member called a streamer: the call's top-level event, every later step is nested under it.",
  ),
  [CallEvents.accepted]: call(
    { en: 'Call accepted', ru: 'Звонок принят' },
    { en: '{subject} accepted the call', ru: '{subject} принимает звонок' },
    'The streamer accepted the call (a roulette match is accepted at once).',
  ),
  [CallEvents.declined]: call(
    { en: 'Call declined', ru: 'Звонок отклонён' },
    { en: '{subject} declined the call', ru: '{subject} отклоняет звонок' },
    'The streamer declined the call.',
  ),
  [CallEvents.missed]: call(
    { en: 'Call missed', ru: 'Пропущенный звонок' },
    { en: '{subject} did not answer in time', ru: '{subject} не ответил(а) вовремя' },
    'Nobody answered within the ring timeout (setting calls.ring_timeout).',
  ),
  [CallEvents.cancelled]: call(
    { en: 'Call cancelled', ru: 'Звонок отменён' },
    { en: '{payload.callerId} hung up before an answer', ru: '{payload.callerId} отменяет звонок до ответа' },
    'The caller gave up before the streamer answered.',
  ),
  [CallEvents.connected]: call(
    { en: 'Call connected', ru: 'Звонок начался' },
    {
      en: 'The call with {subject} connected (tariff version {payload.tariffVersion})',
      ru: 'Звонок с {subject} начался (версия тарифа {payload.tariffVersion})',
    },
    'Both sides joined the video channel: billing starts by the tariff version in force now.',
    { tariffId: Id, tariffVersion: Type.Integer() },
  ),
  [CallEvents.billed]: call(
    { en: 'Call billed', ru: 'Списание за звонок' },
    {
      en: 'Second {payload.atSecond}: {payload.cost:money} paid, {payload.earned:money} earned',
      ru: 'Секунда {payload.atSecond}: оплачено {payload.cost:money}, заработано {payload.earned:money}',
    },
    "A billing point of a call: the caller's coins moved to the streamer, the agency and the platform.",
    { index: Type.Integer(), atSecond: Type.Integer(), cost: Type.Integer(), earned: Type.Integer() },
  ),
  [CallEvents.ended]: call(
    { en: 'Call ended', ru: 'Звонок завершён' },
    {
      en: 'The call with {subject} ended: {payload.reason:call_end_reason}, {payload.seconds} s, {payload.cost:money}',
      ru: 'Звонок с {subject} завершён: {payload.reason:call_end_reason}, {payload.seconds} с, {payload.cost:money}',
    },
    'A connected call ended, with the reason, its length and what it cost.',
    { reason: Type.String(), seconds: Type.Integer(), cost: Type.Integer(), earned: Type.Integer() },
  ),
  [CallEvents.providerSwitched]: call(
    { en: 'Video provider switched', ru: 'Видеосервис переключён' },
    { en: 'The call moved from {payload.from} to {payload.to} after a failure', ru: 'Звонок перешёл с {payload.from} на {payload.to} после сбоя' },
    'An app reported the video provider failing: the call moved to the next provider with fresh credentials.',
    { from: Type.String(), to: Type.String() },
  ),
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof callEvents> {}
}

export const callEventTypes = eventTypeList(callEvents);
