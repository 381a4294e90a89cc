import { Type } from '@sinclair/typebox';
import { defineEvents, eventTypeList, type PayloadsOf } from '../../core/events/types.ts';

export const settingEvents = defineEvents({
  'settings.changed': {
    title: { en: 'Setting changed', ru: 'Настройка изменена' },
    summary: { en: '{actor} changed the setting {payload.key}', ru: '{actor} меняет настройку {payload.key}' },
    description: 'A global setting was changed or returned to its default.',
    permission: 'settings.manage',
    payload: Type.Object({ key: Type.String(), previous: Type.Unknown(), value: Type.Unknown() }),
  },
});

declare module '../../core/events/types.ts' {
  interface EventPayloads extends PayloadsOf<typeof settingEvents> {}
}

export const SETTING_CHANGED = 'settings.changed' satisfies keyof typeof settingEvents;

export const settingEventTypes = eventTypeList(settingEvents);
