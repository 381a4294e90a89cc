import { and, asc, desc, eq, gt, isNotNull, sql, type SQL } from 'drizzle-orm';
import { isPairConversation } from '../../chat/conversations.ts';
import { appendSystemMessage } from '../../chat/messages.ts';
import { DIRECT_CHAT } from '../social/chat.ts';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../../core/db/client.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { decodeCursor, toPage } from '../../../core/paging.ts';
import { fileService } from '../../files/index.ts';
import { PLATFORM_OWNER } from '../../files/service.ts';
import { ensureAccount, platformAccount } from '../../ledger/accounts.ts';
import { postTransfers, type TransferInput } from '../../ledger/transfers.ts';
import { getPerson } from '../../people/people.ts';
import { COIN } from '../coins.ts';
import { CreatorsError } from '../errors.ts';
import { CreatorEvents } from '../events.ts';
import { creatorGiftSends, creatorGifts } from '../schema.ts';
import { blockedEitherWay } from '../social/blocks.ts';
import { findStreamer } from '../streamers/service.ts';

export type Gift = typeof creatorGifts.$inferSelect;
export type GiftSend = typeof creatorGiftSends.$inferSelect;
export type GiftInput = Pick<Gift, 'name' | 'price' | 'streamerShareBp' | 'agencyShareBp'> & { active?: boolean; sort?: number; imageFileId?: string | null };

/** A gift's picture must be one of the installation's catalog images (uploaded through the files module). */
async function checkImage(ctx: ServiceContext, fileId: string | null | undefined): Promise<void> {
  if (!fileId) return;
  const [file] = await fileService(ctx.kernel).findMany([fileId], ctx.tx);
  if (!file || file.ownerType !== PLATFORM_OWNER.type || file.kind !== 'catalog') throw CreatorsError.invalid('imageFileId', 'is not a catalog image');
}

function checkShares(gift: Pick<Gift, 'streamerShareBp' | 'agencyShareBp'>): void {
  if (gift.streamerShareBp + gift.agencyShareBp > 10000)
    throw CreatorsError.invalid('agencyShareBp', 'and the streamer share may not add up to more than 10000 (100 %)');
}

export async function listGifts(db: Executor, onlyActive: boolean): Promise<Gift[]> {
  return db
    .select()
    .from(creatorGifts)
    .where(onlyActive ? eq(creatorGifts.active, true) : undefined)
    .orderBy(asc(creatorGifts.sort), asc(creatorGifts.price), asc(creatorGifts.id));
}

export async function createGift(ctx: ServiceContext, input: GiftInput): Promise<Gift> {
  checkShares(input);
  await checkImage(ctx, input.imageFileId);
  const [gift] = await ctx.tx
    .insert(creatorGifts)
    .values({ id: uuidv7(), ...input, name: input.name.trim(), createdAt: ctx.now, updatedAt: ctx.now })
    .returning();
  await ctx.emit({ type: CreatorEvents.giftSaved, payload: { giftId: gift!.id, ...input } });
  return gift!;
}

export async function updateGift(ctx: ServiceContext, id: string, patch: Partial<GiftInput>): Promise<Gift> {
  const [current] = await ctx.tx.select().from(creatorGifts).where(eq(creatorGifts.id, id)).for('update');
  if (!current) throw CreatorsError.notFound('No such gift.');
  checkShares({ ...current, ...patch });
  await checkImage(ctx, patch.imageFileId);
  const [gift] = await ctx.tx
    .update(creatorGifts)
    .set({ ...patch, ...(patch.name ? { name: patch.name.trim() } : {}), updatedAt: ctx.now })
    .where(eq(creatorGifts.id, id))
    .returning();
  await ctx.emit({ type: CreatorEvents.giftSaved, payload: { giftId: id, ...patch } });
  return gift!;
}

/** How a price is split: shares rounded down for the streamer and the agency, the rest to the platform, so the parts sum to the price. */
export function splitPrice(price: number, gift: Pick<Gift, 'streamerShareBp' | 'agencyShareBp'>, hasAgency: boolean) {
  const streamer = Math.floor((price * gift.streamerShareBp) / 10000);
  const agency = hasAgency ? Math.floor((price * gift.agencyShareBp) / 10000) : 0;
  return { streamer, agency, platform: price - streamer - agency };
}

/**
 * A member sends a gift to a streamer: one atomic ledger batch from the sender's wallet to the streamer's
 * earnings, their agency's earnings and platform revenue; not enough coins refuses it whole (409
 * insufficient_funds) and nothing moves. Run inside the request's idempotent transaction.
 */
