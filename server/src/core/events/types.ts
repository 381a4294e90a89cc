import type { Static, TObject } from '@sinclair/typebox';
import type { Actor } from '../actor.ts';
import type { Text } from '../labels.ts';

/**
 * The payload of every event type, one entry per type. Each module's `events.ts` adds its own through
 * declaration merging (`declare module '…/core/events/types.ts' { interface EventPayloads extends … }`),
 * so appending and subscribing are checked against the one map.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EventPayloads {}

export type EventType = keyof EventPayloads & string;

export interface EventSubject {
  type: string;
  id: string;
}

interface NewEventOf<T extends EventType> {
  type: T;
  subject?: EventSubject;
  payload: EventPayloads[T];
  /** Who acted, when it is not the transaction's actor (requests grouped into one transaction). */
  actor?: Actor;
  /** The top-level event this one is part of (see `event_log.parent_id`). */
  parentId?: number;
}

/** What a service appends (the actor and time come from its context): a declared type with its payload. */
export type NewEvent = { [T in EventType]: NewEventOf<T> }[EventType];

export interface StoredEvent {
  id: number;
  txId: number;
  type: string;
  subjectType: string | null;
  subjectId: string | null;
  actorType: Actor['type'];
  actorId: string | null;
  payload: Record<string, unknown>;
  parentId: number | null;
  createdAt: Date;
}

/** A stored event of one type, as a subscriber of that type receives it. */
export type EventOf<T extends EventType> = Omit<StoredEvent, 'type' | 'payload'> & { type: T; payload: EventPayloads[T] };

/** An event type a module emits, and the permission a staff user needs to see it in live streams. */
export interface EventTypeDef {
  type: string;
  /** The payload's shape; checked on append outside production. */
  payload?: TObject;
  description: string;
  permission?: string;
  /** Also sent over the client WebSocket to the member whose person is the event's subject. */
  toSubject?: boolean;
  /** What happened, in a few words, in every console language ("Gift sent"). */
  title?: Text;
  /**
   * One line telling what happened, in every console language, with placeholders the console fills in:
   * `{actor}` and `{subject}` (their names, linking to their pages), `{payload.field}` (a payload value; a
   * field named in `refs` shows as the name of the record it points to), `{payload.field:money}` (an amount
   * in minor units of `payload.currency`, coins without one) and `{payload.field:<code set>}` (a code by its
   * label, e.g. `{payload.kind:transfer_kind}`).
   */
  summary?: Text;
  /** Payload fields that hold the id of a record, by the ref type that names it (`{ giftId: 'gift' }`). */
  refs?: Record<string, string>;
}

/** What `defineEvents` takes for each type: a title and a summary are required. */
type EventSpec = Omit<EventTypeDef, 'type' | 'payload' | 'title' | 'summary'> & { payload: TObject; title: Text; summary: Text };

/** The payload types of a module's event declarations, for its `EventPayloads` augmentation. */
export type PayloadsOf<Defs extends Record<string, EventSpec>> = { [T in keyof Defs]: Static<Defs[T]['payload']> };

/**
 * A module's event types, keyed by type, each with its payload schema:
 * `export const ledgerEvents = defineEvents({ 'ledger.transfer_posted': { description, permission, payload } })`.
 */
export function defineEvents<const Defs extends Record<string, EventSpec>>(defs: Defs): Defs {
  return defs;
}

/** The manifest's list form of `defineEvents`' declarations. */
export const eventTypeList = (defs: Record<string, EventSpec>): EventTypeDef[] => Object.entries(defs).map(([type, def]) => ({ type, ...def }));
