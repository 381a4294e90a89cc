import { Type } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';
import { Id, Nullable } from '../../core/schemas.ts';

const Item = { itemId: Id, kind: Type.String(), recordType: Type.String(), recordId: Type.String() };

export const moderationEvents = defineEvents({
  'moderation.item_opened': {
    title: { en: 'Up for review', ru: 'На проверке' },
    summary: { en: 'Up for review in {payload.kind:moderation_kind}: {subject}', ru: 'На проверке в очереди «{payload.kind:moderation_kind}»: {subject}' },
    description: 'Something was put up for review.',
    permission: 'moderation.review',
    payload: Type.Object(Item),
  },
  'moderation.decided': {
    title: { en: 'Moderation decision', ru: 'Решение модерации' },
    summary: {
      en: '{actor} decided in {payload.kind:moderation_kind} on {subject}: {payload.decision:review}',
      ru: '{actor} принимает решение в очереди «{payload.kind:moderation_kind}»: {subject} — {payload.decision:review}',
    },
    description: 'A moderator approved or rejected an item.',
    permission: 'moderation.review',
    payload: Type.Object({ ...Item, decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]), reason: Nullable(Type.String()) }),
  },
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof moderationEvents> {}
}

export const ModerationEvents = { opened: 'moderation.item_opened', decided: 'moderation.decided' } as const satisfies Record<
  string,
  keyof typeof moderationEvents
>;

export const moderationEventTypes = eventTypeList(moderationEvents);
