import type { PersonTab } from '../people/tabs';
import { m } from '../paraglide/messages.js';
import PersonChats from './PersonChats.svelte';

export const personTabs: PersonTab[] = [{ id: 'chats', label: m.tab_chats, order: 45, permission: 'chat.read', component: PersonChats }];
