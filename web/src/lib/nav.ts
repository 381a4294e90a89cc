import { m } from './paraglide/messages.js';

/** Modules name their nav entries with message keys (`nav.staff`); an unknown key shows as it is. */
export function navLabel(key: string): string {
  const message = (m as unknown as Record<string, (() => string) | undefined>)[key.replace(/\./g, '_')];
  return typeof message === 'function' ? message() : key;
}
