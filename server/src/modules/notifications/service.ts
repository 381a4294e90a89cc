import { and, asc, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import { uuidIn } from '../../core/db/sql.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import type { NotificationKindDef, NotifyInput } from '../../core/notifications.ts';
import { decodeCursor, toPage } from '../../core/paging.ts';
import { pushToStaff } from '../../core/realtime/event-stream.ts';
import { pushToMembers, realtimeHub } from '../../core/realtime/hub.ts';
import { getPeople } from '../people/people.ts';
import { staffLocales } from '../staff/users.ts';
import { NotificationsError } from './errors.ts';
import { NotificationEvents } from './events.ts';
import { compile, localeOf, render } from './render.ts';
import { notificationAttempts, type notificationBatches, notificationPreferences, notifications } from './schema.ts';
import { notificationView } from './views.ts';

export type NotificationRow = typeof notifications.$inferSelect;
export type Attempt = typeof notificationAttempts.$inferSelect;
export type Batch = typeof notificationBatches.$inferSelect;
export type Recipient = { type: 'member' | 'staff'; id: string };

export const DELIVER_JOB = 'notifications.deliver';
export const ACK_TIMEOUT_SETTING = 'notifications.ack_timeout';
/** States after which nothing more is sent. */
export const SETTLED = ['acked', 'pushed', 'failed', 'muted'] as const;

export function kindOf(kernel: Kernel, kind: string, audience?: 'member' | 'staff', where?: { field: string; in: 'params' | 'body' }): NotificationKindDef {
  const def = kernel.catalogue.notificationKinds.get(kind);
  if (!def || (audience && def.audience !== audience))
    throw new NotificationsError(
      'unknown_kind',
      `No notification kind ${kind} is declared${audience ? ` for ${audience === 'member' ? 'members' : 'staff'}` : ''}.`,
      where,
    );
  return def;
}

/**
 * Makes notifications in the caller's transaction and starts their delivery: rendered in each recipient's
 * language, into their inbox; in-app copies go to open sockets (or console tabs) once the transaction
 * commits; the push, when the kind's policy may need one, is a job in this same transaction — delayed by
 * `notifications.ack_timeout` for a member who is online (an ACK before then cancels it), at once otherwise.
 * An input with a `dedupeKey` already used for that kind and recipient returns the first notification.
 */
export async function notifyMany(ctx: ServiceContext, inputs: Array<NotifyInput & { batchId?: string }>): Promise<Array<{ id: string; created: boolean }>> {
  if (inputs.length === 0) return [];
  const kernel = ctx.kernel;
  const defs = inputs.map((input) => kindOf(kernel, input.kind, input.recipient.type));
  const memberIds = [...new Set(inputs.filter((i) => i.recipient.type === 'member').map((i) => i.recipient.id))];
  const staffIds = [...new Set(inputs.filter((i) => i.recipient.type === 'staff').map((i) => i.recipient.id))];

  const locales = new Map<string, string | null>([
    ...(await getPeople(ctx.tx, memberIds)).map((p) => [p.id, p.locale] as const),
    ...(await staffLocales(ctx.tx, staffIds)),
  ]);
  const muted = new Set(
    memberIds.length === 0
      ? []
      : (
          await ctx.tx
            .select({ personId: notificationPreferences.personId, kind: notificationPreferences.kind })
            .from(notificationPreferences)
            .where(and(uuidIn(notificationPreferences.personId, memberIds), eq(notificationPreferences.muted, true)))
        ).map((row) => `${row.personId}/${row.kind}`),
  );
  const onlineNow = await realtimeHub(kernel).onlineAmong(memberIds, ctx.tx);

  const rows = inputs.map((input, i) => {
    const def = defs[i]!;
    const member = input.recipient.type === 'member';
    const locale = localeOf(locales.get(input.recipient.id));
    // A call always rings: a voip kind is never muted, whatever a preference says.
    const isMuted = member && def.mutable === true && def.policy !== 'voip' && muted.has(`${input.recipient.id}/${def.kind}`);
    const online = member && onlineNow.has(input.recipient.id);
    const inApp = !isMuted && (!member || (online && def.policy !== 'push_only'));
    return {
      id: uuidv7(),
      kind: def.kind,
      recipientType: input.recipient.type,
      recipientId: input.recipient.id,
      locale,
      ...render(def, locale, input.params ?? {}),
      data: input.data ?? {},
      subjectType: input.subject?.type ?? null,
      subjectId: input.subject?.id ?? null,
      dedupeKey: input.dedupeKey ?? null,
      batchId: input.batchId ?? null,
      state: isMuted ? ('muted' as const) : inApp ? ('sent_in_app' as const) : ('created' as const),
      createdAt: ctx.now,
      policy: def.policy,
      online,
    };
  });
  const inserted = new Set(
    (
      await ctx.tx
        .insert(notifications)
        .values(rows.map(({ policy: _policy, online: _online, ...row }) => row))
        .onConflictDoNothing({ target: [notifications.kind, notifications.recipientId, notifications.dedupeKey] })
        .returning({ id: notifications.id })
    ).map((row) => row.id),
  );
  const made = rows.filter((row) => inserted.has(row.id));

  const attempts = made.flatMap((row) => {
    const channel = row.recipientType === 'staff' ? ('console' as const) : ('in_app' as const);
    const steps: Array<typeof notificationAttempts.$inferInsert> = [{ notificationId: row.id, step: 'created', channel: null, at: ctx.now }];
    if (row.state === 'muted') steps.push({ notificationId: row.id, step: 'muted', channel: null, at: ctx.now });
    if (row.state === 'sent_in_app') steps.push({ notificationId: row.id, step: 'sent_in_app', channel, at: ctx.now });
    return steps;
  });
  if (attempts.length) await ctx.tx.insert(notificationAttempts).values(attempts);

  const ackTimeout = kernel.settings.get<number>(ACK_TIMEOUT_SETTING);
  const jobs = made
    .filter((row) => row.recipientType === 'member' && row.state !== 'muted' && row.policy !== 'in_app_only')
    .map((row) => ({
      name: DELIVER_JOB,
      data: { id: row.id },
      // Online and waiting for the app's ACK: the timer; offline, push-only or a call: at once.
      ...(row.policy === 'in_app_then_push' && row.online ? { startAfterSeconds: ackTimeout } : {}),
    }));
  await ctx.enqueueMany(jobs);

  for (const row of made) {
    if (row.state !== 'sent_in_app') continue;
    const view = notificationView({ ...row, ackedAt: null, readAt: null, failure: null, pushTargets: null, withdrawnAt: null });
    if (row.recipientType === 'member') pushToMembers(ctx, [row.recipientId], { type: 'notification', notification: view });
    else pushToStaff(ctx, [row.recipientId], 'notification', view);
  }

  // A repeated dedupe key answers the notification made the first time.
  const repeated = rows.filter((row) => !inserted.has(row.id) && row.dedupeKey !== null);
  const earlier = new Map<string, string>();
  if (repeated.length) {
    const found = await ctx.tx
      .select({ id: notifications.id, kind: notifications.kind, recipientId: notifications.recipientId, dedupeKey: notifications.dedupeKey })
      .from(notifications)
      .where(
        and(
          // The unique index's columns, so the lookup is an index scan.
          inArray(notifications.kind, [...new Set(repeated.map((r) => r.kind))]),
          uuidIn(
            notifications.recipientId,
            repeated.map((r) => r.recipientId),
          ),
          inArray(
            notifications.dedupeKey,
            repeated.map((r) => r.dedupeKey!),
          ),
        ),
      );
    for (const row of found) earlier.set(`${row.kind}/${row.recipientId}/${row.dedupeKey}`, row.id);
  }
  return rows.map((row) =>
    inserted.has(row.id) ? { id: row.id, created: true } : { id: earlier.get(`${row.kind}/${row.recipientId}/${row.dedupeKey}`) ?? row.id, created: false },
  );
}

export async function notify(ctx: ServiceContext, input: NotifyInput): Promise<{ id: string; created: boolean }> {
  const [result] = await notifyMany(ctx, [input]);
  return result!;
}

/**
 * The app confirms notifications reached it (over its socket or REST): a push still waiting for the ACK
 * timeout is not sent. Only the recipient's own notifications count; a repeated ACK changes nothing.
 */
export async function acknowledge(kernel: Kernel, personId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const now = kernel.now();
  return kernel.db.transaction(async (tx) => {
    const acked = await tx
      .update(notifications)
      .set({
        ackedAt: now,
        state: sql`CASE WHEN ${notifications.state} IN ('created', 'sent_in_app') THEN 'acked' ELSE ${notifications.state} END`,
      })
      .where(
        and(uuidIn(notifications.id, ids), eq(notifications.recipientType, 'member'), eq(notifications.recipientId, personId), isNull(notifications.ackedAt)),
      )
      .returning({ id: notifications.id });
    if (acked.length)
      await tx
        .insert(notificationAttempts)
        .values(acked.map((row) => ({ notificationId: row.id, step: 'acked' as const, channel: 'in_app' as const, at: now })));
    return acked.map((row) => row.id);
  });
}

/**
 * Marks the recipient's notifications read (these, or all) in one statement; for a member, reading one also
 * acknowledges it, so a push still waiting for the ACK timeout is not sent. Answers the unread count left.
 */
export async function markRead(kernel: Kernel, recipient: Recipient, which: { ids?: string[]; all?: boolean }): Promise<number> {
  const now = kernel.now();
  const mine = and(eq(notifications.recipientType, recipient.type), eq(notifications.recipientId, recipient.id), isNull(notifications.readAt));
  const scope = which.all ? mine : and(mine, uuidIn(notifications.id, which.ids ?? []));
  await kernel.db.transaction(async (tx) => {
    const member = recipient.type === 'member';
    const read = await tx
      .update(notifications)
      .set({
        readAt: now,
        ...(member
          ? {
              ackedAt: sql`COALESCE(${notifications.ackedAt}, ${now})`,
              state: sql`CASE WHEN ${notifications.state} IN ('created', 'sent_in_app') THEN 'acked' ELSE ${notifications.state} END`,
            }
          : {}),
      })
      .where(scope)
      .returning({ id: notifications.id, ackedAt: notifications.ackedAt });
    const acked = member ? read.filter((row) => row.ackedAt?.getTime() === now.getTime()) : [];
    if (acked.length)
      await tx
        .insert(notificationAttempts)
        .values(acked.map((row) => ({ notificationId: row.id, step: 'acked' as const, channel: 'in_app' as const, at: now })));
  });
  return unreadCount(kernel.db, recipient);
}

export async function unreadCount(db: Executor, recipient: Recipient): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(
      and(
        eq(notifications.recipientType, recipient.type),
        eq(notifications.recipientId, recipient.id),
        isNull(notifications.readAt),
        isNull(notifications.withdrawnAt),
      ),
    );
  return row?.n ?? 0;
}

