import type { PersonTab } from '../people/tabs';
import { m } from '../paraglide/messages.js';
import PersonCreator from './PersonCreator.svelte';
import PersonInteractions from './PersonInteractions.svelte';
import PersonPhotos from './PersonPhotos.svelte';

export const personTabs: PersonTab[] = [
  { id: 'photos', label: m.tab_photos, order: 30, permission: 'creators.read', component: PersonPhotos },
  { id: 'creator', label: m.tab_creator, order: 70, permission: 'creators.read', component: PersonCreator },
  { id: 'interactions', label: m.tab_interactions, order: 72, permission: 'creators.read', component: PersonInteractions },
];
