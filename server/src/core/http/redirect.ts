const PLACEHOLDER = 'http://console.invalid';

/**
 * Where a browser may be sent after signing in: a page of this console (its path, query and fragment),
 * else `/`. Browsers read `//evil.com`, `/\evil.com` and `/<tab>/evil.com` as other sites, so the check
 * is on the parsed origin, never on the text; API paths and the sign-in page itself are refused too.
 * The console's own `safeNext` (web/src/lib/redirect.ts) applies the same rule on its side.
 */
export function safeReturnPath(value: string | undefined | null): string {
  if (!value || !value.startsWith('/') || value.length > 2000 || value.includes('\\') || [...value].some((c) => c < ' ' || c === '\u007f')) return '/';
  let url: URL;
  try {
    url = new URL(value, PLACEHOLDER);
  } catch {
    return '/';
  }
  if (url.origin !== PLACEHOLDER) return '/';
  if (url.pathname === '/api' || url.pathname.startsWith('/api/') || url.pathname.startsWith('/sign-in') || url.pathname.startsWith('/docs')) return '/';
  return url.pathname + url.search + url.hash;
}
