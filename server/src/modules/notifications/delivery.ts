import { and, eq, inArray, isNotNull, lt, or, sql } from 'drizzle-orm';
import { systemActor } from '../../core/actor.ts';
import { perKernel, type Kernel, type ServiceContext } from '../../core/kernel.ts';
import type { JobDef } from '../../core/module.ts';
import { devicesOf, removeDeviceToken, type Device } from '../members/devices.ts';
import { createPushProviders } from './push/providers.ts';
import type { PushDevice, PushMessage, PushOutcome, PushProvider } from './push/types.ts';
import { DELIVER_JOB, kindOf, SETTLED, type NotificationRow } from './service.ts';
import { notificationAttempts, notificationPushes, notifications } from './schema.ts';

export const PUSH_RETRY_JOB = 'notifications.push_retry';
/** Sends of one push to one device before it counts as failed. */
export const MAX_PUSH_ATTEMPTS = 5;
const PUSH_TTL_SECONDS = 24 * 3600;
const CALL_TTL_SECONDS = 60;

export const pushProviders = perKernel((kernel) => createPushProviders(kernel.config.push, kernel.log));

/** Seconds before the next try of a push: 2, 4, 8, 16 … at most a minute, and never sooner than the provider asked. */
export function retryDelaySeconds(attempt: number, retryAfterMs?: number): number {
  const backoff = Math.min(60, 2 ** attempt);
  return Math.max(backoff, Math.ceil((retryAfterMs ?? 0) / 1000));
}

interface Target {
  device: Device;
  provider: PushProvider | undefined;
  push: PushDevice;
  which: 'push' | 'voip';
  /** Sent as a call (VoIP, or a high-priority data message) rather than as an alert. */
  voip: boolean;
}

/**
 * The way a push reaches one device: for a call on an iPhone, its PushKit token through APNs; an iPhone
 * without one gets the call as an ordinary alert on its push token (APNs refuses a VoIP push to it);
 * otherwise the push token, through the platform's provider.
 */
function targetOf(kernel: Kernel, device: Device, voip: boolean): Target | undefined {
  const providers = pushProviders(kernel);
  const onIphone = voip && device.platform === 'ios';
  const voipProvider = onIphone ? providers.providerFor('ios', true) : undefined;
  if (voipProvider?.name === 'apns' && device.voipToken)
    return { device, provider: voipProvider, which: 'voip', voip: true, push: { id: device.id, platform: device.platform, token: device.voipToken } };
  if (!device.pushToken) return undefined;
  const provider = providers.providerFor(device.platform, voip);
  return {
    device,
    provider,
    which: 'push',
    voip: voip && !(onIphone && provider?.name === 'apns'),
    push: { id: device.id, platform: device.platform, token: device.pushToken },
  };
}

function messageOf(kernel: Kernel, n: NotificationRow): PushMessage {
  const voip = kindOf(kernel, n.kind).policy === 'voip';
  return {
    id: n.id,
    kind: n.kind,
    title: n.title,
    body: n.body,
    data: { ...n.data, notificationId: n.id, kind: n.kind },
    voip,
    ttlSeconds: voip ? CALL_TTL_SECONDS : PUSH_TTL_SECONDS,
  };
}

async function send(target: Target, message: PushMessage): Promise<PushOutcome> {
  if (!target.provider) return { status: 'rejected', reason: `No push provider is configured for ${target.device.platform}.` };
  return target.provider.send(target.push, { ...message, voip: target.voip });
}

/** A claim older than this belongs to a run that died (the queue's expiry of these jobs): it may be taken over. */
const STALE_CLAIM_MS = 120_000;
const JOB_EXPIRY_SECONDS = STALE_CLAIM_MS / 1000;

/** Nothing more goes out for a notification that was acknowledged, read or settled. */
const finished = (n: NotificationRow) => n.ackedAt !== null || n.readAt !== null || n.withdrawnAt !== null || (SETTLED as readonly string[]).includes(n.state);

async function lockNotification(ctx: ServiceContext, id: string): Promise<NotificationRow | undefined> {
  const [n] = await ctx.tx.select().from(notifications).where(eq(notifications.id, id)).for('update');
  return n;
}

/**
 * Claims try `tries` of the push to each device: a device is claimed when it has no push yet (first try), when
 * its previous try asked for this one (`retrying`, tries − 1), or when this try's claim is stale. Answers the
 * devices claimed: only their sends may happen, so a job run twice, or two chains of retries, send once.
 */
