/**
 * Where to go after signing in: the `next` page if it is a page of this console, else home. Browsers
 * read `/\evil.com` and `/<tab>/evil.com` as other sites, so the check is on the parsed origin, not on
 * the text.
 */
export function safeNext(next: string | null, origin: string): string {
  let url: URL;
  try {
    url = new URL(next ?? '/', origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin || url.pathname.startsWith('/sign-in')) return '/';
  return url.pathname + url.search + url.hash;
}
