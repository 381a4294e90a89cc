import { and, desc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../../core/db/client.ts';
import type { Kernel, ServiceContext } from '../../../core/kernel.ts';
import { fileService } from '../../files/index.ts';
import type { StoredFile } from '../../files/service.ts';
import { getPeople } from '../../people/people.ts';
import { CreatorsError } from '../errors.ts';
import { CreatorEvents } from '../events.ts';
import { matchedSince } from '../interactions/service.ts';
import { creatorStreamers, creatorVideos } from '../schema.ts';
import { hiddenFrom } from '../social/blocks.ts';
import { findStreamer } from '../streamers/service.ts';

export const VIDEO = 'video';
/** Most videos a streamer may offer roulette. */
export const MAX_VIDEOS = 10;

export interface PrerecordedVideo {
  fileId: string;
  streamerId: string;
  agencyId: string | null;
}

/**
 * A streamer offers one of their own uploaded videos to roulette. It plays only once a moderator has
 * approved it (the files module's `video` queue); until then it waits, and a rejected one never plays.
 */
export async function addVideo(ctx: ServiceContext, personId: string, fileId: string): Promise<void> {
  if (!(await findStreamer(ctx.tx, personId))) throw CreatorsError.forbidden('Only streamers offer videos to roulette.');
  const [file] = await fileService(ctx.kernel).findMany([fileId], ctx.tx);
  if (!file || file.ownerType !== 'person' || file.ownerId !== personId || file.kind !== VIDEO)
    throw CreatorsError.invalid('fileId', 'is not one of their videos');
  if (file.review === 'rejected') throw CreatorsError.conflict('A moderator rejected this video.', 'fileId');
  await ctx.tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`creators-videos:${personId}`}))`);
  const mine = await ctx.tx.select({ fileId: creatorVideos.fileId }).from(creatorVideos).where(eq(creatorVideos.personId, personId));
  if (mine.some((v) => v.fileId === fileId)) return;
  if (mine.length >= MAX_VIDEOS) throw CreatorsError.conflict(`A streamer offers at most ${MAX_VIDEOS} videos.`, 'fileId');
  await ctx.tx.insert(creatorVideos).values({ fileId, personId, addedAt: ctx.now });
  await ctx.emit({ type: CreatorEvents.videoAdded, subject: { type: 'person', id: personId }, payload: { fileId } });
}

export async function removeVideo(ctx: ServiceContext, personId: string, fileId: string): Promise<void> {
  const removed = await ctx.tx
    .delete(creatorVideos)
    .where(and(eq(creatorVideos.personId, personId), eq(creatorVideos.fileId, fileId)))
    .returning();
  if (removed.length === 0) throw CreatorsError.notFound('No such video.');
  await ctx.emit({ type: CreatorEvents.videoRemoved, subject: { type: 'person', id: personId }, payload: { fileId } });
}

/** A streamer's roulette videos with their files (a deleted file drops out), newest first. */
export async function videosOf(kernel: Kernel, personId: string): Promise<Array<{ addedAt: Date; file: StoredFile }>> {
  const rows = await kernel.db.select().from(creatorVideos).where(eq(creatorVideos.personId, personId)).orderBy(desc(creatorVideos.addedAt));
  const files = new Map((await fileService(kernel).findMany(rows.map((r) => r.fileId))).map((f) => [f.id, f]));
  return rows.flatMap((r) => (files.has(r.fileId) ? [{ addedAt: r.addedAt, file: files.get(r.fileId)! }] : []));
}

/**
 * A video for roulette to show `viewerId` when no live streamer is free: an approved one of an active
 * streamer neither of them blocked and roulette did not pair them with since `since`; picked at random.
 */
export async function pickVideo(kernel: Kernel, db: Executor, viewerId: string, since: Date): Promise<PrerecordedVideo | undefined> {
  const candidates = await db
    .select({ fileId: creatorVideos.fileId, streamerId: creatorVideos.personId, agencyId: creatorStreamers.agencyId })
    .from(creatorVideos)
    .innerJoin(creatorStreamers, eq(creatorStreamers.personId, creatorVideos.personId))
    .where(
      and(
        eq(creatorStreamers.status, 'active'),
        sql`${creatorVideos.personId} <> ${viewerId}::uuid`,
        sql`${creatorVideos.personId} NOT IN ${hiddenFrom(viewerId)}`,
      ),
    )
    .orderBy(sql`random()`)
    .limit(20);
  if (candidates.length === 0) return undefined;
  const approved = new Set(
    (
      await fileService(kernel).findMany(
        candidates.map((c) => c.fileId),
        db,
      )
    )
      .filter((f) => f.review === 'approved')
      .map((f) => f.id),
  );
  const active = new Set(
    (
      await getPeople(
        db,
        candidates.map((c) => c.streamerId),
      )
    )
      .filter((p) => p.status === 'active')
      .map((p) => p.id),
  );
  const recent = await matchedSince(
    db,
    viewerId,
    candidates.map((c) => c.streamerId),
    since,
  );
  return candidates.find((c) => approved.has(c.fileId) && active.has(c.streamerId) && !recent.has(c.streamerId));
}
