import { and, eq, inArray, notInArray, or, type SQL } from 'drizzle-orm';
import type { Principal } from '../access.ts';
import type { Catalogue } from '../module.ts';
import { eventLog } from './schema.ts';
import type { StoredEvent } from './types.ts';

/** Who reads events: a staff user in the console, or a member in a client app. */
export type EventViewer = { type: 'staff'; principal: Principal } | { type: 'member'; personId: string };

/**
 * The one rule for who sees which event, applied by every surface that shows events (the event log,
 * timelines and their nested events, the console's live stream, the client socket):
 * - a staff user sees an event when they hold the permission its module declared for its type, through
 *   a role, or through a grant on the event's subject; a type no enabled module declares needs `events.read`;
 * - a member sees only events about themselves whose type its module marked as sent to the subject.
 * Hidden events are left out; nothing else about them is told.
 */
export interface EventVisibility {
  allows(event: Pick<StoredEvent, 'type' | 'subjectType' | 'subjectId'>): boolean;
  /** The same rule as a condition on `event_log`; undefined when everything is visible. */
  readonly condition: SQL | undefined;
}

const NOTHING: SQL = eq(eventLog.id, -1);

/** `clock` is read for each check, so a grant that expires while a stream is open stops showing events at once. */
export function eventVisibility(catalogue: Catalogue, viewer: EventViewer, clock: () => Date): EventVisibility {
  return viewer.type === 'member' ? memberVisibility(catalogue, viewer.personId) : staffVisibility(catalogue, viewer.principal, clock);
}

function memberVisibility(catalogue: Catalogue, personId: string): EventVisibility {
  const types = [...catalogue.eventTypes.values()].filter((t) => t.toSubject).map((t) => t.type);
  const allowed = new Set(types);
  return {
    allows: (event) => event.subjectType === 'person' && event.subjectId === personId && allowed.has(event.type),
    condition: types.length ? and(eq(eventLog.subjectType, 'person'), eq(eventLog.subjectId, personId), inArray(eventLog.type, types)) : NOTHING,
  };
}

function staffVisibility(catalogue: Catalogue, principal: Principal, clock: () => Date): EventVisibility {
  const known = [...catalogue.eventTypes.keys()];
  const byRole = known.filter((type) => principal.permissions.has(catalogue.eventPermission(type)));
  const unknownVisible = principal.permissions.has('events.read');
  const live = (g: Principal['grants'][number], at: Date) => g.expiresAt === null || g.expiresAt > at;
  const grants = principal.grants.filter((g) => live(g, clock()));
  const allows = (event: Pick<StoredEvent, 'type' | 'subjectId'>) => {
    const permission = catalogue.eventPermission(event.type);
    if (principal.permissions.has(permission)) return true;
    if (!catalogue.eventTypes.has(event.type) || event.subjectId === null) return false;
    const at = clock();
    return grants.some((g) => g.permission === permission && g.recordId === event.subjectId && live(g, at));
  };

  if (byRole.length === known.length && unknownVisible) return { allows, condition: undefined };
  const parts: SQL[] = [];
  if (byRole.length) parts.push(inArray(eventLog.type, byRole));
  if (unknownVisible) parts.push(known.length ? notInArray(eventLog.type, known) : eq(eventLog.id, eventLog.id));
  for (const grant of grants) {
    const types = known.filter((type) => catalogue.eventPermission(type) === grant.permission && !byRole.includes(type));
    if (types.length) parts.push(and(eq(eventLog.subjectId, grant.recordId), inArray(eventLog.type, types))!);
  }
  return { allows, condition: parts.length ? or(...parts) : NOTHING };
}
