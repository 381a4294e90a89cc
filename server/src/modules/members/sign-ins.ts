import { and, desc, eq, lt } from 'drizzle-orm';
import type { Executor } from '../../core/db/client.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';
import { getPerson } from '../people/people.ts';
import { memberSignIns } from './schema.ts';

export type SignIn = typeof memberSignIns.$inferSelect;

/** A member's sign-ins to client apps, accepted and refused, newest first. */
export async function signInsOf(db: Executor, personId: string, page: { cursor?: string; limit: number }) {
  await getPerson(db, personId);
  const before = decodeCursor<[number]>(page.cursor, ['id']);
  const rows = await db
    .select()
    .from(memberSignIns)
    .where(and(eq(memberSignIns.personId, personId), before ? lt(memberSignIns.id, before[0]) : undefined))
    .orderBy(desc(memberSignIns.id))
    .limit(page.limit + 1);
  return toPage(
    rows,
    page.limit,
    (r) => [r.id],
    (r) => r,
  );
}
