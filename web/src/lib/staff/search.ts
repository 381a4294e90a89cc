import { api, call } from '../api/client';
import { m } from '../paraglide/messages.js';
import type { SearchProvider } from '../search';

export const searchProviders: SearchProvider[] = [
  {
    permission: 'staff.manage_users',
    order: 30,
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
