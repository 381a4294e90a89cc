import { defineModule } from '../../core/module.ts';
import { seedDefaultBlockReasons } from './block-reasons.ts';
import { seedPeopleDemo } from './demo.ts';
import { peopleEventTypes } from './events.ts';
import { peopleRefs } from './refs.ts';
import { peopleRoutes } from './routes.ts';
import { peopleCodes } from './views.ts';

export const peopleModule = defineModule({
  name: 'people',
  label: { en: 'People', ru: 'Люди' },
  permissions: [
    { key: 'people.read', description: 'See people and organizations: profiles (private parts too), identities, notes, timelines.' },
    { key: 'people.manage', description: 'Create and edit people and organizations, their identities and members; write notes.' },
    { key: 'people.block', description: 'Block and unblock people; manage the list of block reasons.' },
    { key: 'people.erase', description: "Erase a person's personal data on their request (cannot be undone)." },
  ],
  // Moderators judge people's photos and reports: they need to see who they are looking at.
  roleGrants: { support: ['people.read', 'people.manage', 'people.block'], moderator: ['people.read', 'people.block'] },
  events: peopleEventTypes,
  codes: peopleCodes,
  refs: peopleRefs,
  routes: (app, kernel) => peopleRoutes(kernel)(app),
  nav: [
    { group: 'people', path: '/people', label: 'nav.people', permission: 'people.read' },
    { group: 'people', path: '/organizations', label: 'nav.organizations', permission: 'people.read' },
  ],
  bootstrap: seedDefaultBlockReasons,
  seedDemo: seedPeopleDemo,
});
