import { asc, sql } from 'drizzle-orm';
import { systemActor } from '../../core/actor.ts';
import type { Executor } from '../../core/db/client.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import { PeopleEvents } from './events.ts';
import { blockReasons } from './schema.ts';
import { blockReasonView } from './views.ts';

const DEFAULT_BLOCK_REASONS = [
  { key: 'spam', label: 'Spam or scam' },
  { key: 'abuse', label: 'Abuse or harassment' },
  { key: 'fraud', label: 'Payment fraud' },
  { key: 'nudity', label: 'Nudity or sexual content' },
  { key: 'underage', label: 'Underage' },
  { key: 'other', label: 'Other' },
];

/** The default block reasons, once: staff manage the list from then on. */
export async function seedDefaultBlockReasons(kernel: Kernel): Promise<void> {
  await kernel.write(systemActor('bootstrap'), async (ctx) => {
    await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('people-bootstrap'))`);
    const [existing] = await ctx.tx.select({ key: blockReasons.key }).from(blockReasons).limit(1);
    if (existing) return;
    await ctx.tx.insert(blockReasons).values(DEFAULT_BLOCK_REASONS.map((r) => ({ ...r, createdAt: ctx.now })));
  });
}

export async function listBlockReasons(db: Executor) {
  const rows = await db.select().from(blockReasons).orderBy(asc(blockReasons.label));
  return rows.map(blockReasonView);
}

export async function saveBlockReason(ctx: ServiceContext, input: { key: string; label: string; active?: boolean }) {
  const row = { key: input.key, label: input.label.trim(), active: input.active ?? true };
  await ctx.tx
    .insert(blockReasons)
    .values({ ...row, createdAt: ctx.now })
    .onConflictDoUpdate({ target: blockReasons.key, set: { label: row.label, active: row.active } });
  await ctx.emit({ type: PeopleEvents.blockReasonSaved, subject: { type: 'block_reason', id: row.key }, payload: row });
  return row;
}
