import { and, eq, sql } from 'drizzle-orm';
import { ChannelFailure, type OutboundChannel, type OutboundConversation, type Recipient } from '../../core/conversations.ts';
import type { Executor } from '../../core/db/client.ts';
import { uuidIn } from '../../core/db/sql.ts';
import type { Kernel, ServiceContext } from '../../core/kernel.ts';
import type { JobDef } from '../../core/module.ts';
import type { MessageRow } from './conversations.ts';
import { chatConversations, chatDeliveries, chatMessages } from './schema.ts';

export const DELIVER_JOB = 'chat.deliver';
/** Attempts of one delivery before it is `failed` (the job queue spaces them out with a backoff). */
export const MAX_DELIVERY_ATTEMPTS = 5;

export type DeliveryState = (typeof chatDeliveries.$inferSelect)['state'];
export type Delivery = typeof chatDeliveries.$inferSelect;

/**
 * For each outbound channel of the conversation's kind and each recipient it reaches, a `queued` delivery and
 * its job, in the message's transaction: a message that commits is delivered, one that rolls back never is.
 */
export async function queueOutbound(ctx: ServiceContext, conversation: OutboundConversation, message: MessageRow, recipients: Recipient[]): Promise<void> {
  const channels = ctx.kernel.catalogue.conversationKinds.get(conversation.kind)?.channels ?? [];
  for (const channel of channels) {
    for (const recipient of recipients) {
      if (!(await channel.reaches(ctx.tx, conversation, recipient))) continue;
      await ctx.tx.insert(chatDeliveries).values({
        messageId: message.id,
        channel: channel.name,
        recipientType: recipient.type,
        recipientId: recipient.id,
        state: 'queued',
        updatedAt: ctx.now,
      });
      await ctx.enqueue(DELIVER_JOB, { messageId: message.id, channel: channel.name, recipientId: recipient.id });
    }
  }
}

function channelNamed(kernel: Kernel, kind: string, name: string): OutboundChannel | undefined {
  return kernel.catalogue.conversationKinds.get(kind)?.channels?.find((channel) => channel.name === name);
}

/**
 * One attempt of one delivery. A delivery that is no longer `queued` is left alone, so a job retried after a
 * success changes nothing. The send happens outside any transaction (the embedded database has one
 * connection; a slow channel must not hold it); pg-boss gives a job to one worker at a time, and a send whose
 * result was lost (a crash in between) is sent again: outbound channels are at least once.
 */
export async function attemptDelivery(kernel: Kernel, job: { messageId: string; channel: string; recipientId: string }): Promise<void> {
  const db = kernel.db;
  const key = and(eq(chatDeliveries.messageId, job.messageId), eq(chatDeliveries.channel, job.channel), eq(chatDeliveries.recipientId, job.recipientId));
  const [delivery] = await db.select().from(chatDeliveries).where(key);
  if (!delivery || delivery.state !== 'queued') return;
  const [message] = await db.select().from(chatMessages).where(eq(chatMessages.id, job.messageId));
  const [conversation] = message ? await db.select().from(chatConversations).where(eq(chatConversations.id, message.conversationId)) : [];
  const channel = conversation && channelNamed(kernel, conversation.kind, job.channel);
  const attempts = delivery.attempts + 1;
  const record = (set: Partial<Delivery>) =>
    db
      .update(chatDeliveries)
      .set({ ...set, attempts, updatedAt: kernel.now() })
      .where(and(key, eq(chatDeliveries.state, 'queued')));
  if (!message || !conversation || !channel) {
    await record({ state: 'failed', failure: 'The channel is no longer configured for this conversation.' });
    return;
  }
  try {
    const sent = await channel.deliver(kernel, message, conversation, { type: delivery.recipientType, id: delivery.recipientId });
    await record({ state: 'sent', externalId: sent.externalId ?? null, failure: null });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if ((error instanceof ChannelFailure && error.permanent) || attempts >= MAX_DELIVERY_ATTEMPTS) {
      await record({ state: 'failed', failure: reason });
      return;
    }
    await record({ failure: reason });
    // The attempt is counted; the job queue retries with its backoff.
    throw new Error(`Delivery through ${job.channel} failed: ${reason}`, { cause: error });
  }
}

/** A channel learned more about a delivery (delivered, read), or it failed later (a bounce). */
export async function markDelivery(
  db: Executor,
  key: { messageId: string; channel: string; recipientId: string },
  state: Exclude<DeliveryState, 'queued'>,
  at: Date,
  failure?: string,
): Promise<void> {
  const order = ['queued', 'sent', 'delivered', 'read'];
  await db
    .update(chatDeliveries)
    .set({ state, failure: failure ?? null, updatedAt: at })
    .where(
      and(
        eq(chatDeliveries.messageId, key.messageId),
        eq(chatDeliveries.channel, key.channel),
        eq(chatDeliveries.recipientId, key.recipientId),
        // States only move forward: a late "delivered" never undoes a "read".
        state === 'failed'
          ? undefined
          : sql`array_position(${sql.param(order)}::text[], ${chatDeliveries.state}) < array_position(${sql.param(order)}::text[], ${state})`,
      ),
    );
}

export async function deliveriesOf(db: Executor, messageIds: string[]): Promise<Delivery[]> {
  if (messageIds.length === 0) return [];
  return db.select().from(chatDeliveries).where(uuidIn(chatDeliveries.messageId, messageIds));
}

export const chatJobs: JobDef[] = [
  {
    name: DELIVER_JOB,
    handle: (data, kernel) => attemptDelivery(kernel, data as { messageId: string; channel: string; recipientId: string }),
  },
];
