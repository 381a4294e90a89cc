import { api, call } from '../api/client';
import { m } from '../paraglide/messages.js';
import type { SearchProvider } from '../search';

export const searchProviders: SearchProvider[] = [
  {
    permission: 'people.read',
    order: 10,
    async search(q, signal) {
      const page = await call(api.GET('/api/console/people', { params: { query: { q, limit: 6 } }, signal }));
      return page.items.map((person) => ({
        href: `/people/${person.id}`,
        text: person.displayName,
        description: [m.search_kind_person(), person.contacts[0]?.value].filter(Boolean).join(' · '),
      }));
    },
  },
  {
    permission: 'people.read',
    order: 20,
    async search(q, signal) {
      const page = await call(api.GET('/api/console/organizations', { params: { query: { q, limit: 4 } }, signal }));
      return page.items.map((organization) => ({
        href: `/organizations/${organization.id}`,
        text: organization.name,
        description: `${m.search_kind_organization()} · ${organization.kind}`,
      }));
    },
  },
];
