import { queryOptions } from '@tanstack/svelte-query';
import { error } from '@sveltejs/kit';
import { api, call, type Schemas } from './api/client';
import type { Labels } from './labels';
import { m } from './paraglide/messages.js';

export type Me = Awaited<ReturnType<typeof fetchMe>>;

function fetchMe() {
  return call(api.GET('/api/console/me'));
}

export const meQuery = queryOptions({ queryKey: ['me'], queryFn: fetchMe, staleTime: 60_000 });

/** How codes and event types read (declared by the server's modules): the same until the server restarts. */
export const labelsQuery = queryOptions({
  queryKey: ['labels'],
  queryFn: () => call(api.GET('/api/console/labels')) as Promise<Labels>,
  staleTime: Infinity,
  gcTime: Infinity,
});

export const can = (me: Me, permission: string): boolean => me.permissions.includes(permission);

/** A page's load guard: a user without the permission sees the "no access" page, not an empty screen. */
export function requirePermission(permission: string) {
  return async ({ parent }: { parent: () => Promise<{ me: Me }> }) => {
    const { me } = await parent();
    if (!can(me, permission)) error(403, { message: m.no_access_detail({ permission }) });
    return {};
  };
}

export type StaffUser = Schemas['StaffUser'];
export type Role = Schemas['Role'];
