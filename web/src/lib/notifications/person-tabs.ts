import type { PersonTab } from '../people/tabs';
import { m } from '../paraglide/messages.js';
import PersonNotifications from './PersonNotifications.svelte';

export const personTabs: PersonTab[] = [
  { id: 'notifications', label: m.tab_notifications, order: 75, permission: 'notifications.read', component: PersonNotifications },
];