async function claim(ctx: ServiceContext, id: string, devices: string[], tries: number): Promise<Set<string>> {
  if (devices.length === 0) return new Set();
  const stale = new Date(ctx.now.getTime() - STALE_CLAIM_MS);
  const rows =
    tries === 1
      ? await ctx.tx
          .insert(notificationPushes)
          .values(devices.map((deviceId) => ({ notificationId: id, deviceId, tries, state: 'sending' as const, claimedAt: ctx.now })))
          .onConflictDoUpdate({
            target: [notificationPushes.notificationId, notificationPushes.deviceId],
            set: { claimedAt: ctx.now },
            setWhere: and(eq(notificationPushes.state, 'sending'), eq(notificationPushes.tries, 1), lt(notificationPushes.claimedAt, stale)),
          })
          .returning({ deviceId: notificationPushes.deviceId })
      : await ctx.tx
          .update(notificationPushes)
          .set({ state: 'sending', tries, claimedAt: ctx.now })
          .where(
            and(
              eq(notificationPushes.notificationId, id),
              inArray(notificationPushes.deviceId, devices),
              or(
                and(eq(notificationPushes.state, 'retrying'), eq(notificationPushes.tries, tries - 1)),
                and(eq(notificationPushes.state, 'sending'), eq(notificationPushes.tries, tries), lt(notificationPushes.claimedAt, stale)),
              ),
            ),
          )
          .returning({ deviceId: notificationPushes.deviceId });
  return new Set(rows.map((row) => row.deviceId));
}

/** Records one try's outcome if the try is still this run's (nobody took it over meanwhile). */
async function release(ctx: ServiceContext, id: string, target: Target, outcome: PushOutcome, tries: number): Promise<void> {
  const again = outcome.status === 'retry' && tries < MAX_PUSH_ATTEMPTS;
  const [mine] = await ctx.tx
    .update(notificationPushes)
    .set({ state: again ? 'retrying' : 'done' })
    .where(
      and(
        eq(notificationPushes.notificationId, id),
        eq(notificationPushes.deviceId, target.device.id),
        eq(notificationPushes.state, 'sending'),
        eq(notificationPushes.tries, tries),
      ),
    )
    .returning({ deviceId: notificationPushes.deviceId });
  if (mine) await record(ctx, id, target, outcome, tries);
}

/**
 * The push of one notification, when its timer fires (the ACK timeout) or at once: nothing if it was
 * acknowledged, read or settled meanwhile; otherwise each device of the member is claimed, sent to outside
 * any transaction (the embedded database has one connection; a slow provider must not hold it), and the
 * outcomes recorded together. A run that died after sending and before recording is taken over once its
 * claim is stale and sends again: providers collapse the repeat by the notification's id.
 */
export async function deliver(kernel: Kernel, id: string): Promise<void> {
  const writer = systemActor('notifications');
  const started = await kernel.write(writer, async (ctx) => {
    const n = await lockNotification(ctx, id);
    if (!n || finished(n)) return undefined;
    const message = messageOf(kernel, n);
    const targets = (await devicesOf(ctx.tx, n.recipientId))
      .map((device) => targetOf(kernel, device, message.voip))
      .filter((target): target is Target => target !== undefined);
    if (targets.length === 0) {
      await settle(ctx, id, 'The member has no device that can receive a push.', 0);
      return undefined;
    }
    await ctx.tx.update(notifications).set({ pushTargets: targets.length }).where(eq(notifications.id, id));
    const claimed = await claim(
      ctx,
      id,
      targets.map((t) => t.device.id),
      1,
    );
    return { message, targets: targets.filter((t) => claimed.has(t.device.id)), total: targets.length };
  });
  if (!started || started.targets.length === 0) return;
  const outcomes = await Promise.all(started.targets.map((target) => send(target, started.message)));
  await kernel.write(writer, async (ctx) => {
    await lockNotification(ctx, id);
    for (const [i, target] of started.targets.entries()) await release(ctx, id, target, outcomes[i]!, 1);
    await settle(ctx, id, null, started.total);
  });
}

/** A later try of one device's push after a provider error. */
export async function retryPush(kernel: Kernel, job: { id: string; deviceId: string; attempt: number }): Promise<void> {
  const writer = systemActor('notifications');
  const started = await kernel.write(writer, async (ctx) => {
    const n = await lockNotification(ctx, job.id);
    if (!n) return undefined;
    if (finished(n) && n.state !== 'pushed') {
      // Acknowledged or read meanwhile: the waiting try is dropped.
      await ctx.tx
        .update(notificationPushes)
        .set({ state: 'done' })
        .where(and(eq(notificationPushes.notificationId, job.id), eq(notificationPushes.deviceId, job.deviceId), eq(notificationPushes.state, 'retrying')));
      return undefined;
    }
    const message = messageOf(kernel, n);
    const device = (await devicesOf(ctx.tx, n.recipientId)).find((d) => d.id === job.deviceId);
    const claimed = await claim(ctx, job.id, [job.deviceId], job.attempt);
    if (!claimed.has(job.deviceId)) return undefined;
    const target = device && targetOf(kernel, device, message.voip);
    if (!target) {
      await ctx.tx
        .update(notificationPushes)
        .set({ state: 'done' })
        .where(and(eq(notificationPushes.notificationId, job.id), eq(notificationPushes.deviceId, job.deviceId)));
      await attempt(ctx, job.id, 'failed', null, job.deviceId, 'The device no longer has a token to push to.');
      await settle(ctx, job.id, null, n.pushTargets ?? 1);
      return undefined;
    }
    return { message, target, total: n.pushTargets ?? 1 };
  });
  if (!started) return;
  const outcome = await send(started.target, started.message);
  await kernel.write(writer, async (ctx) => {
    await lockNotification(ctx, job.id);
    await release(ctx, job.id, started.target, outcome, job.attempt);
    await settle(ctx, job.id, null, started.total);
  });
}

