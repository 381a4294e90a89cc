import { and, desc, eq, sql } from 'drizzle-orm';
import { decodeCursor, toPage } from '../../../core/paging.ts';

import type { Kernel, ServiceContext } from '../../../core/kernel.ts';
import { fileService } from '../../files/index.ts';
import type { StoredFile } from '../../files/service.ts';
import { memberPresence } from '../../members/index.ts';
import { activePersonIds, getPeople, getPerson } from '../../people/service.ts';
import { uuidIn } from '../../../core/db/sql.ts';
import { CreatorEvents } from '../events.ts';
import { creatorGalleries, creatorStreamers } from '../schema.ts';
import { blockedEitherWay, hiddenFrom } from '../social.ts';
import { CreatorsError } from '../errors.ts';

export type GallerySlot = 'cover' | 'profile';
const PHOTO = 'photo';

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
    if (!file || file.ownerType !== 'person' || file.ownerId !== personId || file.kind !== PHOTO) throw CreatorsError.invalid('fileId', 'is not one of their photos');
    if (file.review !== 'approved') throw CreatorsError.conflict(`Only an approved photo can be the ${slot} photo; this one is ${file.review}.`, 'fileId');
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
  const page = await fileService(kernel).list({ type: 'person', id: personId }, { kind: PHOTO, onlyVisibleToOthers: options.forOthers, cursor: options.cursor, limit: options.limit });
  const choice = (await galleryChoices(kernel, [personId])).get(personId);
  return { ...page, coverFileId: choice?.cover?.id ?? null, profileFileId: choice?.profile?.id ?? null };
}

/** Signed links to the chosen photos' medium variants, for list rows and profiles. */
async function chosenPhotoUrls(kernel: Kernel, personIds: string[]) {
  const choices = await galleryChoices(kernel, personIds);
  const service = fileService(kernel);
  const url = (file: StoredFile | null) => (file && service.view(file).urls.medium) || null;
  return (personId: string) => {
    const choice = choices.get(personId);
    return { coverUrl: url(choice?.cover ?? null), profilePhotoUrl: url(choice?.profile ?? null) };
  };
}

/**
 * The app's streamer feed for one member: active streamers, best rated first, without anyone either of
 * them blocked (the block takes effect on the next page load: the condition is part of the query).
 */
export async function streamerFeed(kernel: Kernel, viewerId: string, query: { cursor?: string; limit: number }) {
  const after = decodeCursor<[number, string]>(query.cursor, ['integer', 'uuid']);
  const streamers = await kernel.db
    .select({ id: creatorStreamers.personId, rating: creatorStreamers.rating })
    .from(creatorStreamers)
    .where(
      and(
        eq(creatorStreamers.status, 'active'),
        sql`${creatorStreamers.personId} IN (${activePersonIds()})`,
        sql`${creatorStreamers.personId} <> ${viewerId}::uuid`,
        sql`${creatorStreamers.personId} NOT IN ${hiddenFrom(viewerId)}`,
        after ? sql`(${creatorStreamers.rating}, ${creatorStreamers.personId}) < (${after[0]}, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(creatorStreamers.rating), desc(creatorStreamers.personId))
    .limit(query.limit + 1);
  const people = new Map((await getPeople(kernel.db, streamers.map((s) => s.id))).map((p) => [p.id, p]));
  const rows = streamers.map((s) => ({ ...s, displayName: people.get(s.id)?.displayName ?? '', publicProfile: people.get(s.id)?.publicProfile ?? {} }));
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
  if (!person || person.status !== 'active' || (viewerId !== personId && (await blockedEitherWay(kernel.db, viewerId, personId)))) throw CreatorsError.notFound('No such person.');
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
