import { MutationCache, QueryCache, QueryClient } from '@tanstack/svelte-query';
import { ApiError } from './api/client';
import { notifyError } from './notifications.svelte';

/** One cache for the whole console; API errors surface as notifications with the server's message. */
export const queryClient = new QueryClient({
  // A query whose errors its page shows itself (on the fields of a form it checks) sets `meta: { quiet: true }`.
  queryCache: new QueryCache({
    onError: (error, query) => {
      if (!query.meta?.quiet) notifyError(error);
    },
  }),
  mutationCache: new MutationCache({
    onError: (error, _variables, _context, mutation) => {
      if (!mutation.options.meta?.quiet) notifyError(error);
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // A 4xx will not change by asking again.
      retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
    },
  },
});

declare module '@tanstack/svelte-query' {
  interface Register {
    mutationMeta: { quiet?: boolean };
    queryMeta: { quiet?: boolean };
  }
}
