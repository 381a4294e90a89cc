/**
 * Which navigation groups the user has collapsed, kept in localStorage so the menus stay as they were
 * left across reloads and sign-ins. Groups start open (a module added later shows up open), and the
 * group holding the current page opens by itself.
 */
const KEY = 'sb.nav.collapsed';

function load(): Set<string> {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return new Set(Array.isArray(stored) ? stored.filter((k): k is string => typeof k === 'string') : []);
  } catch {
    return new Set();
  }
}

export class NavMenus {
  collapsed = $state<Set<string>>(load());

  isOpen(group: string): boolean {
    return !this.collapsed.has(group);
  }

  set(group: string, open: boolean): void {
    if (open === this.isOpen(group)) return;
    const next = new Set(this.collapsed);
    if (open) next.delete(group);
    else next.add(group);
    this.collapsed = next;
    try {
      localStorage.setItem(KEY, JSON.stringify([...next]));
    } catch {
      // Private windows may refuse storage: the menus still work, they are just not remembered.
    }
  }
}
