import { Type } from '@sinclair/typebox';
import type { Executor } from '../../core/db/client.ts';
import { uuidIn } from '../../core/db/sql.ts';
import type { RefResolverDef } from '../../core/events/refs.ts';
import { defineCodes } from '../../core/labels.ts';
import { Id, Nullable, Timestamp } from '../../core/schemas.ts';
import { CallKinds } from '../creators/tariffs/views.ts';
import { getPeople, subjectNames } from '../people/people.ts';
import { calls } from './schema.ts';
import type { Call, CallPoint } from './service.ts';

export const CallStates = defineCodes('call_state', {
  requested: { en: 'Ringing', ru: 'Вызов', tone: 'blue' },
  accepted: { en: 'Answered', ru: 'Принят', tone: 'teal' },
  declined: { en: 'Declined', ru: 'Отклонён', tone: 'gray' },
  missed: { en: 'Missed', ru: 'Пропущен', tone: 'gray' },
  cancelled: { en: 'Cancelled', ru: 'Отменён', tone: 'gray' },
  connected: { en: 'In progress', ru: 'Идёт', tone: 'green' },
  ended: { en: 'Ended', ru: 'Завершён', tone: 'gray' },
});
export const CallEndReasons = defineCodes('call_end_reason', {
  hangup_caller: { en: 'the caller hung up', ru: 'звонивший положил трубку' },
  hangup_callee: { en: 'the streamer hung up', ru: 'стример положил трубку' },
  insufficient_funds: { en: 'not enough coins', ru: 'не хватило монет' },
  blocked: { en: 'blocked', ru: 'блокировка' },
  moderator: { en: 'ended by a moderator', ru: 'завершён модератором' },
  provider_failure: { en: 'the video service failed', ru: 'сбой видеосервиса' },
  heartbeat_lost: { en: 'an app stopped answering', ru: 'приложение перестало отвечать' },
  join_timeout: { en: 'nobody joined in time', ru: 'никто не подключился вовремя' },
  max_duration: { en: 'the longest call allowed', ru: 'максимальная длительность' },
});

export const CallView = Type.Object({
  id: Id,
  kind: CallKinds.schema,
  state: CallStates.schema,
  endReason: Nullable(CallEndReasons.schema),
  caller: Type.Object({ id: Id, name: Type.String() }),
  streamer: Type.Object({ id: Id, name: Type.String() }),
  agencyId: Nullable(Id),
  agency: Nullable(Type.Object({ id: Id, name: Type.String() }, { description: "The streamer's agency when the call was made (it earns its share)." })),
  requestedAt: Timestamp,
  acceptedAt: Nullable(Timestamp),
  connectedAt: Nullable(Timestamp),
  endedAt: Nullable(Timestamp),
  seconds: Type.Integer({ description: 'How long it has been connected (so far, for a call in progress).' }),
  cost: Type.Integer({ description: 'Coins the caller has paid.' }),
  earned: Type.Integer({ description: 'Coins the streamer has earned.' }),
  tariffId: Nullable(Id),
  nextPointAt: Nullable(Timestamp),
  conversationId: Nullable(Id),
  eventId: Nullable(Type.Integer({ description: "The call's top-level event: its steps and billing points are nested under it." })),
  provider: Nullable(Type.String({ description: 'The video provider the call runs on now.' })),
});

export const CallPointView = Type.Object({
  index: Type.Integer(),
  atSecond: Type.Integer(),
  caller: Type.Integer(),
  streamer: Type.Integer(),
  agency: Type.Integer(),
  platform: Type.Integer(),
  transferIds: Type.Array(Id),
  dueAt: Timestamp,
  billedAt: Timestamp,
});

export const callPointView = (p: CallPoint) => ({ ...p, dueAt: p.dueAt.toISOString(), billedAt: p.billedAt.toISOString() });

/** Calls with both people's and the agency's names, in one lookup however many. */
export async function callViews(db: Executor, rows: Call[], now: Date) {
  const names = await subjectNames(db, [
    ...rows.flatMap((c) => [c.callerId, c.streamerId].map((id) => ({ type: 'person' as const, id }))),
    ...rows.flatMap((c) => (c.agencyId ? [{ type: 'organization' as const, id: c.agencyId }] : [])),
  ]);
  return rows.map((c) => ({
    id: c.id,
    kind: c.kind,
    state: c.state,
    endReason: c.endReason,
    caller: { id: c.callerId, name: names.get(c.callerId) ?? '' },
    streamer: { id: c.streamerId, name: names.get(c.streamerId) ?? '' },
    agencyId: c.agencyId,
    agency: c.agencyId ? { id: c.agencyId, name: names.get(c.agencyId) ?? '' } : null,
    requestedAt: c.requestedAt.toISOString(),
    acceptedAt: c.acceptedAt?.toISOString() ?? null,
    connectedAt: c.connectedAt?.toISOString() ?? null,
    endedAt: c.endedAt?.toISOString() ?? null,
    seconds: c.connectedAt ? Math.max(0, Math.floor(((c.endedAt ?? now).getTime() - c.connectedAt.getTime()) / 1000)) : 0,
    cost: c.cost,
    earned: c.earned,
    tariffId: c.tariffId,
    nextPointAt: c.nextPointAt?.toISOString() ?? null,
    conversationId: c.conversationId,
    eventId: c.eventId,
    provider: c.provider,
  }));
}

export const callRefs: RefResolverDef = {
  type: 'call',
  label: { en: 'Call', ru: 'Звонок' },
  permission: 'calls.read',
  resolve: async (db, ids) => {
    const rows = await db.select().from(calls).where(uuidIn(calls.id, ids));
    const people = new Map(
      (
        await getPeople(
          db,
          rows.flatMap((c) => [c.callerId, c.streamerId]),
        )
      ).map((p) => [p.id, p.displayName]),
    );
    return rows.map((c) => ({ id: c.id, name: `${people.get(c.callerId) ?? ''} → ${people.get(c.streamerId) ?? ''}`, href: `/calls/${c.id}` }));
  },
};

export const JoinCredentialsView = Type.Object({
  provider: Type.String({ description: '`agora` or `twilio`.' }),
  channel: Type.String({ description: "Agora's channel name, Twilio's room name." }),
  identity: Type.String({ description: 'My identity in it: my person id (Agora user account, Twilio identity).' }),
  token: Type.String(),
  appId: Nullable(Type.String({ description: 'Agora: the App ID to initialise the SDK with.' })),
  expiresAt: Timestamp,
});

export const ProviderStateView = Type.Object({
  name: Type.String(),
  configured: Type.Boolean(),
  open: Type.Boolean({ description: 'Its circuit is open: new calls start on the next provider.' }),
  openUntil: Nullable(Timestamp),
  recentFailures: Type.Integer(),
  forced: Type.Boolean(),
});
