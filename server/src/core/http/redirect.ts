const PLACEHOLDER = 'http://console.invalid';

/**
 * Where a browser may be sent after signing in: a page of this console (its path, query and fragment),
 * else `/`. Browsers read `//evil.com`, `/\evil.com` and `/<tab>/evil.com` as other sites, so the check
 * is on the parsed origin, never on the text; and since dot segments are resolved when parsing
 * (`/.//evil.com`, `/%2e//evil.com` become `//evil.com`), a result that would itself read as another
 * site is refused too. API paths, the docs and the sign-in page itself are refused.
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
  const path = url.pathname;
  if (path.startsWith('//') || path.startsWith('/\\')) return '/';
  if (path === '/api' || path.startsWith('/api/') || path.startsWith('/sign-in') || path.startsWith('/docs')) return '/';
  return path + url.search + url.hash;
}
