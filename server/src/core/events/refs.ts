import { Type } from '@sinclair/typebox';
import { can, type Principal } from '../access.ts';
import type { Executor } from '../db/client.ts';
import type { Text } from '../labels.ts';
import type { Catalogue } from '../module.ts';
import type { StoredEvent } from './types.ts';

/** A record an event names (its actor, its subject, a payload field), as the console shows it. */
export interface Ref {
  type: string;
  name: string;
  /** The console page of the record, when the viewer may open it. */
  href?: string;
}

/**
 * How a module names its records for the event log and the timelines: given ids of one type, their names
 * (and console pages), in one query. A module lists them in its manifest's `refs`; core asks the resolver
 * of a type once per page, with every id of that type on the page, and never imports the module.
 */
export interface RefResolverDef {
  /** The ref type: a subject type (`person`, `staff_user`) or a type named in an event's `refs`. */
  type: string;
  /** What the record is, shown when its name is not ("Person"). */
  label: Text;
  /** Needed to see the names (through a role, or a grant on that record); without one, every viewer may. */
  permission?: string;
  /** The ids it resolves; UUIDs unless told (a block reason's key). Others are never passed to `resolve`. */
  idPattern?: RegExp;
  /** `now` is for the viewer's grants, when a resolver names records of another type (an account's owner). */
  resolve(db: Executor, ids: string[], viewer: Principal, now: Date): Promise<Array<{ id: string; name: string; href?: string }>>;
}

const RefSchema = Type.Object(
  { type: Type.String(), name: Type.String(), href: Type.Optional(Type.String()) },
  { $id: 'Ref', description: 'A record an event names, as the console shows it' },
);
export const RefsSchema = Type.Record(Type.String(), RefSchema, {
  description: 'The names of the actors, subjects and records the events name, by id (those the viewer may see)',
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The (type, id) pairs an event names: its actor, its subject and its payload's declared refs. */
function refsOf(catalogue: Catalogue, event: Pick<StoredEvent, 'type' | 'actorType' | 'actorId' | 'subjectType' | 'subjectId' | 'payload'>) {
  const found: Array<{ type: string; id: string }> = [];
  if (event.actorId && event.actorType !== 'system') found.push({ type: event.actorType === 'staff' ? 'staff_user' : 'person', id: event.actorId });
  if (event.subjectType && event.subjectId) found.push({ type: event.subjectType, id: event.subjectId });
  for (const [field, type] of Object.entries(catalogue.eventTypes.get(event.type)?.refs ?? {})) {
    const value = event.payload?.[field];
    for (const id of Array.isArray(value) ? value : [value]) if (typeof id === 'string') found.push({ type, id });
  }
  return found;
}

/**
 * The names of everything a page of events names, for a viewer: one `resolve` per ref type on the page,
 * with all its ids. The events must be those the viewer sees (the page, already filtered by the event
 * visibility rule), so no name of a record of a hidden event is told; a resolver's `permission` further
 * keeps names of people from a viewer who may not read people (a grant on the record also suffices).
 */
export async function resolveRefs(
  db: Executor,
  catalogue: Catalogue,
  viewer: Principal,
  events: ReadonlyArray<Parameters<typeof refsOf>[1]>,
  now: Date,
): Promise<Record<string, Ref>> {
  const byType = new Map<string, Set<string>>();
  for (const event of events) {
    for (const { type, id } of refsOf(catalogue, event)) {
      const resolver = catalogue.refResolvers.get(type);
      if (!resolver || !(resolver.idPattern ?? UUID).test(id)) continue;
      if (resolver.permission && !can(viewer, resolver.permission, id, now)) continue;
      let ids = byType.get(type);
      if (!ids) byType.set(type, (ids = new Set()));
      ids.add(id);
    }
  }
  const refs: Record<string, Ref> = {};
  await Promise.all(
    [...byType].map(async ([type, ids]) => {
      for (const row of await catalogue.refResolvers.get(type)!.resolve(db, [...ids], viewer, now)) {
        refs[row.id] = { type, name: row.name, ...(row.href ? { href: row.href } : {}) };
      }
    }),
  );
  return refs;
}
