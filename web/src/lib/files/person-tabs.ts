import type { PersonTab } from '../people/tabs';
import { m } from '../paraglide/messages.js';
import PersonFiles from './PersonFiles.svelte';

// Everyone who may open the person sees their files; uploading and deleting need files.manage.
export const personTabs: PersonTab[] = [{ id: 'files', label: m.tab_files, order: 50, component: PersonFiles }];
