import { goto } from '$app/navigation';
import { page } from '$app/state';

/**
 * Keeps a list's filters in the address (empty ones dropped), so a reload or a shared link shows the
 * same list. Call it from an `$effect` with the current filter values.
 */
export function syncSearchParams(values: Record<string, string | undefined>): void {
  const url = new URL(page.url);
  for (const [name, value] of Object.entries(values)) {
    if (value) url.searchParams.set(name, value);
    else url.searchParams.delete(name);
  }
  if (url.search !== page.url.search) void goto(url, { replaceState: true, keepFocus: true, noScroll: true });
}
