import { Type } from '@sinclair/typebox';
import type { Kernel } from '../../core/kernel.ts';
import { Nullable, Timestamp } from '../../core/schemas.ts';
import { getPerson } from '../people/people.ts';
import type { FileService } from './service.ts';

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
