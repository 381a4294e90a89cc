import { Type } from '@sinclair/typebox';
import type { Kernel } from '../../core/kernel.ts';
import { defineCodes } from '../../core/labels.ts';
import { Nullable, Timestamp } from '../../core/schemas.ts';
import { getPerson } from '../people/people.ts';
import type { FileService } from './service.ts';

/** The kinds of `FILE_KINDS` (kinds.ts), by name. */
export const FileKinds = defineCodes('kind', {
  photo: { en: 'Photo', ru: 'Фото' },
  document: { en: 'Document', ru: 'Документ' },
  video: { en: 'Video', ru: 'Видео' },
});
/** Where a file is in moderation (`files.review`). */
export const ReviewStates = defineCodes('review', {
  not_required: { en: 'No review needed', ru: 'Без проверки', tone: 'purple' },
  pending: { en: 'Awaiting review', ru: 'Ждёт проверки', tone: 'blue' },
  approved: { en: 'Approved', ru: 'Одобрено', tone: 'green' },
  rejected: { en: 'Rejected', ru: 'Отклонено', tone: 'red' },
});

export const FileView = Type.Object(
  {
    id: Type.String(),
    ownerType: Type.String(),
    ownerId: Type.String(),
    kind: Type.String(),
    mime: Type.String(),
    size: Type.Integer(),
    width: Nullable(Type.Integer()),
    height: Nullable(Type.Integer()),
    name: Type.String(),
    visibility: Type.String(),
    review: Type.String(),
    urls: Type.Record(Type.String(), Type.String(), { description: 'Signed links to each variant (thumbnail, medium, original), valid for an hour' }),
    createdAt: Timestamp,
  },
  { $id: 'File' },
);

/** What a moderator sees of a file waiting for review: the file with its links, and the person it belongs to. */
export async function reviewPreview(kernel: Kernel, service: FileService, fileId: string) {
  const file = await service.get(fileId);
  const owner = file.ownerType === 'person' ? await getPerson(kernel.db, file.ownerId).catch(() => undefined) : undefined;
  return { file: service.view(file), owner: owner ? { id: owner.id, displayName: owner.displayName, status: owner.status } : null };
}
