import { getLocale } from './paraglide/runtime.js';

/** Dates and times in the console's language, not the browser's. */
export function dateTime(iso: string, style: 'short' | 'medium' = 'medium'): string {
  return new Date(iso).toLocaleString(getLocale(), { dateStyle: style === 'short' ? 'short' : 'medium', timeStyle: 'medium' });
}
