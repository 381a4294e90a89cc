/** Who performs an action: a signed-in staff user, a signed-in member of a client app, or the system itself. */
export type Actor = { type: 'staff'; id: string } | { type: 'member'; id: string } | { type: 'system'; id: string };

export const systemActor = (name: string): Actor => ({ type: 'system', id: name });
