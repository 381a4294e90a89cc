import type { HeaderAction } from '../header-actions';
import { codesOf } from '../labels';
import StaffBell from './StaffBell.svelte';

/**
 * The bell: every signed-in staff user's own notifications. It shows while the notifications module is
 * enabled, which the labels tell (its codes are there only then): no permission guards one's own inbox.
 */
export const headerActions: HeaderAction[] = [
  { id: 'notifications', order: 10, visible: () => codesOf('notification_state').length > 0, component: StaffBell },
];
