import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { systemActor } from '../../core/actor.ts';
import type { Executor } from '../../core/db/client.ts';
import { uuidIn } from '../../core/db/sql.ts';
import type { RefResolverDef } from '../../core/events/refs.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import type { Text } from '../../core/labels.ts';
import type { JobDef } from '../../core/module.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';
import { countWithTag, getPerson, idsWithTag } from '../people/people.ts';
import { NotificationsError } from './errors.ts';
import { NotificationEvents } from './events.ts';
import { kindOf, notify, notifyMany, type Batch } from './service.ts';
import { notificationBatches } from './schema.ts';

export const BATCH_JOB = 'notifications.batch';
export const ANNOUNCEMENT_KIND = 'notifications.announcement';
export const BATCH_FINISHED_KIND = 'notifications.batch_finished';
/** People per chunk: one transaction makes this many notifications and their jobs. */
export const BATCH_CHUNK = 200;

export type Audience = { type: 'person'; personId: string } | { type: 'tag'; tag: string };

/**
 * Staff send a notice (a title and a body in every language) to one person or to everyone with a tag: the
 * batch records the audience's size now, and a job makes the notifications chunk by chunk.
 */
export async function createBatch(ctx: ServiceContext, staffId: string, input: { audience: Audience; title: Text; body: Text }): Promise<Batch> {
  kindOf(ctx.kernel, ANNOUNCEMENT_KIND, 'member');
  let total: number;
  let audienceName: string;
  if (input.audience.type === 'person') {
    const person = await getPerson(ctx.tx, input.audience.personId).catch(() => {
      throw NotificationsError.invalid('audience.personId', 'is not a person');
    });
    if (person.status !== 'active') throw NotificationsError.invalid('audience.personId', 'is a person who is blocked or deleted');
    total = 1;
    audienceName = person.displayName;
  } else {
    total = await countWithTag(ctx.tx, input.audience.tag);
    if (total === 0) throw NotificationsError.invalid('audience.tag', 'is carried by no active person');
    audienceName = `#${input.audience.tag}`;
  }
  const [batch] = await ctx.tx
    .insert(notificationBatches)
    .values({
      id: uuidv7(),
      kind: ANNOUNCEMENT_KIND,
      audience: input.audience,
      params: { title: input.title, body: input.body },
      createdBy: staffId,
      state: 'queued',
      total,
      createdAt: ctx.now,
    })
    .returning();
  await ctx.emit({
    type: NotificationEvents.batchCreated,
    subject: { type: 'notification_batch', id: batch!.id },
    payload: { batchId: batch!.id, title: input.title.en, audience: audienceName, total },
  });
  await ctx.enqueue(BATCH_JOB, { id: batch!.id });
  return batch!;
}

/**
 * One chunk of a batch, in one transaction with its progress: a chunk that rolls back (a crash, a retry)
 * is made again from the same cursor, and each notification's dedupe key (`batch:<id>`) keeps a person from
 * getting it twice. Answers whether more chunks remain.
 */
async function sendChunk(kernel: Kernel, id: string): Promise<boolean> {
  return kernel.write(systemActor('notifications'), async (ctx) => {
    const [batch] = await ctx.tx.select().from(notificationBatches).where(eq(notificationBatches.id, id)).for('update');
    if (!batch || batch.state === 'done') return false;
    const recipients =
      batch.audience.type === 'person'
        ? batch.cursor
          ? []
          : [batch.audience.personId]
        : await idsWithTag(ctx.tx, batch.audience.tag, batch.cursor, BATCH_CHUNK);
    const made = await notifyMany(
      ctx,
      recipients.map((personId) => ({
        kind: batch.kind,
        recipient: { type: 'member' as const, id: personId },
        params: batch.params as Record<string, Text>,
        dedupeKey: `batch:${batch.id}`,
        batchId: batch.id,
        subject: { type: 'notification_batch', id: batch.id },
      })),
    );
    const sent = batch.sent + made.filter((m) => m.created).length;
    const more = batch.audience.type === 'tag' && recipients.length === BATCH_CHUNK;
    await ctx.tx
      .update(notificationBatches)
      .set({ sent, cursor: recipients.at(-1) ?? batch.cursor, state: more ? 'running' : 'done', finishedAt: more ? null : ctx.now })
      .where(eq(notificationBatches.id, id));
    if (!more) {
      const title = (batch.params.title as Text).en;
      await ctx.emit({ type: NotificationEvents.batchFinished, subject: { type: 'notification_batch', id }, payload: { batchId: id, title, sent } });
      await notify(ctx, {
        kind: BATCH_FINISHED_KIND,
        recipient: { type: 'staff', id: batch.createdBy },
        params: { title: batch.params.title as Text, sent },
        data: { batchId: id },
        subject: { type: 'notification_batch', id },
        dedupeKey: id,
      });
    }
    return more;
  });
}

export async function runBatch(kernel: Kernel, id: string): Promise<void> {
  while (await sendChunk(kernel, id));
}

export async function getBatch(db: Executor, id: string): Promise<Batch> {
  const [batch] = await db.select().from(notificationBatches).where(eq(notificationBatches.id, id));
  if (!batch) throw NotificationsError.notFound('No such notification batch.');
  return batch;
}

export async function listBatches(db: Executor, options: { cursor?: string; limit: number }) {
  const after = decodeCursor<[string, string]>(options.cursor, ['date', 'uuid']);
  const rows = await db
    .select()
    .from(notificationBatches)
    .where(
      after
        ? or(
            lt(notificationBatches.createdAt, new Date(after[0])),
            and(eq(notificationBatches.createdAt, new Date(after[0])), sql`${notificationBatches.id} < ${after[1]}::uuid`),
          )
        : undefined,
    )
    .orderBy(desc(notificationBatches.createdAt), desc(notificationBatches.id))
    .limit(options.limit + 1);
  return toPage(
    rows,
    options.limit,
    (row) => [row.createdAt.toISOString(), row.id],
    (row) => row,
  );
}

/** How many people a tag reaches now (the send page's preview). */
export const audienceSize = (db: Executor, tag: string) => countWithTag(db, tag);

export const batchJobs: JobDef[] = [{ name: BATCH_JOB, expireInSeconds: 600, handle: (data, kernel) => runBatch(kernel, String(data.id)) }];

export const batchRefs: RefResolverDef = {
  type: 'notification_batch',
  label: { en: 'Notification', ru: 'Уведомление' },
  permission: 'notifications.read',
  resolve: async (db, ids) => {
    const rows = await db.select().from(notificationBatches).where(uuidIn(notificationBatches.id, ids));
    return rows.map((row) => ({ id: row.id, name: `“${(row.params.title as Text | undefined)?.en ?? ''}”`, href: `/notifications/sent/${row.id}` }));
  },
};
