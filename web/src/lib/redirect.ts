/**
 * Where to go after signing in: the `next` page if it is a page of this console, else home. The same
 * rule as the server's `safeReturnPath` (server/src/core/http/redirect.ts): browsers read `//evil.com`,
 * `/\evil.com` and `/<tab>/evil.com` as other sites, so the check is on the parsed origin, not on the
 * text; dot segments are resolved when parsing (`/.//evil.com` becomes `//evil.com`), so a result that
 * would itself read as another site is refused too; and API paths, the docs and sign-in are refused.
 */
export function safeNext(next: string | null, origin: string): string {
  if (!next || !next.startsWith('/') || next.length > 2000 || next.includes('\\') || [...next].some((c) => c < ' ' || c === '\u007f')) return '/';
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin) return '/';
  const path = url.pathname;
  if (path.startsWith('//') || path.startsWith('/\\')) return '/';
  if (path === '/api' || path.startsWith('/api/') || path.startsWith('/sign-in') || path.startsWith('/docs')) return '/';
  return path + url.search + url.hash;
}
