import { Type } from '@sinclair/typebox';
import type { Kernel } from '../../core/kernel.ts';
import { Nullable, Timestamp } from '../../core/schemas.ts';
import { pendingCounts, type Item } from './service.ts';

export const ItemView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  recordType: Type.String(),
  recordId: Type.String(),
  subjectType: Nullable(Type.String()),
  subjectId: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
  preview: Type.Record(Type.String(), Type.Unknown(), { description: 'What the owning module shows to judge it (e.g. signed image links, the person)' }),
  state: Type.String(),
  reason: Nullable(Type.String()),
  claimExpiresAt: Nullable(Timestamp),
  createdAt: Timestamp,
});

export const KindView = Type.Object({ kind: Type.String(), module: Type.String(), description: Type.String(), pending: Type.Integer() });

/** An item with what its owning module shows of it; a module that cannot show it leaves the preview empty. */
export const itemView = async (kernel: Kernel, item: Item) => ({
  id: item.id,
  kind: item.kind,
  recordType: item.recordType,
  recordId: item.recordId,
  subjectType: item.subjectType,
  subjectId: item.subjectId,
  details: item.details,
  preview:
    (await kernel.catalogue.moderationKinds
      .get(item.kind)
      ?.present?.(kernel, item)
      .catch(() => ({}))) ?? {},
  state: item.state,
  reason: item.reason,
  claimExpiresAt: item.claimExpiresAt?.toISOString() ?? null,
  createdAt: item.createdAt.toISOString(),
});

/** Every kind the enabled modules put up for review, with how many wait. */
export async function kindsView(kernel: Kernel) {
  const counts = await pendingCounts(kernel.db);
  return [...kernel.catalogue.moderationKinds.values()].map((k) => ({
    kind: k.kind,
    module: k.module,
    description: k.description,
    pending: counts[k.kind] ?? 0,
  }));
}
