import { and, eq, gte, inArray, isNull } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../../core/db/client.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { openReview } from '../../moderation/service.ts';
import { blockPerson, getPerson, unblockPerson } from '../../people/people.ts';
import { CreatorsError } from '../errors.ts';
import { CreatorEvents } from '../events.ts';
import { creatorBlocks, creatorPenaltyFirings, creatorPenaltyRules, creatorStreamers, creatorUsers } from '../schema.ts';
import { findStreamer, reinstateStreamer, suspendStreamer } from '../streamers/service.ts';
import type { BlockReason } from './blocks.ts';

export type PenaltyRule = typeof creatorPenaltyRules.$inferSelect;
export type PenaltyFiring = typeof creatorPenaltyFirings.$inferSelect;
export type PenaltyRuleInput = Pick<PenaltyRule, 'reason' | 'targetRole' | 'blockerRole' | 'threshold' | 'windowDays' | 'action'> & {
  blockReason?: string | null;
  active?: boolean;
};

export async function listPenaltyRules(db: Executor): Promise<PenaltyRule[]> {
  return db.select().from(creatorPenaltyRules).orderBy(creatorPenaltyRules.createdAt);
}

export async function findPenaltyRule(db: Executor, id: string): Promise<PenaltyRule | undefined> {
  const [rule] = await db.select().from(creatorPenaltyRules).where(eq(creatorPenaltyRules.id, id));
  return rule;
}

export async function findPenaltyFiring(db: Executor, id: string): Promise<PenaltyFiring | undefined> {
  const [firing] = await db.select().from(creatorPenaltyFirings).where(eq(creatorPenaltyFirings.id, id));
  return firing;
}

function checkRule(input: PenaltyRuleInput): void {
  if (input.action === 'suspend_streamer' && input.targetRole !== 'streamer')
    throw CreatorsError.invalid('action', 'suspend_streamer applies to streamers only');
  if (input.action === 'block_person' && !input.blockReason)
    throw CreatorsError.invalid('blockReason', 'is required to block a person (one of the block reasons)');
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
export async function applyPenaltyRules(ctx: ServiceContext, personId: string, reason: BlockReason): Promise<void> {
  const rules = await ctx.tx
    .select()
    .from(creatorPenaltyRules)
    .where(and(eq(creatorPenaltyRules.active, true), eq(creatorPenaltyRules.reason, reason)));
  if (rules.length === 0) return;
  const streamer = await findStreamer(ctx.tx, personId);
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
  const rule = await findPenaltyRule(ctx.tx, firing.ruleId);
  await ctx.tx.update(creatorPenaltyFirings).set({ liftedAt: ctx.now }).where(eq(creatorPenaltyFirings.id, firingId));
  if (rule?.action === 'suspend_streamer') {
    const streamer = await findStreamer(ctx.tx, firing.personId);
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
    .where(
      and(
        eq(creatorPenaltyFirings.personId, personId),
        isNull(creatorPenaltyFirings.liftedAt),
        inArray(
          creatorPenaltyFirings.ruleId,
          rules.map((r) => r.id),
        ),
      ),
    );
}
