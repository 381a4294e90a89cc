import type { Actor } from '../actor.ts';

export interface EventSubject {
  type: string;
  id: string;
}

/** What a service appends; the actor and time come from its context. */
export interface NewEvent {
  type: string;
  subject?: EventSubject;
  payload?: Record<string, unknown>;
  /** Who acted, when it is not the transaction's actor (requests grouped into one transaction). */
  actor?: Actor;
  /** The top-level event this one is part of (see `event_log.parent_id`). */
  parentId?: number;
}

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

/** An event type a module emits, and the permission a staff user needs to see it in live streams. */
export interface EventTypeDef {
  type: string;
  description: string;
  permission?: string;
  /** Also sent over the client WebSocket to the member whose person is the event's subject. */
  toSubject?: boolean;
}