/** A recipient's notifications, newest first, keyset paged by id (ids are time-ordered). */
export async function inbox(db: Executor, recipient: Recipient, options: { cursor?: string; limit: number; unread?: boolean; withdrawn?: boolean }) {
  const after = decodeCursor<[string]>(options.cursor, ['uuid']);
  const rows = await db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.recipientType, recipient.type),
        eq(notifications.recipientId, recipient.id),
        options.unread ? isNull(notifications.readAt) : undefined,
        // Withdrawn notices leave the recipient's inbox; staff still see them in the person's history.
        options.withdrawn ? undefined : isNull(notifications.withdrawnAt),
        after ? lt(notifications.id, after[0]) : undefined,
      ),
    )
    .orderBy(desc(notifications.id))
    .limit(options.limit + 1);
  return toPage(
    rows,
    options.limit,
    (row) => [row.id],
    (row) => row,
  );
}

export async function getNotification(db: Executor, id: string): Promise<NotificationRow> {
  const [row] = await db.select().from(notifications).where(eq(notifications.id, id));
  if (!row) throw NotificationsError.notFound('No such notification.');
  return row;
}

/** Whether the notification is this recipient's (anyone else's answers like one that does not exist). */
export async function isRecipient(db: Executor, recipient: Recipient, id: string): Promise<boolean> {
  const [row] = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.recipientType, recipient.type), eq(notifications.recipientId, recipient.id)));
  return row !== undefined;
}