export async function sendGift(ctx: ServiceContext, senderId: string, giftId: string, receiverId: string, conversationId?: string): Promise<GiftSend> {
  if (senderId === receiverId) throw CreatorsError.invalid('receiverId', 'must be someone else');
  if (conversationId && !(await isPairConversation(ctx.tx, conversationId, DIRECT_CHAT, senderId, receiverId))) {
    throw CreatorsError.invalid('conversationId', 'is not your conversation with this streamer');
  }
  const [gift] = await ctx.tx.select().from(creatorGifts).where(eq(creatorGifts.id, giftId));
  if (!gift || !gift.active) throw CreatorsError.invalid('giftId', 'is not a gift on offer');
  const streamer = await findStreamer(ctx.tx, receiverId);
  const receiver = await getPerson(ctx.tx, receiverId).catch(() => undefined);
  // A blocked pair, an inactive person or a suspended streamer: not there, as far as the sender can tell.
  if (!streamer || streamer.status !== 'active' || receiver?.status !== 'active' || (await blockedEitherWay(ctx.tx, senderId, receiverId))) {
    throw CreatorsError.notFound('No such streamer.');
  }
  const split = splitPrice(gift.price, gift, streamer.agencyId !== null);
  const id = uuidv7();
  const wallet = await ensureAccount(ctx, { ownerType: 'person', ownerId: senderId, kind: 'wallet', currency: COIN });
  const legs: TransferInput[] = [];
  const reference = { type: 'gift_send', id };
  if (split.streamer > 0) {
    const earnings = await ensureAccount(ctx, { ownerType: 'person', ownerId: receiverId, kind: 'earnings', currency: COIN });
    legs.push({ debitAccountId: wallet.id, creditAccountId: earnings.id, amount: split.streamer, kind: 'gift', reference });
  }
  if (split.agency > 0) {
    const agency = await ensureAccount(ctx, { ownerType: 'organization', ownerId: streamer.agencyId!, kind: 'earnings', currency: COIN });
    legs.push({ debitAccountId: wallet.id, creditAccountId: agency.id, amount: split.agency, kind: 'gift', reference });
  }
  if (split.platform > 0) {
    const revenue = await platformAccount(ctx, 'revenue', COIN);
    legs.push({ debitAccountId: wallet.id, creditAccountId: revenue.id, amount: split.platform, kind: 'gift', reference });
  }
  const transfers = await postTransfers(ctx, legs, { name: () => 'giftId' });
  // After the posting, which locked the sender's wallet: the sender's sends are serialized, so two quick
  // gifts cannot both open a burst.
  const burstEventId = await openBurst(ctx, senderId, receiverId);
  const [sent] = await ctx.tx
    .insert(creatorGiftSends)
    .values({
      id,
      giftId,
      giftName: gift.name,
      senderId,
      receiverId,
      agencyId: streamer.agencyId,
      price: gift.price,
      streamerAmount: split.streamer,
      agencyAmount: split.agency,
      platformAmount: split.platform,
      burstEventId,
      createdAt: ctx.now,
    })
    .returning();
  await ctx.emit({
    type: CreatorEvents.giftSent,
    subject: { type: 'person', id: receiverId },
    parentId: burstEventId,
    payload: { sendId: id, giftId, giftName: gift.name, price: gift.price, senderId, streamerAmount: split.streamer, agencyAmount: split.agency },
  });
  if (conversationId) {
    await appendSystemMessage(ctx, conversationId, {
      kind: 'gift',
      clientId: `gift:${id}`,
      data: { sendId: id, giftId, giftName: gift.name, coins: gift.price, transferIds: transfers.map((t) => t.id) },
    });
  }
  return sent!;
}

/** Gifts from one sender to one streamer less than this apart belong to one burst. */
export const BURST_GAP_MS = 60_000;

/** The burst this gift continues (the last gift from this sender to this streamer was recent), or a new one. */
async function openBurst(ctx: ServiceContext, senderId: string, receiverId: string): Promise<number> {
  const [last] = await ctx.tx
    .select({ burstEventId: creatorGiftSends.burstEventId })
    .from(creatorGiftSends)
    .where(
      and(
        eq(creatorGiftSends.senderId, senderId),
        eq(creatorGiftSends.receiverId, receiverId),
        gt(creatorGiftSends.createdAt, new Date(ctx.now.getTime() - BURST_GAP_MS)),
        isNotNull(creatorGiftSends.burstEventId),
      ),
    )
    .orderBy(desc(creatorGiftSends.createdAt))
    .limit(1);
  if (last) return last.burstEventId!;
  const burst = await ctx.emit({ type: CreatorEvents.giftBurst, subject: { type: 'person', id: receiverId }, payload: { senderId } });
  return burst.id;
}

/** Gifts a person sent or received, newest first. */
export async function giftHistory(db: Executor, query: { senderId?: string; receiverId?: string; cursor?: string; limit: number }) {
  if (!query.senderId && !query.receiverId) throw CreatorsError.invalid('receiverId', 'or senderId is required', 'query');
  const conditions: SQL[] = [];
  if (query.senderId) conditions.push(eq(creatorGiftSends.senderId, query.senderId));
  if (query.receiverId) conditions.push(eq(creatorGiftSends.receiverId, query.receiverId));
  const after = decodeCursor<[string, string]>(query.cursor, ['date', 'uuid']);
  if (after) conditions.push(sql`(${creatorGiftSends.createdAt}, ${creatorGiftSends.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`);
  const rows = await db
    .select()
    .from(creatorGiftSends)
    .where(and(...conditions))
    .orderBy(desc(creatorGiftSends.createdAt), desc(creatorGiftSends.id))
    .limit(query.limit + 1);
  return toPage(
    rows,
    query.limit,
    (r) => [r.createdAt.toISOString(), r.id],
    (r) => r,
  );
}
