import { and, desc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../../core/db/client.ts';
import { uuidIn } from '../../../core/db/sql.ts';
import type { Kernel, ServiceContext } from '../../../core/kernel.ts';
import { decodeCursor, toPage } from '../../../core/paging.ts';
import { fileService } from '../../files/index.ts';
import { getPeople, getPerson, type Person } from '../../people/people.ts';
import { CreatorsError } from '../errors.ts';
import { CreatorEvents } from '../events.ts';
import { creatorGalleries, creatorStreamers } from '../schema.ts';
import { blockedEitherWay, hiddenFrom } from '../social/blocks.ts';

export type GallerySlot = 'cover' | 'profile';
export const PHOTO = 'photo';

/**
 * A member's cover and profile photos, for many people at once: only photos still there and approved
 * count, so a rejection or a deletion takes the photo off the profile in the same moment it hides it.
 */
export async function galleryChoices(kernel: Kernel, personIds: string[]) {
  const rows = personIds.length ? await kernel.db.select().from(creatorGalleries).where(uuidIn(creatorGalleries.personId, personIds)) : [];
  const chosen = await fileService(kernel).findMany(rows.flatMap((r) => [r.coverFileId, r.profileFileId]).filter((id): id is string => id !== null));
  const approved = new Map(chosen.filter((f) => f.review === 'approved').map((f) => [f.id, f]));
  const pick = (id: string | null) => (id && approved.get(id)) || null;
  return new Map(rows.map((r) => [r.personId, { cover: pick(r.coverFileId), profile: pick(r.profileFileId) }]));
}

/**
 * Makes one of a member's approved photos their cover or profile photo, or clears it (null). Anything
 * else — another person's file, a photo still waiting or rejected, a document — is refused naming the field.
 */
export async function choosePhoto(ctx: ServiceContext, personId: string, slot: GallerySlot, fileId: string | null): Promise<void> {
  if (fileId) {
    const [file] = await fileService(ctx.kernel).findMany([fileId], ctx.tx);
    if (!file || file.ownerType !== 'person' || file.ownerId !== personId || file.kind !== PHOTO)
      throw CreatorsError.invalid('fileId', 'is not one of their photos');
    if (file.review !== 'approved') throw CreatorsError.conflict(`Only an approved photo can be the ${slot} photo; this one is ${file.review}.`, 'fileId');
  }
  await ctx.tx
    .insert(creatorGalleries)
    .values({ personId, [slot === 'cover' ? 'coverFileId' : 'profileFileId']: fileId, updatedAt: ctx.now })
    .onConflictDoUpdate({ target: creatorGalleries.personId, set: { [slot === 'cover' ? 'coverFileId' : 'profileFileId']: fileId, updatedAt: ctx.now } });
  await ctx.emit({ type: CreatorEvents.photoChosen, subject: { type: 'person', id: personId }, payload: { slot, fileId } });
}

/**
 * The app's streamer feed for one member: active streamers, best rated first, without anyone either of
 * them blocked (the block takes effect on the next page load: the condition is part of the query).
 */
export async function feedStreamers(db: Executor, viewerId: string, query: { cursor?: string; limit: number }) {
  let after = decodeCursor<[number, string]>(query.cursor, ['integer', 'uuid']);
  const found: Array<{ id: string; rating: number }> = [];
  // Blocked and erased people are people's to know: they are left out once read, so a page reads on until it is full or the feed ends.
  for (;;) {
    const batch = await db
      .select({ id: creatorStreamers.personId, rating: creatorStreamers.rating })
      .from(creatorStreamers)
      .where(
        and(
          eq(creatorStreamers.status, 'active'),
          sql`${creatorStreamers.personId} <> ${viewerId}::uuid`,
          sql`${creatorStreamers.personId} NOT IN ${hiddenFrom(viewerId)}`,
          after ? sql`(${creatorStreamers.rating}, ${creatorStreamers.personId}) < (${after[0]}, ${after[1]}::uuid)` : undefined,
        ),
      )
      .orderBy(desc(creatorStreamers.rating), desc(creatorStreamers.personId))
      .limit(query.limit + 1);
    const active = new Set(
      (
        await getPeople(
          db,
          batch.map((s) => s.id),
        )
      )
        .filter((p) => p.status === 'active')
        .map((p) => p.id),
    );
    found.push(...batch.filter((s) => active.has(s.id)));
    const last = batch.at(-1);
    if (found.length > query.limit || batch.length <= query.limit || !last) break;
    after = [last.rating, last.id];
  }
  return toPage(
    found,
    query.limit,
    (r) => [r.rating, r.id],
    (r) => r,
  );
}

/** Another member as the app may show them: a 404 when either blocked the other, or they are not active. */
export async function visibleMember(db: Executor, viewerId: string, personId: string): Promise<Person> {
  const person = await getPerson(db, personId).catch(() => undefined);
  if (!person || person.status !== 'active' || (viewerId !== personId && (await blockedEitherWay(db, viewerId, personId))))
    throw CreatorsError.notFound('No such person.');
  return person;
}
