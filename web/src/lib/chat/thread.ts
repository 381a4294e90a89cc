import { createInfiniteQuery, type QueryClient } from '@tanstack/svelte-query';
import { api, call } from '../api/client';
import type { Message } from './types';

export const threadKey = (id: string) => ['chat', 'messages', id] as const;

/**
 * A conversation's messages for staff: the newest page first, then older ones (`before` the oldest seq
 * held); `messages` reads them oldest first. Refetching reloads every page held, so a live update never
 * leaves a gap.
 */
export function createThread(id: () => string) {
  const query = createInfiniteQuery(() => ({
    queryKey: threadKey(id()),
    queryFn: ({ pageParam }: { pageParam: number | undefined }) =>
      call(api.GET('/api/console/chats/{id}/messages', { params: { path: { id: id() }, query: { before: pageParam, limit: 50 } } })),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last: { items: Message[]; more: boolean }) => (last.more ? last.items[0]?.seq : undefined),
  }));
  return {
    query,
    get messages(): Message[] {
      return [...(query.data?.pages ?? [])].reverse().flatMap((p) => p.items);
    },
  };
}

/** Puts a message the server answered (e.g. just hidden) in place of the one held. */
export function replaceMessage(client: QueryClient, message: Message): void {
  client.setQueryData<{ pages: { items: Message[]; more: boolean }[]; pageParams: unknown[] }>(threadKey(message.conversationId), (data) =>
    data ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map((held) => (held.id === message.id ? message : held)) })) } : data,
  );
}
