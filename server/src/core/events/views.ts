import { Type } from '@sinclair/typebox';
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
