import { createInfiniteQuery } from '@tanstack/svelte-query';

export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagedOptions<T> {
  /**
   * How often to load the list again (ms) given what it shows, or `false`: a list of things in progress
   * (a send's progress) follows them while any is still moving, and stops when none is.
   */
  refetchInterval?: (items: T[]) => number | false;
}

/**
 * A keyset-paginated list as an infinite query: `key` is reactive (filters), `fetchPage` gets the
 * cursor of the page to load. Pair it with <InfiniteList>.
 */
export function createPagedQuery<T>(
  key: () => readonly unknown[],
  fetchPage: (cursor: string | undefined) => Promise<PageOf<T>>,
  options: PagedOptions<T> = {},
) {
  const poll = options.refetchInterval;
  return createInfiniteQuery(() => ({
    queryKey: key(),
    queryFn: ({ pageParam }: { pageParam: string | undefined }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: PageOf<T>) => last.nextCursor ?? undefined,
    refetchInterval: poll && ((query: { state: { data?: { pages: PageOf<T>[] } } }) => poll(query.state.data?.pages.flatMap((p) => p.items) ?? [])),
  }));
}

/** A value that follows `read()` once it has stopped changing for `ms` (search boxes). */
export function debounced<T>(read: () => T, ms = 300): { readonly current: T } {
  let current = $state(read());
  $effect(() => {
    const value = read();
    const timer = setTimeout(() => (current = value), ms);
    return () => clearTimeout(timer);
  });
  return {
    get current() {
      return current;
    },
  };
}
