import type { Executor } from '../../core/db/client.ts';
import { childCounts, childEvents, listEvents } from '../../core/events/log.ts';
import type { EventVisibility } from '../../core/events/visibility.ts';
import { PeopleError } from './errors.ts';
import { assertSubject, type SubjectType } from './people.ts';

/**
 * Everything that ever happened to this person or organization: the top-level event-log entries about
 * it, newest first, each with how many events it consists of (a call's ring, accept, billing and end).
 */
export async function timeline(db: Executor, visibility: EventVisibility, type: SubjectType, id: string, beforeId: number | undefined, limit: number) {
  await assertSubject(db, type, id);
  const rows = await listEvents(db, { visibility, subjectType: type, subjectId: id, beforeId, topLevel: true, limit: limit + 1 });
  const counts = await childCounts(
    db,
    visibility,
    rows.map((e) => e.id),
  );
  return rows.map((e) => ({ ...e, children: counts.get(e.id) ?? 0 }));
}

/** The events one entry of this subject's timeline consists of; 404 when the entry is not about it. */
export async function timelineChildren(db: Executor, visibility: EventVisibility, type: SubjectType, id: string, eventId: number) {
  await assertSubject(db, type, id);
  const [parent] = await listEvents(db, { visibility, subjectType: type, subjectId: id, beforeId: eventId + 1, limit: 1 });
  if (parent?.id !== eventId) throw PeopleError.notFound('No such event on this timeline.');
  return childEvents(db, visibility, eventId, 500);
}
