import { Type } from '@sinclair/typebox';
import type { Executor } from '../../../core/db/client.ts';
import type { RefResolverDef } from '../../../core/events/refs.ts';
import type { Kernel } from '../../../core/kernel.ts';
import { Nullable, Timestamp } from '../../../core/schemas.ts';
import { fileService } from '../../files/index.ts';
import { subjectNames } from '../../people/people.ts';
import { listGifts, type Gift, type GiftSend } from './service.ts';

/** Gifts as the event log names them (the catalog is small: one query for all). */
export const giftRefs: RefResolverDef = {
  type: 'gift',
  label: { en: 'Gift', ru: 'Подарок' },
  resolve: async (db, ids) => {
    const wanted = new Set(ids);
    return (await listGifts(db, false)).filter((g) => wanted.has(g.id)).map((g) => ({ id: g.id, name: g.name, href: '/creators/gifts' }));
  },
};

export const GiftView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    price: Type.Integer(),
    streamerShareBp: Type.Integer(),
    agencyShareBp: Type.Integer(),
    active: Type.Boolean(),
    sort: Type.Integer(),
    imageFileId: Nullable(Type.String()),
    imageUrl: Nullable(Type.String({ description: 'Signed link to the picture (medium), valid for an hour' })),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'CreatorGift' },
);
export const GiftSendView = Type.Object(
  {
    id: Type.String(),
    giftId: Type.String(),
    giftName: Type.String(),
    senderId: Type.String(),
    receiverId: Type.String(),
    agencyId: Nullable(Type.String()),
    price: Type.Integer(),
    streamerAmount: Type.Integer(),
    agencyAmount: Type.Integer(),
    platformAmount: Type.Integer(),
    createdAt: Timestamp,
  },
  { $id: 'CreatorGiftSend' },
);
export const GiftHistoryItem = Type.Object({ ...GiftSendView.properties, senderName: Nullable(Type.String()), receiverName: Nullable(Type.String()) });

export const giftSendView = (r: GiftSend) => ({ ...r, createdAt: r.createdAt.toISOString() });

/** Gifts as the API shows them, with a signed link to each one's picture. */
export async function giftViews(kernel: Kernel, list: Gift[]) {
  const imageIds = list.map((g) => g.imageFileId).filter((id): id is string => id !== null);
  const service = fileService(kernel);
  const images = await service.findMany(imageIds);
  const urls = new Map(images.map((f) => [f.id, service.view(f).urls]));
  return list.map((g) => ({
    ...g,
    imageUrl: (g.imageFileId && urls.get(g.imageFileId)?.medium) || null,
    createdAt: g.createdAt.toISOString(),
    updatedAt: g.updatedAt.toISOString(),
  }));
}

/** Gifts sent, each with the sender's and the receiver's name. */
export async function giftHistoryPage(db: Executor, page: { items: GiftSend[]; nextCursor: string | null }) {
  const names = await subjectNames(
    db,
    page.items.flatMap((r) => [
      { type: 'person' as const, id: r.senderId },
      { type: 'person' as const, id: r.receiverId },
    ]),
  );
  return {
    items: page.items.map((r) => ({ ...giftSendView(r), senderName: names.get(r.senderId) ?? null, receiverName: names.get(r.receiverId) ?? null })),
    nextCursor: page.nextCursor,
  };
}
