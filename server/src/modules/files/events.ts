import { Type } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id, Nullable } from '../../core/schemas.ts';

const Review = Type.Union(
  ['not_required', 'pending', 'approved', 'rejected'].map((state) => Type.Literal(state as 'not_required' | 'pending' | 'approved' | 'rejected')),
);

export const fileEvents = defineEvents({
  'files.reviewed': {
    title: { en: 'File reviewed', ru: 'Файл проверен' },
    summary: {
      en: '{actor} reviewed a file ({payload.kind:kind}) of {subject}: {payload.decision:review}',
      ru: '{actor} проверяет файл ({payload.kind:kind}): {subject} — {payload.decision:review}',
    },
    description: "A moderator's decision on a file (approved files become visible to others).",
    permission: 'people.read',
    toSubject: true,
    payload: Type.Object({
      fileId: Id,
      kind: Type.String(),
      decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]),
      reason: Nullable(Type.String()),
    }),
  },
  'files.uploaded': {
    title: { en: 'File uploaded', ru: 'Файл загружен' },
    summary: {
      en: '{actor} uploaded a file ({payload.kind:kind}, {payload.mime}) for {subject}',
      ru: '{actor} загружает файл ({payload.kind:kind}, {payload.mime}): {subject}',
    },
    description: 'A file was uploaded (kind, type, size, review state).',
    permission: 'people.read',
    toSubject: true,
    payload: Type.Object({ fileId: Id, kind: Type.String(), mime: Type.String(), size: Type.Integer(), review: Review }),
  },
  'files.deleted': {
    title: { en: 'File deleted', ru: 'Файл удалён' },
    summary: { en: '{actor} deleted a file ({payload.kind:kind}) of {subject}', ru: '{actor} удаляет файл ({payload.kind:kind}): {subject}' },
    description: 'A file was deleted.',
    permission: 'people.read',
    toSubject: true,
    payload: Type.Object({ fileId: Id, kind: Type.String() }),
  },
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof fileEvents> {}
}

export const FileEvents = { uploaded: 'files.uploaded', deleted: 'files.deleted', reviewed: 'files.reviewed' } as const satisfies Record<
  string,
  keyof typeof fileEvents
>;

export const fileEventTypes = eventTypeList(fileEvents);
