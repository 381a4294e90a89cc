import { collect } from './registry';

export interface SearchResult {
  href: string;
  text: string;
  description?: string;
}

/**
 * What the header's search box looks in. A module adds providers by exporting `searchProviders` from
 * `src/lib/<module>/search.ts`; each runs only for users holding its permission, all run at once, and
 * their results are listed by `order`.
 */
export interface SearchProvider {
  permission: string;
  order: number;
  search(query: string, signal: AbortSignal): Promise<SearchResult[]>;
}

/** Every module's providers, in order. */
export const searchProviders: SearchProvider[] = collect<SearchProvider>(import.meta.glob('./*/search.ts', { eager: true }), 'searchProviders');
