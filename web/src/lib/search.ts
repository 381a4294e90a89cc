import { api, call } from './api/client';
import { m } from './paraglide/messages.js';

export interface SearchResult {
  href: string;
  text: string;
  description?: string;
}

/**
 * What the header's search box looks in. A module adds its provider here (people, orders, …); each
 * runs only for users holding its permission, and all run at once.
 */
export interface SearchProvider {
  permission: string;
  search(query: string, signal: AbortSignal): Promise<SearchResult[]>;
}

export const searchProviders: SearchProvider[] = [
  {
    permission: 'people.read',
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
    async search(q, signal) {
      const page = await call(api.GET('/api/console/organizations', { params: { query: { q, limit: 4 } }, signal }));
      return page.items.map((organization) => ({
        href: `/organizations/${organization.id}`,
        text: organization.name,
        description: `${m.search_kind_organization()} · ${organization.kind}`,
      }));
    },
  },
  {
    permission: 'staff.manage_users',
    async search(q, signal) {
      const page = await call(api.GET('/api/console/staff', { params: { query: { q, limit: 5 } }, signal }));
      return page.items.map((user) => ({
        href: `/staff?selected=${user.id}`,
        text: user.name,
        description: `${m.search_kind_staff()} · ${user.email}`,
      }));
    },
  },
];