async function attempt(
  ctx: ServiceContext,
  notificationId: string,
  step: (typeof notificationAttempts.$inferInsert)['step'],
  channel: (typeof notificationAttempts.$inferInsert)['channel'] | null,
  deviceId: string | null,
  detail: string | null,
): Promise<void> {
  await ctx.tx.insert(notificationAttempts).values({ notificationId, step, channel, deviceId, detail, at: ctx.now });
}

async function record(ctx: ServiceContext, id: string, target: Target, outcome: PushOutcome, tries: number): Promise<void> {
  const channel = target.provider?.name ?? null;
  const device = target.device.id;
  switch (outcome.status) {
    case 'sent':
      await attempt(ctx, id, 'pushed', channel, device, outcome.providerId ?? null);
      return;
    case 'retry':
      if (tries >= MAX_PUSH_ATTEMPTS) {
        await attempt(ctx, id, 'failed', channel, device, `${outcome.reason} (gave up after ${tries} tries)`);
        return;
      }
      await attempt(ctx, id, 'retrying', channel, device, outcome.reason);
      await ctx.enqueue(PUSH_RETRY_JOB, { id, deviceId: device, attempt: tries + 1 }, { startAfterSeconds: retryDelaySeconds(tries, outcome.retryAfterMs) });
      return;
    case 'invalid_token':
      await removeDeviceToken(ctx, device, target.which, target.push.token, outcome.reason);
      await attempt(ctx, id, 'token_removed', channel, device, outcome.reason);
      return;
    case 'rejected':
      await attempt(ctx, id, 'failed', channel, device, outcome.reason);
  }
}

/**
 * Where the notification stands after a round of sends: `pushed` once any device took it; `failed` when every
 * device it went to has had its last word and none took it (or there was none: `reason`).
 */
async function settle(ctx: ServiceContext, id: string, reason: string | null, targets: number): Promise<void> {
  const open = sql`${notifications.state} IN ('created', 'sent_in_app', 'failed')`;
  if (reason !== null) {
    const failed = await ctx.tx
      .update(notifications)
      .set({ state: 'failed', failure: reason, pushTargets: 0 })
      .where(and(eq(notifications.id, id), open))
      .returning({ id: notifications.id });
    if (failed.length) await attempt(ctx, id, 'failed', null, null, reason);
    return;
  }
  const rows = await ctx.tx
    .select({ step: notificationAttempts.step, deviceId: notificationAttempts.deviceId, detail: notificationAttempts.detail })
    .from(notificationAttempts)
    .where(and(eq(notificationAttempts.notificationId, id), isNotNull(notificationAttempts.deviceId)));
  const final = rows.filter((row) => row.step === 'pushed' || row.step === 'failed' || row.step === 'token_removed');
  const pushed = final.some((row) => row.step === 'pushed');
  const finished = new Set(final.map((row) => row.deviceId)).size >= targets;
  if (pushed) {
    await ctx.tx
      .update(notifications)
      .set({ state: 'pushed', failure: null, pushTargets: targets })
      .where(and(eq(notifications.id, id), open));
  } else if (finished) {
    const last = final.at(-1)?.detail ?? 'No device took the push.';
    await ctx.tx
      .update(notifications)
      .set({ state: 'failed', failure: last, pushTargets: targets })
      .where(and(eq(notifications.id, id), open));
  } else {
    await ctx.tx.update(notifications).set({ pushTargets: targets }).where(eq(notifications.id, id));
  }
}

export const deliveryJobs: JobDef[] = [
  // Half-second polling: an offline member's push (and a call's) leaves within a second of the notification.
  { name: DELIVER_JOB, pollingIntervalSeconds: 0.5, expireInSeconds: JOB_EXPIRY_SECONDS, handle: (data, kernel) => deliver(kernel, String(data.id)) },
  {
    name: PUSH_RETRY_JOB,
    expireInSeconds: JOB_EXPIRY_SECONDS,
    handle: (data, kernel) => retryPush(kernel, data as { id: string; deviceId: string; attempt: number }),
  },
];
