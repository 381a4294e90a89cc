import { and, count, desc, eq, gte, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';

import type { ServiceContext } from '../../core/kernel.ts';
import { openReview } from '../moderation/service.ts';
import { blockPerson, getPerson, subjectNames, unblockPerson } from '../people/service.ts';
import { CreatorEvents } from './events.ts';
import { creatorBlocks, creatorFavorites, creatorPenaltyFirings, creatorPenaltyRules, creatorStreamers, creatorUsers, type BLOCK_REASONS } from './schema.ts';
import { reinstateStreamer, suspendStreamer } from './service.ts';
import { CreatorsError } from './errors.ts';

export type BlockReason = (typeof BLOCK_REASONS)[number];
export type PenaltyRule = typeof creatorPenaltyRules.$inferSelect;

/** Another active person, or a 404 (also when either has blocked the other: they do not see each other). */
async function reachable(db: Executor, me: string, other: string): Promise<void> {
  if (me === other) throw CreatorsError.invalid('id', 'must be someone else', 'params');
  const person = await getPerson(db, other);
  if (person.status !== 'active') throw CreatorsError.notFound('No such person.');
  if (await blockedEitherWay(db, me, other)) throw CreatorsError.notFound('No such person.');
}

/** Whether either of two people has blocked the other: then neither appears to the other anywhere. */
export async function blockedEitherWay(db: Executor, a: string, b: string): Promise<boolean> {
  const [row] = await db
    .select({ n: count() })
    .from(creatorBlocks)
    .where(or(and(eq(creatorBlocks.blockerId, a), eq(creatorBlocks.blockedId, b)), and(eq(creatorBlocks.blockerId, b), eq(creatorBlocks.blockedId, a))));
  return Number(row?.n ?? 0) > 0;
}

/** The people `personId` has blocked or been blocked by: what feeds, chats and calls leave out. */
export function hiddenFrom(personId: string): SQL {
  return sql`(SELECT ${creatorBlocks.blockedId} FROM ${creatorBlocks} WHERE ${creatorBlocks.blockerId} = ${personId}::uuid
    UNION SELECT ${creatorBlocks.blockerId} FROM ${creatorBlocks} WHERE ${creatorBlocks.blockedId} = ${personId}::uuid)`;
}

// ------------------------------------------------------------------ favorites

export async function addFavorite(ctx: ServiceContext, personId: string, targetId: string): Promise<boolean> {
  await reachable(ctx.tx, personId, targetId);
  const [added] = await ctx.tx.insert(creatorFavorites).values({ personId, targetId, createdAt: ctx.now }).onConflictDoNothing().returning();
  if (added) await ctx.emit({ type: CreatorEvents.favoriteAdded, subject: { type: 'person', id: targetId }, payload: { personId } });
  return !!added;
}

export async function removeFavorite(ctx: ServiceContext, personId: string, targetId: string): Promise<void> {
  const removed = await ctx.tx
    .delete(creatorFavorites)
    .where(and(eq(creatorFavorites.personId, personId), eq(creatorFavorites.targetId, targetId)))
    .returning();
  if (removed.length === 0) throw CreatorsError.notFound('Not among the favorites.');
  await ctx.emit({ type: CreatorEvents.favoriteRemoved, subject: { type: 'person', id: targetId }, payload: { personId } });
}

/** Whom a person favors (`favorites`) or who favors them (`followers`), newest first, without anyone blocked either way. */
export async function listFavorites(db: Executor, personId: string, direction: 'favorites' | 'followers', cursor: string | undefined, limit: number) {
  const mine = direction === 'favorites' ? creatorFavorites.personId : creatorFavorites.targetId;
  const other = direction === 'favorites' ? creatorFavorites.targetId : creatorFavorites.personId;
  const conditions: SQL[] = [eq(mine, personId), sql`${other} NOT IN ${hiddenFrom(personId)}`];
  const after = decodeCursor<[string, string]>(cursor, ['date', 'uuid']);
  if (after) conditions.push(sql`(${creatorFavorites.createdAt}, ${other}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`);
  const rows = await db
    .select({ id: other, createdAt: creatorFavorites.createdAt })
    .from(creatorFavorites)
    .where(and(...conditions))
    .orderBy(desc(creatorFavorites.createdAt), desc(other))
    .limit(limit + 1);
  const names = await subjectNames(db, rows.map((r) => ({ type: 'person' as const, id: r.id })));
  return toPage(rows, limit, (r) => [r.createdAt.toISOString(), r.id], (r) => ({ personId: r.id, displayName: names.get(r.id) ?? null, since: r.createdAt.toISOString() }));
}

export async function favoriteCounts(db: Executor, personId: string): Promise<{ favorites: number; followers: number }> {
  const [favorites] = await db.select({ n: count() }).from(creatorFavorites).where(and(eq(creatorFavorites.personId, personId), sql`${creatorFavorites.targetId} NOT IN ${hiddenFrom(personId)}`));
  const [followers] = await db.select({ n: count() }).from(creatorFavorites).where(and(eq(creatorFavorites.targetId, personId), sql`${creatorFavorites.personId} NOT IN ${hiddenFrom(personId)}`));
  return { favorites: Number(favorites?.n ?? 0), followers: Number(followers?.n ?? 0) };
}

// ------------------------------------------------------------------ blocklist

/**
 * A member blocks another with a reason: from now on neither sees the other (favorites between them
 * are dropped), and the penalty rules are applied to the blocked person, each firing at most once.
 */
export async function blockMember(ctx: ServiceContext, blockerId: string, blockedId: string, reason: BlockReason, note: string | null): Promise<void> {
  if (blockerId === blockedId) throw CreatorsError.invalid('id', 'must be someone else', 'params');
  await getPerson(ctx.tx, blockedId);
  // Blocks of one person are counted one at a time, so a rule crossing its threshold fires once.
  await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`creators-blocks:${blockedId}`}))`);
  await ctx.tx
    .insert(creatorBlocks)
    .values({ blockerId, blockedId, reason, note, createdAt: ctx.now })
    .onConflictDoUpdate({ target: [creatorBlocks.blockerId, creatorBlocks.blockedId], set: { reason, note, createdAt: ctx.now } });
  await ctx.tx
    .delete(creatorFavorites)
    .where(or(and(eq(creatorFavorites.personId, blockerId), eq(creatorFavorites.targetId, blockedId)), and(eq(creatorFavorites.personId, blockedId), eq(creatorFavorites.targetId, blockerId))));
  // Staff see it on the blocked person's timeline; the blocked person is not told.
  await ctx.emit({ type: CreatorEvents.memberBlocked, subject: { type: 'person', id: blockedId }, payload: { blockerId, reason, note } });
  await applyPenaltyRules(ctx, blockedId, reason);
}

export async function unblockMember(ctx: ServiceContext, blockerId: string, blockedId: string): Promise<void> {
  const removed = await ctx.tx
    .delete(creatorBlocks)
    .where(and(eq(creatorBlocks.blockerId, blockerId), eq(creatorBlocks.blockedId, blockedId)))
    .returning();
  if (removed.length === 0) throw CreatorsError.notFound('Not on the blocklist.');
  await ctx.emit({ type: CreatorEvents.memberUnblocked, subject: { type: 'person', id: blockedId }, payload: { blockerId } });
}

/** Whom a person blocked (`blocked`) or who blocked them (`blocked_by`, staff only), newest first. */
export async function listBlocks(db: Executor, personId: string, direction: 'blocked' | 'blocked_by', cursor: string | undefined, limit: number) {
  const mine = direction === 'blocked' ? creatorBlocks.blockerId : creatorBlocks.blockedId;
  const other = direction === 'blocked' ? creatorBlocks.blockedId : creatorBlocks.blockerId;
  const conditions: SQL[] = [eq(mine, personId)];
  const after = decodeCursor<[string, string]>(cursor, ['date', 'uuid']);
  if (after) conditions.push(sql`(${creatorBlocks.createdAt}, ${other}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`);
  const rows = await db
    .select({ id: other, reason: creatorBlocks.reason, note: creatorBlocks.note, createdAt: creatorBlocks.createdAt })
    .from(creatorBlocks)
    .where(and(...conditions))
    .orderBy(desc(creatorBlocks.createdAt), desc(other))
    .limit(limit + 1);
  const names = await subjectNames(db, rows.map((r) => ({ type: 'person' as const, id: r.id })));
  return toPage(rows, limit, (r) => [r.createdAt.toISOString(), r.id], (r) => ({
    personId: r.id,
    displayName: names.get(r.id) ?? null,
    reason: r.reason,
    note: r.note,
    since: r.createdAt.toISOString(),
  }));
}

// ------------------------------------------------------------------ penalty rules

export async function listPenaltyRules(db: Executor): Promise<PenaltyRule[]> {
  return db.select().from(creatorPenaltyRules).orderBy(creatorPenaltyRules.createdAt);
}

export type PenaltyRuleInput = Pick<PenaltyRule, 'reason' | 'targetRole' | 'blockerRole' | 'threshold' | 'windowDays' | 'action'> & { blockReason?: string | null; active?: boolean };

function checkRule(input: PenaltyRuleInput): void {
  if (input.action === 'suspend_streamer' && input.targetRole !== 'streamer') throw CreatorsError.invalid('action', 'suspend_streamer applies to streamers only');
  if (input.action === 'block_person' && !input.blockReason) throw CreatorsError.invalid('blockReason', 'is required to block a person (one of the block reasons)');
}

export async function createPenaltyRule(ctx: ServiceContext, input: PenaltyRuleInput): Promise<PenaltyRule> {
  checkRule(input);
  const [rule] = await ctx.tx
    .insert(creatorPenaltyRules)
    .values({ id: uuidv7(), ...input, blockReason: input.blockReason ?? null, active: input.active ?? true, createdAt: ctx.now })
    .returning();
  await ctx.emit({ type: CreatorEvents.penaltyRuleSaved, payload: { ruleId: rule!.id, ...input } });
  return rule!;
}

export async function updatePenaltyRule(ctx: ServiceContext, id: string, patch: Partial<PenaltyRuleInput>): Promise<PenaltyRule> {
  const [current] = await ctx.tx.select().from(creatorPenaltyRules).where(eq(creatorPenaltyRules.id, id)).for('update');
  if (!current) throw CreatorsError.notFound('No such penalty rule.');
  const next = { ...current, ...patch };
  checkRule(next);
  // An empty or unchanged edit is a no-op that answers with the rule as it is.
  const changed = Object.fromEntries(Object.entries(patch).filter(([key, value]) => current[key as keyof typeof current] !== value));
  if (Object.keys(changed).length === 0) return current;
  const [rule] = await ctx.tx.update(creatorPenaltyRules).set(changed).where(eq(creatorPenaltyRules.id, id)).returning();
  await ctx.emit({ type: CreatorEvents.penaltyRuleSaved, payload: { ruleId: id, ...changed } });
  return rule!;
}

async function roleMembers(db: Executor, role: 'streamer' | 'user', ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const table = role === 'streamer' ? creatorStreamers : creatorUsers;
  const rows = await db.select({ id: table.personId }).from(table).where(inArray(table.personId, ids));
  return new Set(rows.map((r) => r.id));
}

/** Applies every active rule for this reason to the blocked person; each fires once until staff lift it. */
async function applyPenaltyRules(ctx: ServiceContext, personId: string, reason: BlockReason): Promise<void> {
  const rules = await ctx.tx.select().from(creatorPenaltyRules).where(and(eq(creatorPenaltyRules.active, true), eq(creatorPenaltyRules.reason, reason)));
  if (rules.length === 0) return;
  const [streamer] = await ctx.tx.select().from(creatorStreamers).where(eq(creatorStreamers.personId, personId));
  const isUser = (await roleMembers(ctx.tx, 'user', [personId])).has(personId);
  for (const rule of rules) {
    if (rule.targetRole === 'streamer' ? !streamer : !isUser) continue;
    const since = new Date(ctx.now.getTime() - rule.windowDays * 86_400_000);
    const blockers = await ctx.tx
      .select({ id: creatorBlocks.blockerId })
      .from(creatorBlocks)
      .where(and(eq(creatorBlocks.blockedId, personId), eq(creatorBlocks.reason, reason), gte(creatorBlocks.createdAt, since)));
    let ids = blockers.map((b) => b.id);
    if (rule.blockerRole !== 'anyone') {
      const members = await roleMembers(ctx.tx, rule.blockerRole, ids);
      ids = ids.filter((id) => members.has(id));
    }
    if (ids.length < rule.threshold) continue;
    const [firing] = await ctx.tx
      .insert(creatorPenaltyFirings)
      .values({ id: uuidv7(), ruleId: rule.id, personId, blockers: ids.length, firedAt: ctx.now })
      .onConflictDoNothing()
      .returning();
    if (!firing) continue;
    const why = `Blocked for ${reason} by ${ids.length} ${rule.blockerRole === 'anyone' ? 'members' : `${rule.blockerRole}s`} within ${rule.windowDays} days`;
    if (rule.action === 'suspend_streamer' && streamer?.status === 'active') await suspendStreamer(ctx, personId, why);
    if (rule.action === 'block_person' && (await getPerson(ctx.tx, personId)).status === 'active') {
      await blockPerson(ctx, personId, { reason: rule.blockReason ?? 'abuse', note: why });
    }
    await openReview(ctx, {
      kind: 'penalty',
      recordType: 'penalty_firing',
      recordId: firing.id,
      subject: { type: 'person', id: personId },
      details: { ruleId: rule.id, reason, action: rule.action, blockers: ids.length, windowDays: rule.windowDays },
    });
    await ctx.emit({
      type: CreatorEvents.penaltyApplied,
      subject: { type: 'person', id: personId },
      payload: { ruleId: rule.id, firingId: firing.id, reason, action: rule.action, blockers: ids.length, windowDays: rule.windowDays },
    });
  }
}

/** A moderator's answer to a penalty: approved keeps it; rejected lifts it (reinstates or unblocks). */
export async function decidePenalty(ctx: ServiceContext, firingId: string, decision: 'approved' | 'rejected'): Promise<void> {
  const [firing] = await ctx.tx.select().from(creatorPenaltyFirings).where(eq(creatorPenaltyFirings.id, firingId)).for('update');
  if (!firing || firing.liftedAt || decision === 'approved') return;
  const [rule] = await ctx.tx.select().from(creatorPenaltyRules).where(eq(creatorPenaltyRules.id, firing.ruleId));
  await ctx.tx.update(creatorPenaltyFirings).set({ liftedAt: ctx.now }).where(eq(creatorPenaltyFirings.id, firingId));
  if (rule?.action === 'suspend_streamer') {
    const [streamer] = await ctx.tx.select().from(creatorStreamers).where(eq(creatorStreamers.personId, firing.personId));
    if (streamer?.status === 'suspended') await reinstateStreamer(ctx, firing.personId);
  }
  if (rule?.action === 'block_person' && (await getPerson(ctx.tx, firing.personId)).status === 'blocked') await unblockPerson(ctx, firing.personId);
}

/** Closes the open suspension penalties of a streamer that staff reinstated by hand, so the rules can fire again. */
export async function liftSuspensionPenalties(ctx: ServiceContext, personId: string): Promise<void> {
  const rules = await ctx.tx.select({ id: creatorPenaltyRules.id }).from(creatorPenaltyRules).where(eq(creatorPenaltyRules.action, 'suspend_streamer'));
  if (rules.length === 0) return;
  await ctx.tx
    .update(creatorPenaltyFirings)
    .set({ liftedAt: ctx.now })
    .where(and(eq(creatorPenaltyFirings.personId, personId), isNull(creatorPenaltyFirings.liftedAt), inArray(creatorPenaltyFirings.ruleId, rules.map((r) => r.id))));
}

export async function penaltyPreview(db: Executor, firingId: string) {
  const [firing] = await db.select().from(creatorPenaltyFirings).where(eq(creatorPenaltyFirings.id, firingId));
  if (!firing) return { firing: null };
  const [rule] = await db.select().from(creatorPenaltyRules).where(eq(creatorPenaltyRules.id, firing.ruleId));
  const person = await getPerson(db, firing.personId).catch(() => undefined);
  const recent = await listBlocks(db, firing.personId, 'blocked_by', undefined, 10);
  return {
    person: person ? { id: person.id, displayName: person.displayName, status: person.status } : null,
    rule: rule ?? null,
    blockers: firing.blockers,
    firedAt: firing.firedAt.toISOString(),
    liftedAt: firing.liftedAt?.toISOString() ?? null,
    recentBlocks: recent.items,
  };
}
