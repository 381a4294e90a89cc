import { and, eq, isNull, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../core/db/client.ts';
import type { Text } from '../../core/labels.ts';
import type { ServiceContext, SettingsReader } from '../../core/kernel.ts';
import { openReview } from '../moderation/service.ts';
import type { Participant } from './conversations.ts';
import { ChatError } from './errors.ts';
import { ChatEvents } from './events.ts';
import { hideMessage } from './messages.ts';
import { chatConversations, chatMessages, chatReports } from './schema.ts';

export const REPORT_KIND = 'chat_report';
export const REPORT_REASONS_SETTING = 'chat.report_reasons';

/** The reasons members choose from, managed on the settings page (key → label in each language). */
export const DEFAULT_REPORT_REASONS: Record<string, Text> = {
  spam: { en: 'Spam or scam', ru: 'Спам или мошенничество' },
  abuse: { en: 'Abuse or harassment', ru: 'Оскорбления или травля' },
  nudity: { en: 'Nudity or sexual content', ru: 'Обнажённость или сексуальный контент' },
  underage: { en: 'Looks underage', ru: 'Похоже, несовершеннолетний' },
  other: { en: 'Something else', ru: 'Другое' },
};

export const reportReasons = (settings: SettingsReader) => settings.get<Record<string, Text>>(REPORT_REASONS_SETTING);

export type Report = typeof chatReports.$inferSelect;

/**
 * A participant reports a message of the conversation, or the whole conversation: the report is a `chat_report`
 * moderation item and marks the conversation as reported until it is decided.
 */
export async function report(
  ctx: ServiceContext,
  conversationId: string,
  reporter: Participant,
  input: { messageId?: string; reason: string; note?: string },
): Promise<Report> {
  const reasons = reportReasons(ctx.kernel.settings);
  if (!(input.reason in reasons)) throw ChatError.invalid('reason', `must be one of ${Object.keys(reasons).join(', ')}`);
  if (input.messageId) {
    const [message] = await ctx.tx
      .select({ id: chatMessages.id })
      .from(chatMessages)
      .where(and(eq(chatMessages.id, input.messageId), eq(chatMessages.conversationId, conversationId)));
    if (!message) throw ChatError.invalid('messageId', 'is not a message of this conversation');
  }
  const [created] = await ctx.tx
    .insert(chatReports)
    .values({
      id: uuidv7(),
      conversationId,
      messageId: input.messageId ?? null,
      reporterId: reporter.id,
      reason: input.reason,
      note: input.note?.trim() || null,
      createdAt: ctx.now,
    })
    .returning();
  await ctx.tx.update(chatConversations).set({ reportedAt: ctx.now }).where(eq(chatConversations.id, conversationId));
  await ctx.emit({
    type: ChatEvents.reported,
    subject: { type: 'conversation', id: conversationId },
    payload: { reportId: created!.id, messageId: created!.messageId, reason: created!.reason },
  });
  await openReview(ctx, {
    kind: REPORT_KIND,
    recordType: 'chat_report',
    recordId: created!.id,
    subject: { type: 'conversation', id: conversationId },
    details: { reason: created!.reason, messageId: created!.messageId },
  });
  return created!;
}

/**
 * A moderator's decision on a report: approving it hides the reported message (a conversation report is
 * acted upon from the conversation, e.g. with the fast block); either way the conversation stops being
 * "reported" once no report of it waits.
 */
export async function decideReport(ctx: ServiceContext, reportId: string, decision: 'approved' | 'rejected', reason: string | null): Promise<void> {
  const [decided] = await ctx.tx
    .update(chatReports)
    .set({ decision, decidedAt: ctx.now })
    .where(and(eq(chatReports.id, reportId), isNull(chatReports.decision)))
    .returning();
  if (!decided) return;
  if (decision === 'approved' && decided.messageId) {
    const [message] = await ctx.tx.select({ hiddenAt: chatMessages.hiddenAt }).from(chatMessages).where(eq(chatMessages.id, decided.messageId));
    if (message && !message.hiddenAt) await hideMessage(ctx, decided.messageId, reason ?? `report: ${decided.reason}`);
  }
  await ctx.tx.execute(sql`UPDATE chat_conversations SET reported_at = (
      SELECT max(created_at) FROM chat_reports WHERE conversation_id = ${decided.conversationId}::uuid AND decision IS NULL
    ) WHERE id = ${decided.conversationId}::uuid`);
}

export async function reportsOf(db: Executor, conversationId: string): Promise<Report[]> {
  return db.select().from(chatReports).where(eq(chatReports.conversationId, conversationId)).orderBy(chatReports.createdAt);
}

export async function getReport(db: Executor, id: string): Promise<Report | undefined> {
  const [row] = await db.select().from(chatReports).where(eq(chatReports.id, id));
  return row;
}
