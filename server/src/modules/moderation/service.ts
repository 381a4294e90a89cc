import { and, asc, count, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';

import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import { moderationItems } from './schema.ts';
import { ModerationError } from './errors.ts';
import { ModerationEvents } from './events.ts';
import { requireAccess } from '../../core/access.ts';

/** How long a claimed item stays with its moderator before others may take it. */
export const LEASE_MS = 2 * 60_000;

export type Item = typeof moderationItems.$inferSelect;

/**
 * Puts a record up for review (the owning module calls it in its own transaction). A record has at most
 * one open item per kind: asking again while one is pending changes nothing.
 */
export async function openReview(
  ctx: ServiceContext,
  input: { kind: string; recordType: string; recordId: string; subject?: { type: string; id: string }; details?: Record<string, unknown> },
): Promise<void> {
  if (!ctx.kernel.catalogue.moderationKinds.has(input.kind)) throw new Error(`Unknown moderation kind ${input.kind}`);
  const id = uuidv7();
  const inserted = await ctx.tx
    .insert(moderationItems)
    .values({
      id,
      kind: input.kind,
      recordType: input.recordType,
      recordId: input.recordId,
      subjectType: input.subject?.type ?? null,
      subjectId: input.subject?.id ?? null,
      details: input.details ?? {},
      createdAt: ctx.now,
    })
    .onConflictDoNothing()
    .returning({ id: moderationItems.id });
  if (inserted.length === 0) return;
  await ctx.emit({
    type: ModerationEvents.opened,
    subject: input.subject,
    payload: { itemId: id, kind: input.kind, recordType: input.recordType, recordId: input.recordId },
  });
}

export async function pendingCounts(db: Executor): Promise<Record<string, number>> {
  const rows = await db
    .select({ kind: moderationItems.kind, n: count() })
    .from(moderationItems)
    .where(eq(moderationItems.state, 'pending'))
    .groupBy(moderationItems.kind);
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}

/**
 * Gives this moderator up to `limit` pending items of a kind, oldest first: theirs already, or
 * unclaimed, or with an expired lease; claimed for LEASE_MS. Rows are locked with SKIP LOCKED, so two
 * moderators asking at once get different items.
 */
export async function claimNext(kernel: Kernel, staffId: string, kind: string, limit: number): Promise<Item[]> {
  if (!kernel.catalogue.moderationKinds.has(kind)) throw ModerationError.notFound(`No moderation kind ${kind}.`);
  const now = kernel.now();
  return kernel.db.transaction(async (tx) => {
    const candidates = await tx
      .select({ id: moderationItems.id })
      .from(moderationItems)
      .where(
        and(
          eq(moderationItems.kind, kind),
          eq(moderationItems.state, 'pending'),
          or(isNull(moderationItems.claimedBy), eq(moderationItems.claimedBy, staffId), lt(moderationItems.claimExpiresAt, now)),
        ),
      )
      .orderBy(asc(moderationItems.createdAt), asc(moderationItems.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (candidates.length === 0) return [];
    return tx
      .update(moderationItems)
      .set({ claimedBy: staffId, claimExpiresAt: new Date(now.getTime() + LEASE_MS) })
      .where(
        inArray(
          moderationItems.id,
          candidates.map((c) => c.id),
        ),
      )
      .returning()
      .then((rows) => rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id)));
  });
}

/**
 * Decides one item, once: the owning module applies the decision in the same transaction, and
 * `moderation.decided` tells everyone else. Deciding an item someone else holds a live claim on, or one
 * already decided, is a 409.
 */
export async function decide(ctx: ServiceContext, staffId: string, itemId: string, decision: 'approved' | 'rejected', reason: string | null): Promise<Item> {
  await requireAccess(ctx, 'moderation.review');
  const [item] = /^[0-9a-f-]{36}$/i.test(itemId) ? await ctx.tx.select().from(moderationItems).where(eq(moderationItems.id, itemId)).for('update') : [];
  if (!item) throw ModerationError.notFound('No such moderation item.');
  if (item.state !== 'pending') throw ModerationError.conflict(`This item was already ${item.state}.`);
  if (item.claimedBy && item.claimedBy !== staffId && item.claimExpiresAt && item.claimExpiresAt > ctx.now) {
    throw ModerationError.conflict('Another moderator is reviewing this item.');
  }
  if (decision === 'rejected' && !reason?.trim()) throw ModerationError.invalid('reason', 'is required to reject');
  const [decided] = await ctx.tx
    .update(moderationItems)
    .set({ state: decision, reason: reason?.trim() || null, decidedBy: staffId, decidedAt: ctx.now, claimedBy: null, claimExpiresAt: null })
    .where(eq(moderationItems.id, itemId))
    .returning();
  await ctx.kernel.catalogue.moderationKinds.get(item.kind)?.onDecision?.(ctx, item, decision, decided!.reason);
  await ctx.emit({
    type: ModerationEvents.decided,
    subject: item.subjectType && item.subjectId ? { type: item.subjectType, id: item.subjectId } : undefined,
    payload: { itemId, kind: item.kind, recordType: item.recordType, recordId: item.recordId, decision, reason: decided!.reason },
  });
  return decided!;
}

/** The pending item of this kind about one record, if any: how a record's own page decides it in place. */
export async function pendingItemFor(db: Executor, kind: string, recordType: string, recordId: string): Promise<Item | undefined> {
  const [item] = await db
    .select()
    .from(moderationItems)
    .where(
      and(
        eq(moderationItems.kind, kind),
        eq(moderationItems.recordType, recordType),
        eq(moderationItems.recordId, recordId),
        eq(moderationItems.state, 'pending'),
      ),
    );
  return item;
}

export const releaseClaims = (db: Executor, staffId: string, ids: string[]) =>
  db
    .update(moderationItems)
    .set({ claimedBy: null, claimExpiresAt: null })
    .where(and(inArray(moderationItems.id, ids), eq(moderationItems.claimedBy, staffId), eq(moderationItems.state, 'pending')));
