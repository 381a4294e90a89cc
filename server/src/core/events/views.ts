import { Type, type TSchema } from '@sinclair/typebox';
import { Page } from '../http/pagination.ts';
import { Text, TONES } from '../labels.ts';
import { RefsSchema } from './refs.ts';
import type { Principal } from '../access.ts';
import type { Kernel } from '../kernel.ts';
import type { StoredEvent } from './types.ts';
import { eventVisibility, type EventVisibility } from './visibility.ts';

/** What a signed-in staff user may see of the event log (see `eventVisibility`). */
export const visibilityFor = (kernel: Kernel, principal: Principal): EventVisibility =>
  eventVisibility(kernel.catalogue, { type: 'staff', principal }, kernel.now);

export const EventSchema = Type.Object(
  {
    id: Type.Integer(),
    type: Type.String(),
    subjectType: Type.Union([Type.String(), Type.Null()]),
    subjectId: Type.Union([Type.String(), Type.Null()]),
    actorType: Type.String(),
    actorId: Type.Union([Type.String(), Type.Null()]),
    payload: Type.Record(Type.String(), Type.Unknown()),
    parentId: Type.Union([Type.Integer(), Type.Null()], { description: 'The top-level event this one is part of' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Event' },
);

export const eventView = (e: StoredEvent) => ({
  id: e.id,
  type: e.type,
  subjectType: e.subjectType,
  subjectId: e.subjectId,
  actorType: e.actorType,
  actorId: e.actorId,
  payload: e.payload,
  parentId: e.parentId,
  createdAt: e.createdAt.toISOString(),
});

/** A page of events with the names of what they name (`resolveRefs`). */
export const EventPage = <T extends TSchema>(item: T) => Type.Object({ ...Page(item).properties, refs: RefsSchema });

/** The events a timeline entry consists of, with the names of what they name. */
export const EventItems = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), refs: RefsSchema });

export const LabelsSchema = Type.Object(
  {
    codes: Type.Record(
      Type.String(),
      Type.Record(Type.String(), Type.Object({ en: Type.String(), ru: Type.String(), tone: Type.Optional(Type.Union(TONES.map((t) => Type.Literal(t)))) })),
      { description: 'Code set → code → label (and, for statuses, the Carbon tag colour)' },
    ),
    events: Type.Record(
      Type.String(),
      Type.Object({
        title: Text,
        summary: Text,
        refs: Type.Record(Type.String(), Type.String(), { description: 'Payload fields holding record ids, by ref type' }),
      }),
      { description: 'Event type → title and one-line summary template' },
    ),
  },
  { $id: 'Labels' },
);
