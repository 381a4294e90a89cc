import type { Component } from 'svelte';
import { collect } from './registry';
import type { Me } from './session';

export interface HeaderActionProps {
  me: Me;
}

/**
 * A control a module adds to the console's header, between the search and the user menu (the bell of
 * the notifications module): `src/lib/<module>/header-actions.ts` exports `headerActions: HeaderAction[]`.
 * It shows to users holding `permission` (if set) for whom `visible` (if set) is true, by `order`.
 */
export interface HeaderAction {
  id: string;
  order: number;
  permission?: string;
  visible?: (me: Me) => boolean;
  component: Component<HeaderActionProps>;
}

/** Every module's header actions, in order. */
export const headerActions: HeaderAction[] = collect<HeaderAction>(import.meta.glob('./*/header-actions.ts', { eager: true }), 'headerActions');

/** The header actions this user sees, in order. */
export function visibleHeaderActions(me: Me, actions: HeaderAction[] = headerActions): HeaderAction[] {
  return actions.filter((action) => (!action.permission || me.permissions.includes(action.permission)) && (action.visible?.(me) ?? true));
}
