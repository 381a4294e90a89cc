import type { ModerationCard } from '../moderation/cards';
import ChatReportCard from './ChatReportCard.svelte';

export const moderationCards: ModerationCard[] = [{ kind: 'chat_report', order: 10, component: ChatReportCard }];
