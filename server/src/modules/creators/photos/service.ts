import { and, desc, eq, inArray, sql, type AnyColumn } from 'drizzle-orm';
import type { Executor } from '../../../core/db/client.ts';
import { decodeCursor, toPage } from '../../../core/http/pagination.ts';
import { conflict, invalidField, notFound } from '../../../core/http/problem.ts';
import type { Kernel, ServiceContext } from '../../../core/kernel.ts';
import { fileService } from '../../files/index.ts';
import { files } from '../../files/schema.ts';
import { memberPresence } from '../../members/index.ts';
import { getPerson } from '../../people/service.ts';
import { people } from '../../people/schema.ts';
import { CreatorEvents } from '../events.ts';
import { creatorGalleries, creatorStreamers } from '../schema.ts';
import { blockedEitherWay, hiddenFrom } from '../social.ts';

export type GallerySlot = 'cover' | 'profile';
const PHOTO = 'photo';

/**
 * A member's cover and profile photos, for many people at once: only photos still there and approved
 * count, so a rejection or a deletion takes the photo off the profile in the same moment it hides it.
 */
export async function galleryChoices(db: Executor, personIds: string[]): Promise<Map<string, { cover: string | null; profile: string | null }>> {
  if (personIds.length === 0) return new Map();
  const approved = (fileId: AnyColumn) =>
    sql<string | null>`(SELECT ${files.id} FROM ${files} WHERE ${files.id} = ${fileId} AND ${files.review} = 'approved')`;
  const rows = await db
    .select({ personId: creatorGalleries.personId, cover: approved(creatorGalleries.coverFileId), profile: approved(creatorGalleries.profileFileId) })
    .from(creatorGalleries)
    .where(inArray(creatorGalleries.personId, personIds));
  return new Map(rows.map((r) => [r.personId, { cover: r.cover, profile: r.profile }]));
}

/**
 * Makes one of a member's approved photos their cover or profile photo, or clears it (null). Anything
 * else — another person's file, a photo still waiting or rejected, a document — is refused naming the field.
 */
export async function choosePhoto(ctx: ServiceContext, personId: string, slot: GallerySlot, fileId: string | null): Promise<void> {
  if (fileId) {
    const [file] = await ctx.tx.select().from(files).where(eq(files.id, fileId));
    if (!file || file.ownerType !== 'person' || file.ownerId !== personId || file.kind !== PHOTO) throw invalidField('body.fileId', 'is not one of their photos');
    if (file.review !== 'approved') throw conflict(`Only an approved photo can be the ${slot} photo; this one is ${file.review}.`, 'body.fileId');
  }
  await ctx.tx
    .insert(creatorGalleries)
    .values({ personId, [slot === 'cover' ? 'coverFileId' : 'profileFileId']: fileId, updatedAt: ctx.now })
    .onConflictDoUpdate({ target: creatorGalleries.personId, set: { [slot === 'cover' ? 'coverFileId' : 'profileFileId']: fileId, updatedAt: ctx.now } });
  await ctx.emit({ type: CreatorEvents.photoChosen, subject: { type: 'person', id: personId }, payload: { slot, fileId } });
}

/**
 * A person's photos with the cover and profile choice. `forOthers` keeps only approved photos (what the
 * app shows to other members); the owner and staff see every photo with its review state.
 */
export async function gallery(kernel: Kernel, personId: string, options: { forOthers: boolean; cursor?: string; limit: number }) {
  const service = fileService(kernel);
  const before = decodeCursor<[string]>(options.cursor, ['uuid']);
  const rows = await kernel.db
    .select()
    .from(files)
    .where(
      and(
        eq(files.ownerType, 'person'),
        eq(files.ownerId, personId),
        eq(files.kind, PHOTO),
        options.forOthers ? eq(files.review, 'approved') : undefined,
        before ? sql`${files.id} < ${before[0]}::uuid` : undefined,
      ),
    )
    .orderBy(desc(files.id))
    .limit(options.limit + 1);
  const choice = (await galleryChoices(kernel.db, [personId])).get(personId) ?? { cover: null, profile: null };
  return { ...toPage(rows, options.limit, (f) => [f.id], (f) => service.view(f)), coverFileId: choice.cover, profileFileId: choice.profile };
}

/** Signed links to the chosen photos' medium variants, for list rows and profiles. */
async function chosenPhotoUrls(kernel: Kernel, personIds: string[]) {
  const choices = await galleryChoices(kernel.db, personIds);
  const ids = [...choices.values()].flatMap((c) => [c.cover, c.profile]).filter((id): id is string => id !== null);
  const rows = ids.length ? await kernel.db.select().from(files).where(inArray(files.id, ids)) : [];
  const service = fileService(kernel);
  const url = new Map(rows.map((f) => [f.id, service.view(f).urls.medium ?? null]));
  return (personId: string) => {
    const choice = choices.get(personId);
    return { coverUrl: (choice?.cover && url.get(choice.cover)) || null, profilePhotoUrl: (choice?.profile && url.get(choice.profile)) || null };
  };
}

/**
 * The app's streamer feed for one member: active streamers, best rated first, without anyone either of
 * them blocked (the block takes effect on the next page load: the condition is part of the query).
 */
export async function streamerFeed(kernel: Kernel, viewerId: string, query: { cursor?: string; limit: number }) {
  const after = decodeCursor<[number, string]>(query.cursor, ['integer', 'uuid']);
  const rows = await kernel.db
    .select({ id: people.id, displayName: people.displayName, publicProfile: people.publicProfile, rating: creatorStreamers.rating })
    .from(creatorStreamers)
    .innerJoin(people, eq(people.id, creatorStreamers.personId))
    .where(
      and(
        eq(creatorStreamers.status, 'active'),
        eq(people.status, 'active'),
        sql`${people.id} <> ${viewerId}::uuid`,
        sql`${people.id} NOT IN ${hiddenFrom(viewerId)}`,
        after ? sql`(${creatorStreamers.rating}, ${people.id}) < (${after[0]}, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(creatorStreamers.rating), desc(people.id))
    .limit(query.limit + 1);
  const photos = await chosenPhotoUrls(kernel, rows.map((r) => r.id));
  const presence = await memberPresence(kernel).statuses(rows.map((r) => r.id));
  return toPage(rows, query.limit, (r) => [r.rating, r.id], (r) => ({
    ...r,
    ...photos(r.id),
    online: presence.get(r.id)?.online ?? false,
  }));
}

/** Another member's profile as the app shows it: 404 when either blocked the other, or they are not active. */
export async function memberProfile(kernel: Kernel, viewerId: string, personId: string) {
  const person = await getPerson(kernel.db, personId).catch(() => undefined);
  if (!person || person.status !== 'active' || (viewerId !== personId && (await blockedEitherWay(kernel.db, viewerId, personId)))) throw notFound('No such person.');
  const [streamer] = await kernel.db.select().from(creatorStreamers).where(eq(creatorStreamers.personId, personId));
  const photos = await chosenPhotoUrls(kernel, [personId]);
  return {
    id: person.id,
    displayName: person.displayName,
    publicProfile: person.publicProfile,
    streamer: streamer ? streamer.status === 'active' : false,
    online: (await memberPresence(kernel).statuses([personId])).get(personId)?.online ?? false,
    ...photos(personId),
  };
}
