import type { Principal } from './access.ts';

/** Who performs an action: a signed-in staff user, a signed-in member of a client app, or the system itself. */
export type Actor =
  /** `principal`: the user's access as the request's session resolved it, so services need not load it again. */
  { type: 'staff'; id: string; principal?: Principal } | { type: 'member'; id: string } | { type: 'system'; id: string };

export const systemActor = (name: string): Actor => ({ type: 'system', id: name });
