/**
 * The console's extension points. A feature folder `src/lib/<module>/` adds to a core page by exporting
 * a list from a file of an agreed name (`person-tabs.ts` → `personTabs`, `search.ts` → `searchProviders`);
 * the core finds those files with Vite's `import.meta.glob` and never imports a feature folder itself.
 */

/**
 * One list from what an eager `import.meta.glob` found, sorted by `order` (equal orders keep the
 * folders' alphabetical order). A matching file without the named list is a mistake and fails loudly.
 */
export function collect<T extends { order: number }>(modules: Record<string, unknown>, name: string): T[] {
  return Object.keys(modules)
    .sort()
    .flatMap((path) => {
      const list = (modules[path] as Record<string, unknown> | undefined)?.[name];
      if (!Array.isArray(list)) throw new Error(`${path} must export \`${name}\` (an array)`);
      return list as T[];
    })
    .sort((a, b) => a.order - b.order);
}
