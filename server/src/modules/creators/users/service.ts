import { eq } from 'drizzle-orm';
import type { Executor } from '../../../core/db/client.ts';
import { uuidIn } from '../../../core/db/sql.ts';
import type { ServiceContext } from '../../../core/kernel.ts';
import { listPeople } from '../../people/people.ts';
import { CreatorEvents } from '../events.ts';
import { creatorUsers } from '../schema.ts';

export type AppUser = typeof creatorUsers.$inferSelect;

/**
 * Signs a member up as an app user, once: the first time appends `user.signed_up` (what the ads module
 * reports to the ad networks); later calls answer with the existing sign-up.
 */
export async function signUpUser(
  ctx: ServiceContext,
  personId: string,
  platform: 'ios' | 'android' | 'web' | null,
): Promise<{ created: boolean; signedUpAt: Date }> {
  const [created] = await ctx.tx.insert(creatorUsers).values({ personId, platform, signedUpAt: ctx.now }).onConflictDoNothing().returning();
  if (created) {
    await ctx.emit({ type: CreatorEvents.userSignedUp, subject: { type: 'person', id: personId }, payload: { platform } });
    return { created: true, signedUpAt: created.signedUpAt };
  }
  const [existing] = await ctx.tx.select().from(creatorUsers).where(eq(creatorUsers.personId, personId));
  return { created: false, signedUpAt: existing!.signedUpAt };
}

export async function findAppUser(db: Executor, personId: string): Promise<AppUser | undefined> {
  const [user] = await db.select().from(creatorUsers).where(eq(creatorUsers.personId, personId));
  return user;
}

/** App users in the people search's order (name, then id), each with their person. */
export async function searchAppUsers(db: Executor, query: { q?: string; status?: 'active' | 'blocked' | 'deleted'; cursor?: string; limit: number }) {
  const page = await listPeople(db, { ...query, within: { personId: creatorUsers.personId } });
  const ids = page.items.map((p) => p.id);
  const rows = ids.length ? await db.select().from(creatorUsers).where(uuidIn(creatorUsers.personId, ids)) : [];
  const byId = new Map(rows.map((r) => [r.personId, r]));
  return { items: page.items.map((person) => ({ person, user: byId.get(person.id) })), nextCursor: page.nextCursor };
}
