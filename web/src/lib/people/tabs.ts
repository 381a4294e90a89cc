import type { Component } from 'svelte';
import { collect } from '../registry';
import type { Me } from '../session';
import type { Person } from './types';

/** What every module tab gets; it works out its own flags (may edit, still active) from these. */
export interface PersonTabProps {
  person: Person;
  me: Me;
}

/**
 * A tab a feature folder adds to the person page: `src/lib/<module>/person-tabs.ts` exports
 * `personTabs: PersonTab[]`. It shows to users holding `permission` (if set) for whom `visible` (if
 * set) is true, placed by `order` among the page's own tabs (`PERSON_TAB_ORDER`).
 */
export interface PersonTab {
  /** Also the `?tab=` of the page's address. */
  id: string;
  /** A message function (`m.tab_files`), called when the tab bar renders. */
  label: () => string;
  order: number;
  permission?: string;
  visible?: (me: Me, person: Person) => boolean;
  component: Component<PersonTabProps>;
}

/** The people module's own tabs, which the page renders itself; module tabs take the numbers between. */
export const PERSON_TAB_ORDER = { profile: 10, identities: 20, timeline: 40, notes: 80, 'sign-ins': 90 } as const;

/** Every module's person tabs, in order. */
export const personTabs: PersonTab[] = collect<PersonTab>(import.meta.glob('../*/person-tabs.ts', { eager: true }), 'personTabs');

/** The module tabs this user sees on this person, in order. */
export function visiblePersonTabs(me: Me, person: Person, tabs: PersonTab[] = personTabs): PersonTab[] {
  return tabs.filter((tab) => (!tab.permission || me.permissions.includes(tab.permission)) && (tab.visible?.(me, person) ?? true));
}

/** The page's tab bar: its own tabs (id → label) and the visible module tabs, by order. */
export function personTabBar(
  own: Record<keyof typeof PERSON_TAB_ORDER, string>,
  me: Me,
  person: Person,
  tabs: PersonTab[] = personTabs,
): { id: string; label: string }[] {
  const core = Object.entries(PERSON_TAB_ORDER).map(([id, order]) => ({ id, order, label: own[id as keyof typeof PERSON_TAB_ORDER] }));
  const added = visiblePersonTabs(me, person, tabs).map((tab) => ({ id: tab.id, order: tab.order, label: tab.label() }));
  return [...core, ...added].sort((a, b) => a.order - b.order).map(({ id, label }) => ({ id, label }));
}