/** The delivery histories of these notifications, each in order. */
export async function attemptsOf(db: Executor, ids: string[]): Promise<Map<string, Attempt[]>> {
  const byId = new Map<string, Attempt[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byId;
  const rows = await db.select().from(notificationAttempts).where(uuidIn(notificationAttempts.notificationId, ids)).orderBy(asc(notificationAttempts.id));
  for (const row of rows) byId.get(row.notificationId)?.push(row);
  return byId;
}

/** Every kind a member may get, with whether they muted it. */
export async function preferencesOf(kernel: Kernel, db: Executor, personId: string) {
  const rows = await db.select().from(notificationPreferences).where(eq(notificationPreferences.personId, personId));
  const muted = new Map(rows.map((row) => [row.kind, row.muted]));
  return [...kernel.catalogue.notificationKinds.values()]
    .filter((def) => def.audience === 'member')
    .map((def) => ({
      kind: def.kind,
      label: { en: def.label.en, ru: def.label.ru },
      muted: def.mutable === true && muted.get(def.kind) === true,
      mutable: def.mutable === true,
    }));
}

export async function setMuted(ctx: ServiceContext, personId: string, kind: string, muted: boolean): Promise<void> {
  const def = kindOf(ctx.kernel, kind, 'member', { field: 'kind', in: 'params' });
  if (!def.mutable || def.policy === 'voip')
    throw new NotificationsError('not_mutable', `Notifications of kind ${kind} cannot be muted.`, { field: 'kind', in: 'params' });
  const [before] = await ctx.tx
    .select()
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.personId, personId), eq(notificationPreferences.kind, kind)))
    .for('update');
  if ((before?.muted ?? false) === muted) return;
  await ctx.tx
    .insert(notificationPreferences)
    .values({ personId, kind, muted, updatedAt: ctx.now })
    .onConflictDoUpdate({ target: [notificationPreferences.personId, notificationPreferences.kind], set: { muted, updatedAt: ctx.now } });
  await ctx.emit({
    type: NotificationEvents.preferenceChanged,
    subject: { type: 'person', id: personId },
    payload: { kind, change: muted ? 'muted' : 'unmuted' },
  });
}

/**
 * The sender takes notifications back (a hidden chat message's previews): they leave the recipients' inboxes
 * and anything not yet pushed is not sent; staff still see them, marked withdrawn.
 */
export async function withdraw(ctx: ServiceContext, kind: string, dedupeKey: string): Promise<number> {
  const rows = await ctx.tx
    .update(notifications)
    .set({ withdrawnAt: ctx.now })
    .where(and(eq(notifications.kind, kind), eq(notifications.dedupeKey, dedupeKey), isNull(notifications.withdrawnAt)))
    .returning({ id: notifications.id });
  return rows.length;
}

/** Compiles every declared template, so a broken one stops the server at start with its kind named. */
export function checkTemplates(kernel: Kernel): void {
  for (const def of kernel.catalogue.notificationKinds.values()) {
    for (const [locale, template] of Object.entries(def.templates)) {
      for (const source of [template.title, template.body]) {
        try {
          compile(source, localeOf(locale));
        } catch (error) {
          throw new Error(`Notification kind ${def.kind} has a broken ${locale} template "${source}": ${error instanceof Error ? error.message : error}`);
        }
      }
    }
  }
}
