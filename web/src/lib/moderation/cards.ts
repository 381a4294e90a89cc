import type { Component } from 'svelte';
import type { paths } from '../api/schema';
import { collect } from '../registry';
import type { Me } from '../session';

export type ModerationItem = paths['/api/console/moderation/{kind}/claim']['post']['responses'][200]['content']['application/json'][number];

/** What a card's body gets: the item (its `preview` is the owning module's), and the page's fast block. */
export interface ModerationCardProps {
  item: ModerationItem;
  me: Me;
  onblock: (person: { id: string; displayName: string }) => void;
}

/**
 * How a feature folder shows the items of its own moderation kind: `src/lib/<module>/moderation-cards.ts`
 * exports `moderationCards: ModerationCard[]`; the queue renders `component` as the body of each card of
 * `kind` (photos and penalties keep the queue's own rendering).
 */
export interface ModerationCard {
  kind: string;
  order: number;
  component: Component<ModerationCardProps>;
}

export const moderationCards: ModerationCard[] = collect<ModerationCard>(import.meta.glob('../*/moderation-cards.ts', { eager: true }), 'moderationCards');
