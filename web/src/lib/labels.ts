import { m } from './paraglide/messages.js';

/**
 * The catalogue's name of a code the API sends: `codeLabel('role', 'owner')` is `m.role_owner()`. A code the
 * catalogue does not know (one a newer module sends) shows as it is.
 */
export function codeLabel(prefix: string, code: string): string {
  const message = (m as unknown as Record<string, (() => string) | undefined>)[`${prefix}_${code}`];
  return typeof message === 'function' ? message() : code;
}

/**
 * Texts Carbon's list boxes (ComboBox, MultiSelect) build from ids, in English unless given these: the
 * chevron's "Open menu" / "Close menu" and the clear button's label.
 */
export const menuIconText = (id: 'open' | 'close') => (id === 'open' ? m.menu_open() : m.menu_close());
export const selectionText = (id: 'clearAll' | 'clearSelection') => (id === 'clearAll' ? m.selection_clear_all() : m.selection_clear());
