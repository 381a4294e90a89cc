import { createQuery } from '@tanstack/svelte-query';
import { api, call } from '../api/client';
import { getLocale } from '../paraglide/runtime.js';
import { can, type Me } from '../session';

/** How the reasons of chat reports read: the `chat.report_reasons` setting's names, in the console's language. */
export function reportReasons(me: () => Me) {
  const reasons = createQuery(() => ({
    queryKey: ['chat', 'report-reasons'],
    queryFn: () => call(api.GET('/api/console/chats/report-reasons')),
    enabled: can(me(), 'chat.read'),
    staleTime: 60_000,
  }));
  return {
    label(key: string): string {
      const label = reasons.data?.find((reason) => reason.key === key)?.label;
      return label ? (getLocale() === 'ru' ? label.ru : label.en) : key;
    },
  };
}
